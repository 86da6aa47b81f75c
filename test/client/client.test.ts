/**
 * The browser client against the real server over real HTTP: Node's fetch,
 * wrapped to do the two things a browser does on its own — keep the cookies
 * the server sets (for `credentials: 'include'` requests) and send `Origin`.
 */
import type * as WebAuthnModule from '@simplewebauthn/browser';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type FetchLike,
  GatehouseError,
  type GatehouseErrorCode,
  type TokenStore,
  type WebAuthnBrowser,
} from '../../src/client/index.js';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { PASSWORD } from '../helpers/http.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';

type Plan = { plan: string | null };

/** A browser tab: its own cookie jar, and a log of the requests it sent. */
function browser(origin: string) {
  const jar = new Map<string, string>();
  const sent: { url: string; method: string; headers: Record<string, string>; credentials: string }[] = [];
  const fetchLike: FetchLike = async (url, init) => {
    sent.push({ url, ...init });
    const headers = new Headers(init.headers);
    headers.set('origin', origin);
    if (init.credentials === 'include' && jar.size > 0) {
      headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers });
    if (init.credentials === 'include') {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        if (value === '' || attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')) jar.delete(name);
        else jar.set(name, value);
      }
    }
    return response;
  };
  return { fetch: fetchLike, jar, sent };
}

async function caught(promise: Promise<unknown>): Promise<GatehouseError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatehouseError);
  return error as GatehouseError;
}

