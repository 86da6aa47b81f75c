/**
 * The routes of API.md "Passwordless, social, MFA, passkeys" for passkeys
 * (see `Passkeys` for the checks), and the signed-in user's list of them.
 *
 * - Adding one (options, then verify) and removing one need a recent
 *   sign-in (`reauthentication_required` otherwise): a stolen session must
 *   not plant a passkey of its own, or take the owner's away.
 * - Sign-in is usernameless and needs no session; starting one stores a
 *   challenge, so it counts against the per-address sign-in limit. A refusal
 *   is one `invalid_credentials` whatever went wrong; the audit log keeps why.
 * - The answers never carry a public key or a credential id.
 *
 * With `passkeys.enabled: false` none of these routes exists (404).
 */
import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { AuthError, isAuthError } from '../errors.js';
import { type Passkey, PasskeyRefusal, type RelyingParty, relyingParty } from '../methods/passkeys/index.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import type { Throttle } from './rate-limits/throttle.js';
import { empty, json } from './responses.js';
import { completeSignIn, type RouteSpec, refuseUnverified } from './routes.js';
import { parseBody } from './schemas.js';
import { noticeLater } from './security-notices.js';
import { requireMethod } from './tenant-gate.js';

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'Expected base64url.');
const TRANSPORTS: readonly string[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];
const credential = {
  id: base64url(1366),
  rawId: base64url(1366),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
};

/** What `startRegistration` (`@simplewebauthn/browser`) resolves to. */
const registrationResponse = z.object({
  ...credential,
  response: z.object({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(32768),
    authenticatorData: base64url(32768).optional(),
    // Transports a later browser may add are dropped, not refused.
    transports: z
      .array(z.string().max(32))
      .max(16)
      .transform((list) => list.filter((t): t is AuthenticatorTransportFuture => TRANSPORTS.includes(t)))
      .optional(),
    publicKeyAlgorithm: z.number().optional(),
    publicKey: base64url(8192).optional(),
  }),
});

/** What `startAuthentication` (`@simplewebauthn/browser`) resolves to. */
export const authenticationResponse = z.object({
  ...credential,
  response: z.object({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(32768),
    signature: base64url(2048),
    userHandle: base64url(1024)
      .nullish()
      .transform((handle) => handle ?? undefined),
  }),
});

const nameField = z.string().max(1000);
const passkeyRegisterBody = z.strictObject({ response: registrationResponse, name: nameField.optional() });
const passkeySignInBody = z.strictObject({
  response: authenticationResponse,
  redirectTo: z.string().max(2048).optional(),
});
const passkeyRenameBody = z.strictObject({ name: nameField });

/** The relying party for this request: the configured one, else this server's origin and host name. */
export function passkeyRelyingParty<F extends CustomFields>(x: Exchange<F>): RelyingParty {
  return relyingParty(x.core.config, x.origin);
}

function passkeyView(passkey: Passkey) {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
  };
}

