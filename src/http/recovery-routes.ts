/**
 * The mail flows of API.md "Accounts and sessions": password reset and email
 * verification. A request that sends mail answers the same way, at once,
 * whether or not the account exists: the token and the message are made
 * after the answer is chosen, and the link is built from `publicUrl`, never
 * from the request's Host header. Confirming spends the token (single use,
 * purpose-bound, expiring; a reset link also dies with any password change).
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { AuthCore } from '../core.js';
import { AuthError, invalidRequest } from '../errors.js';
import { publicLink } from '../mail/public-link.js';
import type { MailTemplateName } from '../mail/templates.js';
import { validatePassword } from '../passwords/index.js';
import type { TokenPurpose } from '../tokens/one-time-tokens.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import type { Throttle } from './rate-limits/throttle.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { emailBody, parseBody, tokenBody, tokenPasswordBody } from './schemas.js';
import { userView } from './views.js';

const INVALID_LINK =
  'This link is not valid any more: it was used, replaced or has expired. Ask for a new one.';

export function recoveryRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  fields: F;
  /** Where the links in the messages lead: the pages that take the token. */
  pages: { resetPassword: string; verifyEmail: string };
}): RouteSpec<F>[] {
  const { throttle, fields, pages } = deps;
  return [
    {
      method: 'POST',
      path: '/password/reset',
      summary:
        'Ask for a password reset link by email (the answer is the same whether or not the account exists)',
      signedIn: false,
      body: emailBody,
      success: {
        status: 202,
        description: 'Accepted; a link is mailed if the address belongs to an active account',
      },
      errors: ['invalid_request', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        const { email } = parseBody(emailBody, (await readBody(x.request)).fields);
        const allowed = throttle ? await throttle.countMailRequest(x.ip, email) : true;
        if (allowed) {
          later(x, async () => {
            const user = await x.core.users.getByEmail(email);
            if (!user?.isActive) return;
            await sendLink(x, user, 'password_reset', 'password_reset', pages.resetPassword);
            await x.core.audit.record({ type: 'password_reset_requested', userId: user.id, ...x.client });
          });
        }
        return empty(202, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/password/reset/confirm',
      summary: 'Set a new password with the token from the reset link; every session of the user ends',
      signedIn: false,
      body: tokenPasswordBody,
      success: { status: 204, description: 'Set; sign in with the new password' },
      errors: ['invalid_request', 'password_invalid', 'csrf_failed'],
      async handle(x) {
        const { core } = x;
        const { token, newPassword } = parseBody(tokenPasswordBody, (await readBody(x.request)).fields);
        const found = await core.tokens.peek('password_reset', token);
        if (!found?.user?.isActive) throw invalidRequest({ token: INVALID_LINK });
        // Checked before the token is spent, so a weak password does not cost the user their link.
        const problems = await validatePassword(newPassword, found.user, core.validators);
        if (problems.length > 0) {
          throw new AuthError('password_invalid', 'The password is not strong enough.', {
            fields: { newPassword: problems.join(' ') },
          });
        }
        const spent = await core.tokens.consume('password_reset', token);
        if (!spent?.user) throw invalidRequest({ token: INVALID_LINK });
        await core.users.setPassword(spent.user.id, newPassword, { validate: false });
        await core.sessions.revokeAllForUser(spent.user.id);
        await core.audit.record({
          type: 'password_changed',
          userId: spent.user.id,
          ...x.client,
          details: { via: 'reset' },
        });
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/email/verify',
      summary: 'Mail the signed-in user a link that confirms their email address',
      signedIn: true,
      success: { status: 202, description: 'Accepted; already verified addresses get no mail' },
      errors: ['unauthenticated', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const allowed = throttle ? await throttle.countMailRequest(x.ip, user.email) : true;
        if (allowed && !user.emailVerified) {
          later(x, () => sendLink(x, user, 'email_verification', 'verify_email', pages.verifyEmail));
        }
        return empty(202, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/email/verify/confirm',
      summary: 'Confirm an email address with the token from the verification link',
      signedIn: false,
      body: tokenBody,
      success: { status: 200, description: '`{user}`, verified' },
      errors: ['invalid_request', 'csrf_failed'],
      async handle(x) {
        const { token } = parseBody(tokenBody, (await readBody(x.request)).fields);
        const spent = await x.core.tokens.consume('email_verification', token);
        if (!spent?.user) throw invalidRequest({ token: INVALID_LINK });
        const user = await x.core.users.update(spent.user.id, { emailVerified: true } as never);
        await x.core.audit.record({ type: 'email_verified', userId: user.id, ...x.client });
        return json(200, { user: userView(fields, user) }, x.headers);
      },
    },
  ];
}

/** Issues a token for the user and queues the message with its link. */
export async function sendLink<F extends CustomFields>(
  x: Pick<Exchange<F>, 'core' | 'request'>,
  user: User<F>,
  purpose: TokenPurpose,
  template: Extract<MailTemplateName, 'password_reset' | 'verify_email'>,
  page: string,
): Promise<void> {
  const { core } = x;
  const origin = developmentOrigin(core, x.request);
  const issued = await core.tokens.issue({ purpose, userId: user.id, email: user.email });
  const link = publicLink(core.config, page, { token: issued.token }, origin ? { origin } : {});
  const expiresInSeconds = Math.round((issued.expiresAt.getTime() - core.now().getTime()) / 1000);
  await core.mail.enqueue({ to: user.email, template, data: { link, expiresInSeconds } });
}

/**
 * Without `publicUrl`, links may use the request's own origin only when it
 * is a loopback one (local development): a Host header naming any other host
 * could be an attacker's, and the link would hand them the token.
 */
function developmentOrigin<F extends CustomFields>(core: AuthCore<F>, request: Request): string | null {
  if (core.config.publicUrl) return null;
  const url = new URL(request.url);
  if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return url.origin;
  throw new Error('Set publicUrl: links in mail are built from it, never from the request.');
}

/**
 * Runs `work` after the answer: the answer must not wait for (or reveal) the
 * account lookup and the message. A failure is logged, never answered.
 */
export function later<F extends CustomFields>(x: Pick<Exchange<F>, 'core'>, work: () => Promise<void>): void {
  setImmediate(() => {
    work().catch((error) => x.core.logger.error({ err: error }, 'Could not send a mail-flow message.'));
  });
}