describe('gatehouse/client', () => {
  let testAuth: TestAuth<{ plan: { type: 'string'; optional: true } }>;
  let server: RunningServer;
  let emails = 0;
  const email = () => `user${++emails}@example.com`;
  const tab = (options: { mode?: 'cookie' | 'bearer'; tokenStore?: TokenStore } = {}) => {
    const b = browser(server.url);
    return { ...b, client: createClient<Plan>({ baseUrl: server.url, fetch: b.fetch, ...options }) };
  };

  beforeAll(async () => {
    testAuth = await createTestAuth({
      rateLimits: false,
      user: { fields: { plan: { type: 'string', optional: true } } },
    });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it('signs up, then finds the session through the cookie', async () => {
    const { client, jar, sent } = tab();
    const address = email();
    const signedUp = await client.signUp({
      email: address,
      password: PASSWORD,
      firstName: 'Ada',
      plan: 'pro',
    });
    expect(signedUp.user).toMatchObject({ email: address, firstName: 'Ada', plan: 'pro' });
    expect(signedUp.token).toBeUndefined();
    expect(jar.size).toBe(1);
    expect(sent[0]).toMatchObject({
      url: `${server.url}/auth/signup`,
      method: 'POST',
      credentials: 'include',
    });

    const current = await client.getSession();
    expect(current?.user.email).toBe(address);
    expect(current?.session.id).toBe(signedUp.session.id);
    expect(current?.session.amr).toEqual(['pwd']);
    // Dates stay the ISO strings of the JSON.
    expect(current?.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The custom field is typed from the client's type parameter.
    const plan: string | null | undefined = current?.user.plan;
    expect(plan).toBe('pro');
    // @ts-expect-error: not a field of this app
    expect(current?.user.seats).toBeUndefined();
  });

  it('returns null from getSession when signed out, before and after signing out', async () => {
    const { client } = tab();
    expect(await client.getSession()).toBeNull();
    await client.signUp({ email: email(), password: PASSWORD });
    expect(await client.getSession()).not.toBeNull();
    await client.signOut();
    expect(await client.getSession()).toBeNull();
    await client.signOut(); // signing out twice is fine
  });

  it('throws GatehouseError invalid_credentials for a wrong password', async () => {
    const address = email();
    await tab().client.signUp({ email: address, password: PASSWORD });
    const { client } = tab();
    const error = await caught(client.signIn({ email: address, password: 'not the password at all' }));
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401, name: 'GatehouseError' });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('The email, username or password is not right.');
    expect(error.fields).toBeUndefined();
    expect(await client.getSession()).toBeNull();

    const signedIn = await client.signIn({ email: address, password: PASSWORD, redirectTo: '/welcome' });
    expect(signedIn.user.email).toBe(address);
    expect(signedIn.redirectTo).toBe('/welcome');
  });

  it('surfaces field errors in `fields`', async () => {
    const { client } = tab();
    const error = await caught(client.signUp({ email: '', password: '' }));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(error.fields).toEqual({ email: 'Enter an email address.', password: 'Enter a password.' });

    await client.signUp({ email: email(), password: PASSWORD });
    const wrong = await caught(
      client.changePassword({ currentPassword: 'not my password', newPassword: 'a new and long passphrase' }),
    );
    expect(wrong.fields).toEqual({ currentPassword: 'This is not your current password.' });
  });

  it('keeps session data', async () => {
    const { client } = tab();
    await client.signUp({ email: email(), password: PASSWORD });
    const session = await client.setSessionData({ theme: 'dark', cart: [1, 2] });
    expect(session.data).toEqual({ theme: 'dark', cart: [1, 2] });
    expect((await client.getSession())?.session.data).toEqual({ theme: 'dark', cart: [1, 2] });
  });

  it('lists sessions and revokes one, or all the others', async () => {
    const address = email();
    const laptop = tab().client;
    await laptop.signUp({ email: address, password: PASSWORD });
    const phone = tab().client;
    const tablet = tab().client;
    const onPhone = await phone.signIn({ email: address, password: PASSWORD });
    await tablet.signIn({ email: address, password: PASSWORD });

    const sessions = await laptop.listSessions();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => s.id === onPhone.session.id)).toMatchObject({
      current: false,
      ip: '127.0.0.1',
      amr: ['pwd'],
    });

    await laptop.revokeSession(onPhone.session.id);
    expect(await phone.getSession()).toBeNull();
    expect(await tablet.getSession()).not.toBeNull();
    expect(await laptop.listSessions()).toHaveLength(2);

    const error = await caught(laptop.revokeSession(onPhone.session.id));
    expect(error).toMatchObject({ code: 'not_found', status: 404 });

    await laptop.revokeOtherSessions();
    expect(await tablet.getSession()).toBeNull();
    expect((await laptop.listSessions()).map((s) => s.current)).toEqual([true]);
  });

  it('changes the password in cookie mode: the cookie is replaced, the old one stops working', async () => {
    const address = email();
    const { client, jar } = tab();
    await client.signUp({ email: address, password: PASSWORD });
    const before = [...jar.values()][0];
    await client.changePassword({ currentPassword: PASSWORD, newPassword: 'a new and long passphrase' });
    expect([...jar.values()][0]).not.toBe(before);
    expect((await client.getSession())?.user.email).toBe(address);
    const old = await fetch(`${server.url}/auth/session`, { headers: { cookie: `gh_session=${before}` } });
    expect(old.status).toBe(401);
  });

  it('works end to end in bearer mode', async () => {
    const address = email();
    const { client, jar, sent } = tab({ mode: 'bearer' });
    expect(await client.getSession()).toBeNull();

    const signedUp = await client.signUp({ email: address, password: PASSWORD });
    expect(signedUp.token).toMatch(/^[A-Za-z0-9._~+/=-]{20,}$/);
    expect(jar.size).toBe(0); // no cookie anywhere: the token is all there is
    expect(sent.at(-1)?.headers['x-auth-mode']).toBe('bearer');
    expect(sent.at(-1)?.credentials).toBe('omit');

    expect((await client.getSession())?.user.email).toBe(address);
    expect(sent.at(-1)?.headers.authorization).toBe(`Bearer ${signedUp.token}`);

    await client.changePassword({ currentPassword: PASSWORD, newPassword: 'a new and long passphrase' });
    expect((await client.getSession())?.user.email).toBe(address);
    const swapped = sent.at(-1)?.headers.authorization;
    expect(swapped).toMatch(/^Bearer /);
    expect(swapped).not.toBe(`Bearer ${signedUp.token}`);
    const old = await fetch(`${server.url}/auth/session`, {
      headers: { authorization: `Bearer ${signedUp.token}` },
    });
    expect(old.status).toBe(401);

    await client.signOut();
    expect(sent.at(-2)?.headers.authorization).toBe(swapped);
    expect(await client.getSession()).toBeNull();
    expect(sent.at(-1)?.headers.authorization).toBeUndefined();
    const ended = await fetch(`${server.url}/auth/session`, { headers: { authorization: swapped ?? '' } });
    expect(ended.status).toBe(401);
  });

  it('keeps the bearer token in a store of the app’s choosing', async () => {
    const saved = new Map<string, string>();
    const tokenStore: TokenStore = {
      get: async () => saved.get('token'),
      set: async (token) => saved.set('token', token),
      remove: async () => saved.delete('token'),
    };
    const address = email();
    await tab().client.signUp({ email: address, password: PASSWORD });
    const first = tab({ mode: 'bearer', tokenStore }).client;
    const { token } = await first.signIn({ email: address, password: PASSWORD });
    expect(saved.get('token')).toBe(token);
    // Another client on the same store (a reload, say) is signed in too.
    const second = tab({ mode: 'bearer', tokenStore }).client;
    expect((await second.getSession())?.user.email).toBe(address);
    await second.signOut();
    expect(saved.has('token')).toBe(false);
  });

  it('updates the profile (PATCH /user)', async () => {
    const address = email();
    const { client } = tab();
    await client.signUp({ email: address, password: PASSWORD, firstName: 'Ada' });
    const user = await client.updateProfile({ firstName: 'Augusta', lastName: 'King', plan: 'pro' });
    expect(user).toMatchObject({ email: address, firstName: 'Augusta', lastName: 'King', plan: 'pro' });
    expect((await client.getSession())?.user).toMatchObject({ firstName: 'Augusta', plan: 'pro' });

    const other = tab().client;
    await other.signUp({ email: email(), password: PASSWORD, username: 'countess' });
    const taken = await caught(client.updateProfile({ username: 'countess' }));
    expect(taken).toMatchObject({ code: 'conflict', status: 409 });
    const refused = await caught(client.updateProfile({ email: 'x@example.com' } as never));
    expect(refused.fields).toEqual({ email: 'This field is not accepted here.' });
  });

  it('reports a non-API answer as unexpected_response, and lets network failures through', async () => {
    const wrongPath = createClient({
      baseUrl: server.url,
      basePath: '/nowhere',
      fetch: browser(server.url).fetch,
    });
    const error = await caught(wrongPath.listSessions());
    expect(error).toMatchObject({ code: 'unexpected_response', status: 404 });

    const closed = createClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(closed.getSession()).rejects.toThrow(TypeError);
  });
});

