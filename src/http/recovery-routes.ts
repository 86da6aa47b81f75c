/**
 * The mail flows of API.md "Accounts and sessions": password reset and email
 * verification. A request that sends mail answers the same way, at once,
 * whether or not the account exists: the token and the message are made
 * after the answer is chosen, and the link is built from `publicUrl`, never
 * from the request's Host header. Confirming spends the token (single use,
 * purpose-bound, expiring; a reset link also dies with any password change).
 *
 * Changing the address is two steps: the request mails a link to the new
 * address (and a notice to the current one), and only the link changes it.
 * The request answers 202 alike whether the new address is free, taken or
 * the current one, so it cannot be used to find out who has an account.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import { parseEmail } from '../accounts/email.js';
import type { User } from '../accounts/user.js';
import type { AuthCore } from '../core.js';
import { AuthError, invalidRequest, isAuthError } from '../errors.js';
import { publicLink } from '../mail/public-link.js';
import { escapeHtml, type MailTemplateName } from '../mail/templates.js';
import { validatePassword } from '../passwords/index.js';
import type { TokenPurpose } from '../tokens/one-time-tokens.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import type { Throttle } from './rate-limits/throttle.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { emailBody, emailChangeBody, parseBody, tokenBody, tokenPasswordBody } from './schemas.js';
import { userView } from './views.js';

const INVALID_LINK =
  'This link is not valid any more: it was used, replaced or has expired. Ask for a new one.';

export function recoveryRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  fields: F;
  /** Where the links in the messages lead: the pages that take the token. */
  pages: { resetPassword: string; verifyEmail: string; confirmEmailChange: string };
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
            const user = await x.core.users.getByEmail(email, x.pool);
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
        const found = await core.tokens.peek('password_reset', token, x.tokenScope);
        if (!found?.user?.isActive) throw invalidRequest({ token: INVALID_LINK });
        // Checked before the token is spent, so a weak password does not cost the user their link.
        const problems = await validatePassword(newPassword, found.user, core.validators);
        if (problems.length > 0) {
          throw new AuthError('password_invalid', 'The password is not strong enough.', {
            fields: { newPassword: problems.join(' ') },
          });
        }
        const spent = await core.tokens.consume('password_reset', token, x.tokenScope);
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
        const spent = await x.core.tokens.consume('email_verification', token, x.tokenScope);
        if (!spent?.user) throw invalidRequest({ token: INVALID_LINK });
        const user = await x.core.users.update(spent.user.id, { emailVerified: true } as never);
        await x.core.audit.record({ type: 'email_verified', userId: user.id, ...x.client });
        return json(200, { user: userView(fields, user) }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/email/change',
      summary:
        'Ask to change your email address: a confirmation link goes to the new address, a notice to the current one',
      signedIn: true,
      body: emailChangeBody,
      success: {
        status: 202,
        description:
          'Accepted; the address changes only when the link is confirmed (the answer is the same when the new address is taken)',
      },
      errors: [
        'invalid_request',
        'unauthenticated',
        'reauthentication_required',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        const { newEmail: raw } = parseBody(emailChangeBody, (await readBody(x.request)).fields);
        const parsed = parseEmail(raw);
        if (!('email' in parsed)) throw invalidRequest({ newEmail: parsed.problem });
        const newEmail = parsed.email;
        const allowed = throttle ? await throttle.countMailRequest(x.ip, newEmail) : true;
        if (allowed && newEmail !== user.email) {
          later(x, async () => {
            const { core } = x;
            const holder = await core.users.getByEmail(newEmail, { pool: user.poolId });
            await core.audit.record({ type: 'email_change_requested', userId: user.id, ...x.client });
            // A taken address gets nothing: the link could never be confirmed, and mail would tell its owner about this account.
            if (holder) return;
            const origin = developmentOrigin(core, x.request);
            const issued = await core.tokens.issue({
              purpose: 'email_change',
              userId: user.id,
              email: newEmail,
              ...x.tokenScope,
            });
            const link = publicLink(
              core.config,
              x.tenantPath(pages.confirmEmailChange),
              { token: issued.token },
              origin ? { origin } : {},
            );
            await core.mail.enqueue({
              to: newEmail,
              template: 'email_change',
              data: { link, newEmail, expiresInSeconds: secondsUntil(core, issued.expiresAt) },
            });
            await core.mail.enqueue({
              to: user.email,
              ...emailChangeNotice(core.config.ui?.productName ?? 'Gatehouse', newEmail),
            });
          });
        }
        return empty(202, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/email/change/confirm',
      summary:
        'Confirm a new email address with the token from the link mailed to it; it replaces the old one, verified',
      signedIn: false,
      body: tokenBody,
      success: { status: 200, description: '`{user}` with the new address, verified' },
      errors: ['invalid_request', 'conflict', 'csrf_failed'],
      async handle(x) {
        const { core } = x;
        const { token } = parseBody(tokenBody, (await readBody(x.request)).fields);
        const spent = await core.tokens.consume('email_change', token, x.tokenScope);
        if (!spent?.user?.isActive) throw invalidRequest({ token: INVALID_LINK });
        const previous = spent.user.email;
        let user: User<F>;
        try {
          user = await core.users.update(spent.user.id, { email: spent.email, emailVerified: true } as never);
        } catch (error) {
          if (!isAuthError(error, 'conflict')) throw error;
          throw new AuthError(
            'conflict',
            'Another account uses this address now, so it cannot become yours. Your address is unchanged.',
            { fields: { token: 'Another account uses this address now.' } },
          );
        }
        // Links still pending were sent to the old address (a reset link, say): they must not outlive it.
        await core.tokens.revokeAll(user.id);
        await core.audit.record({
          type: 'email_changed',
          userId: user.id,
          ...x.client,
          details: { from: previous, to: user.email },
        });
        return json(200, { user: userView(fields, user) }, x.headers);
      },
    },
  ];
}

