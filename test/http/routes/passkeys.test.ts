/**
 * The passkey routes through `auth.handler`, with a software authenticator
 * (real signatures) standing in for the browser: step-up, validation, who may
 * touch which passkey, the last way in, audit, limits, and passkeys turned off.
 * The browser suite (test/e2e/passkeys.browser.test.ts) does the same with
 * Chromium's virtual authenticator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/accounts/user.js';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';
import { SoftwareAuthenticator } from '../../helpers/webauthn.js';

const WINDOW_MS = 15 * 60 * 1000;

let api: TestApi<Record<never, never>>;
let clock = new Date('2026-11-26T10:00:00Z');
let n = 0;

beforeAll(async () => {
  api = await createTestApi({
    now: () => clock,
    rateLimits: false,
    trustedOrigins: ['https://app.example.com'],
  });
});
afterAll(() => api.close());

async function newUser(password: string | null = PASSWORD): Promise<User> {
  n += 1;
  return api.auth.users.create({ email: `pk${n}@example.com`, password });
}

/** A browser signed in as a new user (with a password unless `password` is null), just now. */
async function signedIn(password: string | null = PASSWORD) {
  const user = await newUser(password);
  const browser = api.client();
  browser.cookies.set('gh_session', (await api.auth.sessions.create(user.id)).token);
  return { user, browser };
}

async function addPasskey(browser: Client, authenticator = new SoftwareAuthenticator(), name?: string) {
  const options = await browser.post('/auth/passkeys/register/options');
  expect(options.status).toBe(200);
  const response = authenticator.register(options.body, { origin: ORIGIN });
  const verified = await browser.post(
    '/auth/passkeys/register/verify',
    name ? { response, name } : { response },
  );
  expect(verified.status).toBe(201);
  return { authenticator, passkey: verified.body.passkey as { id: string; name: string } };
}

/** Moves the clock a second on: audit events of one test come out newest first. */
const tick = () => {
  clock = new Date(clock.getTime() + 1000);
};

async function passkeySignIn(browser: Client, authenticator: SoftwareAuthenticator, extra = {}) {
  tick();
  const options = await browser.post('/auth/passkeys/signin/options');
  expect(options.status).toBe(200);
  const response = authenticator.assert(options.body, { origin: ORIGIN });
  return { response, reply: await browser.post('/auth/passkeys/signin/verify', { response, ...extra }) };
}

describe('adding a passkey', () => {
  it('needs a session', async () => {
    const browser = api.client();
    for (const path of ['/auth/passkeys/register/options', '/auth/passkeys/register/verify']) {
      const reply = await browser.post(path, { response: {} });
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('unauthenticated');
    }
    expect((await browser.get('/auth/passkeys')).status).toBe(401);
  });

  it('needs a recent sign-in: after the step-up window, options, verify and removal answer reauthentication_required', async () => {
    const { browser } = await signedIn();
    const { passkey } = await addPasskey(browser);
    const options = await browser.post('/auth/passkeys/register/options');
    expect(options.status).toBe(200);
    clock = new Date(clock.getTime() + WINDOW_MS + 1000);
    const response = new SoftwareAuthenticator().register(options.body, { origin: ORIGIN });
    for (const reply of [
      await browser.post('/auth/passkeys/register/options'),
      await browser.post('/auth/passkeys/register/verify', { response }),
      await browser.delete(`/auth/passkeys/${passkey.id}`),
    ]) {
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('reauthentication_required');
    }
    // Looking and renaming are not sensitive.
    expect((await browser.get('/auth/passkeys')).body.passkeys).toHaveLength(1);
    const renamed = await browser.send('PATCH', `/auth/passkeys/${passkey.id}`, {
      body: { name: 'Old laptop' },
    });
    expect(renamed.status).toBe(200);
  });

  it('answers 201 with the passkey, never its key or credential id, and audits passkey_added', async () => {
    const { user, browser } = await signedIn();
    const authenticator = new SoftwareAuthenticator();
    const options = await browser.post('/auth/passkeys/register/options');
    expect(options.body.rp).toEqual({ id: 'localhost', name: 'Gatehouse' });
    const response = authenticator.register(options.body, { origin: ORIGIN });
    const reply = await browser.post('/auth/passkeys/register/verify', { response, name: ' Work laptop ' });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body.passkey).sort()).toEqual([
      'backedUp',
      'createdAt',
      'deviceType',
      'id',
      'lastUsedAt',
      'name',
    ]);
    expect(reply.body.passkey).toMatchObject({ name: 'Work laptop', lastUsedAt: null });
    const listed = await browser.get('/auth/passkeys');
    expect(listed.body.passkeys).toEqual([reply.body.passkey]);
    expect(listed.text).not.toContain(authenticator.credentialId);
    const [event] = await api.auth.audit.list({ type: 'passkey_added', userId: user.id });
    expect(event?.details).toEqual({ passkey: reply.body.passkey.id, name: 'Work laptop' });
  });

  it('refuses a reused registration challenge and a foreign origin with 400, and a known credential with 409', async () => {
    const { browser } = await signedIn();
    const options = await browser.post('/auth/passkeys/register/options');
    const first = new SoftwareAuthenticator();
    const ok = await browser.post('/auth/passkeys/register/verify', {
      response: first.register(options.body, { origin: ORIGIN }),
    });
    expect(ok.status).toBe(201);
    const reused = await browser.post('/auth/passkeys/register/verify', {
      response: new SoftwareAuthenticator().register(options.body, { origin: ORIGIN }),
    });
    expect(reused.status).toBe(400);
    expect(Object.keys(reused.body.error.fields)).toEqual(['response']);
    const fresh = await browser.post('/auth/passkeys/register/options');
    const foreign = await browser.post('/auth/passkeys/register/verify', {
      response: new SoftwareAuthenticator().register(fresh.body, { origin: 'https://app.example.com' }),
    });
    expect(foreign.status).toBe(400);
    const again = await browser.post('/auth/passkeys/register/options');
    const known = await browser.post('/auth/passkeys/register/verify', {
      response: first.register(again.body, { origin: ORIGIN }),
    });
    expect(known.status).toBe(409);
    expect(known.body.error.code).toBe('conflict');
  });
});