describe('gatehouse/client rate limits', () => {
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: { signIn: { perIp: { max: 1, windowSeconds: 60 } } } });
    await testAuth.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it('gives retryAfter in seconds past a limit', async () => {
    const client = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch });
    await client.signIn({ email: 'ada@example.com', password: PASSWORD });
    const error = await caught(client.signIn({ email: 'ada@example.com', password: PASSWORD }));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
  });
});

describe('gatehouse/client social sign-in', () => {
  const PUBLIC = 'http://127.0.0.1:4999';
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;

  beforeAll(async () => {
    testAuth = await createTestAuth({
      rateLimits: false,
      publicUrl: PUBLIC,
      oauth: {
        providers: {
          github: {
            clientId: 'gh-app',
            clientSecret: 'gh-secret',
            authorizationUrl: 'https://github.example/login/oauth/authorize',
            tokenUrl: 'https://github.example/login/oauth/access_token',
            userInfoUrl: 'https://api.github.example/user',
          },
        },
      },
    });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it('lists the providers, builds the sign-in URL, starts linking, lists and unlinks identities', async () => {
    const b = browser(PUBLIC);
    const client = createClient({ baseUrl: server.url, fetch: b.fetch });
    expect(await client.socialProviders()).toEqual([
      { id: 'github', name: 'GitHub', url: '/auth/oauth/github' },
    ]);
    expect(client.socialSignInUrl('github', { redirectTo: '/after' })).toBe(
      `${server.url}/auth/oauth/github?redirectTo=%2Fafter`,
    );
    expect((await caught(client.linkAccount('github'))).code).toBe('unauthenticated');

    await client.signUp({ email: 'linker@example.com', password: PASSWORD });
    const { url } = await client.linkAccount('github', { redirectTo: '/settings' });
    expect(url.startsWith('https://github.example/login/oauth/authorize?')).toBe(true);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(`${PUBLIC}/auth/oauth/github/callback`);

    const user = await testAuth.auth.users.getByEmail('linker@example.com');
    const identity = { provider: 'github', subject: '42', email: 'linker@example.com', emailVerified: true };
    const account = await testAuth.auth.accounts.link(user?.id ?? '', identity);
    expect((await client.listLinkedAccounts()).map((a) => a.providerName)).toEqual(['GitHub']);
    await client.unlinkAccount(account.id);
    expect(await client.listLinkedAccounts()).toEqual([]);
    expect((await caught(client.unlinkAccount(account.id))).code).toBe('not_found');
  });
});

describe('gatehouse/client passkeys', () => {
  const PUBLIC = 'http://localhost:4998';
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;

  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: false, publicUrl: PUBLIC });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it("takes @simplewebauthn/browser's two functions as they are", () => {
    expectTypeOf<
      Pick<typeof WebAuthnModule, 'startRegistration' | 'startAuthentication'>
    >().toExtend<WebAuthnBrowser>();
  });

  it('adds, lists, renames and signs in with a passkey through the WebAuthn functions it is given, then removes it', async () => {
    const authenticator = new SoftwareAuthenticator();
    const handed: string[] = [];
    const webauthn: WebAuthnBrowser = {
      async startRegistration({ optionsJSON }) {
        handed.push(optionsJSON.challenge);
        return authenticator.register(optionsJSON as never, { origin: PUBLIC });
      },
      async startAuthentication({ optionsJSON }) {
        handed.push(optionsJSON.challenge);
        return authenticator.assert(optionsJSON, { origin: PUBLIC });
      },
    };
    const owner = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch, webauthn });
    await owner.signUp({ email: 'passkey-owner@example.com', password: PASSWORD });
    const added = await owner.registerPasskey('Laptop');
    expect(added).toMatchObject({ name: 'Laptop', lastUsedAt: null, deviceType: 'singleDevice' });
    expect(await owner.listPasskeys()).toEqual([added]);
    expect((await owner.renamePasskey(added.id, 'Old laptop')).name).toBe('Old laptop');

    const visitor = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch, webauthn });
    const signedIn = await visitor.signInWithPasskey({ redirectTo: '/welcome' });
    expect(signedIn.user.email).toBe('passkey-owner@example.com');
    expect(signedIn.session.amr).toEqual(['passkey']);
    expect(signedIn.redirectTo).toBe('/welcome');
    expect(handed).toHaveLength(2);
    expect(new Set(handed).size).toBe(2);

    await visitor.removePasskey(added.id);
    expect(await visitor.listPasskeys()).toEqual([]);
    expect((await caught(visitor.removePasskey(added.id))).code).toBe('not_found');
    expect(
      (
        await caught(
          createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch, webauthn }).signInWithPasskey(),
        )
      ).code,
    ).toBe('invalid_credentials');
  });

  it('says what is missing when no WebAuthn functions were given', async () => {
    const client = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch });
    await expect(client.signInWithPasskey()).rejects.toThrow(/need `webauthn`/);
    await expect(client.registerPasskey()).rejects.toThrow(TypeError);
  });
});

