/**
 * Lazy migration: users imported without a hash have their password checked
 * once by the old system, at their first successful sign-in, and then stored
 * as a native argon2id hash.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createAuth, type GatehouseConfig, type Logger } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createTestApi } from '../helpers/http.js';

const RIGHT = 'the old system knew this one';
const WRONG = 'not the password at all';

interface LogLine {
  level: string;
  object: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message?: string) => {
    lines.push({ level, object, message });
  };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const open: TestAuth<Record<never, never>>[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

/** A Gatehouse on the shared test database (users cleared), with a legacy user imported. */
async function withLegacyUser(config: GatehouseConfig, email: string) {
  const t = await createTestAuth(config, db);
  open.push(t);
  await t.auth.database.db.deleteFrom('users').execute();
  const result = await t.auth.users.importMany(
    [{ line: 2, email, username: email.split('@')[0], passwordHash: null }],
    { legacyPasswords: true },
  );
  expect(result.imported).toBe(1);
  return t;
}

async function storedHash(t: TestAuth<Record<never, never>>, email: string): Promise<string | null> {
  const row = await t.auth.database.db
    .selectFrom('users')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe('lazy migration with a verify function', () => {
  it('asks the old system once, then signs in with the stored argon2id hash', async () => {
    const asked: { email: string; password: string }[] = [];
    const t = await withLegacyUser(
      {
        passwords: {
          legacy: {
            verify: async ({ user, password }) => {
              asked.push({ email: user.email, password });
              return password === RIGHT;
            },
          },
        },
      },
      'grace@example.com',
    );
    expect(await storedHash(t, 'grace@example.com')).toBe('legacy$');
    expect((await t.auth.users.getByEmail('grace@example.com'))?.hasUsablePassword).toBe(true);

    const first = await t.auth.users.verifyCredentials('grace@example.com', RIGHT);
    expect(first?.email).toBe('grace@example.com');
    expect(asked).toEqual([{ email: 'grace@example.com', password: RIGHT }]);
    expect(await storedHash(t, 'grace@example.com')).toMatch(/^\$argon2id\$/);

    const second = await t.auth.users.verifyCredentials('grace', RIGHT);
    expect(second?.id).toBe(first?.id);
    expect(asked).toHaveLength(1);
    // The native hash answers on its own now: a wrong password fails without the old system.
    expect(await t.auth.users.verifyCredentials('grace@example.com', WRONG)).toBeNull();
    expect(asked).toHaveLength(1);
  });

  it('refuses a wrong password and keeps the marker, so the right one still migrates later', async () => {
    let calls = 0;
    const t = await withLegacyUser(
      {
        passwords: {
          legacy: {
            verify: async ({ password }) => {
              calls++;
              return password === RIGHT;
            },
          },
        },
      },
      'wrong@example.com',
    );
    expect(await t.auth.users.verifyCredentials('wrong@example.com', WRONG)).toBeNull();
    expect(await t.auth.authenticate({ email: 'wrong@example.com', password: WRONG })).toBeNull();
    expect(calls).toBe(2);
    expect(await storedHash(t, 'wrong@example.com')).toBe('legacy$');
    expect(
      await t.auth.users.checkPassword((await t.auth.users.getByEmail('wrong@example.com'))?.id ?? '', RIGHT),
    ).toBe(true);
    expect(await storedHash(t, 'wrong@example.com')).toMatch(/^\$argon2id\$/);
  });

  it('treats a verifier that throws as a failed sign-in, logged, never an error', async () => {
    const logger = recordingLogger();
    const t = await withLegacyUser(
      {
        logger,
        passwords: {
          legacy: {
            verify: async () => {
              throw new Error('old database unreachable');
            },
          },
        },
      },
      'throws@example.com',
    );
    expect(await t.auth.users.verifyCredentials('throws@example.com', RIGHT)).toBeNull();
    expect(
      logger.lines.some((l) => l.level === 'error' && /legacy password verifier/.test(l.message ?? '')),
    ).toBe(true);
    expect(await storedHash(t, 'throws@example.com')).toBe('legacy$');
  });

  it('without passwords.legacy, refuses such users and warns once', async () => {
    const logger = recordingLogger();
    const t = await withLegacyUser({ logger }, 'nolegacy@example.com');
    expect(await t.auth.users.verifyCredentials('nolegacy@example.com', RIGHT)).toBeNull();
    expect(await t.auth.users.verifyCredentials('nolegacy@example.com', RIGHT)).toBeNull();
    const warnings = logger.lines.filter(
      (l) => l.level === 'warn' && /passwords\.legacy/.test(l.message ?? ''),
    );
    // One from the import itself (nothing can check these users), one at the first sign-in attempt.
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/were imported .* not configured/),
      expect.stringMatching(/tried to sign in, but passwords\.legacy is not configured/),
    ]);
    expect(await storedHash(t, 'nolegacy@example.com')).toBe('legacy$');
  });
});

