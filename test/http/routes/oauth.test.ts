/**
 * Social sign-in with OpenID Connect, end to end against a real OpenID
 * Provider (`oidc-provider`) on loopback: the browser starts at the API, is
 * sent to the provider, signs in there, and comes back to the callback.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';
import { MAIL_PUBLIC_URL, SECURE_COOKIE } from '../../helpers/mail-api.js';
import { startOidcIdp, type TestIdp } from '../../helpers/oidc-idp.js';

const CALLBACK = (id: string) => `${MAIL_PUBLIC_URL}/auth/oauth/${id}/callback`;
const TRANSACTION_COOKIE = '__Host-gh_oauth';
const SECRET = 'a server secret of at least thirty-two characters';

let idp: TestIdp;
let api: TestApi<Record<never, never>>;
let n = 0;

function provider(issuer: string, extra: Record<string, unknown> = {}) {
  return {
    preset: 'oidc' as const,
    name: 'Test IdP',
    issuer,
    clientId: 'app',
    clientSecret: 'app-secret',
    ...extra,
  };
}

beforeAll(async () => {
  idp = await startOidcIdp({
    clients: [
      {
        client_id: 'app',
        client_secret: 'app-secret',
        redirect_uris: [CALLBACK('idp'), CALLBACK('other'), CALLBACK('keeper')],
      },
    ],
  });
  api = await createTestApi({
    publicUrl: MAIL_PUBLIC_URL,
    trustedOrigins: [ORIGIN],
    secret: SECRET,
    rateLimits: false,
    oauth: {
      providers: {
        idp: provider(idp.issuer),
        other: provider(idp.issuer, { name: 'Other IdP' }),
        keeper: provider(idp.issuer, { name: 'Keeper', storeTokens: true }),
      },
    },
  });
});
afterAll(async () => {
  await api?.close();
  await idp?.close();
});

/** A fresh provider account (and its address) the next authorization signs in as. */
function idpAccount(
  claims: { email_verified?: boolean | string; email?: string } = { email_verified: true },
) {
  n += 1;
  const sub = `sub-${n}`;
  const email = claims.email ?? `rover${n}@example.com`;
  idp.accounts.set(sub, { sub, email, given_name: 'Ada', family_name: `Rover${n}`, ...claims });
  idp.next = { sub };
  return { sub, email };
}

/** GET on the API for a URL the provider sent the browser to (the public URL's path and query). */
function follow(browser: Client, url: URL) {
  return browser.get(`${url.pathname}${url.search}`);
}

async function start(browser: Client, id = 'idp', query = '') {
  const started = await browser.get(`/auth/oauth/${id}${query}`);
  expect(started.status).toBe(302);
  return new URL(started.headers.get('location') ?? '');
}

/** The whole dance: start, sign in at the provider, come back. Returns the callback's answer. */
async function signInWith(browser: Client, id = 'idp', query = '') {
  const authorization = await start(browser, id, query);
  return follow(browser, await idp.authorize(authorization.href));
}

function errorOf(reply: { status: number; headers: Headers }) {
  expect(reply.status).toBe(303);
  const location = new URL(reply.headers.get('location') ?? '', MAIL_PUBLIC_URL);
  return { path: location.pathname, error: location.searchParams.get('error') };
}

async function sessionOf(browser: Client) {
  const reply = await browser.get('/auth/session');
  return reply.status === 200 ? reply.body : null;
}

