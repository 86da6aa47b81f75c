import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

const NEW_PASSWORD = 'a brand new passphrase 42';

describe('POST /auth/password/change', () => {
  let api: TestApi<Record<never, never>>;
  let n = 0;
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false });
  });
  afterAll(() => api.close());

  async function userWithTwoSessions() {
    const email = `user${++n}@example.com`;
    await api.auth.users.create({ email, password: PASSWORD });
    const here = api.client();
    const there = api.client();
    const signin = await here.post('/auth/signin', { email, password: PASSWORD });
    await there.post('/auth/signin', { email, password: PASSWORD });
    await here.send('PUT', '/auth/session/data', { body: { data: { step: 2 } } });
    return { email, here, there, sessionId: signin.body.session.id as string };
  }

  it('changes the password, ends the other sessions and rotates the current one', async () => {
    const { email, here, there, sessionId } = await userWithTwoSessions();
    const before = here.cookies.get('gh_session');
    const reply = await here.post('/auth/password/change', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(reply.status).toBe(204);
    expect(here.cookies.get('gh_session')).not.toBe(before);

    const current = await here.get('/auth/session');
    expect(current.status).toBe(200);
    expect(current.body.session.id).not.toBe(sessionId);
    expect(current.body.session.data).toEqual({ step: 2 });
    expect((await there.get('/auth/session')).status).toBe(401);
    const old = api.client();
    old.cookies.set('gh_session', before ?? '');
    expect((await old.get('/auth/session')).status).toBe(401);

    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(401);
    expect((await api.client().post('/auth/signin', { email, password: NEW_PASSWORD })).status).toBe(200);
    const user = await api.auth.users.getByEmail(email);
    const [event] = await api.auth.audit.list({ userId: user?.id ?? '', type: 'password_changed' });
    expect(event?.type).toBe('password_changed');
  });

  it('refuses a wrong current password and changes nothing', async () => {
    const { email, here, there } = await userWithTwoSessions();
    const reply = await here.post('/auth/password/change', {
      currentPassword: 'not it at all',
      newPassword: NEW_PASSWORD,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toHaveProperty('currentPassword');
    expect((await there.get('/auth/session')).status).toBe(200);
    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(200);
  });

  it('refuses a weak new password with password_invalid', async () => {
    const { here, there } = await userWithTwoSessions();
    const reply = await here.post('/auth/password/change', {
      currentPassword: PASSWORD,
      newPassword: '12345678',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('password_invalid');
    expect((await there.get('/auth/session')).status).toBe(200);
  });

  it('needs a signed-in session', async () => {
    const reply = await api
      .client()
      .post('/auth/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(reply.status).toBe(401);
  });

  it('hands a bearer client its new token in the body', async () => {
    const email = `bearer${++n}@example.com`;
    await api.auth.users.create({ email, password: PASSWORD });
    const client = api.client({ origin: null });
    const signin = await client.post(
      '/auth/signin',
      { email, password: PASSWORD },
      { headers: { 'x-auth-mode': 'bearer' } },
    );
    const auth = { authorization: `Bearer ${signin.body.token}` };
    const reply = await client.post(
      '/auth/password/change',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { headers: auth },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.token).not.toBe(signin.body.token);
    expect((await client.get('/auth/session', { headers: auth })).status).toBe(401);
    const next = await client.get('/auth/session', {
      headers: { authorization: `Bearer ${reply.body.token}` },
    });
    expect(next.status).toBe(200);
  });
});
