/**
 * Checking one answer to a second factor — a code from the app, a recovery
 * code, an emailed code or a passkey assertion — for a sign-in's challenge or
 * a re-authentication. Each check spends what it accepts (a TOTP step, a
 * recovery code, an emailed code, a WebAuthn challenge).
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { isAuthError } from '../errors.js';
import type { Exchange } from './exchange.js';
import { type authenticationResponse, passkeyRelyingParty } from './passkey-routes.js';

export const codeField = z.string().min(1, 'Enter the code.').max(20);
export const recoveryCodeField = z.string().min(1, 'Enter a recovery code.').max(40);

export const WRONG_CODE = 'That code is not right, or it was already used.';

export type Factor = 'totp' | 'recovery_code' | 'email' | 'passkey';
type AssertionJson = z.output<typeof authenticationResponse>;
export type Answer =
  | { factor: 'totp'; value: string }
  | { factor: 'recovery_code'; value: string }
  | { factor: 'email'; value: string }
  | { factor: 'passkey'; value: AssertionJson };

/** What each factor adds to a session's `amr`. */
const FACTOR_AMR: Record<Factor, string> = {
  totp: 'otp',
  recovery_code: 'recovery',
  email: 'email',
  passkey: 'passkey',
};

/** The one answer a verify or re-authentication body carries (its schema allows exactly one). */
export function answerOf(body: {
  code?: string | undefined;
  recoveryCode?: string | undefined;
  emailCode?: string | undefined;
  passkey?: AssertionJson | undefined;
}): Answer {
  if (body.code !== undefined) return { factor: 'totp', value: body.code };
  if (body.recoveryCode !== undefined) return { factor: 'recovery_code', value: body.recoveryCode };
  if (body.emailCode !== undefined) return { factor: 'email', value: body.emailCode };
  return { factor: 'passkey', value: body.passkey as AssertionJson };
}

/** Checks one answer for the user; the factor's `amr` value if right, null if not. */
export async function checkFactor<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  answer: Answer,
  purpose: 'mfa' | 'reauth' = 'mfa',
): Promise<string | null> {
  return (await isRight(x, user, answer, purpose)) ? FACTOR_AMR[answer.factor] : null;
}

async function isRight<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  answer: Answer,
  purpose: 'mfa' | 'reauth',
): Promise<boolean> {
  const { mfa, tokens, passkeys } = x.core;
  switch (answer.factor) {
    case 'totp':
      return mfa.totp.verify(user.id, answer.value);
    case 'recovery_code':
      return mfa.recoveryCodes.use(user.id, answer.value);
    case 'email':
      return (
        (await tokens.verifyCode(user.email, 'mfa_email', answer.value, x.tokenScope))?.userId === user.id
      );
    case 'passkey': {
      const request = { purpose, userId: user.id, ...passkeyRelyingParty(x) };
      return passkeys.authenticate(answer.value, request).then(
        () => true,
        (error: unknown) => {
          if (isAuthError(error, 'invalid_credentials')) return false;
          throw error;
        },
      );
    }
  }
}

/** A wrong answer, in the audit trail as a failed sign-in naming the factor (never the value). */
export async function recordWrongAnswer<F extends CustomFields>(
  x: Exchange<F>,
  userId: string,
  method: string,
  factor: string,
): Promise<void> {
  await x.core.audit.record({
    type: 'signin_failed',
    userId,
    ...x.client,
    details: { method, factor, reason: 'wrong_code' },
  });
}
