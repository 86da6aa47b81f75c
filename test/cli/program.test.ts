import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const strong = 'granite-lighthouse-77';

let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  env = databaseEnv(db);
});
afterAll(() => db.drop());

const cli = (
  args: string[],
  options: { input?: string[]; env?: Record<string, string>; cwd?: string } = {},
) => runInProcess(args, { ...options, env: { ...env, ...options.env } });

/** What the database now holds for this email: the user, and whether `password` is theirs. */
async function readUser(email: string, password?: string) {
  const auth = createAuth({ logLevel: 'silent', database: { url: env.DATABASE_URL } });
  try {
    const user = await auth.users.getByEmail(email);
    const passwordMatches =
      user && password !== undefined ? await auth.users.checkPassword(user.id, password) : false;
    return { user, passwordMatches };
  } finally {
    await auth.close();
  }
}

describe('gatehouse (no database yet)', () => {
  it('refuses to work on a database with pending migrations, saying what to run', async () => {
    const result = await cli(['users', 'list']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not up to date: run `gatehouse migrate` first/);
  });

  it('migrate --check exits 1 and lists what is pending', async () => {
    const result = await cli(['migrate', '--check']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Pending 0001 initial/);
  });
});

describe('gatehouse migrate', () => {
  it('applies the migrations and says so, then finds nothing to do', async () => {
    const first = await cli(['migrate']);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied 0001 initial \(\d+ ms\)/);
    const second = await cli(['migrate']);
    expect(second.stdout).toMatch(/Nothing to migrate\./);
    const check = await cli(['migrate', '--check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/Up to date\./);
  });
});

describe('gatehouse createsuperuser', () => {
  it('creates a superuser without prompts from flags and the environment', async () => {
    const result = await cli(['createsuperuser', '--no-input', '--email', 'Root@Example.com'], {
      env: { GATEHOUSE_SUPERUSER_PASSWORD: strong },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Superuser root@example.com created \(usr_/);
    const { user, passwordMatches } = await readUser('root@example.com', strong);
    expect(user).toMatchObject({ isStaff: true, isSuperuser: true, isActive: true });
    expect(passwordMatches).toBe(true);
  });

  it('refuses a duplicate email with a clear message and status 1', async () => {
    const result = await cli(['createsuperuser', '--no-input', '--email', 'root@example.com'], {
      env: { GATEHOUSE_SUPERUSER_PASSWORD: strong },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/A user with this email already exists/);
  });

  it('refuses a weak password, listing the reasons', async () => {
    const result = await cli(['createsuperuser', '--no-input', '--email', 'weak@example.com'], {
      env: { GATEHOUSE_SUPERUSER_PASSWORD: '12345' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/password: .*at least 8/);
    expect((await readUser('weak@example.com')).user).toBeNull();
  });

  it('says which setting is missing with --no-input', async () => {
    const result = await cli(['createsuperuser', '--no-input', '--email', 'nopw@example.com']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/GATEHOUSE_SUPERUSER_PASSWORD/);
  });

  it('asks for email, username and the password twice', async () => {
    const result = await cli(['createsuperuser'], {
      input: ['ada@example.com', 'ada', 'first-try-mismatch', 'something-else', strong, strong],
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/do not match/);
    expect(result.stdout).not.toContain(strong);
    const { user } = await readUser('ada@example.com');
    expect(user).toMatchObject({ username: 'ada', isSuperuser: true });
  });

  it('fails cleanly when the input ends early', async () => {
    const result = await cli(['createsuperuser'], { input: ['late@example.com'] });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Input ended/);
  });
});

describe('gatehouse changepassword', () => {
  it('sets the password of the named user', async () => {
    const result = await cli(['changepassword', 'ROOT@example.com'], {
      input: ['new-granite-path-19', 'new-granite-path-19'],
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Password changed for root@example.com/);
    expect((await readUser('root@example.com', 'new-granite-path-19')).passwordMatches).toBe(true);
  });

  it('gives up after three unacceptable attempts and changes nothing', async () => {
    const result = await cli(['changepassword', 'root@example.com'], {
      input: ['a-one-1111', 'a-two-2222', '123', '123', 'password', 'password'],
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/do not match/);
    expect(result.stderr).toMatch(/No acceptable password after 3 attempts/);
    expect((await readUser('root@example.com', 'new-granite-path-19')).passwordMatches).toBe(true);
  });

  it('refuses an unknown user', async () => {
    const result = await cli(['changepassword', 'ghost@example.com'], { input: [] });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/There is no user "ghost@example.com"/);
  });
});

describe('gatehouse users list', () => {
  it('prints a table of users', async () => {
    const result = await cli(['users', 'list']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^id\s+email\s+username\s+active\s+staff\s+superuser\s+created$/m);
    expect(result.stdout).toMatch(/root@example\.com\s+yes\s+yes\s+yes/);
    expect(result.stdout).toMatch(/2 user\(s\) shown of 2\./);
  });

  it('prints JSON lines with --json, never a password hash', async () => {
    const result = await cli(['users', 'list', '--json', '--search', 'ada']);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((u) => u.email)).toEqual(['ada@example.com']);
    expect(result.stdout).not.toMatch(/argon2|passwordHash|password_hash/i);
  });

  it('refuses a bad --limit', async () => {
    const result = await cli(['users', 'list', '--limit', 'lots']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--limit must be a whole number/);
  });
});

describe('gatehouse errors and help', () => {
  it('says plainly when the database cannot be opened', async () => {
    const result = await cli(['migrate'], { env: { DATABASE_URL: '/nonexistent-dir/deeper/gatehouse.db' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Cannot use the database at \/nonexistent-dir\/deeper\/gatehouse\.db/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('names the environment variable behind each bad setting, all at once', async () => {
    const result = await cli(['start', '--port', '0'], {
      env: {
        GATEHOUSE_PUBLIC_URL: 'auth.example.com',
        GATEHOUSE_SECRET: 'too short',
        TRUSTED_ORIGINS: 'https://app.example.com/x',
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/publicUrl: .*\(set by GATEHOUSE_PUBLIC_URL\)/);
    expect(result.stderr).toMatch(/secret: .*\(set by GATEHOUSE_SECRET\)/);
    expect(result.stderr).toMatch(/trustedOrigins\.0: .*\(set by TRUSTED_ORIGINS\)/);
  });

  it('prints help for every command', async () => {
    for (const command of [
      [],
      ['migrate'],
      ['createsuperuser'],
      ['changepassword'],
      ['users', 'list'],
      ['start'],
    ]) {
      const result = await cli([...command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Usage: gatehouse/);
    }
  });

  it('refuses an unknown command with status 1', async () => {
    const result = await cli(['frobnicate']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown command/);
  });
});

describe('config files', () => {
  it('migrate adds the columns of custom fields declared in gatehouse.config.json', async () => {
    const own = await createTestDatabase();
    const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      writeFileSync(
        join(cwd, 'gatehouse.config.json'),
        JSON.stringify({
          user: { fields: { phoneNumber: { type: 'string', optional: true, maxLength: 20 } } },
        }),
      );
      const result = await runInProcess(['migrate'], { cwd, env: databaseEnv(own) });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Added custom field phoneNumber \(column phone_number, string\)/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      await own.drop();
    }
  });

  it('reports every problem of an invalid config file', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      writeFileSync(
        join(cwd, 'gatehouse.config.json'),
        JSON.stringify({ passwords: { argon2: { memoryCost: 1 } }, colour: 'red' }),
      );
      const result = await runInProcess(['migrate'], { cwd, env });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/configuration is invalid/);
      expect(result.stderr).toMatch(/passwords\.argon2\.memoryCost/);
      expect(result.stderr).toMatch(/colour/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
