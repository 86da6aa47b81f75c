/**
 * Every app in examples/ starts as written (its gatehouse imports pointed at
 * this checkout) on a real port, serves the sign-in page, guards its route and
 * lets a signed-up user through.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScratchModule } from './helpers/checkout-imports.js';
import { databaseEnv } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { PASSWORD } from './helpers/http.js';

const dir = new URL('../examples/', import.meta.url);
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const examples = readdirSync(dir).filter((name) => name.endsWith('.ts'));

describe.each(examples)('examples/%s', (name) => {
  let db: TestDatabase;
  let child: ChildProcess;
  let scratch: string;
  let url = '';
  beforeAll(async () => {
    db = await createTestDatabase();
    const { dir: made, file } = writeScratchModule(
      readFileSync(new URL(name, dir), 'utf8'),
      name.replace(/\.ts$/, '.mts'),
    );
    scratch = made;
    child = spawn(tsx, [file], {
      // One instance each, without Redis: counters in a Redis shared by every run would outlive this one.
      env: { ...process.env, ...databaseEnv(db), PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line:\n${output}`)), 20_000);
      const read = (chunk: Buffer) => {
        output += chunk;
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1].replace(/\/$/, ''));
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
    });
  }, 30_000);
  afterAll(async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
    rmSync(scratch, { recursive: true, force: true });
    await db.drop();
  });

  it('serves the pre-built sign-in page', async () => {
    const page = await fetch(`${url}/auth/ui/signin`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Email or username');
  });

  it('guards /me, then lets a signed-up user in', async () => {
    expect((await fetch(`${url}/me`, { headers: { accept: 'application/json' } })).status).toBe(401);
    const signup = await fetch(`${url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email: `${name}@example.com`, password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const me = await fetch(`${url}/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ email: `${name}@example.com`, sessionData: {} });
  });
});