describe('starting a sign-in', () => {
  it('sends the browser to the provider with state, S256 PKCE and a nonce, tied to a cookie', async () => {
    const browser = api.client();
    const started = await browser.get('/auth/oauth/idp');
    expect(started.status).toBe(302);
    const url = new URL(started.headers.get('location') ?? '');
    expect(url.origin).toBe(idp.issuer);
    const params = url.searchParams;
    expect(params.get('client_id')).toBe('app');
    expect(params.get('redirect_uri')).toBe(CALLBACK('idp'));
    expect(params.get('response_type')).toBe('code');
    expect(params.get('scope')).toBe('openid email profile');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('nonce')).not.toBe(params.get('state'));
    const cookie = started.headers.getSetCookie().find((c) => c.startsWith(`${TRANSACTION_COOKIE}=`)) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=600/);
    // The cookie's secret is not the state: what travels through the provider opens nothing.
    expect(cookie).not.toContain(params.get('state') ?? '');
  });

  it('draws a new state for every start', async () => {
    const browser = api.client();
    const first = await start(browser);
    const second = await start(browser);
    expect(first.searchParams.get('state')).not.toBe(second.searchParams.get('state'));
  });

  it('refuses a redirectTo off the trusted origins and an unknown provider', async () => {
    const browser = api.client();
    expect((await browser.get('/auth/oauth/idp?redirectTo=https://evil.test/')).status).toBe(400);
    expect((await browser.get('/auth/oauth/idp?redirectTo=//evil.test')).body.error.code).toBe(
      'invalid_redirect',
    );
    expect((await browser.get('/auth/oauth/nobody')).status).toBe(404);
  });

  it('lists the configured providers', async () => {
    const reply = await api.client().get('/auth/oauth');
    expect(reply.body.providers).toEqual([
      { id: 'idp', name: 'Test IdP', url: '/auth/oauth/idp' },
      { id: 'other', name: 'Other IdP', url: '/auth/oauth/other' },
      { id: 'keeper', name: 'Keeper', url: '/auth/oauth/keeper' },
    ]);
  });
});

