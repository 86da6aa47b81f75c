import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CsvParser, formatCsvRecord } from '../../src/cli/csv.js';
import { type Auth, createAuth } from '../../src/index.js';
import { fastHashers } from '../helpers/auth.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { djangoFixture } from '../passwords/django-fixtures.js';

const pbkdf2 = djangoFixture('pbkdf2_sha256', 'spaces');
const fields = { plan: { type: 'string', choices: ['free', 'pro'], default: 'free' } } as const;
const CONFIG = { user: { fields } };

let db: TestDatabase;
let other: TestDatabase;
let env: Record<string, string>;
let cwd: string;

const cli = (args: string[], database: Record<string, string> = env) =>
  runInProcess(args, { cwd, env: database });

function withFreshAuth<T>(
  read: (auth: Auth<typeof fields>) => Promise<T>,
  database: Record<string, string> = env,
): Promise<T> {
  const auth = createAuth({
    user: { fields },
    logLevel: 'silent',
    database: { url: database.DATABASE_URL },
    passwords: { hashers: fastHashers },
  });
  return read(auth).finally(() => auth.close());
}

const userCount = (database = env) => withFreshAuth((auth) => auth.users.count(), database);

function write(name: string, text: string): string {
  writeFileSync(join(cwd, name), text);
  return name;
}

beforeAll(async () => {
  db = await createTestDatabase();
  other = await createTestDatabase();
  env = databaseEnv(db);
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
  writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify(CONFIG));
  for (const database of [env, databaseEnv(other)]) {
    const migrated = await cli(['migrate'], database);
    expect(migrated.status, migrated.stderr).toBe(0);
  }
});

afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await db.drop();
  await other.drop();
});

beforeEach(async () => {
  for (const database of [env, databaseEnv(other)]) {
    await withFreshAuth((auth) => auth.database.db.deleteFrom('users').execute(), database);
  }
});

