/**
 * PostgreSQL goes away and comes back, seen through a TCP proxy this test
 * controls (the shared server keeps running for the other suites): while it
 * is away, requests that need the database answer 503 with `Retry-After` —
 * never 500, never a half-done change — and once it is back the same
 * process serves again, without a restart. Runs with DATABASE_URL (PostgreSQL).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../helpers/database.js';
import { createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';

const url = postgresUrl();
if (!url) console.log('PostgreSQL outage suite skipped: it needs DATABASE_URL (PostgreSQL)');

/** A proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
function proxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  return {
    get port() {
      return port;
    },
    async open() {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    },
    async cut() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
  };
}

describe.runIf(url)('when PostgreSQL goes away', () => {
  let db: TestDatabase;
  let api: TestApi<Record<never, never>>;
  const pg = proxy(new URL(url ?? 'postgres://localhost'));

  beforeAll(async () => {
    await pg.open();
    db = await createTestDatabase();
    const through = new URL(url ?? '');
    through.hostname = '127.0.0.1';
    through.port = String(pg.port);
    api = await createTestApi({
      rateLimits: false,
      redis: false,
      database: { url: through.toString(), schema: db.schema ?? '', connectTimeoutMs: 1000 },
    });
  });
  afterAll(async () => {
    await pg.cut();
    await api?.auth.close();
    await db?.drop();
  });

  it('answers 503 with Retry-After while it is away, and serves again when it is back', async () => {
    await api.auth.users.create({ email: 'dee@example.com', password: PASSWORD });
    const signIn = () => api.client().post('/auth/signin', { email: 'dee@example.com', password: PASSWORD });
    expect((await signIn()).status).toBe(200);

    await pg.cut();
    for (const reply of [
      await signIn(),
      await api.client().post('/auth/signup', { email: 'eve@example.com', password: PASSWORD }),
    ]) {
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe('unavailable');
      expect(reply.headers.get('retry-after')).toBe('5');
    }

    // Whatever a client sends meanwhile gets an answer it can act on, never a 500.
    const signedIn = api.client();
    const burst = await Promise.all([
      ...Array.from({ length: 10 }, () => signIn()),
      ...Array.from({ length: 10 }, (_, i) =>
        api.client().post('/auth/signup', { email: `burst${i}@example.com`, password: PASSWORD }),
      ),
      ...Array.from({ length: 10 }, () =>
        api.client().post('/auth/password/reset', { email: 'dee@example.com' }),
      ),
      ...Array.from({ length: 10 }, () => signedIn.get('/auth/session')),
    ]);
    expect(burst.filter((reply) => reply.status >= 500 && reply.status !== 503)).toEqual([]);

    await pg.open();
    expect((await signIn()).status).toBe(200);
    // Nothing answered 503 was half-written: none of the refused sign-ups exists.
    for (let i = 0; i < 10; i++) expect(await api.auth.users.getByEmail(`burst${i}@example.com`)).toBeNull();
    // The sign-up refused during the outage left nothing behind: it can be made now.
    const signUp = await api.client().post('/auth/signup', { email: 'eve@example.com', password: PASSWORD });
    expect(signUp.status).toBe(201);
  });
});
