import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownSession } from '../../src/adapters/guards.js';
import { requireSuperuser, requireUser } from '../../src/adapters/hono.js';
import { guardProxy } from '../../src/adapters/next.js';
import { createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';

describe('guards', () => {
  let api: TestApi<Record<never, never>>;
  let cookie = '';
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false, resources: ['post'] });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    const client = api.client();
    await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    cookie = `gh_session=${client.cookies.get('gh_session')}`;
  });
  afterAll(() => api.close());

  it('look the session up themselves when no middleware ran before them', async () => {
    const app = new Hono();
    app.get('/me', requireUser(api.auth), (c) => c.text('in'));
    app.get('/root', requireSuperuser(api.auth), (c) => c.text('in'));
    expect((await app.request('/me', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('/me')).status).toBe(401);
    expect((await app.request('/root', { headers: { cookie } })).status).toBe(403);
  });

  it('in a Next proxy, let through only a user holding every required permission', async () => {
    const proxy = guardProxy(api.auth, { require: { permissions: ['post.view', 'post.change'] } });
    const request = () => new Request('http://localhost:3000/posts/1/edit', { headers: { cookie } });
    const refused = await proxy(request());
    expect(refused?.status).toBe(403);
    expect(await refused?.json()).toMatchObject({ error: { code: 'forbidden' } });
    const ada = await api.auth.users.getByEmail('ada@example.com');
    await api.auth.permissions.grantToUser(ada?.id ?? '', ['post.view', 'post.change']);
    expect(await proxy(request())).toBeUndefined();
    expect((await proxy(new Request('http://localhost:3000/posts/1/edit')))?.status).toBe(401);
    await api.auth.permissions.revokeFromUser(ada?.id ?? '', ['post.change']);
    expect((await proxy(request()))?.status).toBe(403);
  });

  it('tell "middleware did not run" from "nobody is signed in"', () => {
    expect(knownSession(undefined, undefined)).toBeUndefined();
    expect(knownSession(null, null)).toBeNull();
  });
});
