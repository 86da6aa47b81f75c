/**
 * The routes of API.md "MFA": enrolling and removing a TOTP app, recovery
 * codes, answering a sign-in's MFA challenge, and the staff reset (step-up is
 * in `reauthenticate-routes.ts`, remembered browsers in
 * `trusted-device-routes.ts`, the checks of each answer in `second-factors.ts`).
 *
 * - Adding or removing a factor needs a recent authentication
 *   (`requireRecentAuthentication`): a stolen session alone cannot replace
 *   the owner's second factor or take it away.
 * - Every try at a second factor counts against the account
 *   (`Throttle.beginSecondFactor`) and against the challenge's own five tries.
 * - The challenge comes in the body or, for browsers, in the `gh_mfa` cookie;
 *   it opens nothing but these routes.
 */

import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { AuthError, invalidRequest } from '../errors.js';
import type { MfaChallenge } from '../methods/mfa/challenges.js';
import { DEFAULT_TENANT_ID } from '../tenants/tenants.js';
import { readBody } from './body.js';
import { deviceCookie, mfaCookie, mfaCookieName, readCookie } from './cookies.js';
import type { Exchange } from './exchange.js';
import { challengeMethods, trustedDevicesOn } from './mfa-challenge.js';
import { authenticationResponse, passkeyRelyingParty } from './passkey-routes.js';
import type { Throttle } from './rate-limits/throttle.js';
import { later } from './recovery-routes.js';
import { empty, json } from './responses.js';
import { finishSignIn, type RouteSpec } from './routes.js';
import { parseBody } from './schemas.js';
import {
  answerOf,
  checkFactor,
  codeField,
  recordWrongAnswer,
  recoveryCodeField,
  WRONG_CODE,
} from './second-factors.js';
import { noticeLater } from './security-notices.js';

const challenge = z.string().max(100).optional();

export const totpConfirmBody = z.strictObject({ code: codeField });
export const totpRemoveBody = z
  .strictObject({ code: codeField.optional(), recoveryCode: recoveryCodeField.optional() })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'Enter a code from your app or a recovery code.',
    path: ['code'],
  });
export const challengeBody = z.strictObject({ challenge });
export const mfaVerifyBody = z
  .strictObject({
    challenge,
    code: codeField.optional(),
    recoveryCode: recoveryCodeField.optional(),
    emailCode: codeField.optional(),
    /** What `startAuthentication` resolved to, for options from `/mfa/passkey/options`. */
    passkey: authenticationResponse.optional(),
    rememberDevice: z.union([z.boolean(), z.enum(['on', 'true', 'false'])]).optional(),
    redirectTo: z.string().max(2048).optional(),
  })
  .refine(
    (body) =>
      [body.code, body.recoveryCode, body.emailCode, body.passkey].filter((v) => v !== undefined).length ===
      1,
    {
      message: 'Enter one code: from your app, a recovery code, or the emailed code (or use a passkey).',
      path: ['code'],
    },
  );
const CHALLENGE_GONE = 'This sign-in expired or had too many wrong codes. Sign in again.';

