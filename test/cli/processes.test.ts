import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv, runProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/net.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('the gatehouse executable', () => {
  it('applies each migration exactly once when three processes migrate at the same time', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runProcess(['migrate'], { env: databaseEnv(db) })));
    expect(results.map((r) => r.status)).toEqual([0, 0, 0]);
    const applied = results.flatMap((r) => r.stdout.match(/Applied 0001 initial/g) ?? []);
    expect(applied).toHaveLength(1);
  });

  it('exits non-zero from migrate --check only while something is pending', async () => {
    const fresh = await createTestDatabase();
    try {
      expect((await runProcess(['migrate', '--check'], { env: databaseEnv(fresh) })).status).toBe(1);
      expect((await runProcess(['migrate'], { env: databaseEnv(fresh) })).status).toBe(0);
      expect((await runProcess(['migrate', '--check'], { env: databaseEnv(fresh) })).status).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('start serves /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
    const child = spawn(tsx, [bin, 'start', '--port', String(port)], {
      env: { ...process.env, REDIS_URL: '', ...databaseEnv(db), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 15_000;
      while (!output.includes('Gatehouse listening') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain(`Gatehouse listening on http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
