/** `gatehouse keys list|rotate`: the signing keys of access tokens from the command line. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const SECRET = 'a server secret of at least thirty-two characters';
let db: TestDatabase;
let env: Record<string, string>;
let cwd: string;

const cli = (args: string[], extra: Record<string, string> = { GATEHOUSE_SECRET: SECRET }) =>
  runInProcess(args, { cwd, env: { ...env, ...extra } });

beforeAll(async () => {
  db = await createTestDatabase();
  env = databaseEnv(db);
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
  expect((await cli(['migrate'])).status).toBe(0);
});
afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await db.drop();
});

describe('gatehouse keys', () => {
  it('rotates the signing key, keeping the old one published, and lists both', async () => {
    const first = await cli(['keys', 'rotate']);
    expect(first.status, first.stderr).toBe(0);
    const firstKid = /now signed with (key_\S+)/.exec(first.stdout)?.[1];
    const second = await cli(['keys', 'rotate']);
    const secondKid = /now signed with (key_\S+)/.exec(second.stdout)?.[1];
    expect(secondKid).toBeDefined();
    expect(secondKid).not.toBe(firstKid);
    const listed = await cli(['keys', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${secondKid}\\s+EdDSA\\s+signing`));
    expect(listed.stdout).toMatch(new RegExp(`${firstKid}\\s+EdDSA\\s+retired`));
    const auth = createAuth({ logLevel: 'silent', secret: SECRET, database: { url: env.DATABASE_URL } });
    try {
      const { key } = (await auth.tokenMode?.keys.signingKey()) ?? {};
      expect(key?.kid).toBe(secondKid);
      const [event] = await auth.audit.list({ type: 'signing_key_rotated' });
      expect(event?.details).toMatchObject({ kid: secondKid, via: 'cli' });
    } finally {
      await auth.close();
    }
  });

  it('says plainly that keys need the server secret', async () => {
    const reply = await cli(['keys', 'rotate'], {});
    expect(reply.status).toBe(1);
    expect(reply.stderr).toContain('GATEHOUSE_SECRET');
  });
});
