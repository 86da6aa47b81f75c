/**
 * One contract, run against every adapter on a real server of its framework:
 * the API's shapes and cookie, CSRF refusal, error bodies, `req.user` and
 * session data, and guarded routes (401 JSON, 302 to sign-in, 403, 200).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as expressAdapter from '../../src/adapters/express.js';
import * as fastifyAdapter from '../../src/adapters/fastify.js';
import * as honoAdapter from '../../src/adapters/hono.js';
import * as nodeAdapter from '../../src/adapters/node.js';
import type { Auth } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { PASSWORD } from '../helpers/http.js';

type App = Auth<Record<never, never>>;

/** What each app answers on its own routes, whatever the framework. */
const view = (user: { email: string } | null | undefined, session: { data: unknown } | null | undefined) => ({
  email: user?.email ?? null,
  data: session?.data ?? null,
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

const adapters: Record<string, (auth: App) => Promise<{ url: string; close(): Promise<void> }>> = {
  async 'node:http'(auth) {
    const middleware = nodeAdapter.gatehouseMiddleware(auth);
    const guards: Record<string, ReturnType<typeof nodeAdapter.requireUser<Record<never, never>>>> = {
      '/me': nodeAdapter.requireUser(auth, { loginRequired: true }),
      '/staff': nodeAdapter.requireStaff(auth),
      '/edit': nodeAdapter.requirePerm(auth, 'post.change'),
    };
    const server = createServer(
      (req: IncomingMessage & nodeAdapter.AuthenticatedFields, res: ServerResponse) => {
        const answer = () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(view(req.user, req.session)));
        };
        void middleware(req, res, () => {
          const guard = guards[(req.url ?? '').split('?')[0] ?? ''];
          if (guard) void guard(req, res, answer);
          else answer();
        });
      },
    );
    const url = await listen(server);
    return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
  },
  async express(auth) {
    const app = express();
    app.use(expressAdapter.gatehouse(auth));
    const answer = (req: express.Request, res: express.Response) => {
      const r = req as expressAdapter.GatehouseRequest;
      res.json(view(r.user, r.session));
    };
    app.get('/public', answer);
    app.get('/me', expressAdapter.requireUser(auth, { loginRequired: true }), answer);
    app.get('/staff', expressAdapter.requireStaff(auth), answer);
    app.get('/edit', expressAdapter.requirePerm(auth, 'post.change'), answer);
    const server = createServer(app);
    const url = await listen(server);
    return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
  },
  async fastify(auth) {
    const app = Fastify();
    await app.register(fastifyAdapter.gatehouse(auth));
    const answer = async (request: import('fastify').FastifyRequest) => {
      const r = request as fastifyAdapter.GatehouseRequest;
      return view(r.user, r.session);
    };
    app.get('/public', answer);
    app.get('/me', { preHandler: fastifyAdapter.requireUser(auth, { loginRequired: true }) }, answer);
    app.get('/staff', { preHandler: fastifyAdapter.requireStaff(auth) }, answer);
    app.get('/edit', { preHandler: fastifyAdapter.requirePerm(auth, 'post.change') }, answer);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
  async hono(auth) {
    const app = new Hono<honoAdapter.GatehouseEnv>();
    app.use('*', honoAdapter.gatehouse(auth));
    app.get('/public', (c) => c.json(view(c.var.user, c.var.session)));
    app.get('/me', honoAdapter.requireUser(auth, { loginRequired: true }), (c) =>
      c.json(view(c.var.user, c.var.session)),
    );
    app.get('/staff', honoAdapter.requireStaff(auth), (c) => c.json(view(c.var.user, c.var.session)));
    app.get('/edit', honoAdapter.requirePerm(auth, 'post.change'), (c) =>
      c.json(view(c.var.user, c.var.session)),
    );
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
  },
};

describe.each(Object.keys(adapters))('the %s adapter', (name) => {
  let testAuth: TestAuth<Record<never, never>>;
  let app: { url: string; close(): Promise<void> };
  let cookie = '';
  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: false, resources: ['post'] });
    app = await (adapters[name] as (auth: App) => Promise<typeof app>)(testAuth.auth);
  });
  afterAll(async () => {
    await app.close();
    await testAuth.close();
  });

  const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${app.url}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { origin: app.url, ...init.headers },
    });

  it('signs up through the API with API.md’s body and cookie', async () => {
    const reply = await send('/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    expect(reply.status).toBe(201);
    const setCookie = reply.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/^gh_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    cookie = setCookie.split(';')[0] ?? '';
    expect(((await reply.json()) as { user: { email: string } }).user.email).toBe('ada@example.com');
    const session = await send('/auth/session', { headers: { cookie } });
    expect(await session.json()).toMatchObject({
      user: { email: 'ada@example.com', isStaff: false },
      session: { id: expect.stringMatching(/^ses_/), amr: ['pwd'], data: {} },
    });
  });

  it('answers errors in the API’s shape and refuses cross-site cookie requests', async () => {
    const wrong = await send('/auth/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'not the one' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'invalid_credentials', message: expect.any(String) },
    });
    const forged = await send('/auth/signout', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
  });

  it('gives app routes the signed-in user and the session data', async () => {
    expect(await (await send('/public')).json()).toEqual({ email: null, data: null });
    await send('/auth/session/data', {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { cart: ['sku-1'] } }),
    });
    expect(await (await send('/public', { headers: { cookie } })).json()).toEqual({
      email: 'ada@example.com',
      data: { cart: ['sku-1'] },
    });
  });

  it('guards a route: 401 JSON for API clients, 302 to sign-in for browsers, 200 when signed in', async () => {
    const api = await send('/me', { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const browser = await send('/me?tab=1', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe(`/auth/ui/signin?next=${encodeURIComponent('/me?tab=1')}`);
    const ok = await send('/me', { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { email: string }).email).toBe('ada@example.com');
  });

  it('refuses a staff route to a user who is not staff, and admits one who is', async () => {
    const refused = await send('/staff', { headers: { cookie } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const user = await testAuth.auth.users.getByEmail('ada@example.com');
    await testAuth.auth.users.update(user?.id ?? '', { isStaff: true });
    expect((await send('/staff', { headers: { cookie } })).status).toBe(200);
    await testAuth.auth.users.update(user?.id ?? '', { isStaff: false });
  });

  it('admits to a permission-guarded route only a user holding the permission', async () => {
    const refused = await send('/edit', { headers: { cookie } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('post.change');
    const user = await testAuth.auth.users.getByEmail('ada@example.com');
    await testAuth.auth.permissions.grantToUser(user?.id ?? '', ['post.change']);
    expect((await send('/edit', { headers: { cookie } })).status).toBe(200);
    await testAuth.auth.permissions.revokeFromUser(user?.id ?? '', ['post.change']);
    expect((await send('/edit', { headers: { cookie } })).status).toBe(403);
  });

  it('serves the pre-built pages too', async () => {
    const page = await send('/auth/ui/signin');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
