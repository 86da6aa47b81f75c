/**
 * The fork every sign-in passes once its first factor is proved: a user with
 * a second factor (TOTP app or passkey) gets an MFA challenge instead of a
 * session — unless the first factor was already multi-factor (a passkey with
 * user verification) or this browser is remembered for them.
 *
 * JSON clients get 401 `mfa_required` with the challenge; cookie clients also
 * get it in the `gh_mfa` cookie, and a browser that arrived by a redirect or a
 * form (magic link, social callback) is sent to the challenge page.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { CHALLENGE_TTL_SECONDS } from '../methods/mfa/challenges.js';
import { deviceCookieName, mfaCookie, readCookie } from './cookies.js';
import type { Exchange } from './exchange.js';
import { json, seeOther } from './responses.js';

/** `amr` values that already prove two factors. */
const MULTI_FACTOR = new Set(['mfa', 'passkey']);

export interface FirstFactor {
  amr: string[];
  redirect: string | null;
  /** The request was a form post or a browser redirect: answer with a page, not JSON. */
  form: boolean;
  details?: Record<string, unknown>;
}

/** Whether this sign-in must be finished by a second factor. */
export async function needsSecondFactor<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  amr: readonly string[],
): Promise<boolean> {
  if (amr.some((value) => MULTI_FACTOR.has(value))) return false;
  if (!(await x.core.mfa.hasSecondFactor(user.id))) return false;
  if (!trustedDevicesOn(x)) return true;
  const device = readCookie(x.request.headers.get('cookie'), deviceCookieName(x.cookie));
  return !(device && (await x.core.mfa.trustedDevices.recognizes(user.id, device)));
}

/** Issues the challenge and answers with it. */
export async function challengeSecondFactor<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  first: FirstFactor,
): Promise<Response> {
  const { core } = x;
  const data = {
    tenantId: x.tenant.id,
    ...(first.redirect !== null ? { redirectTo: first.redirect } : {}),
    ...(first.details ? { details: first.details } : {}),
  };
  const { token, expiresAt } = await core.mfa.challenges.issue(user.id, { amr: first.amr, data });
  await core.audit.record({
    type: 'mfa_challenged',
    userId: user.id,
    ...x.client,
    details: { amr: first.amr },
  });
  const page = challengePage(x);
  const response =
    first.form && page && !x.bearerMode
      ? seeOther(page, x.headers)
      : json(
          401,
          {
            error: {
              code: 'mfa_required',
              message: 'Enter a code from your second factor to finish signing in.',
            },
            challenge: token,
            methods: await challengeMethods(x, user.id),
            expiresAt: expiresAt.toISOString(),
          },
          x.headers,
        );
  if (!x.bearerMode) response.headers.append('set-cookie', mfaCookie(x.cookie, token, CHALLENGE_TTL_SECONDS));
  return response;
}

/** The ways the user can answer a challenge: `totp`, `passkey`, `recovery_code`, `email`. */
export async function challengeMethods<F extends CustomFields>(
  x: Exchange<F>,
  userId: string,
): Promise<string[]> {
  const factors = await x.core.mfa.factors(userId);
  return [
    ...(factors.totp ? ['totp'] : []),
    ...(factors.passkeys > 0 ? ['passkey'] : []),
    ...(factors.recoveryCodes > 0 ? ['recovery_code'] : []),
    ...(x.core.config.mfa?.emailCode !== false ? ['email'] : []),
  ];
}

export function trustedDevicesOn<F extends CustomFields>(x: Exchange<F>): boolean {
  const setting = x.core.config.mfa?.trustedDevices;
  return setting !== undefined && setting !== false;
}

/** Where a browser answers its challenge: `links.mfa`, else the pre-built page, else nowhere (JSON). */
function challengePage<F extends CustomFields>(x: Exchange<F>): string | null {
  const { config } = x.core;
  if (config.links?.mfa) return config.links.mfa;
  return config.ui?.enabled === false ? null : x.tenantPath(`${config.basePath ?? '/auth'}/ui/mfa`);
}
