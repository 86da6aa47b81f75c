/**
 * Two server processes on different loopback ports, sharing PostgreSQL and
 * Redis, as behind a load balancer: a session made on one works on the
 * other, a revocation on one is refused by the other within 100 ms (the
 * session cache would otherwise serve it for up to 5 s), and the per-account
 * sign-in limit counts attempts on both. Runs only with DATABASE_URL
 * (PostgreSQL) and REDIS_URL; `.ci/run` sets both.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv, runProcess } from '../helpers/cli.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/net.js';

const ready = Boolean(postgresUrl() && process.env.REDIS_URL);
if (!ready) console.log('multi-instance suite skipped: it needs DATABASE_URL (PostgreSQL) and REDIS_URL');

const PASSWORD = 'correct horse battery staple';

interface Instance {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

async function startInstance(env: Record<string, string>, cwd: string): Promise<Instance> {
  const port = await freePort();
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
  const child = spawn(tsx, [bin, 'start', '--port', String(port), '--no-migrate'], {
    cwd,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Gatehouse listening') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!output.includes('Gatehouse listening')) throw new Error(`the instance did not start:\n${output}`);
  return { url: `http://127.0.0.1:${port}`, child, exited };
}

/** A browser request to one instance, from that instance's own origin. */
function call(
  instance: Instance,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string } = {},
) {
  return fetch(`${instance.url}${path}`, {
    method,
    headers: {
      origin: instance.url,
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
}

function cookieOf(response: Response): string {
  const line = response.headers.getSetCookie().find((l) => l.startsWith('gh_session='));
  if (!line) throw new Error(`no session cookie (${response.status})`);
  return line.split(';')[0] ?? '';
}

describe.runIf(ready)('two instances on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let cwd: string;
  let env: Record<string, string>;
  let prefix: string;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A deployment of its own in the shared Redis: its keys and channel start with a prefix of this run.
    cwd = mkdtempSync(join(tmpdir(), 'gatehouse-instances-'));
    prefix = `gh_multi_${randomBytes(6).toString('hex')}:`;
    writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify({ redis: { prefix } }));
    env = { ...databaseEnv(db), REDIS_URL: process.env.REDIS_URL ?? '' };
    expect((await runProcess(['migrate'], { env, cwd })).status).toBe(0);
    [a, b] = await Promise.all([startInstance(env, cwd), startInstance(env, cwd)]);
  }, 60_000);

  afterAll(async () => {
    for (const instance of [a, b]) instance?.child.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
    // Nothing of this run stays in the shared Redis.
    const redis = new Redis(process.env.REDIS_URL ?? '');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('serves a session made on one instance from the other, and refuses it there within 100 ms of a revocation', async () => {
    const signedUp = await call(a, 'POST', '/auth/signup', {
      body: { email: 'pat@example.com', password: PASSWORD },
    });
    expect(signedUp.status).toBe(201);
    const cookie = cookieOf(signedUp);
    // B reads it (and caches it).
    expect((await call(b, 'GET', '/auth/session', { cookie })).status).toBe(200);
    expect((await call(b, 'GET', '/auth/session', { cookie })).status).toBe(200);
    expect((await call(a, 'POST', '/auth/signout', { cookie })).status).toBe(204);
    const revokedAt = Date.now();
    let refused = false;
    while (!refused && Date.now() - revokedAt < 100) {
      refused = (await call(b, 'GET', '/auth/session', { cookie })).status === 401;
    }
    expect(refused, 'B refused the revoked session within 100 ms').toBe(true);
  });

  it('counts sign-in failures for one account on both instances against one limit', async () => {
    const signedUp = await call(a, 'POST', '/auth/signup', {
      body: { email: 'sam@example.com', password: PASSWORD },
    });
    expect(signedUp.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const instance = i % 2 === 0 ? a : b;
      const reply = await call(instance, 'POST', '/auth/signin', {
        body: { email: 'sam@example.com', password: `wrong ${i}` },
      });
      statuses.push(reply.status);
    }
    // Ten tries per account and address in 15 minutes, wherever they land.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('sees a tenant created by another process within 100 ms, though it had cached that there was none', async () => {
    expect((await call(b, 'GET', '/auth/t/acme/tenant')).status).toBe(404);
    const created = await runProcess(['tenants', 'create', 'acme', '--name', 'Acme'], { env, cwd });
    expect(created.status, created.stderr).toBe(0);
    const at = Date.now();
    let found = false;
    while (!found && Date.now() - at < 100)
      found = (await call(b, 'GET', '/auth/t/acme/tenant')).status === 200;
    expect(found, 'B knew the new tenant within 100 ms').toBe(true);
  });

  it('reports Redis on /readyz', async () => {
    const reply = await fetch(`${b.url}/readyz`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });
});
