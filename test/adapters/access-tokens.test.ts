/**
 * Resource servers on each framework guard routes with `requireAccessToken`
 * (or Next's `accessTokenOf`), verifying Gatehouse access tokens with the
 * JWKS alone: a valid token passes with its claims, anything else is 401.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAccessToken as expressGuard } from '../../src/adapters/express.js';
import { requireAccessToken as fastifyGuard } from '../../src/adapters/fastify.js';
import { requireAccessToken as honoGuard } from '../../src/adapters/hono.js';
import { accessTokenOf } from '../../src/adapters/next.js';
import { requireAccessToken as nodeGuard } from '../../src/adapters/node.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { createTestApi, ORIGIN, PASSWORD, type TestApi } from '../helpers/http.js';

let api: TestApi<Record<never, never>>;
let verifier: Verifier;
let token = '';

beforeAll(async () => {
  api = await createTestApi({
    secret: 'a server secret of at least thirty-two characters',
    rateLimits: false,
  });
  verifier = createVerifier({
    jwksUrl: `${ORIGIN}/auth/.well-known/jwks.json`,
    issuer: `${ORIGIN}/auth`,
    audience: `${ORIGIN}/auth`,
    fetch: (input, init) => api.auth.handler(new Request(input, init)),
  });
  const user = await api.auth.users.create({ email: 'service@example.com', password: PASSWORD });
  const client = api.client();
  await client.post('/auth/signin', { email: user.email, password: PASSWORD });
  token = (await client.post('/auth/token')).body.accessToken;
});
afterAll(() => api.close());

/** Asks `url` with the token, with a forged one and with none: each guard must answer 200 {sub} / 401 / 401. */
async function expectGuarded(
  ask: (
    authorization: string | null,
  ) => Promise<{ status: number; body: unknown; wwwAuthenticate: string | null }>,
) {
  const ok = await ask(`Bearer ${token}`);
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ sub: expect.stringMatching(/^usr_/) });
  const forged = await ask(`Bearer ${token.slice(0, -4)}AAAA`);
  expect(forged.status).toBe(401);
  expect(forged.wwwAuthenticate).toBe('Bearer error="invalid_token"');
  expect((await ask(null)).status).toBe(401);
}

async function overHttp(server: Server, authorization: string | null) {
  const { port } = server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}/data`, {
    headers: authorization ? { authorization } : {},
  });
  return {
    status: response.status,
    body: await response.json(),
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('requireAccessToken', () => {
  it('guards a plain node:http server', async () => {
    const guard = nodeGuard(verifier);
    const server = await listening(
      createServer((req, res) =>
        guard(req, res, () => {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({ sub: (req as typeof req & { accessToken: { sub: string } }).accessToken.sub }),
          );
        }),
      ),
    );
    try {
      await expectGuarded((authorization) => overHttp(server, authorization));
    } finally {
      server.close();
    }
  });

  it('guards an Express route', async () => {
    const app = express();
    app.get('/data', expressGuard(verifier), (req, res) => {
      res.json({ sub: (req as typeof req & { accessToken: { sub: string } }).accessToken.sub });
    });
    const server = await listening(createServer(app));
    try {
      await expectGuarded((authorization) => overHttp(server, authorization));
    } finally {
      server.close();
    }
  });

  it('guards a Fastify route', async () => {
    const app = Fastify();
    app.get('/data', { preHandler: fastifyGuard(verifier) }, async (request) => ({
      sub: (request as typeof request & { accessToken: { sub: string } }).accessToken.sub,
    }));
    try {
      await expectGuarded(async (authorization) => {
        const reply = await app.inject({ url: '/data', headers: authorization ? { authorization } : {} });
        return {
          status: reply.statusCode,
          body: reply.json(),
          wwwAuthenticate: (reply.headers['www-authenticate'] as string) ?? null,
        };
      });
    } finally {
      await app.close();
    }
  });

  it('guards a Hono route', async () => {
    const app = new Hono();
    app.get('/data', honoGuard(verifier), (c) => c.json({ sub: c.get('accessToken').sub }));
    await expectGuarded(async (authorization) => {
      const response = await app.request('/data', { headers: authorization ? { authorization } : {} });
      return {
        status: response.status,
        body: await response.json(),
        wwwAuthenticate: response.headers.get('www-authenticate'),
      };
    });
  });

  it('guards a Next route handler', async () => {
    const handleGet = async (request: Request) => {
      const got = await accessTokenOf(verifier, request);
      return got instanceof Response ? got : Response.json({ sub: got.sub });
    };
    await expectGuarded(async (authorization) => {
      const response = await handleGet(
        new Request('http://localhost/data', { headers: authorization ? { authorization } : {} }),
      );
      return {
        status: response.status,
        body: await response.json(),
        wwwAuthenticate: response.headers.get('www-authenticate'),
      };
    });
  });
});