describe('gatehouse/client two-step verification', () => {
  const PUBLIC = 'http://localhost:4997';
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;

  beforeAll(async () => {
    testAuth = await createTestAuth({
      rateLimits: false,
      publicUrl: PUBLIC,
      secret: 'a server secret of at least thirty-two characters',
      mfa: { trustedDevices: { days: 7 } },
    });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it('enrols an app, then finishes a sign-in from the challenge it carries on the error', async () => {
    const owner = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch });
    await owner.signUp({ email: 'two-step@example.com', password: PASSWORD });
    const setup = await owner.setupTotp();
    const app = OTPAuth.URI.parse(setup.otpauthUrl) as OTPAuth.TOTP;
    const codes = await owner.confirmTotp(app.generate());
    expect(codes).toHaveLength(10);
    expect(await owner.mfaStatus()).toMatchObject({
      totp: { enabled: true },
      recoveryCodes: { remaining: 10 },
    });

    const tab = browser(PUBLIC);
    const visitor = createClient({ baseUrl: server.url, fetch: tab.fetch });
    const refusal = await caught(visitor.signIn({ email: 'two-step@example.com', password: PASSWORD }));
    expect(refusal.code).toBe('mfa_required');
    expect(refusal.mfa?.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
    const done = await visitor.verifyMfa({
      challenge: refusal.mfa?.challenge ?? '',
      recoveryCode: codes[0] ?? '',
      rememberDevice: true,
    });
    expect(done.session.amr).toEqual(['pwd', 'recovery', 'mfa']);
    const devices = await visitor.listTrustedDevices();
    expect(devices).toHaveLength(1);
    expect(devices[0]?.current).toBe(true);
    await visitor.forgetAllTrustedDevices();
    expect(await visitor.listTrustedDevices()).toEqual([]);

    expect((await visitor.reauthenticate({ password: PASSWORD })).amr).toEqual(['pwd', 'recovery', 'mfa']);
    expect(await visitor.regenerateRecoveryCodes()).toHaveLength(10);
    await visitor.deleteAccount();
    expect(await visitor.getSession()).toBeNull();
  });

  it('finishes a sign-in with a passkey as the second factor', async () => {
    const authenticator = new SoftwareAuthenticator();
    const webauthn: WebAuthnBrowser = {
      startRegistration: async ({ optionsJSON }) =>
        authenticator.register(optionsJSON as never, { origin: PUBLIC }),
      startAuthentication: async ({ optionsJSON }) => authenticator.assert(optionsJSON, { origin: PUBLIC }),
    };
    const owner = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch, webauthn });
    await owner.signUp({ email: 'key-second@example.com', password: PASSWORD });
    await owner.registerPasskey('Key');

    const visitor = createClient({ baseUrl: server.url, fetch: browser(PUBLIC).fetch, webauthn });
    const refusal = await caught(visitor.signIn({ email: 'key-second@example.com', password: PASSWORD }));
    expect(refusal.mfa?.methods).toContain('passkey');
    const done = await visitor.verifyMfaWithPasskey();
    expect(done.session.amr).toEqual(['pwd', 'passkey', 'mfa']);
    expect((await visitor.reauthenticateWithPasskey()).amr).toEqual(['pwd', 'passkey', 'mfa']);
  });
});

