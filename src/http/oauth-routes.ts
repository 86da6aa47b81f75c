/**
 * The routes of API.md "Passwordless, social, …" for social sign-in, and the
 * signed-in user's linked identities.
 *
 * - `GET /oauth/{provider}` starts a sign-in: a transaction whose secret goes
 *   into the `gh_oauth` cookie, and a 302 to the provider.
 * - `POST /oauth/{provider}/link` starts linking for the signed-in user: a
 *   POST, so the CSRF origin check applies — a link started from another site
 *   would attach the attacker's identity to the victim's account.
 * - `GET /oauth/{provider}/callback` (or POST, for a provider that posts its
 *   answer) checks everything (see `SocialLogin`), then signs in, signs up,
 *   links, or refuses. The browser always gets a
 *   303: to `redirectTo`, or on a refusal to the error page with `?error=`
 *   (the pre-built sign-in or account page, or `links.oauthError`); with no
 *   page to go to, the refusal is answered as JSON.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { normalizeEmail } from '../accounts/email.js';
import type { LinkedAccount } from '../accounts/linked-accounts.js';
import type { User } from '../accounts/user.js';
import type { UpdateUserInput } from '../accounts/users.js';
import { AuthError, isAuthError } from '../errors.js';
import type { CompletedCallback } from '../methods/oauth/social-login.js';
import { TRANSACTION_TTL_SECONDS } from '../methods/oauth/transactions.js';
import { offersMethod } from '../tenants/policy.js';
import { audit, CHANGES, changeableUser, GUARDED, userOf } from './admin-access.js';
import { readBody } from './body.js';
import { oauthCookie, oauthCookieName, readCookie } from './cookies.js';
import type { Exchange } from './exchange.js';
import type { Throttle } from './rate-limits/throttle.js';
import { later, sendLink } from './recovery-routes.js';
import { empty, errorResponse, json, seeOther } from './responses.js';
import { completeSignIn, createWithHooks, type RouteSpec, refuseUnverified } from './routes.js';
import { parseBody } from './schemas.js';
import { requireMethod } from './tenant-gate.js';

const redirectQuery = z.object({ redirectTo: z.string().optional() });
/** What a provider sends back (Apple adds `user`, the name, on a first sign-in). */
const callbackFields = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(256).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  user: z.string().max(4096).optional(),
});
const linkBody = z.strictObject({ redirectTo: z.string().max(2048).optional() });

