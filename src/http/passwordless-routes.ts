/**
 * The routes of API.md "Passwordless": sign in (and, with
 * `passwordless.signUp`, sign up) with a link or a 6-digit code sent by mail.
 *
 * - Asking answers 202 at once whether or not the address has an account: the
 *   lookup, the token and the message are made after the answer (`later`),
 *   and the link is built from `publicUrl`, never from the Host header.
 * - Opening the link (GET) spends nothing — mail scanners prefetch links — it
 *   leads to a page whose button posts the token (POST spends it).
 * - The token is the proof: a link opened in another browser signs that
 *   browser in. No cookie ties the link to the browser that asked for it.
 * - `redirectTo` is checked against the trusted origins when the link is
 *   asked for (400 `invalid_redirect`) and kept in the token's data.
 * - Inactive users never get in; a new account (sign-up on) is created only
 *   when the mail proved the address, so it starts verified.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { parseEmail } from '../accounts/email.js';
import type { User } from '../accounts/user.js';
import type { UpdateUserInput } from '../accounts/users.js';
import { type AuthError, invalidRequest } from '../errors.js';
import { publicLink } from '../mail/public-link.js';
import { admitsEmail } from '../tenants/policy.js';
import type { ConsumedToken } from '../tokens/one-time-tokens.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import type { Throttle } from './rate-limits/throttle.js';
import { developmentOrigin, later } from './recovery-routes.js';
import { empty } from './responses.js';
import { completeSignIn, createWithHooks, type RouteSpec } from './routes.js';
import { emailBody, parseBody, tokenBody } from './schemas.js';
import { requireMethod } from './tenant-gate.js';

const INVALID_LINK =
  'This link is not valid any more: it was used, replaced or has expired. Ask for a new one.';
const INVALID_CODE = 'This code is not right, or it was used or has expired. Ask for a new one.';

const redirectTo = z.string().max(2048).optional();
const email = z.string().min(1, 'Enter an email address.').max(320);
export const magicLinkBody = z.strictObject({ email, redirectTo });
export const otpVerifyBody = z.strictObject({
  email,
  code: z.string().min(1, 'Enter the code from the email.').max(20),
  redirectTo,
});

type Method = 'magic_link' | 'otp';

export function passwordlessRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  fields: F;
  /** Whether an address without an account may get a link or code that creates one. */
  signUpEnabled: boolean;
  /** The path the mailed link leads to: the GET below, which spends nothing. */
  verifyPath: string;
  /** The page with the button that spends the token (`?token=…` is added). */
  landingPage: string;
}): RouteSpec<F>[] {
  const { throttle, fields, signUpEnabled } = deps;

  /** After the answer: looks the address up and mails a link or code if it may sign in (or up). */
  function mailLater(x: Exchange<F>, method: Method, address: string, redirect: string | null): void {
    later(x, async () => {
      const { core } = x;
      const user = await core.users.getByEmail(address, x.pool);
      if (
        user
          ? !user.isActive
          : !(signUpEnabled && x.tenant.policy.signUp && admitsEmail(x.tenant.policy, address))
      )
        return;
      const to = user?.email ?? address;
      const userId = user?.id ?? null;
      const purpose = method === 'magic_link' ? 'magic_link' : 'email_otp';
      const data = redirect !== null ? { redirectTo: redirect } : {};
      const issued = await core.tokens.issue({ purpose, userId, email: to, data, ...x.tokenScope });
      const expiresInSeconds = Math.round((issued.expiresAt.getTime() - core.now().getTime()) / 1000);
      if (method === 'magic_link') {
        const origin = developmentOrigin(core, x.request);
        const link = publicLink(
          core.config,
          x.tenantPath(deps.verifyPath),
          { token: issued.token },
          origin ? { origin } : {},
        );
        await core.mail.enqueue({ to, template: 'magic_link', data: { link, expiresInSeconds } });
      } else {
        // A locked address gets a code that is born dead: mailing it would only confuse its owner.
        if (issued.attemptsRemaining === 0) return;
        await core.mail.enqueue({
          to,
          template: 'email_otp',
          data: { code: issued.token, expiresInSeconds },
        });
      }
      await core.audit.record({
        type: method === 'magic_link' ? 'magic_link_requested' : 'otp_requested',
        userId,
        ...x.client,
        details: user ? {} : { signUp: true },
      });
    });
  }

  /**
   * The user a spent token signs in: its own (still active, still at that
   * address), or — sign-up on — the account of the address, created now.
   */
  async function userFor(
    x: Exchange<F>,
    spent: ConsumedToken<F>,
    refusal: () => AuthError,
  ): Promise<User<F>> {
    const { core } = x;
    let user = spent.user;
    if (spent.userId !== null) {
      if (!user?.isActive || user.email !== spent.email) throw refusal();
    } else {
      if (!signUpEnabled) throw refusal();
      user = await core.users.getByEmail(spent.email, x.pool);
      if (user && !user.isActive) throw refusal();
      if (!user) user = await signUp(x, spent.email);
    }
    if (!user.emailVerified) {
      // The mail reached the address: that proves it, as a verification link would.
      user = await core.users.update(user.id, { emailVerified: true } as UpdateUserInput<F>);
      await core.audit.record({ type: 'email_verified', userId: user.id, ...x.client });
    }
    return user;
  }

  function signUp(x: Exchange<F>, address: string): Promise<User<F>> {
    return createWithHooks(
      x,
      fields,
      { email: address, emailVerified: true },
      { details: { via: 'passwordless' } },
    );
  }

  /** Hooks, a new session (`amr`), the audit event and the answer: as password sign-in does. */
  function signIn(
    x: Exchange<F>,
    user: User<F>,
    method: Method,
    redirect: string | null,
    form: boolean,
  ): Promise<Response> {
    const amr = [method === 'magic_link' ? 'email' : 'otp'];
    return completeSignIn(x, user, { amr, redirect, form, details: { method } });
  }

  function parseAddress(raw: string): string {
    const parsed = parseEmail(raw);
    if ('problem' in parsed) throw invalidRequest({ email: parsed.problem });
    return parsed.email;
  }

  return [
    {
      method: 'POST',
      path: '/magic-link',
      summary:
        'Mail a sign-in link (the answer is the same whether or not the account exists); `redirectTo` must be a trusted target',
      signedIn: false,
      body: magicLinkBody,
      success: {
        status: 202,
        description:
          'Accepted; a link is mailed if the address belongs to an active account (or may sign up)',
      },
      errors: ['invalid_request', 'invalid_redirect', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        requireMethod(x, 'magicLink');
        const body = parseBody(magicLinkBody, (await readBody(x.request)).fields);
        const address = parseAddress(body.email);
        const redirect = x.redirectTarget(body.redirectTo);
        const allowed = throttle ? await throttle.countMailRequest(x.ip, address) : true;
        if (allowed) mailLater(x, 'magic_link', address, redirect);
        return empty(202, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/magic-link/verify',
      summary:
        'Where the mailed link leads: redirects to the page whose button signs in. Spends nothing (mail scanners open links)',
      signedIn: false,
      query: z.object({ token: z.string().optional() }),
      success: { status: 303, description: 'To the confirmation page, with `?token=`' },
      errors: [],
      async handle(x) {
        const token = new URL(x.request.url).searchParams.get('token') ?? '';
        const headers = { ...x.headers, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
        return new Response(null, {
          status: 303,
          headers: {
            ...headers,
            location: `${x.tenantPath(deps.landingPage)}?token=${encodeURIComponent(token)}`,
          },
        });
      },
    },
    {
      method: 'POST',
      path: '/magic-link/verify',
      summary:
        'Sign in (or, with passwordless sign-up, sign up) with the token of a magic link; works in any browser',
      signedIn: false,
      body: tokenBody,
      success: {
        status: 200,
        description:
          '`{user, session, redirectTo?}` and the session cookie (or `token` in bearer mode); a form post with a `redirectTo` gets 303 there',
      },
      errors: ['invalid_request', 'forbidden', 'mfa_required', 'csrf_failed'],
      async handle(x) {
        requireMethod(x, 'magicLink');
        const { fields: raw, form } = await readBody(x.request);
        const { token } = parseBody(tokenBody, raw);
        const spent = await x.core.tokens.consume('magic_link', token, x.tokenScope);
        const refusal = () => invalidRequest({ token: INVALID_LINK });
        if (!spent) throw refusal();
        const user = await userFor(x, spent, refusal);
        return signIn(x, user, 'magic_link', x.storedRedirect(spent.data), form);
      },
    },
    {
      method: 'POST',
      path: '/otp',
      summary: 'Mail a 6-digit sign-in code (the answer is the same whether or not the account exists)',
      signedIn: false,
      body: emailBody,
      success: {
        status: 202,
        description:
          'Accepted; a code is mailed if the address belongs to an active account (or may sign up)',
      },
      errors: ['invalid_request', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        requireMethod(x, 'emailCode');
        const body = parseBody(emailBody, (await readBody(x.request)).fields);
        const address = parseAddress(body.email);
        const allowed = throttle ? await throttle.countMailRequest(x.ip, address) : true;
        if (allowed) mailLater(x, 'otp', address, null);
        return empty(202, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/otp/verify',
      summary:
        'Sign in (or, with passwordless sign-up, sign up) with a mailed code: 5 tries per code, tries per address limited',
      signedIn: false,
      body: otpVerifyBody,
      success: {
        status: 200,
        description:
          '`{user, session, redirectTo?}` and the session cookie (or `token` in bearer mode); a form post with a `redirectTo` gets 303 there',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'forbidden',
        'mfa_required',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        requireMethod(x, 'emailCode');
        const { fields: raw, form } = await readBody(x.request);
        const body = parseBody(otpVerifyBody, raw);
        const redirect = x.redirectTarget(body.redirectTo);
        // The sign-in counters: per address, and per account from this address.
        const attempt = await throttle?.beginSignIn(x.ip, body.email);
        const spent = await x.core.tokens.verifyCode(body.email, 'email_otp', body.code.trim(), x.tokenScope);
        const refusal = () => invalidRequest({ code: INVALID_CODE });
        if (!spent) {
          later(x, async () => {
            const known = await x.core.users.getByEmail(body.email, x.pool);
            await x.core.audit.record({
              type: 'signin_failed',
              userId: known?.id ?? null,
              ...x.client,
              details: { method: 'otp' },
            });
          });
          throw refusal();
        }
        const user = await userFor(x, spent, refusal);
        await attempt?.succeeded();
        return signIn(x, user, 'otp', redirect ?? x.storedRedirect(spent.data), form);
      },
    },
  ];
}