describe('lazy migration through an HTTP endpoint of the old system', () => {
  let server: Server;
  let url: string;
  const requests: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
  /** What the endpoint does next: answer, or hang (to test the time-out). */
  let mode: 'answer' | 'hang' | 'fail' = 'answer';

  async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
    let text = '';
    for await (const chunk of request) text += chunk;
    return JSON.parse(text) as Record<string, unknown>;
  }

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      requests.push({ authorization: request.headers.authorization, body });
      if (mode === 'hang') return; // never answers
      if (mode === 'fail') {
        response.writeHead(502).end('bad gateway');
        return;
      }
      if (request.headers.authorization !== 'Bearer s3cret-shared-with-the-old-app') {
        response.writeHead(401).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ valid: body.password === RIGHT }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/check-password`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    requests.length = 0;
    mode = 'answer';
  });

  const webhook = (extra: Record<string, unknown> = {}): GatehouseConfig => ({
    passwords: {
      legacy: { url, secret: 's3cret-shared-with-the-old-app', allowInsecureLoopback: true, ...extra },
    },
  });

  it('posts the credentials once, then the stored hash answers', async () => {
    const t = await withLegacyUser(webhook(), 'hook@example.com');
    expect(await t.auth.users.verifyCredentials('hook@example.com', WRONG)).toBeNull();
    expect(await storedHash(t, 'hook@example.com')).toBe('legacy$');
    expect((await t.auth.users.verifyCredentials('hook@example.com', RIGHT))?.email).toBe('hook@example.com');
    expect(requests).toEqual([
      {
        authorization: 'Bearer s3cret-shared-with-the-old-app',
        body: { email: 'hook@example.com', username: 'hook', password: WRONG },
      },
      {
        authorization: 'Bearer s3cret-shared-with-the-old-app',
        body: { email: 'hook@example.com', username: 'hook', password: RIGHT },
      },
    ]);
    expect(await storedHash(t, 'hook@example.com')).toMatch(/^\$argon2id\$/);
    expect((await t.auth.users.verifyCredentials('hook@example.com', RIGHT))?.email).toBe('hook@example.com');
    expect(requests).toHaveLength(2);
  });

  it('refuses when the endpoint does not answer in time, and logs it without the password', async () => {
    const logger = recordingLogger();
    const t = await withLegacyUser({ ...webhook({ timeoutMs: 200 }), logger }, 'slow@example.com');
    mode = 'hang';
    const started = Date.now();
    expect(await t.auth.users.verifyCredentials('slow@example.com', RIGHT)).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(requests).toHaveLength(1);
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/did not answer in time/)]);
    expect(JSON.stringify(logger.lines)).not.toContain(RIGHT);
    expect(JSON.stringify(logger.lines)).not.toContain('s3cret');
    expect(await storedHash(t, 'slow@example.com')).toBe('legacy$');
  });

  it('answers a sign-in with 401, not 500, when the old system is down', async () => {
    const api = await createTestApi({
      ...webhook(),
      database: { url: db.url, ...(db.schema ? { schema: db.schema } : {}) },
      rateLimits: false,
    });
    try {
      await api.auth.database.db.deleteFrom('users').execute();
      await api.auth.users.importMany([{ line: 1, email: 'down@example.com' }], { legacyPasswords: true });
      mode = 'fail';
      const refused = await api.client().post('/auth/signin', { email: 'down@example.com', password: RIGHT });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('invalid_credentials');
      mode = 'answer';
      const signedIn = await api
        .client()
        .post('/auth/signin', { email: 'down@example.com', password: RIGHT });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.email).toBe('down@example.com');
    } finally {
      await api.auth.close();
    }
  });

  it('refuses an unreachable endpoint as a failed sign-in', async () => {
    const logger = recordingLogger();
    const t = await withLegacyUser(
      {
        logger,
        passwords: { legacy: { url: 'http://127.0.0.1:9/nothing-listens', allowInsecureLoopback: true } },
      },
      'unreachable@example.com',
    );
    expect(await t.auth.users.verifyCredentials('unreachable@example.com', RIGHT)).toBeNull();
    expect(logger.lines.some((l) => l.level === 'error' && /could not be asked/.test(l.message ?? ''))).toBe(
      true,
    );
  });
});

describe('passwords.legacy configuration', () => {
  const configFor = (legacy: unknown) =>
    ({ database: { url: ':memory:' }, passwords: { legacy } }) as GatehouseConfig;

  it.each([
    ['plain http to another host', { url: 'http://old.example.com/check' }, /must be an https:\/\/ URL/],
    [
      'loopback http without the test switch',
      { url: 'http://127.0.0.1:8000/check' },
      /allowInsecureLoopback/,
    ],
    [
      'credentials in the URL',
      { url: 'https://user:pw@old.example.com/check' },
      /must not carry credentials/,
    ],
    ['no verify function nor URL', { secret: 'x' }, /passwords\.legacy/],
  ])('refuses %s', (_name, legacy, problem) => {
    let error: unknown;
    try {
      createAuth(configFor(legacy));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(problem);
  });

  it('accepts https, a function, and loopback http when allowed', async () => {
    for (const legacy of [
      { url: 'https://old.example.com/check', secret: 'x', timeoutMs: 2000 },
      { verify: async () => false },
      { url: 'http://localhost:8000/check', allowInsecureLoopback: true },
    ]) {
      const auth = createAuth(configFor(legacy));
      await auth.close();
    }
  });
});