export function passkeyRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  /** `emailVerification.required`: the verification page; null: off. */
  verificationRequired: string | null;
}): RouteSpec<F>[] {
  function auditFailure(x: Exchange<F>, userId: string | null, reason: string) {
    return x.core.audit.record({
      type: 'signin_failed',
      userId,
      ...x.client,
      details: { method: 'passkey', reason },
    });
  }

  /** The active user an assertion signs in; any refusal is audited with its reason. */
  async function signInUser(x: Exchange<F>, response: z.output<typeof authenticationResponse>) {
    const { core } = x;
    let found: Awaited<ReturnType<typeof core.passkeys.authenticate>>;
    try {
      found = await core.passkeys.authenticate(response, { purpose: 'signin', ...passkeyRelyingParty(x) });
    } catch (error) {
      if (!isAuthError(error, 'invalid_credentials') || !(error.cause instanceof PasskeyRefusal)) throw error;
      await auditFailure(x, error.cause.userId, error.cause.reason);
      throw error;
    }
    const user = await core.users.get(found.userId);
    if (!user?.isActive) {
      await auditFailure(x, found.userId, 'inactive');
      throw new AuthError('invalid_credentials', 'This passkey could not sign you in.');
    }
    return { user, passkey: found.passkey };
  }

  return [
    {
      method: 'POST',
      path: '/passkeys/register/options',
      summary:
        'Start adding a passkey (recent sign-in required): the options for `navigator.credentials.create` (`startRegistration`)',
      signedIn: true,
      success: { status: 200, description: 'PublicKeyCredentialCreationOptionsJSON; valid for 5 minutes' },
      errors: ['unauthenticated', 'reauthentication_required', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        const options = await x.core.passkeys.registrationOptions(user, passkeyRelyingParty(x));
        return json(200, options, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/passkeys/register/verify',
      summary:
        'Finish adding a passkey (recent sign-in required): `response` is what `startRegistration` resolved to; `name` is optional',
      signedIn: true,
      body: passkeyRegisterBody,
      success: {
        status: 201,
        description: '`{passkey: {id, name, createdAt, lastUsedAt, deviceType, backedUp}}`',
      },
      errors: ['invalid_request', 'unauthenticated', 'reauthentication_required', 'conflict', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        const { fields: raw } = await readBody(x.request);
        const body = parseBody(passkeyRegisterBody, raw);
        const passkey = await x.core.passkeys.register(user, body.response, {
          name: body.name,
          ...passkeyRelyingParty(x),
        });
        await x.core.audit.record({
          type: 'passkey_added',
          userId: user.id,
          ...x.client,
          details: { passkey: passkey.id, name: passkey.name },
        });
        noticeLater(x, user, 'passkey_added');
        return json(201, { passkey: passkeyView(passkey) }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/passkeys/signin/options',
      summary:
        'Start a passkey sign-in (usernameless): the options for `navigator.credentials.get` (`startAuthentication`)',
      signedIn: false,
      success: { status: 200, description: 'PublicKeyCredentialRequestOptionsJSON; valid for 5 minutes' },
      errors: ['csrf_failed', 'rate_limited'],
      async handle(x) {
        requireMethod(x, 'passkey');
        await deps.throttle?.countPasskeyStart(x.ip);
        const options = await x.core.passkeys.authenticationOptions({
          purpose: 'signin',
          rpId: passkeyRelyingParty(x).rpId,
        });
        return json(200, options, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/passkeys/signin/verify',
      summary:
        'Sign in with a passkey: `response` is what `startAuthentication` resolved to; `redirectTo` must be a trusted target',
      signedIn: false,
      body: passkeySignInBody,
      success: {
        status: 200,
        description: '`{user, session}` and the session cookie (or `token` in bearer mode); amr `passkey`',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'invalid_credentials',
        'email_not_verified',
        'csrf_failed',
      ],
      async handle(x) {
        requireMethod(x, 'passkey');
        const { fields: raw } = await readBody(x.request);
        const body = parseBody(passkeySignInBody, raw);
        const redirect = x.redirectTarget(body.redirectTo);
        const { user, passkey } = await signInUser(x, body.response);
        if (deps.verificationRequired && !user.emailVerified) {
          await refuseUnverified(x, user, deps.verificationRequired, deps.throttle, undefined);
        }
        return completeSignIn(x, user, {
          amr: ['passkey'],
          redirect,
          form: false,
          details: { method: 'passkey', passkey: passkey.id },
        });
      },
    },
    {
      method: 'GET',
      path: '/passkeys',
      summary: "The signed-in user's passkeys",
      signedIn: true,
      success: {
        status: 200,
        description: '`{passkeys: [{id, name, createdAt, lastUsedAt, deviceType, backedUp}]}`, oldest first',
      },
      errors: ['unauthenticated'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const passkeys = await x.core.passkeys.list(user.id);
        return json(200, { passkeys: passkeys.map(passkeyView) }, x.headers);
      },
    },
    {
      method: 'PATCH',
      path: '/passkeys/:id',
      summary: 'Rename one of your passkeys (1 to 60 characters)',
      signedIn: true,
      body: passkeyRenameBody,
      success: { status: 200, description: '`{passkey}`' },
      errors: ['invalid_request', 'unauthenticated', 'not_found', 'csrf_failed'],
      async handle(x, params) {
        const { user } = await x.requireSignedIn();
        const { fields: raw } = await readBody(x.request);
        const { name } = parseBody(passkeyRenameBody, raw);
        const passkey = await x.core.passkeys.rename(user.id, params.id ?? '', name);
        return json(200, { passkey: passkeyView(passkey) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/passkeys/:id',
      summary:
        'Remove one of your passkeys (recent sign-in required); refused (409) when it is your only way to sign in',
      signedIn: true,
      success: {
        status: 204,
        description:
          'Removed: it no longer signs in (with no second factor left, the recovery codes and remembered browsers go too)',
      },
      errors: ['unauthenticated', 'reauthentication_required', 'not_found', 'conflict', 'csrf_failed'],
      async handle(x, params) {
        const { user } = await x.requireRecentAuthentication();
        const passkey = await x.core.passkeys.remove(user.id, params.id ?? '');
        await x.core.mfa.clearIfNoFactorLeft(user.id);
        await x.core.audit.record({
          type: 'passkey_removed',
          userId: user.id,
          ...x.client,
          details: { passkey: passkey.id, name: passkey.name },
        });
        noticeLater(x, user, 'passkey_removed');
        return empty(204, x.headers);
      },
    },
  ];
}
