import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

async function signedIn(
  api: TestApi<Record<never, never>>,
  email = 'ada@example.com',
  userAgent = 'Browser/1',
) {
  const client = api.client();
  const reply = await client.post(
    '/auth/signin',
    { email, password: PASSWORD },
    { headers: { 'user-agent': userAgent } },
  );
  expect(reply.status).toBe(200);
  return { client, sessionId: reply.body.session.id as string };
}

describe('session routes', () => {
  let api: TestApi<Record<never, never>>;
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    await api.auth.users.create({ email: 'bob@example.com', password: PASSWORD });
  });
  afterAll(() => api.close());

  it('GET /auth/session answers 401 unauthenticated without a session', async () => {
    const reply = await api.client().get('/auth/session');
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('unauthenticated');
    const forged = await api
      .client()
      .get('/auth/session', { headers: { cookie: `gh_session=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
  });

  it('GET /auth/sessions lists the user’s sessions and marks the current one', async () => {
    const first = await signedIn(api, 'ada@example.com', 'Phone/1');
    const second = await signedIn(api, 'ada@example.com', 'Laptop/2');
    const reply = await second.client.get('/auth/sessions');
    expect(reply.status).toBe(200);
    const byId = new Map(reply.body.sessions.map((s: { id: string }) => [s.id, s]));
    expect(byId.get(second.sessionId)).toMatchObject({
      current: true,
      userAgent: 'Laptop/2',
      ip: '203.0.113.7',
    });
    expect(byId.get(first.sessionId)).toMatchObject({ current: false, userAgent: 'Phone/1' });
    expect(JSON.stringify(reply.body)).not.toMatch(/token/i);
  });

  it('DELETE /auth/sessions/{id} ends that session on its very next request', async () => {
    const phone = await signedIn(api);
    const laptop = await signedIn(api);
    expect((await phone.client.get('/auth/session')).status).toBe(200); // now cached
    const reply = await laptop.client.delete(`/auth/sessions/${phone.sessionId}`);
    expect(reply.status).toBe(204);
    expect((await phone.client.get('/auth/session')).status).toBe(401);
    expect((await laptop.client.get('/auth/session')).status).toBe(200);
    const [event] = await api.auth.audit.list({ type: 'session_revoked', limit: 1 });
    expect(event?.details).toEqual({ session: phone.sessionId });
  });

  it('DELETE /auth/sessions/{id} cannot touch another user’s session', async () => {
    const ada = await signedIn(api);
    const bob = await signedIn(api, 'bob@example.com');
    const reply = await bob.client.delete(`/auth/sessions/${ada.sessionId}`);
    expect(reply.status).toBe(404);
    expect((await ada.client.get('/auth/session')).status).toBe(200);
  });

  it('DELETE /auth/sessions/{own current id} also clears the cookie', async () => {
    const { client, sessionId } = await signedIn(api);
    const reply = await client.delete(`/auth/sessions/${sessionId}`);
    expect(reply.status).toBe(204);
    expect(reply.headers.get('set-cookie')).toMatch(/^gh_session=; .*Max-Age=0/);
  });

  it('DELETE /auth/sessions ends every session but the current one', async () => {
    const others = [await signedIn(api, 'bob@example.com'), await signedIn(api, 'bob@example.com')];
    const current = await signedIn(api, 'bob@example.com');
    const reply = await current.client.delete('/auth/sessions');
    expect(reply.status).toBe(204);
    for (const other of others) expect((await other.client.get('/auth/session')).status).toBe(401);
    expect((await current.client.get('/auth/session')).status).toBe(200);
  });

  it('POST /auth/signout revokes the session server-side and clears the cookie', async () => {
    const { client } = await signedIn(api);
    const token = client.cookies.get('gh_session') ?? '';
    const reply = await client.post('/auth/signout');
    expect(reply.status).toBe(204);
    expect(reply.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // Replaying the old cookie does not work: the session is gone, not just forgotten by the browser.
    expect(
      (await api.client().get('/auth/session', { headers: { cookie: `gh_session=${token}` } })).status,
    ).toBe(401);
  });

  it('sign-out is not reachable by GET', async () => {
    const { client } = await signedIn(api);
    const reply = await client.get('/auth/signout');
    expect(reply.status).toBe(404);
    expect((await client.get('/auth/session')).status).toBe(200);
  });

  it('keeps session data across sign-in rotation and wipes it at sign-out', async () => {
    const { client } = await signedIn(api);
    const put = await client.send('PUT', '/auth/session/data', { body: { data: { theme: 'dark' } } });
    expect(put.status).toBe(200);
    expect((await client.get('/auth/session')).body.session.data).toEqual({ theme: 'dark' });
    const again = await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(again.body.session.data).toEqual({ theme: 'dark' });
    await client.post('/auth/signout');
    const fresh = await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(fresh.body.session.data).toEqual({});
  });

  it('does not carry one user’s session data into another user’s session', async () => {
    const { client } = await signedIn(api);
    await client.send('PUT', '/auth/session/data', { body: { data: { secret: 'ada' } } });
    const bob = await client.post('/auth/signin', { email: 'bob@example.com', password: PASSWORD });
    expect(bob.body.session.data).toEqual({});
  });

  it('bounds session data and refuses non-objects', async () => {
    const { client } = await signedIn(api);
    const big = await client.send('PUT', '/auth/session/data', {
      body: { data: { blob: 'x'.repeat(5000) } },
    });
    expect(big.status).toBe(400);
    expect(big.body.error.fields).toHaveProperty('data');
    const list = await client.send('PUT', '/auth/session/data', { body: { data: [1, 2] } });
    expect(list.status).toBe(400);
  });

  it('refuses session data without a session while anonymous sessions are off', async () => {
    const client = api.client();
    const reply = await client.send('PUT', '/auth/session/data', { body: { data: { cart: [1] } } });
    expect(reply.status).toBe(401);
    expect(client.cookies.size).toBe(0);
  });
});

describe('anonymous sessions (enabled by config)', () => {
  it('start with the first data write and hand their data to the session created at sign-in', async () => {
    const api = await createTestApi({ rateLimits: false, sessions: { anonymous: true } });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    const client = api.client();
    const put = await client.send('PUT', '/auth/session/data', { body: { data: { cart: ['sku-1'] } } });
    expect(put.status).toBe(200);
    const anonymousToken = client.cookies.get('gh_session') ?? '';
    expect(anonymousToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await client.get('/auth/session')).status).toBe(401);

    const signin = await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(signin.body.session.data).toEqual({ cart: ['sku-1'] });
    expect(client.cookies.get('gh_session')).not.toBe(anonymousToken);
    // The anonymous session is gone: its token opens nothing any more.
    const replay = api.client();
    replay.cookies.set('gh_session', anonymousToken);
    const again = await replay.send('PUT', '/auth/session/data', { body: { data: {} } });
    expect(replay.cookies.get('gh_session')).not.toBe(anonymousToken);
    expect(again.status).toBe(200);
    await api.close();
  });
});