describe('gatehouse/client tenants', () => {
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}`;
  const email = () => `${unique('user')}@example.com`;
  const tenant = (input: Omit<Parameters<typeof testAuth.auth.tenants.create>[0], 'slug' | 'name'> = {}) => {
    const slug = unique('org');
    return testAuth.auth.tenants.create({ slug, name: `Org ${slug}`, ...input });
  };
  /** An account of the shared pool, a member of `orgs` (in the group Members); its address. */
  async function memberOf(...orgs: { id: string; groups?: string[] }[]) {
    const address = email();
    const user = await testAuth.auth.users.create({ email: address, password: PASSWORD });
    for (const { id, groups = ['Members'] } of orgs)
      await testAuth.auth.tenants.addMember(id, user.id, { groups });
    return address;
  }

  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: false });
    await testAuth.auth.permissions.createGroup('Members', ['tenant.view']);
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    await testAuth?.db.drop();
  });

  it('addresses a tenant by slug: a session made in an isolated tenant is no session in the default one', async () => {
    const org = await tenant({ pool: 'isolated', logoUrl: 'https://cdn.example.com/logo.svg' });
    const { fetch: fetchLike, jar, sent } = browser(server.url);
    const inOrg = createClient({ baseUrl: server.url, fetch: fetchLike, tenant: org.slug });
    expect(await inOrg.tenant()).toEqual({
      slug: org.slug,
      name: org.name,
      logoUrl: 'https://cdn.example.com/logo.svg',
      pool: 'isolated',
      methods: { password: true, magicLink: true, emailCode: true, passkey: true, social: [] },
      signUp: true,
      mfaRequired: false,
      basePath: `/auth/t/${org.slug}`,
    });
    const address = email();
    const signedUp = await inOrg.signUp({ email: address, password: PASSWORD });
    expect(sent.at(-1)?.url).toBe(`${server.url}/auth/t/${org.slug}/signup`);
    expect(jar.size).toBe(1);
    expect((await inOrg.getSession())?.session.id).toBe(signedUp.session.id);
    expect(inOrg.socialSignInUrl('github')).toBe(`${server.url}/auth/t/${org.slug}/oauth/github`);

    // The same cookie jar, no tenant named: the default tenant, where that session does not exist.
    const plain = createClient({ baseUrl: server.url, fetch: fetchLike });
    expect((await plain.tenant()).basePath).toBe('/auth');
    expect(await plain.getSession()).toBeNull();
    expect(sent.at(-1)?.url).toBe(`${server.url}/auth/session`);
    // Nor does the isolated account exist in the shared pool.
    expect(
      (
        await caught(
          createClient({ baseUrl: server.url, fetch: browser(server.url).fetch }).signIn({
            email: address,
            password: PASSWORD,
          }),
        )
      ).code,
    ).toBe('invalid_credentials');
    // forTenant binds a client to the tenant, like the option.
    expect((await plain.forTenant(org.slug).getSession())?.user.email).toBe(address);
  });

  it('shares the token store with forTenant in bearer mode', async () => {
    const org = await tenant({ pool: 'isolated' });
    const { fetch: fetchLike, sent } = browser(server.url);
    const plain = createClient({ baseUrl: server.url, fetch: fetchLike, mode: 'bearer' });
    const inOrg = plain.forTenant(org.slug);
    const { token } = await inOrg.signUp({ email: email(), password: PASSWORD });
    expect(token).toEqual(expect.any(String));
    expect(await inOrg.getSession()).not.toBeNull();
    expect(await plain.getSession()).toBeNull();
    expect(sent.at(-1)).toMatchObject({
      url: `${server.url}/auth/session`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await plain.forTenant(org.slug).getSession()).not.toBeNull();
  });

  it('answers not_found for an unknown tenant and tenant_disabled for a disabled one', async () => {
    const org = await tenant();
    const client = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch });
    expect(await caught(client.forTenant('no-such-org').tenant())).toMatchObject({
      code: 'not_found',
      status: 404,
    });
    await testAuth.auth.tenants.update(org.id, { isActive: false });
    const disabled = await caught(client.forTenant(org.slug).signIn({ email: email(), password: PASSWORD }));
    expect(disabled).toMatchObject({ code: 'tenant_disabled', status: 403 });
  });

  it("lists the user's organisations and moves the session between them", async () => {
    const a = await tenant();
    const b = await tenant();
    const strict = await tenant({ policy: { mfaRequired: true } });
    const outside = await tenant();
    const address = await memberOf(a, { id: b.id, groups: [] }, strict);
    const { fetch: fetchLike, sent } = browser(server.url);
    const inA = createClient({ baseUrl: server.url, fetch: fetchLike, tenant: a.slug });
    await inA.signIn({ email: address, password: PASSWORD });

    const listed = await inA.tenants();
    expect(listed.map((t) => [t.slug, t.current, t.groups])).toEqual(
      expect.arrayContaining([
        [a.slug, true, ['Members']],
        [b.slug, false, []],
        [strict.slug, false, ['Members']],
      ]),
    );
    expect(listed).toHaveLength(3);
    expect(listed.find((t) => t.slug === b.slug)).toMatchObject({
      name: b.name,
      basePath: `/auth/t/${b.slug}`,
    });

    // Not a member; a policy the session does not meet: refused, and the session stays where it was.
    expect(await caught(inA.switchTenant(outside.slug))).toMatchObject({ code: 'not_found', status: 404 });
    expect(await caught(inA.switchTenant(strict.slug))).toMatchObject({
      code: 'reauthentication_required',
      status: 401,
    });
    expect(await inA.getSession()).not.toBeNull();

    const switched = await inA.switchTenant(b.slug);
    expect(sent.at(-1)).toMatchObject({
      url: `${server.url}/auth/t/${a.slug}/tenants/switch`,
      method: 'POST',
    });
    expect(switched.tenant).toMatchObject({ slug: b.slug, basePath: `/auth/t/${b.slug}` });
    expect(switched.session.amr).toEqual(['pwd']);
    expect(switched.token).toBeUndefined();
    // The session is B's now: a client of A has none.
    expect(await inA.getSession()).toBeNull();
    const inB = inA.forTenant(switched.tenant.slug);
    expect((await inB.getSession())?.session.id).toBe(switched.session.id);
    expect((await inB.tenants()).find((t) => t.current)?.slug).toBe(b.slug);
  });

  it('switches in bearer mode, storing the new token', async () => {
    const a = await tenant();
    const b = await tenant();
    const address = await memberOf(a, b);
    const client = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch, mode: 'bearer' });
    const inA = client.forTenant(a.slug);
    const { token } = await inA.signIn({ email: address, password: PASSWORD });
    const switched = await inA.switchTenant(b.slug);
    expect(switched.token).toEqual(expect.any(String));
    expect(switched.token).not.toBe(token);
    expect((await client.forTenant(b.slug).getSession())?.session.id).toBe(switched.session.id);
    expect(await inA.getSession()).toBeNull();
  });

  it('peeks at and accepts an invitation: a new account is made and signed in, an existing one joins', async () => {
    const org = await tenant();
    const address = email();
    const { token } = await testAuth.auth.invitations.invite(org, { email: address, groups: ['Members'] });
    const client = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch, tenant: org.slug });
    const preview = await client.peekInvitation(token);
    expect(preview).toMatchObject({
      invitation: { email: address, groups: ['Members'] },
      tenant: { slug: org.slug, name: org.name },
      accountExists: false,
    });
    expect(preview.invitation.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The link is its tenant's only.
    expect((await caught(client.forTenant('default').peekInvitation(token))).code).toBe('invalid_request');

    const accepted = await client.acceptInvitation({ token, password: PASSWORD, firstName: 'Ada' });
    if (accepted.joined) throw new Error('expected a new account');
    expect(accepted.user).toMatchObject({ email: address, firstName: 'Ada', emailVerified: true });
    expect(accepted.session.amr).toEqual(['email']);
    expect((await client.getSession())?.user.email).toBe(address);
    expect((await client.tenants()).map((t) => [t.slug, t.groups])).toEqual([[org.slug, ['Members']]]);
    const again = await caught(client.acceptInvitation({ token, password: PASSWORD }));
    expect(again).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(again.fields).toHaveProperty('token');

    const existing = await memberOf();
    const invited = await testAuth.auth.invitations.invite(org, { email: existing });
    const visitor = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch, tenant: org.slug });
    expect((await visitor.peekInvitation(invited.token)).accountExists).toBe(true);
    expect(await visitor.acceptInvitation({ token: invited.token })).toEqual({
      joined: true,
      signInRequired: true,
    });
    expect(await visitor.getSession()).toBeNull();
    expect((await visitor.signIn({ email: existing, password: PASSWORD })).user.email).toBe(existing);
  });

  it('surfaces a way in the tenant does not offer as method_disabled, and a non-member as not_a_member', async () => {
    expectTypeOf<'method_disabled' | 'not_a_member' | 'tenant_disabled'>().toExtend<GatehouseErrorCode>();
    const noPasswords = await tenant({ pool: 'isolated', policy: { methods: { password: false } } });
    const client = createClient({
      baseUrl: server.url,
      fetch: browser(server.url).fetch,
      tenant: noPasswords.slug,
    });
    expect((await client.tenant()).methods.password).toBe(false);
    const signUp = await caught(client.signUp({ email: email(), password: PASSWORD }));
    expect(signUp).toMatchObject({ code: 'method_disabled', status: 403, name: 'GatehouseError' });
    expect(signUp.message).toBe('This way of signing in is not offered here.');
    expect(await caught(client.signIn({ email: email(), password: PASSWORD }))).toMatchObject({
      code: 'method_disabled',
      status: 403,
    });

    // An organisation of the shared pool: sign-up is by invitation, and a non-member may not sign in.
    const org = await tenant();
    const inOrg = createClient({ baseUrl: server.url, fetch: browser(server.url).fetch, tenant: org.slug });
    expect((await caught(inOrg.signUp({ email: email(), password: PASSWORD }))).code).toBe('method_disabled');
    const outsider = await memberOf();
    expect(await caught(inOrg.signIn({ email: outsider, password: PASSWORD }))).toMatchObject({
      code: 'not_a_member',
      status: 403,
    });
  });
});