describe('signing in', () => {
  it('creates a verified user from the provider profile on a first sign-in', async () => {
    const { email } = idpAccount();
    const browser = api.client();
    const back = await signInWith(browser);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/auth/ui/account');
    expect(browser.cookies.has(SECURE_COOKIE)).toBe(true);
    expect(browser.cookies.has(TRANSACTION_COOKIE)).toBe(false);
    const session = await sessionOf(browser);
    expect(session.user).toMatchObject({ email, emailVerified: true, firstName: 'Ada' });
    expect(session.session.amr).toEqual(['oauth']);
    const user = await api.auth.users.getByEmail(email);
    expect(user?.hasUsablePassword).toBe(false);
    const linked = await browser.get('/auth/linked-accounts');
    expect(linked.body.accounts).toEqual([
      expect.objectContaining({ provider: 'idp', providerName: 'Test IdP', email }),
    ]);
  });

  it('creates an unverified user from an address the provider did not vouch for, and mails a verification link', async () => {
    const { email } = idpAccount({ email_verified: false });
    const browser = api.client();
    expect((await signInWith(browser)).status).toBe(303);
    expect((await sessionOf(browser)).user).toMatchObject({ email, emailVerified: false });
    let mail: { subject: string }[] = [];
    for (let i = 0; i < 50 && mail.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      mail = await api.auth.mail.list({ to: email });
    }
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/confirm|verify/i)]);
  });

  it('signs a returning user in to the same account, without creating another', async () => {
    const { email } = idpAccount();
    await signInWith(api.client());
    const first = await api.auth.users.getByEmail(email);
    const again = api.client();
    expect((await signInWith(again)).status).toBe(303);
    expect((await sessionOf(again)).user.id).toBe(first?.id);
    expect(await api.auth.accounts.list(first?.id ?? '')).toHaveLength(1);
  });

  it('leads a user with a second factor to the MFA challenge, not into a session', async () => {
    const { email } = idpAccount();
    await signInWith(api.client());
    const user = await api.auth.users.getByEmail(email);
    const setup = await api.auth.mfa.totp.begin({ id: user?.id ?? '', email });
    const app = OTPAuth.URI.parse(setup.otpauthUrl) as OTPAuth.TOTP;
    expect(await api.auth.mfa.totp.confirm(user?.id ?? '', app.generate())).toBe(true);

    const browser = api.client();
    const reply = await signInWith(browser, 'idp', '?redirectTo=/after');
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/auth/ui/mfa');
    expect(browser.cookies.has(SECURE_COOKIE)).toBe(false);
    expect(browser.cookies.get('__Host-gh_mfa')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pending = await browser.get('/auth/mfa/challenge');
    expect(pending.body.methods).toContain('totp');
    expect(await sessionOf(browser)).toBeNull();
  });

  it('keeps where a refused sign-in was headed, for signing in another way', async () => {
    n += 1;
    const existing = await api.auth.users.create({ email: `headed${n}@example.com`, password: PASSWORD });
    idpAccount({ email: existing.email, email_verified: true });
    const back = await signInWith(
      api.client(),
      'idp',
      `?redirectTo=${encodeURIComponent('/reports?year=2026')}`,
    );
    expect(back.headers.get('location')).toBe(
      `/auth/ui/signin?error=conflict&next=${encodeURIComponent('/reports?year=2026')}`,
    );
  });

  it('sends the browser to a trusted redirectTo afterwards', async () => {
    idpAccount();
    const back = await signInWith(
      api.client(),
      'idp',
      `?redirectTo=${encodeURIComponent(`${ORIGIN}/welcome`)}`,
    );
    expect(back.headers.get('location')).toBe(`${ORIGIN}/welcome`);
  });

  it('links to an existing account when both sides verified the address', async () => {
    n += 1;
    const existing = await api.auth.users.create({
      email: `holder${n}@example.com`,
      password: PASSWORD,
      emailVerified: true,
    });
    idpAccount({ email: existing.email, email_verified: true });
    const browser = api.client();
    expect((await signInWith(browser)).status).toBe(303);
    expect((await sessionOf(browser)).user.id).toBe(existing.id);
    expect(await api.auth.accounts.list(existing.id)).toHaveLength(1);
    const events = await api.auth.audit.list({ userId: existing.id });
    expect(events.map((e) => e.type)).toContain('account_linked');
  });

  for (const [label, claims] of [
    ['unverified', { email_verified: false }],
    ['without a verification claim', { email_verified: undefined }],
    ['verified only as the string "true"', { email_verified: 'true' }],
  ] as const) {
    it(`refuses to link to an existing account when the provider's address is ${label}`, async () => {
      n += 1;
      const existing = await api.auth.users.create({
        email: `victim${n}@example.com`,
        password: PASSWORD,
        emailVerified: true,
      });
      idpAccount({ email: existing.email, ...claims });
      const browser = api.client();
      expect(errorOf(await signInWith(browser))).toEqual({ path: '/auth/ui/signin', error: 'conflict' });
      expect(await sessionOf(browser)).toBeNull();
      expect(await api.auth.accounts.list(existing.id)).toEqual([]);
    });
  }

  it('refuses to link into an account whose own address is unverified, even for a verified provider address', async () => {
    n += 1;
    // Someone registered the address first without proving it (pre-account hijacking).
    const squatter = await api.auth.users.create({ email: `squatted${n}@example.com`, password: PASSWORD });
    idpAccount({ email: squatter.email, email_verified: true });
    const browser = api.client();
    expect(errorOf(await signInWith(browser)).error).toBe('conflict');
    expect(await sessionOf(browser)).toBeNull();
    expect(await api.auth.accounts.list(squatter.id)).toEqual([]);
  });

  it('keys identities by provider and subject: the same subject at another provider is not the same identity', async () => {
    const { sub } = idpAccount({ email_verified: false });
    const browser = api.client();
    await signInWith(browser);
    const owner = (await sessionOf(browser)).user;
    // Same subject, same (unverified) address, through the other provider: not a session for the owner.
    idp.next = { sub };
    const stranger = api.client();
    expect(errorOf(await signInWith(stranger, 'other')).error).toBe('conflict');
    expect(await sessionOf(stranger)).toBeNull();
    expect(await api.auth.accounts.list(owner.id)).toHaveLength(1);
  });

  it('refuses a disabled user', async () => {
    const { email } = idpAccount();
    await signInWith(api.client());
    const user = await api.auth.users.getByEmail(email);
    await api.auth.users.update(user?.id ?? '', { isActive: false });
    const browser = api.client();
    expect(errorOf(await signInWith(browser)).error).toBe('forbidden');
    expect(await sessionOf(browser)).toBeNull();
  });
});