describe('signing in with a passkey', () => {
  it('signs in usernameless: user, session with amr passkey, the cookie; audited with the method', async () => {
    const { user, browser } = await signedIn();
    const { authenticator, passkey } = await addPasskey(browser);
    const visitor = api.client();
    const { reply } = await passkeySignIn(visitor, authenticator);
    expect(reply.status).toBe(200);
    expect(reply.body.user.id).toBe(user.id);
    expect(reply.body.session.amr).toEqual(['passkey']);
    expect(reply.body.token).toBeUndefined();
    expect(reply.headers.get('set-cookie')).toMatch(/^gh_session=[A-Za-z0-9_-]{43};/);
    expect((await visitor.get('/auth/session')).body.user.id).toBe(user.id);
    const [event] = await api.auth.audit.list({ type: 'signin_succeeded', userId: user.id });
    expect(event?.details).toMatchObject({ method: 'passkey', passkey: passkey.id });
    const [listed] = (await browser.get('/auth/passkeys')).body.passkeys;
    expect(listed.lastUsedAt).toBe(clock.toISOString());
  });

  it('refuses a replayed assertion with 401 invalid_credentials and audits why', async () => {
    const { user, browser } = await signedIn();
    const { authenticator } = await addPasskey(browser);
    const { response, reply } = await passkeySignIn(api.client(), authenticator);
    expect(reply.status).toBe(200);
    tick();
    const replayed = await api.client().post('/auth/passkeys/signin/verify', { response });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('invalid_credentials');
    expect(replayed.headers.get('set-cookie')).toBeNull();
    // A spent challenge is refused before the credential is looked at: nobody's failure.
    const [failure] = await api.auth.audit.list({ type: 'signin_failed' });
    expect(failure).toMatchObject({ userId: null, details: { method: 'passkey', reason: 'challenge' } });
    expect(await api.auth.audit.list({ type: 'signin_failed', userId: user.id })).toEqual([]);
  });

  it('answers the normalised redirectTo, and refuses an untrusted one', async () => {
    const { browser } = await signedIn();
    const { authenticator } = await addPasskey(browser);
    const trusted = await passkeySignIn(api.client(), authenticator, {
      redirectTo: 'https://app.example.com/welcome',
    });
    expect(trusted.reply.body.redirectTo).toBe('https://app.example.com/welcome');
    const untrusted = await passkeySignIn(api.client(), authenticator, {
      redirectTo: 'https://evil.example/',
    });
    expect(untrusted.reply.status).toBe(400);
    expect(untrusted.reply.body.error.code).toBe('invalid_redirect');
  });

  it('refuses a deactivated user, and a deleted passkey', async () => {
    const { user, browser } = await signedIn();
    const { authenticator, passkey } = await addPasskey(browser);
    await addPasskey(browser);
    await api.auth.users.deactivate(user.id);
    expect((await passkeySignIn(api.client(), authenticator)).reply.status).toBe(401);
    await api.auth.users.activate(user.id);
    browser.cookies.set('gh_session', (await api.auth.sessions.create(user.id)).token);
    expect((await browser.delete(`/auth/passkeys/${passkey.id}`)).status).toBe(204);
    const { reply } = await passkeySignIn(api.client(), authenticator);
    expect(reply.status).toBe(401);
    const reasons = (await api.auth.audit.list({ type: 'signin_failed', userId: user.id })).map(
      (e) => e.details.reason,
    );
    expect(reasons.sort()).toEqual(['inactive']);
    const [unknown] = await api.auth.audit.list({ type: 'signin_failed' });
    expect(unknown?.details).toEqual({ method: 'passkey', reason: 'unknown_credential' });
    const [removed] = await api.auth.audit.list({ type: 'passkey_removed', userId: user.id });
    expect(removed?.details).toEqual({ passkey: passkey.id, name: passkey.name });
  });

  it('takes the recovery codes and remembered browsers along when the last second factor goes', async () => {
    const { user, browser } = await signedIn();
    const first = await addPasskey(browser);
    const second = await addPasskey(browser);
    await api.auth.mfa.recoveryCodes.generate(user.id);
    await api.auth.mfa.trustedDevices.remember(user.id, { days: 30, ip: null, userAgent: null });
    expect((await browser.delete(`/auth/passkeys/${first.passkey.id}`)).status).toBe(204);
    expect(await api.auth.mfa.recoveryCodes.remaining(user.id)).toBe(10);
    expect((await browser.delete(`/auth/passkeys/${second.passkey.id}`)).status).toBe(204);
    expect(await api.auth.mfa.recoveryCodes.remaining(user.id)).toBe(0);
    expect(await api.auth.mfa.trustedDevices.list(user.id)).toEqual([]);
  });

  it('is refused from another site (CSRF origin check)', async () => {
    const visitor = api.client({ origin: 'https://evil.example' });
    const reply = await visitor.post('/auth/passkeys/signin/options');
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('csrf_failed');
  });
});

