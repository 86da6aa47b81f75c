/** `gatehouse doctor`: the common deployment mistakes, each named with what to do; FAIL exits 1. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { createAuth } from '../../src/index.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let env: Record<string, string>;
let cwd: string;

const doctor = (args: string[] = [], extra: Record<string, string> = {}) =>
  runInProcess(['doctor', ...args], { cwd, env: { ...env, ...extra } });

beforeAll(async () => {
  db = await createTestDatabase();
  env = databaseEnv(db);
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-'));
});
afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await db.drop();
});

describe('gatehouse doctor', () => {
  it('fails on pending migrations and plain http in production, and says what to do', async () => {
    const reply = await doctor([], { GATEHOUSE_PUBLIC_URL: 'http://auth.example.com' });
    expect(reply.status).toBe(1);
    expect(reply.stdout).toMatch(/FAIL The public URL http:\/\/auth\.example\.com is plain http/);
    expect(reply.stdout).toMatch(/FAIL \d+ migration\(s\) pending: run `gatehouse migrate`/);
    expect(reply.stdout).toMatch(/warn No server secret/);
  });

  it('passes a sound configuration, warning about a cross-site trusted origin', async () => {
    expect((await runInProcess(['migrate'], { cwd, env })).status).toBe(0);
    const reply = await doctor([], {
      GATEHOUSE_PUBLIC_URL: 'https://auth.example.com',
      GATEHOUSE_SECRET: 'a server secret of at least thirty-two characters',
      TRUSTED_ORIGINS: 'https://app.example.com,https://shop.example.net',
      TRUSTED_PROXIES: '1',
    });
    expect(reply.status, reply.stdout + reply.stderr).toBe(0);
    expect(reply.stdout).toContain('ok   Trusted origin https://app.example.com.');
    expect(reply.stdout).toMatch(/warn Trusted origin https:\/\/shop\.example\.net is another site/);
    expect(reply.stdout).toMatch(/0 failed/);
  });

  it.skipIf(Boolean(postgresUrl()))('refuses Redis with a SQLite database', async () => {
    const reply = await doctor([], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(reply.stdout).toMatch(/FAIL REDIS_URL is set with a SQLite database/);
  });

  it('probes a running deployment with --url', async () => {
    const auth = createAuth({
      logLevel: 'silent',
      database: { url: db.url, ...(db.schema ? { schema: db.schema } : {}) },
    });
    const server = await startServer(auth, { port: 0, host: '127.0.0.1' });
    try {
      const reply = await doctor(['--url', server.url]);
      expect(reply.stdout).toContain(`ok   ${server.url}/readyz answers ok.`);
      expect(reply.stdout).toContain('ok   Auth responses arrive with Cache-Control: no-store.');
      const gone = await doctor(['--url', 'http://127.0.0.1:9']);
      expect(gone.status).toBe(1);
      expect(gone.stdout).toMatch(/FAIL Cannot reach http:\/\/127\.0\.0\.1:9/);
    } finally {
      await server.stop();
    }
  });
});