describe('the callback refuses', () => {
  it('a state that is not the one this browser started with', async () => {
    idpAccount();
    const browser = api.client();
    const back = await idp.authorize((await start(browser)).href);
    back.searchParams.set('state', 'A'.repeat(43));
    expect(errorOf(await follow(browser, back))).toEqual({ path: '/auth/ui/signin', error: 'oauth_failed' });
    expect(await sessionOf(browser)).toBeNull();
  });

  it('a missing state', async () => {
    idpAccount();
    const browser = api.client();
    const back = await idp.authorize((await start(browser)).href);
    back.searchParams.delete('state');
    expect(errorOf(await follow(browser, back)).error).toBe('oauth_failed');
    expect(await sessionOf(browser)).toBeNull();
  });

  it('a callback delivered to another browser (login CSRF)', async () => {
    const { email } = idpAccount();
    const attacker = api.client();
    const back = await idp.authorize((await start(attacker)).href);
    const victim = api.client();
    await start(victim); // the victim has a transaction of their own: still not this one
    expect(errorOf(await follow(victim, back)).error).toBe('oauth_failed');
    expect(await sessionOf(victim)).toBeNull();
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });

  it('an ID token whose nonce is not the one sent', async () => {
    const { email } = idpAccount();
    const browser = api.client();
    const authorization = await start(browser);
    authorization.searchParams.set('nonce', 'B'.repeat(43));
    expect(errorOf(await follow(browser, await idp.authorize(authorization.href))).error).toBe(
      'oauth_failed',
    );
    expect(await sessionOf(browser)).toBeNull();
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });

  it('a replayed callback, and a replayed code under a new state', async () => {
    idpAccount();
    const browser = api.client();
    const authorization = await start(browser);
    const secret = browser.cookies.get(TRANSACTION_COOKIE) ?? '';
    const back = await idp.authorize(authorization.href);
    expect((await follow(browser, back)).status).toBe(303);
    // The same callback with the same cookie again: the transaction is spent.
    const replay = api.client();
    replay.cookies.set(TRANSACTION_COOKIE, secret);
    expect(errorOf(await follow(replay, back)).error).toBe('oauth_failed');
    expect(await sessionOf(replay)).toBeNull();
    // The same code in a new transaction of this browser: the provider refuses a second exchange.
    const fresh = api.client();
    const state = (await start(fresh)).searchParams.get('state') ?? '';
    const reused = new URL(back);
    reused.searchParams.set('state', state);
    expect(errorOf(await follow(fresh, reused)).error).toBe('oauth_failed');
    expect(await sessionOf(fresh)).toBeNull();
  });

  it('a callback for another provider than the one started (mix-up)', async () => {
    idpAccount();
    const browser = api.client();
    const back = await idp.authorize((await start(browser, 'idp')).href);
    const mixed = new URL(back);
    mixed.pathname = '/auth/oauth/other/callback';
    expect(errorOf(await follow(browser, mixed)).error).toBe('oauth_failed');
    expect(await sessionOf(browser)).toBeNull();
  });

  it('an authorization request whose PKCE challenge was stripped (the provider requires it)', async () => {
    const { email } = idpAccount();
    const browser = api.client();
    const authorization = await start(browser);
    authorization.searchParams.delete('code_challenge');
    authorization.searchParams.delete('code_challenge_method');
    const back = await idp.authorize(authorization.href);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(errorOf(await follow(browser, back)).error).toBe('oauth_failed');
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });

  it("the provider's error, keeping where the sign-in was headed", async () => {
    idp.next = { error: 'access_denied' };
    const browser = api.client();
    const back = await idp.authorize((await start(browser, 'idp', '?redirectTo=%2Freports')).href);
    const reply = await follow(browser, back);
    expect(reply.headers.get('location')).toBe('/auth/ui/signin?error=oauth_failed&next=%2Freports');
  });

  it("the provider's error, and audits the refusal", async () => {
    idp.next = { error: 'access_denied' };
    const browser = api.client();
    const back = await idp.authorize((await start(browser)).href);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(errorOf(await follow(browser, back)).error).toBe('oauth_failed');
    expect(await sessionOf(browser)).toBeNull();
    const events = await api.auth.audit.list({ type: 'signin_failed' });
    expect(events[0]?.details).toMatchObject({ method: 'oauth', provider: 'idp', reason: 'oauth_failed' });
  });
});