describe('CSV parsing', () => {
  it('reads quoted fields, doubled quotes, commas, embedded newlines and CRLF, in any chunking', () => {
    const text =
      'email,first_name,last_name\r\n' +
      'a@example.com,"O""Brien, Jr.","two\r\nlines"\r\n' +
      '\r\n' +
      'b@example.com,,"x"\n' +
      'c@example.com,plain,last';
    const whole = new CsvParser();
    const expected = [...whole.push(text), ...whole.end()];
    expect(expected).toEqual([
      { line: 1, fields: ['email', 'first_name', 'last_name'] },
      { line: 2, fields: ['a@example.com', 'O"Brien, Jr.', 'two\r\nlines'] },
      { line: 5, fields: ['b@example.com', '', 'x'] },
      { line: 6, fields: ['c@example.com', 'plain', 'last'] },
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new CsvParser();
      const records = [];
      for (let i = 0; i < text.length; i += size) records.push(...parser.push(text.slice(i, i + size)));
      records.push(...parser.end());
      expect(records).toEqual(expected);
    }
  });

  it('refuses text after a closing quote and an unclosed quote, naming the line', () => {
    expect(() => new CsvParser().push('a,b\n"x"y,z\n')).toThrow(/line 2: a quoted field must end/);
    const open = new CsvParser();
    open.push('a,b\nok,"never closed\n');
    expect(() => open.end()).toThrow(/line 2: a quoted field is not closed/);
  });

  it('writes what it reads', () => {
    const fields = ['plain', 'with,comma', 'with "quotes"', 'multi\nline', ' padded ', ''];
    const parser = new CsvParser();
    expect([...parser.push(formatCsvRecord(fields)), ...parser.end()]).toEqual([{ line: 1, fields }]);
  });
});

describe('gatehouse users import', () => {
  it("imports a CSV of Django's auth_user columns, with quotes and newlines in fields", async () => {
    const file = write(
      'django.csv',
      'id,email,username,first_name,last_name,password,is_active,is_staff,is_superuser,date_joined,last_login\r\n' +
        `7,ann@example.com,ann,"O""Brien, Jr.","Multi\r\nLine",${pbkdf2.encoded},t,f,f,2019-05-06 07:08:09.123456+00,\r\n` +
        `8,ben@example.com,ben@example.com,Ben,Bell,,True,True,False,2020-01-02T03:04:05Z,2024-02-03 04:05:06+00\r\n`,
    );
    const result = await cli(['users', 'import', file]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Imported 2 users.');
    expect(result.stderr).toContain('not imported: every user gets a new id');
    await withFreshAuth(async (auth) => {
      const ann = await auth.users.getByEmail('ann@example.com');
      expect(ann).toMatchObject({ username: 'ann', firstName: 'O"Brien, Jr.', lastName: 'Multi\r\nLine' });
      expect(ann?.createdAt.toISOString()).toBe('2019-05-06T07:08:09.123Z');
      expect(ann?.lastLoginAt).toBeNull();
      expect((await auth.users.verifyCredentials('ann', pbkdf2.password))?.email).toBe('ann@example.com');
      const ben = await auth.users.getByEmail('ben@example.com');
      // A username equal to the email is left out: Gatehouse usernames never contain @.
      expect(ben).toMatchObject({ username: null, isStaff: true, hasUsablePassword: false, plan: 'free' });
      expect(ben?.lastLoginAt?.toISOString()).toBe('2024-02-03T04:05:06.000Z');
    });
  });

  it('reports rejected rows by line and exits 1 when nothing was imported', async () => {
    const file = write(
      'bad.csv',
      'email,first_name,is_staff,plan\n' +
        'ok@example.com,"Two\nlines",false,pro\n' +
        'not-an-email,Bad,false,free\n' +
        'ok@example.com,Again,false,free\n' +
        'staff@example.com,Staff,maybe,free\n' +
        'short@example.com\n' +
        'plan@example.com,P,false,gold\n',
    );
    const result = await cli(['users', 'import', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('Imported 0 users.');
    expect(result.stdout).toContain('Rejected 5 rows:');
    expect(result.stdout).toMatch(/^ {2}line 4: email: /m);
    expect(result.stdout).toContain('  line 5: email: ok@example.com is already on line 2.');
    expect(result.stdout).toContain('  line 6: isStaff: Enter true or false.');
    expect(result.stdout).toContain('  line 7: has 1 field(s) where the header has 4.');
    expect(result.stdout).toContain('  line 8: plan: Choose one of: free, pro.');
    expect(result.stderr).toContain('Nothing was imported');
    expect(await userCount()).toBe(0);

    const partial = await cli(['users', 'import', file, '--partial']);
    expect(partial.status, partial.stderr).toBe(0);
    expect(partial.stdout).toContain('Imported 1 user.');
    expect(partial.stdout).toContain('Rejected 5 rows:');
    expect(await userCount()).toBe(1);
    expect(await withFreshAuth(async (auth) => (await auth.users.getByEmail('ok@example.com'))?.plan)).toBe(
      'pro',
    );
  });

  it('lists the first 50 rejected rows, then how many more', async () => {
    const lines = ['email'];
    for (let i = 0; i < 60; i++) lines.push(`bad-${i}`);
    const result = await cli(['users', 'import', write('many.csv', `${lines.join('\n')}\n`)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('  line 51: email:');
    expect(result.stdout).not.toContain('  line 52: email:');
    expect(result.stdout).toContain('  and 10 more');
  });

  it('imports a Django dumpdata file and the users sign in with their Django passwords', async () => {
    const dump = [
      {
        model: 'auth.user',
        pk: 1,
        fields: {
          password: pbkdf2.encoded,
          last_login: '2024-03-01T10:00:00.123Z',
          is_superuser: true,
          username: 'admin',
          first_name: 'Ada',
          last_name: 'Admin',
          email: 'admin@example.com',
          is_staff: true,
          is_active: true,
          date_joined: '2018-01-01T00:00:00Z',
          groups: [1],
          user_permissions: [],
        },
      },
      { model: 'auth.group', pk: 1, fields: { name: 'editors', permissions: [] } },
      {
        model: 'auth.user',
        pk: 2,
        fields: {
          password: '!unusableDjangoPasswordXYZ',
          last_login: null,
          is_superuser: false,
          username: 'bob',
          first_name: '',
          last_name: '',
          email: 'bob@example.com',
          is_staff: false,
          is_active: false,
          date_joined: '2019-02-02T00:00:00Z',
          groups: [],
          user_permissions: [],
        },
      },
    ];
    const file = write('dump.json', JSON.stringify(dump, null, 2));
    const result = await cli(['users', 'import', file, '--format', 'django']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Imported 2 users.');
    expect(result.stderr).toContain('1 object(s) of other models than users were skipped.');
    expect(result.stderr).toContain("Django's groups are not imported");
    await withFreshAuth(async (auth) => {
      const admin = await auth.users.verifyCredentials('admin', pbkdf2.password);
      expect(admin).toMatchObject({
        email: 'admin@example.com',
        isSuperuser: true,
        isStaff: true,
        firstName: 'Ada',
      });
      expect(admin?.createdAt.toISOString()).toBe('2018-01-01T00:00:00.000Z');
      expect(await auth.users.getByEmail('bob@example.com')).toMatchObject({
        isActive: false,
        hasUsablePassword: false,
      });
    });
  });

  it('reports JSON rows by the line they start on, and JSON Lines by line', async () => {
    const json = write(
      'users.json',
      JSON.stringify([{ email: 'j1@example.com' }, { email: 'nope' }, { email: 'j3@example.com' }], null, 2),
    );
    const fromJson = await cli(['users', 'import', json]);
    expect(fromJson.status).toBe(1);
    // [ on line 1, each object over 3 lines: the second starts on line 5.
    expect(fromJson.stdout).toMatch(/^ {2}line 5: email: /m);

    const jsonl = write(
      'users.jsonl',
      '{"email":"l1@example.com","isStaff":true}\n\n{"email":"l3@example.com",\nnot json\n',
    );
    const fromJsonl = await cli(['users', 'import', jsonl, '--partial']);
    expect(fromJsonl.status).toBe(0);
    expect(fromJsonl.stdout).toContain('Imported 1 user.');
    expect(fromJsonl.stdout).toMatch(/^ {2}line 3: not valid JSON/m);
    expect(fromJsonl.stdout).toMatch(/^ {2}line 4: not valid JSON/m);
  });

  it('writes nothing with --dry-run, yet checks against existing users', async () => {
    await withFreshAuth((auth) => auth.users.create({ email: 'exists@example.com' }));
    const clean = write('dry.csv', 'email,username\nd1@example.com,d1\nd2@example.com,d2\n');
    const dry = await cli(['users', 'import', clean, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: 2 users would be imported; nothing was written.');
    expect(await userCount()).toBe(1);

    const clash = write('dry-clash.csv', 'email\nd1@example.com\nEXISTS@example.com\n');
    const refused = await cli(['users', 'import', clash, '--dry-run']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('  line 3: email: a user with email exists@example.com already exists.');
    expect(await userCount()).toBe(1);
  });

  it('stops at malformed CSV, naming the line, and keeps nothing of what came before', async () => {
    const rows = ['email'];
    for (let i = 0; i < 30; i++) rows.push(`m${i}@example.com`);
    rows.push('"broken"quote@example.com');
    const result = await cli([
      'users',
      'import',
      write('broken.csv', `${rows.join('\n')}\n`),
      '--partial',
      '--batch-size',
      '10',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'broken.csv cannot be read, nothing was imported: line 32: a quoted field must end',
    );
    expect(await userCount()).toBe(0);
  });

  it('refuses a CSV header with unknown columns before importing anything', async () => {
    const result = await cli(['users', 'import', write('cols.csv', 'email,shoe_size\na@example.com,44\n')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown column "shoe_size"');
    expect(await userCount()).toBe(0);
  });

  it('marks users without a hash for the old system with --legacy-passwords', async () => {
    const result = await cli([
      'users',
      'import',
      write('legacy.csv', 'email,password\nold@example.com,\n'),
      '--legacy-passwords',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('without passwords.legacy in the config');
    const hash = await withFreshAuth(async (auth) => {
      const row = await auth.database.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', 'old@example.com')
        .executeTakeFirstOrThrow();
      return row.password_hash;
    });
    expect(hash).toBe('legacy$');
  });

  it('shows progress on stderr', async () => {
    const lines = ['email'];
    for (let i = 0; i < 30; i++) lines.push(`p${i}@example.com`);
    const result = await cli([
      'users',
      'import',
      write('progress.csv', `${lines.join('\n')}\n`),
      '--batch-size',
      '10',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Read 30\/30 rows \(100%\), [\d,]+ rows\/s/);
  });
});

describe('gatehouse users export', () => {
  async function seed() {
    await withFreshAuth(async (auth) => {
      await auth.users.create(
        {
          email: 'first@example.com',
          username: 'first',
          firstName: 'Quote "me", please',
          lastName: 'New\nline',
          isStaff: true,
          emailVerified: true,
          metadata: { team: 'a,b' },
          plan: 'pro',
        },
        { passwordHash: pbkdf2.encoded },
      );
      await auth.users.create({ email: 'second@example.com', password: 'a quite long passphrase 7' });
      await auth.users.create({ email: 'third@example.com', isActive: false });
    });
  }

  const snapshot = (database: Record<string, string>) =>
    withFreshAuth(async (auth) => {
      const { users } = await auth.users.list({ limit: 100 });
      return users
        .map(({ id: _id, updatedAt: _u, emailVerifiedAt: _v, ...rest }) => rest)
        .sort((a, b) => a.email.localeCompare(b.email));
    }, database);

  it.each(['csv', 'jsonl'] as const)('round-trips through %s, hashes included', async (format) => {
    await seed();
    const output = `export.${format}`;
    const exported = await cli(['users', 'export', '--output', output, '--include-hashes']);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('Warning: the export holds password hashes');
    expect(exported.stderr).toContain(`Exported 3 users to ${output}.`);
    expect(statSync(join(cwd, output)).mode & 0o077).toBe(0);

    const otherEnv = databaseEnv(other);
    const imported = await cli(['users', 'import', output], otherEnv);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 3 users.');
    expect(await snapshot(otherEnv)).toEqual(await snapshot(env));
    await withFreshAuth(async (auth) => {
      expect((await auth.users.verifyCredentials('first', pbkdf2.password))?.plan).toBe('pro');
      expect(
        await auth.users.verifyCredentials('second@example.com', 'a quite long passphrase 7'),
      ).not.toBeNull();
    }, otherEnv);
  });

  it('leaves hashes out unless asked, and writes to standard output', async () => {
    await seed();
    const result = await cli(['users', 'export']);
    expect(result.status, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.split('\r\n');
    expect(header).toBe(
      'id,email,username,firstName,lastName,isActive,isStaff,isSuperuser,emailVerified,createdAt,lastLoginAt,metadata,plan',
    );
    expect(result.stdout).not.toContain('pbkdf2');
    expect(result.stdout).not.toContain('argon2');
    expect(result.stdout).toContain('"Quote ""me"", please"');
    expect(result.stdout).toContain('"New\nline"');
    expect(rows.filter(Boolean)).toHaveLength(3); // records end in CRLF; the LF inside a quoted field does not
    expect(result.stderr).not.toContain('Warning');

    const jsonl = await cli(['users', 'export', '--format', 'jsonl']);
    const users = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(users.map((u: { email: string }) => u.email).sort()).toEqual([
      'first@example.com',
      'second@example.com',
      'third@example.com',
    ]);
    expect(users.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
  });

  it('exports more users than one page', async () => {
    const lines = ['email'];
    for (let i = 0; i < 2500; i++) lines.push(`page${i}@example.com`);
    expect((await cli(['users', 'import', write('pages.csv', lines.join('\n'))])).status).toBe(0);
    const result = await cli(['users', 'export', '--output', 'pages-out.csv']);
    expect(result.status, result.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'pages-out.csv'), 'utf8');
    expect(
      new Set(
        text
          .trim()
          .split('\r\n')
          .slice(1)
          .map((l) => l.split(',')[1]),
      ).size,
    ).toBe(2500);
  });
});
