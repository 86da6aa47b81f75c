/**
 * Redis goes away and comes back (a `redis-server` of this test's own, on a
 * port of its own): the instance keeps serving, reads sessions from the
 * database while it cannot hear other instances — so a session another
 * instance revoked meanwhile is refused, not served from the cache — keeps
 * sign-in shut (503) while its limits cannot be counted, and is back to
 * normal once Redis is.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';
import { freePort } from '../helpers/net.js';

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRedisServer) console.log('Redis outage suite skipped: redis-server is not installed');

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(hasRedisServer)('when Redis goes away', () => {
  let port: number;
  let redis: ChildProcess;
  let api: TestApi<Record<never, never>>;
  let other: TestAuth<Record<never, never>>;

  const startRedis = () =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );

  beforeAll(async () => {
    port = await freePort();
    redis = startRedis();
    const config = { redis: { url: `redis://127.0.0.1:${port}` } };
    api = await createTestApi(config);
    other = await createTestAuth(config, api.db);
    await until(() => api.auth.redis?.subscriber.status === 'ready', 'Redis to be ready');
  });

  afterAll(async () => {
    redis.kill('SIGKILL');
    await other?.auth.close();
    await api?.close();
  });

  it('keeps serving sessions from the database, refuses what another instance revoked meanwhile, holds sign-in shut, and recovers', async () => {
    await api.auth.users.create({ email: 'out@example.com', password: PASSWORD });
    const signIn = (browser: ReturnType<typeof api.client>) =>
      browser.post('/auth/signin', { email: 'out@example.com', password: PASSWORD });
    const browser = api.client();
    const again = api.client();
    expect((await signIn(browser)).status).toBe(200);
    expect((await signIn(again)).status).toBe(200);
    const first = await browser.get('/auth/session');
    expect(first.status).toBe(200);
    expect((await again.get('/auth/session')).status).toBe(200);

    redis.kill('SIGKILL');
    await until(() => api.auth.redis?.subscriber.status !== 'ready', 'the connection to drop');
    // Another instance ends a session; its message cannot arrive, and the cache is not trusted.
    await other.auth.sessions.revoke(first.body.session.id);
    expect((await browser.get('/auth/session')).status).toBe(401);
    expect((await again.get('/auth/session')).status).toBe(200);
    // Sign-in limits cannot be counted: sign-in is refused (fail closed), not let through uncounted.
    const shut = await signIn(api.client());
    expect(shut.status).toBe(503);
    expect(shut.body.error.code).toBe('unavailable');
    expect(shut.headers.get('retry-after')).toBe('5');

    redis = startRedis();
    await until(() => api.auth.redis?.subscriber.status === 'ready', 'Redis to be back', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await signIn(api.client())).status).toBe(200);
    // A revocation by the other instance reaches this one through Redis again.
    const session = (await again.get('/auth/session')).body.session;
    await other.auth.sessions.revoke(session.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await again.get('/auth/session')).status).toBe(401);
  });
});