export function mfaRoutes<F extends CustomFields>(deps: { throttle: Throttle | null }): RouteSpec<F>[] {
  const { throttle } = deps;

  /** The challenge a request names (body, else the browser's cookie). */
  function challengeToken(x: Exchange<F>, fromBody: string | undefined): string | undefined {
    return fromBody ?? readCookie(x.request.headers.get('cookie'), mfaCookieName(x.cookie));
  }

  /**
   * The active user a live challenge of this tenant belongs to; 401
   * `unauthenticated` for anything else (a challenge is finished where its
   * first factor was proved).
   */
  async function challengeUser(x: Exchange<F>, found: MfaChallenge | null): Promise<User<F>> {
    const here = found && (found.data.tenantId ?? DEFAULT_TENANT_ID) === x.tenant.id;
    const user = here ? await x.core.users.get(found.userId) : null;
    if (!found || !user?.isActive) throw new AuthError('unauthenticated', CHALLENGE_GONE);
    return user;
  }

  return [
    {
      method: 'GET',
      path: '/mfa',
      summary: 'Your second factors, and whether the MFA policy asks you to have one',
      signedIn: true,
      success: {
        status: 200,
        description:
          '`{totp: {enabled}, passkeys, recoveryCodes: {remaining}, trustedDevices, required, password}`; `password`: whether you have one to re-authenticate with',
      },
      errors: ['unauthenticated'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const { mfa } = x.core;
        const [factors, required, devices] = await Promise.all([
          mfa.factors(user.id),
          mfa.isRequiredFor(user),
          mfa.trustedDevices.list(user.id),
        ]);
        return json(
          200,
          {
            totp: { enabled: factors.totp },
            passkeys: factors.passkeys,
            recoveryCodes: { remaining: factors.recoveryCodes },
            trustedDevices: devices.length,
            required,
            password: user.hasUsablePassword,
          },
          x.headers,
        );
      },
    },
    {
      method: 'POST',
      path: '/mfa/totp/setup',
      summary:
        'Start adding an authenticator app: a new secret, its `otpauth://` URL and QR code (needs a recent sign-in)',
      signedIn: true,
      success: {
        status: 200,
        description: '`{secret, otpauthUrl, qrSvg}`; nothing is on until `/mfa/totp/confirm`',
      },
      errors: ['unauthenticated', 'reauthentication_required', 'conflict', 'csrf_failed', 'unavailable'],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        return json(200, await x.core.mfa.totp.begin(user), x.headers);
      },
    },
    {
      method: 'POST',
      path: '/mfa/totp/confirm',
      summary: 'Turn the authenticator app on with its first code; answers the recovery codes, once',
      signedIn: true,
      body: totpConfirmBody,
      success: { status: 200, description: '`{recoveryCodes: [...]}` (10 codes, shown this once)' },
      errors: [
        'invalid_request',
        'unauthenticated',
        'reauthentication_required',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        const body = parseBody(totpConfirmBody, (await readBody(x.request)).fields);
        const attempt = await throttle?.beginSecondFactor(x.ip, user.id);
        if (!(await x.core.mfa.totp.confirm(user.id, body.code))) {
          throw invalidRequest({ code: 'That code is not right. Check the app and try the next one.' });
        }
        await attempt?.succeeded();
        const recoveryCodes = await x.core.mfa.recoveryCodes.generate(user.id);
        noticeLater(x, user, 'totp_enabled');
        await x.core.audit.record({
          type: 'mfa_enabled',
          userId: user.id,
          ...x.client,
          details: { factor: 'totp' },
        });
        return json(200, { recoveryCodes }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/mfa/totp',
      summary:
        'Turn the authenticator app off, with one of its codes or a recovery code (needs a recent sign-in)',
      signedIn: true,
      body: totpRemoveBody,
      success: {
        status: 204,
        description: 'Off; with no passkey left, the recovery codes and remembered browsers go too',
      },
      errors: [
        'invalid_request',
        'unauthenticated',
        'reauthentication_required',
        'not_found',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        const body = parseBody(totpRemoveBody, (await readBody(x.request)).fields);
        const { mfa } = x.core;
        if (!(await mfa.totp.status(user.id)).enabled) {
          throw new AuthError('not_found', 'There is no authenticator app to turn off.');
        }
        const attempt = await throttle?.beginSecondFactor(x.ip, user.id);
        if (!(await checkFactor(x, user, answerOf(body)))) {
          throw invalidRequest({ [body.code !== undefined ? 'code' : 'recoveryCode']: WRONG_CODE });
        }
        await attempt?.succeeded();
        await mfa.totp.remove(user.id);
        await mfa.clearIfNoFactorLeft(user.id);
        noticeLater(x, user, 'totp_disabled');
        await x.core.audit.record({
          type: 'mfa_disabled',
          userId: user.id,
          ...x.client,
          details: { factor: 'totp' },
        });
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/mfa/recovery-codes',
      summary:
        'Replace your recovery codes with a new set; the old ones stop working (needs a recent sign-in)',
      signedIn: true,
      success: { status: 200, description: '`{recoveryCodes: [...]}` (10 codes, shown this once)' },
      errors: ['unauthenticated', 'reauthentication_required', 'conflict', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        if (!(await x.core.mfa.hasSecondFactor(user.id))) {
          throw new AuthError('conflict', 'Add an authenticator app or a passkey first.');
        }
        const recoveryCodes = await x.core.mfa.recoveryCodes.generate(user.id);
        noticeLater(x, user, 'recovery_codes');
        await x.core.audit.record({ type: 'recovery_codes_regenerated', userId: user.id, ...x.client });
        return json(200, { recoveryCodes }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/mfa/email',
      summary: "Mail a one-time code for the sign-in's challenge to the account's address",
      signedIn: false,
      body: challengeBody,
      success: { status: 202, description: 'Sent (unless the address had too many codes lately)' },
      errors: ['invalid_request', 'unauthenticated', 'not_found', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        if (x.core.config.mfa?.emailCode === false)
          throw new AuthError('not_found', 'There is no such route.');
        const body = parseBody(challengeBody, (await readBody(x.request)).fields);
        const { core } = x;
        const user = await challengeUser(
          x,
          await core.mfa.challenges.peek(challengeToken(x, body.challenge)),
        );
        const allowed = throttle ? await throttle.countMailRequest(x.ip, user.email) : true;
        if (allowed) {
          later(x, async () => {
            const issued = await core.tokens.issue({
              purpose: 'mfa_email',
              userId: user.id,
              email: user.email,
              ...x.tokenScope,
            });
            if (issued.attemptsRemaining === 0) return;
            const expiresInSeconds = Math.round((issued.expiresAt.getTime() - core.now().getTime()) / 1000);
            await core.mail.enqueue({
              to: user.email,
              template: 'email_otp',
              data: { code: issued.token, expiresInSeconds },
            });
          });
        }
        return empty(202, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/mfa/passkey/options',
      summary:
        "Options for answering the sign-in's challenge with one of the user's passkeys (`startAuthentication`)",
      signedIn: false,
      body: challengeBody,
      success: {
        status: 200,
        description: "PublicKeyCredentialRequestOptionsJSON, listing the user's passkeys",
      },
      errors: ['invalid_request', 'unauthenticated', 'csrf_failed'],
      async handle(x) {
        const body = parseBody(challengeBody, (await readBody(x.request)).fields);
        const user = await challengeUser(
          x,
          await x.core.mfa.challenges.peek(challengeToken(x, body.challenge)),
        );
        const { rpId } = passkeyRelyingParty(x);
        return json(
          200,
          await x.core.passkeys.authenticationOptions({ purpose: 'mfa', userId: user.id, rpId }),
          x.headers,
        );
      },
    },
    {
      method: 'POST',
      path: '/mfa/verify',
      summary:
        'Finish a sign-in with its second factor: a code from the app, a recovery code or the emailed code',
      signedIn: false,
      body: mfaVerifyBody,
      success: {
        status: 200,
        description:
          '`{user, session, redirectTo?}` and the session cookie (or `token` in bearer mode); a form post with a `redirectTo` gets 303 there',
      },
      errors: ['invalid_request', 'invalid_credentials', 'unauthenticated', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        const { core } = x;
        const { fields: raw, form } = await readBody(x.request);
        const body = parseBody(mfaVerifyBody, raw);
        const requested = body.redirectTo !== undefined ? x.redirectTarget(body.redirectTo) : null;
        const token = challengeToken(x, body.challenge);
        const peeked = await core.mfa.challenges.peek(token);
        const user = await challengeUser(x, peeked);
        const attempt = await throttle?.beginSecondFactor(x.ip, user.id);
        const found = await core.mfa.challenges.attempt(token);
        if (found?.userId !== user.id) throw new AuthError('unauthenticated', CHALLENGE_GONE);
        const answer = answerOf(body);
        const { factor } = answer;
        if (factor === 'email' && core.config.mfa?.emailCode === false) {
          throw invalidRequest({ emailCode: 'Codes by email are turned off.' });
        }
        const amr = await checkFactor(x, user, answer);
        if (amr === null) {
          await recordWrongAnswer(x, user.id, 'mfa', factor);
          throw new AuthError('invalid_credentials', WRONG_CODE);
        }
        if (!(await core.mfa.challenges.complete(found.id)))
          throw new AuthError('unauthenticated', CHALLENGE_GONE);
        await attempt?.succeeded();
        const details = (found.data.details as Record<string, unknown> | undefined) ?? {};
        const response = await finishSignIn(x, user, {
          amr: [...found.amr, amr, 'mfa'],
          redirect: requested ?? x.storedRedirect(found.data),
          form,
          details: { ...details, factor },
        });
        if (!x.bearerMode) {
          response.headers.append('set-cookie', mfaCookie(x.cookie, '', 0));
          const remember =
            body.rememberDevice === true || body.rememberDevice === 'on' || body.rememberDevice === 'true';
          if (remember && trustedDevicesOn(x)) {
            const setting = core.config.mfa?.trustedDevices;
            const days = (setting ? setting.days : undefined) ?? 30;
            const device = await core.mfa.trustedDevices.remember(user.id, { days, ...x.client });
            response.headers.append('set-cookie', deviceCookie(x.cookie, device.token, days * 86_400));
            await core.audit.record({
              type: 'device_remembered',
              userId: user.id,
              ...x.client,
              details: { days },
            });
          }
        }
        return response;
      },
    },
    {
      method: 'GET',
      path: '/mfa/challenge',
      summary:
        "The ways the browser's pending sign-in can be finished (the challenge in the body's place: the cookie)",
      signedIn: false,
      success: { status: 200, description: '`{methods: [...], email, expiresAt}` (`email` masked)' },
      errors: ['unauthenticated'],
      async handle(x) {
        const found = await x.core.mfa.challenges.peek(challengeToken(x, undefined));
        const user = await challengeUser(x, found);
        const expiresAt = found?.expiresAt.toISOString();
        return json(
          200,
          { methods: await challengeMethods(x, user.id), email: maskEmail(user.email), expiresAt },
          x.headers,
        );
      },
    },
    {
      method: 'GET',
      path: '/admin/users/:id/mfa',
      summary: "A user's second factors",
      signedIn: true,
      permission: 'user.view',
      success: {
        status: 200,
        description: '`{totp: {enabled}, passkeys, recoveryCodes: {remaining}, required}`',
      },
      errors: ['unauthenticated', 'forbidden', 'not_found'],
      async handle(x, params) {
        const user = await x.core.users.get(params.id ?? '');
        if (!user) throw new AuthError('not_found', 'There is no such user.');
        const [factors, required] = await Promise.all([
          x.core.mfa.factors(user.id),
          x.core.mfa.isRequiredFor(user),
        ]);
        return json(
          200,
          {
            totp: { enabled: factors.totp },
            passkeys: factors.passkeys,
            recoveryCodes: { remaining: factors.recoveryCodes },
            required,
          },
          x.headers,
        );
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id/mfa',
      summary:
        "Reset a user's MFA (lost device): removes their authenticator app, passkeys and recovery codes, and forgets their browsers",
      signedIn: true,
      permission: 'user.change',
      success: { status: 204, description: 'Reset; audited with the staff member as actor' },
      errors: ['unauthenticated', 'forbidden', 'not_found', 'csrf_failed'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const user = await x.core.users.get(params.id ?? '');
        if (!user) throw new AuthError('not_found', 'There is no such user.');
        const removed = await x.core.mfa.reset(user.id);
        noticeLater(x, user, 'mfa_reset');
        await x.core.audit.record({
          type: 'mfa_reset',
          userId: user.id,
          actorId: actor.id,
          ...x.client,
          details: removed,
        });
        return empty(204, x.headers);
      },
    },
  ];
}

/** `j•••@example.com`: enough for the owner to recognise the address, not enough to learn it. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, Math.min(1, at))}•••${email.slice(at)}`;
}
