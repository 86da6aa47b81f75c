/** `gatehouse tenants …`: create, list, add a member with groups; and the refusals, said plainly. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/index.js';
import { databaseEnv, runInProcess } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let env: Record<string, string>;
let cwd: string;

const cli = (args: string[]) => runInProcess(args, { cwd, env });

/** A Gatehouse instance of its own (no cache shared with the CLI) for setting up and reading back. */
async function withFreshAuth<T>(work: (auth: ReturnType<typeof createAuth>) => Promise<T>): Promise<T> {
  const auth = createAuth({ logLevel: 'silent', database: { url: env.DATABASE_URL } });
  try {
    return await work(auth);
  } finally {
    await auth.close();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = databaseEnv(db);
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-tenants-'));
  const migrated = await cli(['migrate']);
  expect(migrated.status, migrated.stderr).toBe(0);
  await withFreshAuth(async (auth) => {
    await auth.users.create({ email: 'ada@example.com', username: 'ada' });
    await auth.permissions.createGroup('editors', ['tenant.view']);
  });
});

afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await db.drop();
});

/** A refusal: status 1, the reason on stderr, no stack trace, nothing on stdout. */
function expectRefused(result: { status: number; stdout: string; stderr: string }, reason: RegExp) {
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(reason);
  expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
  expect(result.stdout).toBe('');
}

describe('gatehouse tenants create', () => {
  it('creates a shared-pool tenant and records it in the audit log', async () => {
    const result = await cli(['tenants', 'create', 'acme', '--name', 'Acme Corp']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Created tenant acme \(ten_\w+\) with the shared user pool\.\n$/);
    await withFreshAuth(async (auth) => {
      const tenant = await auth.tenants.find('acme');
      expect(tenant).toMatchObject({ name: 'Acme Corp', pool: 'shared', isActive: true, logoUrl: null });
      const [event] = await auth.audit.list({ type: 'tenant_created' });
      expect(event?.details).toEqual({ tenant: tenant?.id, slug: 'acme', via: 'cli' });
    });
  });

  it('creates an isolated tenant with a logo', async () => {
    const result = await cli([
      'tenants',
      'create',
      'globex',
      '--name',
      'Globex',
      '--isolated',
      '--logo',
      'https://cdn.example.com/globex.svg',
    ]);
    expect(result.stdout).toMatch(/with the isolated user pool\.$/m);
    const tenant = await withFreshAuth((auth) => auth.tenants.find('globex'));
    expect(tenant).toMatchObject({ pool: 'isolated', logoUrl: 'https://cdn.example.com/globex.svg' });
    expect(tenant?.poolId).toBe(tenant?.id);
  });

  it('refuses a taken or malformed slug, and a missing name', async () => {
    expectRefused(
      await cli(['tenants', 'create', 'acme', '--name', 'Again']),
      /A tenant with this slug already exists/,
    );
    expectRefused(await cli(['tenants', 'create', 'Not_A_Slug', '--name', 'Bad']), /slug: A slug is 1 to 63/);
    const unnamed = await cli(['tenants', 'create', 'nameless']);
    expect(unnamed.status).not.toBe(0);
    expect(unnamed.stderr).toMatch(/--name/);
    expect(await withFreshAuth((auth) => auth.tenants.find('nameless'))).toBeNull();
  });
});

describe('gatehouse tenants list', () => {
  it('shows every tenant by slug as a table and as JSON lines', async () => {
    const table = await cli(['tenants', 'list']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^id\s+slug\s+name\s+pool\s+active\s+created$/m);
    // The rows between the header and the count, by their second column.
    const rows = table.stdout.trim().split('\n').slice(1, -1);
    const slugs = rows.map((row) => row.split(/\s+/)[1]);
    expect(slugs).toEqual(['acme', 'default', 'globex']);
    expect(table.stdout).toMatch(/^ten_\w+\s+acme\s+Acme Corp\s+shared\s+yes\s+\d{4}-/m);
    expect(table.stdout).toMatch(/^3 tenant\(s\)\.$/m);
    const json = await cli(['tenants', 'list', '--json']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((t) => t.slug)).toEqual(['acme', 'default', 'globex']);
    expect(lines[2]).toMatchObject({ name: 'Globex', pool: 'isolated', isActive: true });
  });
});

describe('gatehouse tenants add-member', () => {
  it('adds an account of the shared pool by email with a group, and records it', async () => {
    const result = await cli(['tenants', 'add-member', 'acme', 'ada@example.com', '--group', 'editors']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Added ada@example.com to tenant acme with editors.\n');
    await withFreshAuth(async (auth) => {
      const tenant = await auth.tenants.find('acme');
      const user = await auth.users.getByEmail('ada@example.com');
      const member = await auth.tenants.member(tenant?.id ?? '', user?.id ?? '');
      expect(member?.groups).toEqual(['editors']);
      const [event] = await auth.audit.list({ type: 'member_added' });
      expect(event).toMatchObject({ userId: user?.id, tenantId: tenant?.id, details: { via: 'cli' } });
    });
  });

  it('finds the account in an isolated tenant’s own pool, by email or by id', async () => {
    const { own, shared } = await withFreshAuth(async (auth) => {
      const tenant = await auth.tenants.find('globex');
      return {
        own: await auth.users.create({ email: 'bob@example.com' }, { pool: tenant?.id ?? '' }),
        shared: await auth.users.create({ email: 'bob@example.com' }),
      };
    });
    const byEmail = await cli(['tenants', 'add-member', 'globex', 'bob@example.com']);
    expect(byEmail.stdout).toBe('Added bob@example.com to tenant globex.\n');
    const members = await withFreshAuth(async (auth) => {
      const tenant = await auth.tenants.find('globex');
      return (await auth.tenants.members(tenant?.id ?? '')).members.map((m) => m.user.id);
    });
    expect(members).toEqual([own.id]);
    // The shared pool's account of the same address is not this tenant's, even by id.
    expectRefused(
      await cli(['tenants', 'add-member', 'globex', shared.id]),
      new RegExp(`There is no user "${shared.id}" in the user pool of tenant globex\\.`),
    );
    const byId = await cli(['tenants', 'add-member', 'acme', shared.id]);
    expect(byId.stdout).toBe('Added bob@example.com to tenant acme.\n');
  });

  it('refuses an unknown tenant, user or group with status 1 and the reason', async () => {
    expectRefused(
      await cli(['tenants', 'add-member', 'nope', 'ada@example.com']),
      /There is no tenant "nope"\./,
    );
    expectRefused(
      await cli(['tenants', 'add-member', 'acme', 'ghost@example.com']),
      /There is no user "ghost@example\.com" in the shared user pool\./,
    );
    expectRefused(
      await cli(['tenants', 'add-member', 'acme', 'ada', '--group', 'no-such-group']),
      /There is no group named no-such-group\./,
    );
  });
});