describe('linking from a signed-in account', () => {
  async function signedInUser() {
    n += 1;
    const user = await api.auth.users.create({ email: `linker${n}@example.com`, password: PASSWORD });
    const browser = api.client();
    expect((await browser.post('/auth/signin', { email: user.email, password: PASSWORD })).status).toBe(200);
    return { user, browser };
  }

  it('links the identity whatever its address, and lists it', async () => {
    const { user, browser } = await signedInUser();
    idpAccount({ email: `elsewhere${n}@example.com`, email_verified: false });
    const started = await browser.post('/auth/oauth/idp/link', {});
    expect(started.status).toBe(200);
    const back = await follow(browser, await idp.authorize(started.body.url));
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/auth/ui/account');
    const list = await browser.get('/auth/linked-accounts');
    expect(list.body.accounts).toHaveLength(1);
    expect((await api.auth.accounts.list(user.id))[0]?.provider).toBe('idp');
    // And the identity now signs in to that account.
    const other = api.client();
    expect((await signInWith(other)).status).toBe(303);
    expect((await sessionOf(other)).user.id).toBe(user.id);
  });

  it('refuses a link started from another site', async () => {
    const { browser } = await signedInUser();
    const reply = await browser.post(
      '/auth/oauth/idp/link',
      {},
      { headers: { origin: 'https://evil.test' } },
    );
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('csrf_failed');
  });

  it('refuses to link an identity already linked to another account', async () => {
    const { sub } = idpAccount();
    await signInWith(api.client());
    const { user, browser } = await signedInUser();
    idp.next = { sub };
    const started = await browser.post('/auth/oauth/idp/link', {});
    const back = await follow(browser, await idp.authorize(started.body.url));
    expect(errorOf(back)).toEqual({ path: '/auth/ui/account', error: 'conflict' });
    expect(await api.auth.accounts.list(user.id)).toEqual([]);
  });

  it('refuses to finish a link in a session other than the one that started it', async () => {
    const { user, browser } = await signedInUser();
    idpAccount();
    const started = await browser.post('/auth/oauth/idp/link', {});
    // Another user signs in on this browser before the provider answers.
    const second = await signedInUser();
    browser.cookies.set(SECURE_COOKIE, second.browser.cookies.get(SECURE_COOKIE) ?? '');
    const back = await follow(browser, await idp.authorize(started.body.url));
    expect(errorOf(back).error).toBe('unauthenticated');
    expect(await api.auth.accounts.list(user.id)).toEqual([]);
    expect(await api.auth.accounts.list(second.user.id)).toEqual([]);
  });

  it('needs a session to start', async () => {
    const reply = await api.client().post('/auth/oauth/idp/link', {});
    expect(reply.status).toBe(401);
  });
});