describe('bad input', () => {
  const wellShaped = () => {
    const blob = Buffer.alloc(40, 1).toString('base64url');
    return {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: blob, authenticatorData: blob, signature: blob, attestationObject: blob },
      clientExtensionResults: {},
    };
  };
  const garbage: unknown[] = [
    {},
    { response: null },
    { response: 'x' },
    { response: [] },
    { response: { id: 'AAAA' } },
    { response: { ...wellShaped(), type: 'password' } },
    { response: { ...wellShaped(), id: 'not base64url!' } },
    { response: { ...wellShaped(), response: { clientDataJSON: 12 } } },
    { response: { ...wellShaped(), clientExtensionResults: 'none' } },
    { response: { ...wellShaped(), response: { ...wellShaped().response, userHandle: 5 } } },
    { response: wellShaped(), extra: true },
    { response: wellShaped(), name: 42 },
    { response: wellShaped(), redirectTo: ['a'] },
    '["an array"]',
    'not json at all',
    `{"response": ${'['.repeat(100)}${']'.repeat(100)}}`,
  ];

  it('answers 400 invalid_request, never 500, to malformed bodies', async () => {
    const { browser } = await signedIn();
    const answers: string[] = [];
    for (const path of ['/auth/passkeys/register/verify', '/auth/passkeys/signin/verify']) {
      for (const [i, body] of garbage.entries()) {
        const reply = await browser.post(path, body);
        answers.push(`${path} #${i}: ${reply.status} ${reply.body?.error?.code}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(': 400 invalid_request'))).toEqual([]);
    for (const body of [{}, { name: 12 }, { name: 'ok', extra: 1 }, { name: 'x'.repeat(1001) }, 'nope']) {
      expect((await browser.send('PATCH', '/auth/passkeys/pky_x', { body })).status).toBe(400);
    }
  });

  it('answers a well-shaped response that proves nothing with 401 (sign-in) or 400 (registration)', async () => {
    const { browser } = await signedIn();
    await browser.post('/auth/passkeys/register/options');
    const registration = await browser.post('/auth/passkeys/register/verify', { response: wellShaped() });
    expect(registration.status).toBe(400);
    const signIn = await api.client().post('/auth/passkeys/signin/verify', { response: wellShaped() });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.code).toBe('invalid_credentials');
  });

  it('refuses names that are blank, too long or on several lines, with the reason on `name`', async () => {
    const { browser } = await signedIn();
    const { passkey } = await addPasskey(browser);
    for (const name of ['   ', 'x'.repeat(61), 'two\nlines']) {
      const reply = await browser.send('PATCH', `/auth/passkeys/${passkey.id}`, { body: { name } });
      expect(reply.status).toBe(400);
      expect(Object.keys(reply.body.error.fields)).toEqual(['name']);
    }
  });
});

describe("another user's passkeys and the last way in", () => {
  it("answers 404 for another user's passkey and for an unknown id, and changes nothing", async () => {
    const owner = await signedIn();
    const { passkey } = await addPasskey(owner.browser, undefined, 'Mine');
    const { browser: intruder } = await signedIn();
    const renamed = await intruder.send('PATCH', `/auth/passkeys/${passkey.id}`, {
      body: { name: 'Stolen' },
    });
    expect(renamed.status).toBe(404);
    expect((await intruder.delete(`/auth/passkeys/${passkey.id}`)).status).toBe(404);
    expect((await intruder.delete('/auth/passkeys/pky_unknown')).status).toBe(404);
    expect((await intruder.get('/auth/passkeys')).body.passkeys).toEqual([]);
    expect(
      (await owner.browser.get('/auth/passkeys')).body.passkeys.map((p: { name: string }) => p.name),
    ).toEqual(['Mine']);
  });

  it('refuses (409) to remove the only passkey of a user without a password or linked account', async () => {
    const { user, browser } = await signedIn(null);
    const { passkey } = await addPasskey(browser);
    const refused = await browser.delete(`/auth/passkeys/${passkey.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    const { passkey: second } = await addPasskey(browser);
    expect((await browser.delete(`/auth/passkeys/${passkey.id}`)).status).toBe(204);
    expect((await browser.delete(`/auth/passkeys/${second.id}`)).status).toBe(409);
    // A linked identity is another way in: then the passkey may go — and the identity may not.
    const account = await api.auth.accounts.link(user.id, {
      provider: 'github',
      subject: `gh-${user.id}`,
      email: user.email,
      emailVerified: true,
    });
    expect((await browser.delete(`/auth/passkeys/${second.id}`)).status).toBe(204);
    expect((await browser.delete(`/auth/linked-accounts/${account.id}`)).status).toBe(409);
  });

  it('lets a user without a password unlink their last identity while a passkey remains', async () => {
    const { user, browser } = await signedIn(null);
    const account = await api.auth.accounts.link(user.id, {
      provider: 'github',
      subject: `gh-${user.id}`,
      email: user.email,
      emailVerified: true,
    });
    expect((await browser.delete(`/auth/linked-accounts/${account.id}`)).status).toBe(409);
    await addPasskey(browser);
    expect((await browser.delete(`/auth/linked-accounts/${account.id}`)).status).toBe(204);
  });
});

describe('limits, the API document, and passkeys turned off', () => {
  it('limits passkey sign-ins started per address with the sign-in limit', async () => {
    const limited = await createTestApi({
      rateLimits: { signIn: { perIp: { max: 2, windowSeconds: 60 } } },
    });
    try {
      const visitor = limited.client();
      expect((await visitor.post('/auth/passkeys/signin/options')).status).toBe(200);
      expect((await visitor.post('/auth/passkeys/signin/options')).status).toBe(200);
      const third = await visitor.post('/auth/passkeys/signin/options');
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(
        (await limited.client({ ip: '198.51.100.9' }).post('/auth/passkeys/signin/options')).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('offers passkeys on the sign-in and account pages when on, with a CSP allowing their scripts', async () => {
    const { browser } = await signedIn();
    for (const page of [await api.client().get('/auth/ui/signin'), await browser.get('/auth/ui/account')]) {
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/data-gh-passkey="(authenticate|register)"/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'; connect-src 'self'");
    }
  });

  it('lists the passkey routes in the OpenAPI document', async () => {
    const { body } = await api.client().get('/auth/openapi.json');
    expect(Object.keys(body.paths).filter((path) => path.includes('passkeys'))).toEqual([
      '/auth/passkeys/register/options',
      '/auth/passkeys/register/verify',
      '/auth/passkeys/signin/options',
      '/auth/passkeys/signin/verify',
      '/auth/passkeys',
      '/auth/passkeys/{id}',
    ]);
    expect(body.paths['/auth/passkeys/{id}'].delete.responses['401']['x-error-codes']).toEqual([
      'unauthenticated',
      'reauthentication_required',
    ]);
  });

  it('answers 404 on every passkey route with passkeys.enabled false, and leaves them out of the document', async () => {
    const off = await createTestApi({ rateLimits: false, passkeys: { enabled: false } });
    try {
      const user = await off.auth.users.create({ email: 'off@example.com', password: PASSWORD });
      const browser = off.client();
      browser.cookies.set('gh_session', (await off.auth.sessions.create(user.id)).token);
      const replies = [
        await browser.post('/auth/passkeys/register/options'),
        await browser.post('/auth/passkeys/register/verify', {}),
        await browser.post('/auth/passkeys/signin/options'),
        await browser.post('/auth/passkeys/signin/verify', {}),
        await browser.get('/auth/passkeys'),
        await browser.send('PATCH', '/auth/passkeys/pky_x', { body: { name: 'x' } }),
        await browser.delete('/auth/passkeys/pky_x'),
      ];
      expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
      const { body } = await browser.get('/auth/openapi.json');
      expect(Object.keys(body.paths).some((path) => path.includes('passkeys'))).toBe(false);
      // The pages offer nothing of passkeys and load no script.
      for (const page of [await off.client().get('/auth/ui/signin'), await browser.get('/auth/ui/account')]) {
        expect(page.status).toBe(200);
        expect(page.text).not.toMatch(/<script|data-gh-passkey|passkeys-heading/);
        expect(page.headers.get('content-security-policy')).not.toContain('script-src');
      }
    } finally {
      await off.close();
    }
  });
});

describe('with email verification required', () => {
  it('refuses a passkey sign-in for an unverified address with 403 email_not_verified', async () => {
    const strict = await createTestApi({ rateLimits: false, emailVerification: { required: true } });
    try {
      const user = await strict.auth.users.create({ email: 'unverified@example.com', password: PASSWORD });
      const browser = strict.client();
      browser.cookies.set('gh_session', (await strict.auth.sessions.create(user.id)).token);
      const { authenticator } = await addPasskey(browser);
      const { reply } = await passkeySignIn(strict.client(), authenticator);
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('email_not_verified');
      expect(reply.headers.get('set-cookie')).toBeNull();
    } finally {
      await strict.close();
    }
  });
});

describe('in tenants', () => {
  it("signs in with a passkey in its own pool's tenant only", async () => {
    const a = await api.auth.tenants.create({ slug: `keys-${++n}`, name: 'A', pool: 'isolated' });
    const b = await api.auth.tenants.create({ slug: `keys-${++n}`, name: 'B', pool: 'isolated' });
    const user = await api.auth.users.create(
      { email: `pk${++n}@example.com`, password: PASSWORD },
      { pool: a.id },
    );
    const owner = api.client();
    owner.cookies.set('gh_session', (await api.auth.sessions.create(user.id, { tenantId: a.id })).token);
    const options = await owner.post(`/auth/t/${a.slug}/passkeys/register/options`);
    const authenticator = new SoftwareAuthenticator();
    const registered = await owner.post(`/auth/t/${a.slug}/passkeys/register/verify`, {
      response: authenticator.register(options.body, { origin: ORIGIN }),
    });
    expect(registered.status).toBe(201);
    const signInAt = async (slug: string) => {
      tick();
      const browser = api.client();
      const begun = await browser.post(`/auth/t/${slug}/passkeys/signin/options`);
      const response = authenticator.assert(begun.body, { origin: ORIGIN });
      return { browser, reply: await browser.post(`/auth/t/${slug}/passkeys/signin/verify`, { response }) };
    };
    const elsewhere = await signInAt(b.slug);
    expect(elsewhere.reply.status).toBe(401);
    expect(elsewhere.browser.cookies.size).toBe(0);
    const home = await signInAt(a.slug);
    expect(home.reply.status).toBe(200);
    expect(home.reply.body.session.tenantId).toBe(a.id);
  });

  it('is refused by a tenant whose policy does not offer passkeys', async () => {
    const org = await api.auth.tenants.create({
      slug: `keys-${++n}`,
      name: 'No keys',
      policy: { methods: { passkey: false } },
    });
    const reply = await api.client().post(`/auth/t/${org.slug}/passkeys/signin/options`);
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('method_disabled');
  });
});