export function oauthRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  fields: F;
  basePath: string;
  signUpEnabled: boolean;
  /** Where a sign-in goes without `redirectTo`. */
  afterSignIn: string;
  /** Where linking goes without `redirectTo` (the account page). */
  afterLink: string;
  /** Where refusals are shown (`?error=code` is added), per intent; null: answer JSON. */
  errorPages: { signIn: string | null; link: string | null };
  /** The page verification links lead to; null: no verification mail on sign-up. */
  verifyEmailPage: string | null;
  /** `emailVerification.required`: the verification page; null: off. */
  verificationRequired: string | null;
}): RouteSpec<F>[] {
  const { fields } = deps;

  function setTransactionCookie(x: Exchange<F>, providerId: string, secret: string) {
    const posts = x.core.oauth.provider(providerId)?.responseMode === 'form_post';
    x.headers['set-cookie'] = oauthCookie(x.cookie, secret, TRANSACTION_TTL_SECONDS, posts);
  }

  /** The 303 (or JSON) a refusal becomes; the transaction cookie is cleared either way. */
  function refusal(x: Exchange<F>, error: AuthError, page: string | null, next: string | null): Response {
    let response: Response;
    if (page) {
      // `next`: where the refused sign-in was headed, so that signing in another way still gets there.
      const query = `error=${encodeURIComponent(error.code)}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
      response = seeOther(`${page}${page.includes('?') ? '&' : '?'}${query}`, x.headers);
    } else {
      response = errorResponse(error, x.headers);
    }
    response.headers.append('set-cookie', oauthCookie(x.cookie, '', 0));
    return response;
  }

  async function signIn(x: Exchange<F>, done: CompletedCallback): Promise<Response> {
    const { core } = x;
    const decision = await core.oauth.decide(done, { signUpOpen: deps.signUpEnabled, ...x.pool });
    const { identity, provider, tokens } = done;
    let user: User<F>;
    let details: Record<string, unknown> = { method: 'oauth', provider: provider.id };
    if (decision.kind === 'returning') {
      user = decision.user;
      await core.accounts.recordUse(decision.account, identity, tokens);
    } else if (decision.kind === 'link_by_email') {
      user = decision.user;
      const account = await core.accounts.link(user.id, identity, { tokens });
      await auditLink(x, user.id, account, { automatic: true });
      details = { ...details, linked: true };
    } else {
      const profile = provider.mapProfile(identity.profile);
      let linked: LinkedAccount | undefined;
      user = await createWithHooks(
        x,
        fields,
        { ...profile, email: decision.email, emailVerified: identity.emailVerified },
        {
          details: { via: 'oauth', provider: provider.id },
          alongside: async (created, trx) => {
            linked = await core.accounts.link(created.id, identity, { tokens, executor: trx });
          },
        },
      );
      if (linked) await auditLink(x, user.id, linked, { signUp: true });
      // An address the provider did not vouch for gets the verification mail a password sign-up gets.
      const page = deps.verifyEmailPage;
      if (page && !user.emailVerified) {
        const created = user;
        later(x, () => sendLink(x, created, 'email_verification', 'verify_email', page));
      }
    }
    if (deps.verificationRequired && !user.emailVerified) {
      await refuseUnverified(x, user, deps.verificationRequired, deps.throttle, undefined);
    }
    const redirect = done.transaction.redirectTo ?? x.tenantPath(deps.afterSignIn);
    return completeSignIn(x, user, { amr: ['oauth'], redirect, form: true, details });
  }

  async function link(x: Exchange<F>, done: CompletedCallback): Promise<Response> {
    const { core } = x;
    const { transaction, identity, provider, tokens } = done;
    const current = await x.signedIn();
    // The session that asked to link must be the one finishing it.
    if (!current || current.session.id !== transaction.sessionId || current.user.id !== transaction.userId) {
      throw new AuthError('unauthenticated', 'Sign in again, then link the account.');
    }
    const existing = await core.accounts.find(identity.provider, identity.subject);
    if (existing && existing.userId !== current.user.id) {
      throw new AuthError('conflict', `This ${provider.name} account is already linked to another account.`);
    }
    if (existing) {
      await core.accounts.recordUse(existing, identity, tokens);
    } else {
      const account = await core.accounts.link(current.user.id, identity, { tokens });
      await auditLink(x, current.user.id, account, {});
      // The provider proved the address the account already has: that verifies it.
      const sameAddress = identity.email !== null && normalizeEmail(identity.email) === current.user.email;
      if (!current.user.emailVerified && identity.emailVerified && sameAddress) {
        await core.users.update(current.user.id, { emailVerified: true } as UpdateUserInput<F>);
      }
    }
    return seeOther(transaction.redirectTo ?? deps.afterLink, x.headers);
  }

  /** Checks a provider's answer, then signs in (or up) or links; any refusal becomes a page or JSON. */
  async function callback(x: Exchange<F>, providerId: string, query: URLSearchParams): Promise<Response> {
    const { core } = x;
    const secret = readCookie(x.request.headers.get('cookie'), oauthCookieName(x.cookie)) ?? null;
    let intent: 'sign_in' | 'link' = 'sign_in';
    let next: string | null = null;
    // The provider calls back one URL for every tenant: the sign-in ends (or is refused) in the tenant it began in.
    let there = x;
    try {
      const { transaction, checks } = await core.oauth.take(providerId, secret, query.get('state'));
      intent = transaction.intent;
      next = intent === 'sign_in' ? transaction.redirectTo : null;
      there = await x.inTenant(transaction.tenantId);
      const done = await core.oauth.exchange(transaction, checks, query);
      const response = intent === 'link' ? await link(there, done) : await signIn(there, done);
      response.headers.append('set-cookie', oauthCookie(x.cookie, '', 0));
      return response;
    } catch (error) {
      if (!isAuthError(error)) throw error;
      await core.audit.record({
        type: 'signin_failed',
        userId: null,
        ...there.client,
        details: { method: 'oauth', provider: providerId, reason: error.code },
      });
      const page = intent === 'link' ? deps.errorPages.link : deps.errorPages.signIn;
      return refusal(x, error, page && there.tenantPath(page), next);
    }
  }

  function auditLink(
    x: Exchange<F>,
    userId: string,
    account: LinkedAccount,
    details: Record<string, unknown>,
  ) {
    return x.core.audit.record({
      type: 'account_linked',
      userId,
      ...x.client,
      details: { provider: account.provider, account: account.id, ...details },
    });
  }

  return [
    {
      method: 'GET',
      path: '/oauth',
      summary: 'The social sign-in providers that are configured',
      signedIn: false,
      success: { status: 200, description: '`{providers: [{id, name, url}]}`; `url` starts a sign-in' },
      errors: [],
      async handle(x) {
        const providers = x.core.oauth
          .list()
          .filter((p) => offersMethod(x.tenant.policy, 'social', p.id))
          .map((p) => ({ ...p, url: x.tenantPath(`${deps.basePath}/oauth/${p.id}`) }));
        return json(200, { providers }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/oauth/:provider',
      summary:
        'Start a social sign-in: 302 to the provider with state, PKCE (S256) and, for OpenID Connect, a nonce; `redirectTo` must be a trusted target',
      signedIn: false,
      query: redirectQuery,
      success: {
        status: 302,
        description: 'To the provider; the `gh_oauth` cookie ties the callback to this browser',
      },
      errors: ['invalid_redirect', 'not_found', 'method_disabled', 'unavailable', 'rate_limited'],
      async handle(x, params) {
        requireMethod(x, 'social', params.provider);
        // Each start stores a transaction: an address may not start more than it could sign in.
        await deps.throttle?.countSocialStart(x.ip);
        const redirect = x.redirectTarget(new URL(x.request.url).searchParams.get('redirectTo') ?? undefined);
        const started = await x.core.oauth.begin(params.provider ?? '', {
          intent: 'sign_in',
          redirectTo: redirect,
          tenantId: x.tenant.id,
        });
        setTransactionCookie(x, params.provider ?? '', started.secret);
        x.headers.location = started.url.href;
        return empty(302, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/oauth/:provider/link',
      summary:
        'Link a provider to the signed-in account: `{url}` to send the browser to (a form post gets 303 there)',
      signedIn: true,
      body: linkBody,
      success: {
        status: 200,
        description: '`{url}`; the `gh_oauth` cookie ties the callback to this browser',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'unauthenticated',
        'reauthentication_required',
        'not_found',
        'unavailable',
        'csrf_failed',
      ],
      async handle(x, params) {
        const { session, user } = await x.requireRecentAuthentication();
        const { fields: raw, form } = await readBody(x.request);
        const redirect = x.redirectTarget(parseBody(linkBody, raw).redirectTo);
        const started = await x.core.oauth.begin(params.provider ?? '', {
          intent: 'link',
          userId: user.id,
          sessionId: session.id,
          redirectTo: redirect,
          tenantId: x.tenant.id,
        });
        setTransactionCookie(x, params.provider ?? '', started.secret);
        return form ? seeOther(started.url.href, x.headers) : json(200, { url: started.url.href }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/oauth/:provider/callback',
      summary:
        "The provider's redirect back: signs in (or up, or links), then 303 to `redirectTo`; refusals 303 to the error page with `?error=`",
      signedIn: false,
      query: callbackFields,
      success: { status: 303, description: 'To `redirectTo` (or the default page), with the session cookie' },
      errors: ['oauth_failed', 'conflict', 'forbidden', 'email_not_verified', 'unauthenticated', 'not_found'],
      handle: (x, params) => callback(x, params.provider ?? '', new URL(x.request.url).searchParams),
    },
    {
      method: 'POST',
      path: '/oauth/:provider/callback',
      summary:
        "A `form_post` provider's answer (Apple's): the same as the GET callback; other sites may post here, the state is the proof",
      signedIn: false,
      crossSite: true,
      body: callbackFields,
      success: { status: 303, description: 'To `redirectTo` (or the default page), with the session cookie' },
      errors: ['oauth_failed', 'conflict', 'forbidden', 'email_not_verified', 'unauthenticated', 'not_found'],
      async handle(x, params) {
        const id = params.provider ?? '';
        if (x.core.oauth.provider(id)?.responseMode !== 'form_post')
          throw new AuthError('not_found', 'There is no such route.');
        const { fields: raw } = await readBody(x.request);
        const fields = parseBody(callbackFields, raw);
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(fields)) if (value !== undefined) query.set(name, value);
        return callback(x, id, query);
      },
    },
    {
      method: 'GET',
      path: '/linked-accounts',
      summary: "The signed-in user's linked identities (social sign-in)",
      signedIn: true,
      success: {
        status: 200,
        description: '`{accounts: [{id, provider, providerName, email, createdAt, lastUsedAt}]}`',
      },
      errors: ['unauthenticated'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const accounts = await x.core.accounts.list(user.id);
        return json(200, { accounts: accounts.map((a) => linkedAccountView(x, a)) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/linked-accounts/:id',
      summary: 'Unlink one of your identities; refused (409) when it is your only way to sign in',
      signedIn: true,
      success: { status: 204, description: 'Unlinked' },
      errors: ['unauthenticated', 'reauthentication_required', 'not_found', 'conflict', 'csrf_failed'],
      async handle(x, params) {
        const { user } = await x.requireRecentAuthentication();
        const account = await x.core.accounts.unlink(user.id, params.id ?? '');
        await x.core.audit.record({
          type: 'account_unlinked',
          userId: user.id,
          ...x.client,
          details: { provider: account.provider, account: account.id },
        });
        return empty(204, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/users/:id/linked-accounts',
      summary: "A user's linked identities (social sign-in)",
      signedIn: true,
      permission: 'user.view',
      success: {
        status: 200,
        description: '`{accounts: [{id, provider, providerName, email, createdAt, lastUsedAt}]}`',
      },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const user = await userOf(x, params);
        const accounts = await x.core.accounts.list(user.id);
        return json(200, { accounts: accounts.map((a) => linkedAccountView(x, a)) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id/linked-accounts/:accountId',
      summary: "Unlink one of a user's identities; refused (409) when it is their only way to sign in",
      signedIn: true,
      permission: 'user.change',
      success: { status: 204, description: 'Unlinked' },
      errors: [...CHANGES, 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const account = await x.core.accounts.unlink(target.id, params.accountId ?? '');
        await audit(x, actor, {
          type: 'account_unlinked',
          userId: target.id,
          details: { provider: account.provider, account: account.id },
        });
        return empty(204, x.headers);
      },
    },
  ];
}

function linkedAccountView<F extends CustomFields>(x: Exchange<F>, account: LinkedAccount) {
  return {
    id: account.id,
    provider: account.provider,
    providerName: x.core.oauth.provider(account.provider)?.name ?? account.provider,
    email: account.email,
    createdAt: account.createdAt.toISOString(),
    lastUsedAt: account.lastUsedAt.toISOString(),
  };
}