describe('unlinking', () => {
  it('never unlinks the last way to sign in, and unlinks once there is another', async () => {
    idpAccount();
    const browser = api.client();
    await signInWith(browser);
    const [account] = (await browser.get('/auth/linked-accounts')).body.accounts;
    const refused = await browser.delete(`/auth/linked-accounts/${account.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    // A second identity makes the first one removable.
    idpAccount({ email: `second${n}@example.com`, email_verified: false });
    const started = await browser.post('/auth/oauth/other/link', {});
    await follow(browser, await idp.authorize(started.body.url));
    expect((await browser.delete(`/auth/linked-accounts/${account.id}`)).status).toBe(204);
    expect(
      (await browser.get('/auth/linked-accounts')).body.accounts.map((a: { provider: string }) => a.provider),
    ).toEqual(['other']);
  });

  it("answers 404 for another user's identity", async () => {
    idpAccount();
    const owner = api.client();
    await signInWith(owner);
    const [account] = (await owner.get('/auth/linked-accounts')).body.accounts;
    n += 1;
    const user = await api.auth.users.create({ email: `nosy${n}@example.com`, password: PASSWORD });
    const nosy = api.client();
    await nosy.post('/auth/signin', { email: user.email, password: PASSWORD });
    expect((await nosy.delete(`/auth/linked-accounts/${account.id}`)).status).toBe(404);
    expect((await owner.get('/auth/linked-accounts')).body.accounts).toHaveLength(1);
  });
});

describe('provider tokens', () => {
  it('never reach the browser, and are kept sealed when a provider keeps them', async () => {
    const { email } = idpAccount();
    const browser = api.client();
    const back = await signInWith(browser, 'keeper');
    expect(back.text).toBe('');
    const user = await api.auth.users.getByEmail(email);
    const [account] = await api.auth.accounts.list(user?.id ?? '');
    const row = await api.auth.database.db
      .selectFrom('accounts')
      .select(['access_token'])
      .where('id', '=', account?.id ?? '')
      .executeTakeFirstOrThrow();
    const tokens = await api.auth.accounts.tokens(account?.id ?? '');
    expect(tokens?.accessToken.length).toBeGreaterThan(10);
    expect(row.access_token).toMatch(/^v1\./);
    expect(row.access_token).not.toContain(tokens?.accessToken);
    const session = await browser.get('/auth/session');
    expect(session.text).not.toContain(tokens?.accessToken);
  });

  it('are not kept by a provider that does not keep them', async () => {
    const { email } = idpAccount();
    await signInWith(api.client());
    const user = await api.auth.users.getByEmail(email);
    const [account] = await api.auth.accounts.list(user?.id ?? '');
    expect(await api.auth.accounts.tokens(account?.id ?? '')).toBeNull();
  });
});

describe('with sign-up closed and no pre-built UI', () => {
  let closed: TestApi<Record<never, never>>;
  beforeAll(async () => {
    closed = await createTestApi({
      publicUrl: MAIL_PUBLIC_URL,
      trustedOrigins: [ORIGIN],
      signUp: { enabled: false },
      ui: { enabled: false },
      oauth: { providers: { idp: provider(idp.issuer) } },
    });
  });
  afterAll(() => closed?.close());

  it('refuses a first sign-in with a JSON error and creates nobody', async () => {
    const { email } = idpAccount();
    const browser = closed.client();
    const started = await browser.get('/auth/oauth/idp');
    const back = await follow(browser, await idp.authorize(started.headers.get('location') ?? ''));
    expect(back.status).toBe(403);
    expect(back.body.error.code).toBe('forbidden');
    expect(await closed.auth.users.getByEmail(email)).toBeNull();
  });

  it("answers the provider's refusal as JSON with a plain message", async () => {
    idp.next = { error: 'access_denied' };
    const browser = closed.client();
    const started = await browser.get('/auth/oauth/idp');
    const back = await follow(browser, await idp.authorize(started.headers.get('location') ?? ''));
    expect(back.status).toBe(400);
    expect(back.body.error).toMatchObject({
      code: 'oauth_failed',
      message: 'You did not let Test IdP sign you in.',
    });
  });
});

describe('starting sign-ins from one address', () => {
  let limited: TestApi<Record<never, never>>;
  beforeAll(async () => {
    limited = await createTestApi({
      publicUrl: MAIL_PUBLIC_URL,
      trustedOrigins: [ORIGIN],
      rateLimits: { signIn: { perIp: { max: 2, windowSeconds: 60 } } },
      oauth: { providers: { idp: provider(idp.issuer) } },
    });
  });
  afterAll(() => limited?.close());

  it('is limited like sign-ins, and stores nothing past the limit', async () => {
    const browser = limited.client({ ip: '198.51.100.20' });
    expect((await browser.get('/auth/oauth/idp')).status).toBe(302);
    expect((await browser.get('/auth/oauth/idp')).status).toBe(302);
    const refused = await browser.get('/auth/oauth/idp');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const stored = await limited.auth.database.db.selectFrom('oauth_transactions').select('id').execute();
    expect(stored).toHaveLength(2);
    expect((await limited.client({ ip: '198.51.100.21' }).get('/auth/oauth/idp')).status).toBe(302);
  });
});

describe('staff and linked accounts', () => {
  it("lists a user's identities and unlinks one, audited with the actor; never the last way in", async () => {
    const { email } = idpAccount();
    await signInWith(api.client());
    const user = await api.auth.users.getByEmail(email);
    n += 1;
    const staff = await api.auth.users.create({
      email: `staff${n}@example.com`,
      password: PASSWORD,
      isStaff: true,
      isSuperuser: true,
    });
    const desk = api.client();
    await desk.post('/auth/signin', { email: staff.email, password: PASSWORD });
    const listed = await desk.get(`/auth/admin/users/${user?.id}/linked-accounts`);
    expect(listed.body.accounts).toEqual([expect.objectContaining({ provider: 'idp', email })]);
    const id = listed.body.accounts[0].id;
    expect((await desk.delete(`/auth/admin/users/${user?.id}/linked-accounts/${id}`)).status).toBe(409);
    await api.auth.users.setPassword(user?.id ?? '', PASSWORD);
    expect((await desk.delete(`/auth/admin/users/${user?.id}/linked-accounts/${id}`)).status).toBe(204);
    expect(await api.auth.accounts.list(user?.id ?? '')).toEqual([]);
    const [event] = await api.auth.audit.list({ type: 'account_unlinked', userId: user?.id ?? '' });
    expect(event?.actorId).toBe(staff.id);
  });
});

describe('a provider that posts its answer (form_post, as Apple does)', () => {
  let posting: TestApi<Record<never, never>>;
  beforeAll(async () => {
    posting = await createTestApi({
      publicUrl: MAIL_PUBLIC_URL,
      trustedOrigins: [ORIGIN],
      rateLimits: false,
      oauth: { providers: { idp: provider(idp.issuer, { responseMode: 'form_post' }) } },
    });
  });
  afterAll(() => posting?.close());

  /** The provider's page posts the fields from its own origin: a cross-site form post. */
  function post(browser: Client, answer: URL, fields = Object.fromEntries(answer.searchParams)) {
    return browser.send('POST', answer.pathname, { form: fields, headers: { origin: idp.issuer } });
  }

  it('asks for form_post, lets the cross-site POST carry the transaction cookie, and signs in', async () => {
    const { email } = idpAccount();
    const browser = posting.client();
    const started = await browser.get('/auth/oauth/idp');
    const url = new URL(started.headers.get('location') ?? '');
    expect(url.searchParams.get('response_mode')).toBe('form_post');
    expect(started.headers.get('set-cookie')).toMatch(/SameSite=None/);
    const answer = await idp.authorize(url.href);
    const back = await post(browser, answer, {
      ...Object.fromEntries(answer.searchParams),
      user: '{"name":{"firstName":"Posted","lastName":"Name"}}',
    });
    expect(back.status).toBe(303);
    const session = (await browser.get('/auth/session')).body;
    expect(session.user).toMatchObject({ email, firstName: 'Ada' });
  });

  it('still needs the state of this browser: a forged post is refused', async () => {
    idpAccount();
    const browser = posting.client();
    const answer = await idp.authorize((await start(browser)).href);
    answer.searchParams.set('state', 'C'.repeat(43));
    const attempt = await post(browser, answer);
    expect(errorOf(attempt).error).toBe('oauth_failed');
    expect((await browser.get('/auth/session')).status).toBe(401);
  });

  it('is only open for providers that post', async () => {
    const reply = await api.client().send('POST', '/auth/oauth/idp/callback', {
      form: { code: 'x', state: 'y' },
      headers: { origin: idp.issuer },
    });
    expect(reply.status).toBe(404);
  });
});

describe('in a tenant', () => {
  it('ends where it began: the callback URL is shared, the session belongs to the tenant that started it', async () => {
    const org = await api.auth.tenants.create({ slug: `social-${++n}`, name: 'Social', pool: 'isolated' });
    const browser = api.client();
    const started = await browser.get(`/auth/t/${org.slug}/oauth/idp`);
    expect(started.status).toBe(302);
    const authorization = new URL(started.headers.get('location') ?? '');
    // The provider knows one redirect URI, the tenant-less one.
    expect(authorization.searchParams.get('redirect_uri')).toBe(CALLBACK('idp'));
    const { email } = idpAccount();
    const done = await follow(browser, await idp.authorize(authorization.href));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/auth/t/${org.slug}/ui/account`);
    const here = await browser.get(`/auth/t/${org.slug}/session`);
    expect(here.status).toBe(200);
    expect(here.body.session.tenantId).toBe(org.id);
    expect((await browser.get('/auth/session')).status).toBe(401);
    // The account was made in the tenant's own pool, not the shared one.
    expect((await api.auth.users.getByEmail(email, { pool: org.id }))?.id).toBe(here.body.user.id);
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });

  it("is refused where the tenant's policy does not offer the provider, and offered where it does", async () => {
    const org = await api.auth.tenants.create({
      slug: `social-${++n}`,
      name: 'Picky',
      pool: 'isolated',
      policy: { methods: { social: ['other'] } },
    });
    const browser = api.client();
    const refused = await browser.get(`/auth/t/${org.slug}/oauth/idp`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('method_disabled');
    expect((await browser.get(`/auth/t/${org.slug}/oauth/other`)).status).toBe(302);
    const listed = await browser.get(`/auth/t/${org.slug}/oauth`);
    expect(listed.body.providers.map((p: { id: string }) => p.id)).toEqual(['other']);
    expect(listed.body.providers[0].url).toBe(`/auth/t/${org.slug}/oauth/other`);
  });

  it("does not let an identity linked in one pool into another pool's tenant", async () => {
    const a = await api.auth.tenants.create({ slug: `social-${++n}`, name: 'A', pool: 'isolated' });
    const b = await api.auth.tenants.create({ slug: `social-${++n}`, name: 'B', pool: 'isolated' });
    idpAccount();
    const first = api.client();
    const startedA = await first.get(`/auth/t/${a.slug}/oauth/idp`);
    const doneA = await follow(
      first,
      await idp.authorize(new URL(startedA.headers.get('location') ?? '').href),
    );
    expect(doneA.status).toBe(303);
    // The same provider account, now at B: it is A's account, which B does not know.
    const second = api.client();
    const startedB = await second.get(`/auth/t/${b.slug}/oauth/idp`);
    const doneB = await follow(
      second,
      await idp.authorize(new URL(startedB.headers.get('location') ?? '').href),
    );
    const refused = errorOf(doneB);
    expect(refused).toEqual({ path: `/auth/t/${b.slug}/ui/signin`, error: 'invalid_credentials' });
    expect((await second.get(`/auth/t/${b.slug}/session`)).status).toBe(401);
    expect((await api.auth.tenants.members(b.id)).members).toHaveLength(0);
  });
});
