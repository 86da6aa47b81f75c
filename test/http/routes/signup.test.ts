import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/index.js';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

const fields = {
  plan: { type: 'string', optional: true, choices: ['free', 'pro'] },
  seats: { type: 'integer', optional: true },
  newsletter: { type: 'boolean', default: false },
} as const;

describe('POST /auth/signup', () => {
  let api: TestApi<typeof fields>;
  const hookCalls: string[] = [];
  beforeAll(async () => {
    api = await createTestApi({
      user: { fields },
      rateLimits: false,
      hooks: {
        beforeSignUp({ input }) {
          hookCalls.push(`before:${input.email}`);
          if (String(input.email).endsWith('@blocked.test')) {
            throw new AuthError('forbidden', 'That domain may not sign up.');
          }
          return { fields: { plan: 'free' } };
        },
        async afterSignUp({ user, db }) {
          if (user.email.startsWith('rollback')) {
            await db
              .updateTable('users')
              .set({ first_name: 'written in the transaction' })
              .where('id', '=', user.id)
              .execute();
            throw new AuthError('conflict', 'The app refused this account after creating it.');
          }
        },
      },
    });
  });
  afterAll(() => api.close());

  it('creates the user, answers 201 with the user and sets the session cookie', async () => {
    const client = api.client();
    const reply = await client.post('/auth/signup', {
      email: 'Ada@Example.com',
      password: PASSWORD,
      username: 'ada',
      firstName: 'Ada',
      seats: 3,
    });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({
      email: 'ada@example.com',
      username: 'ada',
      firstName: 'Ada',
      isStaff: false,
      seats: 3,
      newsletter: false,
      plan: 'free',
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/argon2|password|token/i);
    expect(client.cookies.get('gh_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await client.get('/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.user.id).toBe(reply.body.user.id);
  });

  it('accepts a form post, converting custom fields from text', async () => {
    const reply = await api.client().send('POST', '/auth/signup', {
      form: { email: 'form@example.com', password: PASSWORD, seats: '12', newsletter: 'on' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ seats: 12, newsletter: true });
  });

  it('never lets a client grant itself staff or superuser rights', async () => {
    const reply = await api.client().post('/auth/signup', {
      email: 'mallory@example.com',
      password: PASSWORD,
      isSuperuser: true,
      isStaff: true,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toMatchObject({
      isSuperuser: expect.any(String),
      isStaff: expect.any(String),
    });
    expect(await api.auth.users.getByEmail('mallory@example.com')).toBeNull();
  });

  it('answers 409 conflict for a taken email, whatever its case', async () => {
    await api.client().post('/auth/signup', { email: 'taken@example.com', password: PASSWORD });
    const reply = await api.client().post('/auth/signup', { email: 'TAKEN@example.com', password: PASSWORD });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('conflict');
  });

  it('answers 400 password_invalid with the validator messages', async () => {
    const reply = await api
      .client()
      .post('/auth/signup', { email: 'weak@example.com', password: 'password' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('password_invalid');
    expect(reply.body.error.fields.password).toMatch(/common/i);
  });

  it('answers 400 invalid_request naming each bad field', async () => {
    const reply = await api
      .client()
      .post('/auth/signup', { email: 'not-an-email', password: 42, seats: 'many' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid_request');
    expect(Object.keys(reply.body.error.fields).sort()).toEqual(['password', 'seats']);
    const second = await api.client().post('/auth/signup', { email: 'not-an-email', password: PASSWORD });
    expect(second.body.error.fields).toHaveProperty('email');
  });

  it('lets beforeSignUp refuse with its own code and message', async () => {
    const reply = await api.client().post('/auth/signup', { email: 'eve@blocked.test', password: PASSWORD });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toEqual({ code: 'forbidden', message: 'That domain may not sign up.' });
    expect(hookCalls).toContain('before:eve@blocked.test');
  });

  it('rolls the user back when afterSignUp throws inside the transaction', async () => {
    const reply = await api
      .client()
      .post('/auth/signup', { email: 'rollback@example.com', password: PASSWORD });
    expect(reply.status).toBe(409);
    expect(await api.auth.users.getByEmail('rollback@example.com')).toBeNull();
  });

  it('returns the token in the body, and sets no cookie, in bearer mode', async () => {
    const client = api.client({ origin: null });
    const reply = await client.post(
      '/auth/signup',
      { email: 'mobile@example.com', password: PASSWORD },
      { headers: { 'x-auth-mode': 'bearer' } },
    );
    expect(reply.status).toBe(201);
    expect(reply.headers.get('set-cookie')).toBeNull();
    expect(reply.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await client.get('/auth/session', {
      headers: { authorization: `Bearer ${reply.body.token}` },
    });
    expect(session.body.user.email).toBe('mobile@example.com');
  });

  it('writes a signup audit event with the client address and agent', async () => {
    await api
      .client()
      .post(
        '/auth/signup',
        { email: 'audited@example.com', password: PASSWORD },
        { ip: '198.51.100.4', headers: { 'user-agent': 'TestAgent/1' } },
      );
    const user = await api.auth.users.getByEmail('audited@example.com');
    const [event] = await api.auth.audit.list({ userId: user?.id ?? '' });
    expect(event).toMatchObject({ type: 'signup', ip: '198.51.100.4', userAgent: 'TestAgent/1' });
  });
});

describe('POST /auth/signup when sign-up is closed', () => {
  it('answers 403 forbidden and creates nobody', async () => {
    const api = await createTestApi({ signUp: { enabled: false } });
    const reply = await api.client().post('/auth/signup', { email: 'late@example.com', password: PASSWORD });
    expect(reply.status).toBe(403);
    expect(await api.auth.users.count()).toBe(0);
    await api.close();
  });
});
