/**
 * Step-up (API.md): a signed-in user proves again who they are — password,
 * a code from the app, a recovery code or a passkey — and the session gets a
 * new id and a fresh start, which sensitive actions then accept
 * (`requireRecentAuthentication`). Every try counts against the account.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { AuthError } from '../errors.js';
import { readBody } from './body.js';
import { authenticationResponse, passkeyRelyingParty } from './passkey-routes.js';
import type { Throttle } from './rate-limits/throttle.js';
import { json } from './responses.js';
import { type RouteSpec, startSession } from './routes.js';
import { parseBody } from './schemas.js';
import { answerOf, checkFactor, codeField, recordWrongAnswer, recoveryCodeField } from './second-factors.js';
import { sessionView } from './views.js';

export const reauthenticateBody = z
  .strictObject({
    password: z.string().min(1, 'Enter your password.').max(4096).optional(),
    code: codeField.optional(),
    recoveryCode: recoveryCodeField.optional(),
    passkey: authenticationResponse.optional(),
  })
  .refine(
    (body) =>
      [body.password, body.code, body.recoveryCode, body.passkey].filter((v) => v !== undefined).length === 1,
    { message: 'Enter your password or a code from your second factor.', path: ['password'] },
  );

export function reauthenticateRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
}): RouteSpec<F>[] {
  const { throttle } = deps;
  return [
    {
      method: 'POST',
      path: '/reauthenticate/passkey/options',
      summary: 'Options for re-authenticating with one of your passkeys (`startAuthentication`)',
      signedIn: true,
      success: { status: 200, description: 'PublicKeyCredentialRequestOptionsJSON, listing your passkeys' },
      errors: ['unauthenticated', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const { rpId } = passkeyRelyingParty(x);
        return json(
          200,
          await x.core.passkeys.authenticationOptions({ purpose: 'reauth', userId: user.id, rpId }),
          x.headers,
        );
      },
    },
    {
      method: 'POST',
      path: '/reauthenticate',
      summary:
        'Prove it is still you (password, a code from your app, or a recovery code) before a sensitive action; the session gets a new id',
      signedIn: true,
      body: reauthenticateBody,
      success: {
        status: 200,
        description: '`{session}` and a new session cookie (bearer clients also get `token`)',
      },
      errors: [
        'invalid_request',
        'invalid_credentials',
        'unauthenticated',
        'forbidden',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        const { core } = x;
        const { session, user } = await x.requireSignedIn();
        if (session.impersonator) {
          throw new AuthError(
            'forbidden',
            'A staff member acting as the user cannot re-authenticate as them.',
          );
        }
        const body = parseBody(reauthenticateBody, (await readBody(x.request)).fields);
        let amr: string | null;
        if (body.password !== undefined) {
          await throttle?.countPasswordCheck(x.ip, user.id);
          amr = (await core.users.checkPassword(user.id, body.password)) ? 'pwd' : null;
        } else {
          const attempt = await throttle?.beginSecondFactor(x.ip, user.id);
          amr = await checkFactor(x, user, answerOf(body), 'reauth');
          if (amr) await attempt?.succeeded();
        }
        if (amr === null) {
          await recordWrongAnswer(
            x,
            user.id,
            'reauthenticate',
            body.password !== undefined ? 'password' : 'code',
          );
          throw new AuthError('invalid_credentials', 'That is not right.');
        }
        const renewed = await startSession(x, user, [...new Set([...session.amr, amr])]);
        await core.audit.record({
          type: 'reauthenticated',
          userId: user.id,
          ...x.client,
          details: { session: renewed.session.id, amr },
        });
        const answer = {
          session: sessionView(renewed.session),
          ...(x.bearerMode ? { token: renewed.token } : {}),
        };
        return json(200, answer, x.headers);
      },
    },
  ];
}