/** The notice to the current address when a change is asked for: no link, just what happens. */
export function emailChangeNotice(
  productName: string,
  newEmail: string,
): { purpose: string; subject: string; text: string; html: string } {
  const subject = `Your ${productName} email address is about to change`;
  const lines = [
    `Someone signed in to your ${productName} account asked to change its email address to ${newEmail}.`,
    "Nothing changes until the link sent to the new address is opened. Until then, this address stays the account's address.",
    `If this was not you, do not open that link: change your ${productName} password and sign out your other sessions.`,
  ];
  const e = escapeHtml;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111111;background:#ffffff">
<div style="max-width:560px;margin:0 auto">
<p style="font-weight:bold">${e(productName)}</p>
${lines.map((line) => `<p>${e(line)}</p>`).join('\n')}
</div>
</body></html>
`;
  return {
    purpose: 'email_change_notice',
    subject,
    text: [...lines, `— ${productName}`].join('\n\n'),
    html,
  };
}

function secondsUntil<F extends CustomFields>(core: AuthCore<F>, at: Date): number {
  return Math.round((at.getTime() - core.now().getTime()) / 1000);
}

/** Issues a token for the user and queues the message with its link. */
export async function sendLink<F extends CustomFields>(
  x: Pick<Exchange<F>, 'core' | 'request' | 'tokenScope' | 'tenantPath'>,
  user: User<F>,
  purpose: TokenPurpose,
  template: Extract<MailTemplateName, 'password_reset' | 'verify_email'>,
  page: string,
): Promise<void> {
  const { core } = x;
  const origin = developmentOrigin(core, x.request);
  const issued = await core.tokens.issue({ purpose, userId: user.id, email: user.email, ...x.tokenScope });
  const link = publicLink(core.config, x.tenantPath(page), { token: issued.token }, origin ? { origin } : {});
  const expiresInSeconds = Math.round((issued.expiresAt.getTime() - core.now().getTime()) / 1000);
  await core.mail.enqueue({ to: user.email, template, data: { link, expiresInSeconds } });
}

/**
 * Without `publicUrl`, links may use the request's own origin only when it
 * is a loopback one (local development): a Host header naming any other host
 * could be an attacker's, and the link would hand them the token.
 */
export function developmentOrigin<F extends CustomFields>(
  core: AuthCore<F>,
  request: Request,
): string | null {
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
