/** `gatehouse users reset-mfa`: the way back in for a user (or the last superuser) who lost their device. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const SECRET = 'a server secret of at least thirty-two characters';
let db: TestDatabase;
let env: Record<string, string>;
let cwd: string;

const cli = (args: string[]) => runInProcess(args, { cwd, env });

async function withAuth<T>(work: (auth: ReturnType<typeof createAuth>) => Promise<T>): Promise<T> {
  const auth = createAuth({ logLevel: 'silent', secret: SECRET, database: { url: env.DATABASE_URL } });
  try {
    return await work(auth);
  } finally {
    await auth.close();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = { ...databaseEnv(db), GATEHOUSE_SECRET: SECRET };
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-'));
  expect((await cli(['migrate'])).status).toBe(0);
});

afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await db.drop();
});

describe('gatehouse users reset-mfa', () => {
  it("removes the user's second factors and records it in the audit log", async () => {
    const userId = await withAuth(async (auth) => {
      const user = await auth.users.create({ email: 'root@example.com', isSuperuser: true, isStaff: true });
      const setup = await auth.mfa.totp.begin(user);
      const app = OTPAuth.URI.parse(setup.otpauthUrl) as OTPAuth.TOTP;
      expect(await auth.mfa.totp.confirm(user.id, app.generate())).toBe(true);
      await auth.mfa.recoveryCodes.generate(user.id);
      return user.id;
    });
    const result = await cli(['users', 'reset-mfa', 'root@example.com']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /Reset two-step verification for root@example\.com: authenticator app, 0 passkey\(s\), 10 recovery code\(s\) removed\./,
    );
    await withAuth(async (auth) => {
      expect(await auth.mfa.hasSecondFactor(userId)).toBe(false);
      const [event] = await auth.audit.list({ userId, type: 'mfa_reset' });
      expect(event?.details).toMatchObject({ via: 'cli', totp: true });
    });
  });

  it('refuses an unknown user', async () => {
    const result = await cli(['users', 'reset-mfa', 'nobody@example.com']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nobody@example\.com/);
  });
});
