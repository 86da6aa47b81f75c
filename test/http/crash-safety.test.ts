/**
 * Crash safety of the real server: `gatehouse start` in a child process takes
 * a burst of concurrent sign-ups and is killed with SIGKILL while the burst is
 * still in flight. Every sign-up it acknowledged (201) must then be in the
 * database, the SQLite file must pass `PRAGMA integrity_check`, and a server
 * restarted on the same database must sign those users in.
 *
 * On PostgreSQL (DATABASE_URL=postgres://…) the same kill runs against the
 * test's schema; only the SQLite file check is skipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv } from '../helpers/cli.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../helpers/database.js';
import { PASSWORD } from '../helpers/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'src/cli/bin.ts');
const TOTAL = 200;
const CONCURRENCY = 20;
const KILL_AFTER = 60;
const onPostgres = postgresUrl() !== undefined;

interface Server {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const servers: Server[] = [];

/**
 * Starts `gatehouse --config <file> start --port 0` and waits for its
 * "Gatehouse listening on <url>" log line. The server runs in this one
 * process (node with tsx's loader) rather than under the tsx CLI, which would
 * start it as a grandchild that a SIGKILL to the child's pid would miss.
 */
async function startServer(env: Record<string, string>, configPath: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', BIN, '--config', configPath, 'start', '--port', '0'],
    {
      cwd: ROOT,
      // Without Redis: its counters, shared by every run, would outlive this one.
      env: { ...process.env, REDIS_URL: '', ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const server: Server = { child, url: '', output: () => output, exited };
  servers.push(server);
  child.stderr?.on('data', (chunk) => (output += chunk));
  server.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The server did not start within 30 s:\n${output}`)),
      30_000,
    );
    let pending = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: { msg?: string; url?: string };
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.msg?.startsWith('Gatehouse listening on') && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`The server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return server;
}

function signUp(url: string, email: string): Promise<Response> {
  return fetch(`${url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(30_000),
  });
}

/** The emails in the users table, read straight from the database the killed server used. */
async function storedEmails(db: TestDatabase): Promise<Set<string>> {
  if (db.dialect === 'sqlite') {
    const file = new Database(db.url);
    try {
      return new Set(file.prepare('select email from users').pluck().all() as string[]);
    } finally {
      file.close();
    }
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ email: string }>(`select email from "${db.schema}".users`);
    return new Set(rows.map((row) => row.email));
  } finally {
    await client.end();
  }
}

describe(`a server killed with SIGKILL during a burst of sign-ups (${onPostgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  let configDir: string;
  let configPath: string;
  const acknowledged: string[] = [];
  const serverErrors: string[] = [];
  let failedRequests = 0;
  let inFlightAtKill = 0;
  let killedBy: NodeJS.Signals | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    configDir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
    configPath = join(configDir, 'gatehouse.config.json');
    // A burst from one address would otherwise hit the sign-up limit (20 an hour) at once.
    writeFileSync(configPath, JSON.stringify({ rateLimits: false }));
    const server = await startServer(databaseEnv(db), configPath);

    let next = 0;
    let inFlight = 0;
    let killed = false;
    const worker = async () => {
      while (next < TOTAL) {
        const email = `crash-${next++}@example.com`;
        inFlight++;
        try {
          const response = await signUp(server.url, email);
          if (response.status === 201) {
            acknowledged.push(email);
            if (!killed && acknowledged.length >= KILL_AFTER) {
              killed = true;
              inFlightAtKill = inFlight - 1;
              server.child.kill('SIGKILL');
            }
          } else if (response.status >= 500) {
            serverErrors.push(`${email} → ${response.status} ${await response.text().catch(() => '')}`);
          }
          await response.arrayBuffer().catch(() => undefined);
        } catch {
          failedRequests++;
        } finally {
          inFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    killedBy = (await server.exited).signal;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await db?.drop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('was killed mid-burst, after acknowledging sign-ups and with others still in flight', () => {
    expect(killedBy).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.length).toBeLessThan(TOTAL);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(failedRequests).toBeGreaterThan(0);
    expect(serverErrors).toEqual([]);
  });

  it.skipIf(onPostgres)('leaves an SQLite file that passes PRAGMA integrity_check (SQLite only)', () => {
    const file = new Database(db.url);
    try {
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(file.pragma('foreign_key_check')).toEqual([]);
    } finally {
      file.close();
    }
  });

  it('keeps every sign-up it acknowledged with 201', async () => {
    const stored = await storedEmails(db);
    const lost = acknowledged.filter((email) => !stored.has(email));
    expect(lost).toEqual([]);
  });

  it('starts again on the same database and signs every acknowledged user in', async () => {
    const server = await startServer(databaseEnv(db), configPath);
    const queue = [...acknowledged];
    const refused: string[] = [];
    const worker = async () => {
      for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
        const response = await fetch(`${server.url}/auth/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer' },
          body: JSON.stringify({ email, password: PASSWORD }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { token?: string; user?: { email?: string } };
        if (response.status !== 200 || !body.token || body.user?.email !== email)
          refused.push(`${email} → ${response.status} ${JSON.stringify(body)}`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(refused).toEqual([]);

    // The database takes writes again, and a clean stop still works after the crash.
    const fresh = await signUp(server.url, 'after-restart@example.com');
    expect(fresh.status).toBe(201);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});
