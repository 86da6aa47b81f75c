import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/index.js';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

describe('POST /auth/signin', () => {
  let api: TestApi<Record<never, never>>;
  const logins: string[] = [];
  beforeAll(async () => {
    api = await createTestApi({
      rateLimits: false,
      hooks: {
        beforeSignIn({ user }) {
          if (user.firstName === 'Suspended') throw new AuthError('forbidden', 'This account is suspended.');
        },
        afterSignIn({ user }) {
          if (user.firstName === 'Flaky') throw new Error('the app broke');
        },
      },
    });
    await api.auth.users.create({ email: 'ada@example.com', username: 'ada', password: PASSWORD });
    await api.auth.users.create({ email: 'sus@example.com', password: PASSWORD, firstName: 'Suspended' });
    await api.auth.users.create({ email: 'flaky@example.com', password: PASSWORD, firstName: 'Flaky' });
    api.auth.on('login', ({ user }) => {
      logins.push(user.email);
    });
  });
  afterAll(() => api.close());

  it('signs in by email: 200 with user and session, cookie set, last login stamped', async () => {
    const client = api.client();
    const reply = await client.post('/auth/signin', { email: 'ADA@example.com', password: PASSWORD });
    expect(reply.status).toBe(200);
    expect(reply.body.user.email).toBe('ada@example.com');
    expect(reply.body.session).toMatchObject({ id: expect.stringMatching(/^ses_/), amr: ['pwd'] });
    expect(reply.body).not.toHaveProperty('token');
    expect(new Date(reply.body.user.lastLoginAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await client.get('/auth/session')).body.session.id).toBe(reply.body.session.id);
    expect(logins).toContain('ada@example.com');
  });

  it('signs in by username', async () => {
    const reply = await api.client().post('/auth/signin', { username: 'ADA', password: PASSWORD });
    expect(reply.status).toBe(200);
  });

  it('sets the cookie with exactly the flags API.md requires on plain http', async () => {
    const reply = await api.client().post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^gh_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('; Path=/');
    expect(cookie).toContain('; HttpOnly');
    expect(cookie).toContain('; SameSite=Lax');
    expect(cookie).not.toContain('Domain');
    expect(cookie).not.toContain('Secure');
  });

  it('answers identically for an unknown email and a wrong password', async () => {
    const unknown = await api
      .client()
      .post('/auth/signin', { email: 'nobody@example.com', password: PASSWORD });
    const wrong = await api
      .client()
      .post('/auth/signin', { email: 'ada@example.com', password: 'wrong password!' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect([...unknown.headers].sort()).toEqual([...wrong.headers].sort());
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('takes the same time range for an unknown email and a wrong password', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await api.client().post('/auth/signin', { email, password: 'wrong password!' });
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push(await time('nobody@example.com'));
      known.push(await time('ada@example.com'));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Both pay one hash; without the dummy hash the unknown email would answer several times faster.
    expect(median(unknown) / median(known)).toBeGreaterThan(0.5);
    expect(median(unknown) / median(known)).toBeLessThan(2);
  });

  it('refuses a deactivated user exactly like a wrong password', async () => {
    const user = await api.auth.users.create({ email: 'gone@example.com', password: PASSWORD });
    await api.auth.users.deactivate(user.id);
    const reply = await api.client().post('/auth/signin', { email: 'gone@example.com', password: PASSWORD });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('invalid_credentials');
  });

  it('does not keep a planted session id: the session after sign-in is new', async () => {
    const attacker = api.client();
    await attacker.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    const planted = attacker.cookies.get('gh_session') ?? '';
    const victim = api.client();
    victim.cookies.set('gh_session', planted);
    const reply = await victim.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(reply.status).toBe(200);
    expect(victim.cookies.get('gh_session')).not.toBe(planted);
    // The planted session is over: the attacker holds nothing that works.
    expect((await attacker.get('/auth/session')).status).toBe(401);
  });

  it('refuses malformed bodies with 400 invalid_request', async () => {
    const client = api.client();
    expect((await client.post('/auth/signin', { password: PASSWORD })).body.error.fields).toHaveProperty(
      'email',
    );
    expect((await client.post('/auth/signin', { email: 'a@b.c', username: 'x', password: 'p' })).status).toBe(
      400,
    );
    expect((await client.post('/auth/signin', { email: ['a'], password: PASSWORD })).status).toBe(400);
    expect((await client.post('/auth/signin', '{"email":', {})).body.error.code).toBe('invalid_request');
  });

  it('lets beforeSignIn refuse a user whose password was right', async () => {
    const client = api.client();
    const reply = await client.post('/auth/signin', { email: 'sus@example.com', password: PASSWORD });
    expect(reply.status).toBe(403);
    expect(reply.body.error.message).toBe('This account is suspended.');
    expect(client.cookies.size).toBe(0);
  });

  it('ends the new session when afterSignIn fails, and answers 500 without detail', async () => {
    const client = api.client();
    const reply = await client.post('/auth/signin', { email: 'flaky@example.com', password: PASSWORD });
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('internal_error');
    expect(reply.text).not.toContain('the app broke');
    const user = await api.auth.users.getByEmail('flaky@example.com');
    expect(await api.auth.sessions.list(user?.id ?? '')).toEqual([]);
  });

  it('records successes and failures in the audit trail, never the password', async () => {
    const client = api.client();
    await client.post(
      '/auth/signin',
      { email: 'ada@example.com', password: 'a wrong one' },
      { ip: '192.0.2.9' },
    );
    await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD }, { ip: '192.0.2.9' });
    const ada = await api.auth.users.getByEmail('ada@example.com');
    const events = await api.auth.audit.list({ userId: ada?.id ?? '', limit: 2 });
    expect(events.map((e) => e.type)).toEqual(['signin_succeeded', 'signin_failed']);
    expect(events[1]).toMatchObject({ ip: '192.0.2.9' });
    expect(JSON.stringify(events)).not.toContain('a wrong one');
  });
});

describe('cookie on an https deployment', () => {
  it('is __Host-gh_session with Secure and no Domain, and HSTS is sent', async () => {
    const api = await createTestApi({ publicUrl: 'https://auth.example.com', rateLimits: false });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    const client = api.client({ origin: 'https://auth.example.com' });
    const reply = await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(reply.status).toBe(200);
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^__Host-gh_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect((await client.get('/auth/session')).status).toBe(200);
    // The insecure name is not read on an https deployment.
    const token = client.cookies.get('__Host-gh_session') ?? '';
    const downgraded = await api
      .client()
      .get('/auth/session', { headers: { cookie: `gh_session=${token}` } });
    expect(downgraded.status).toBe(401);
    await api.close();
  });
});
