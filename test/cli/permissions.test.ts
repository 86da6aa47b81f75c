import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** A Gatehouse instance of its own (no cache shared with the CLI) for reading back what a command did. */
async function withFreshAuth<T>(read: (auth: ReturnType<typeof createAuth>) => Promise<T>): Promise<T> {
  const auth = createAuth({ logLevel: 'silent', database: { url: env.DATABASE_URL } });
  try {
    return await read(auth);
  } finally {
    await auth.close();
  }
}

/** The user's groups and effective permissions, as the database now says. */
const holdings = (email: string) =>
  withFreshAuth(async (auth) => {
    const user = await auth.users.getByEmail(email);
    if (!user) throw new Error(`no user ${email}`);
    return {
      groups: await auth.permissions.groupsOf(user.id),
      permissions: [...(await auth.permissions.getAllPermissions(user))].sort(),
    };
  });

const groupNames = () =>
  withFreshAuth(async (auth) => (await auth.permissions.listGroups()).map((g) => g.name));

beforeAll(async () => {
  db = await createTestDatabase();
  env = databaseEnv(db);
  cwd = mkdtempSync(join(tmpdir(), 'gatehouse-perms-'));
  writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify({ resources: ['post'] }));
  const migrated = await cli(['migrate']);
  expect(migrated.status, migrated.stderr).toBe(0);
  await withFreshAuth(async (auth) => {
    await auth.users.create({ email: 'ada@example.com', username: 'ada' });
    await auth.users.create({ email: 'root@example.com', isSuperuser: true, isStaff: true });
    await auth.users.create({ email: 'gone@example.com', isActive: false });
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

describe('gatehouse permissions list', () => {
  it('shows the permissions of the declared resources as a table and as JSON lines', async () => {
    const table = await cli(['permissions', 'list']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^codename\s+name$/m);
    expect(table.stdout).toMatch(/^post\.change\s+Can change post$/m);
    const json = await cli(['permissions', 'list', '--json']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual({ id: expect.any(String), codename: 'post.view', name: 'Can view post' });
  });
});

describe('gatehouse groups', () => {
  it('creates a group with permissions, and its members hold them', async () => {
    const created = await cli(['groups', 'create', 'editors', '--grant', 'post.view', 'post.change']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^Created group editors with post\.change, post\.view \(grp_/);
    const added = await cli(['users', 'add-to-group', 'ada', 'editors']);
    expect(added.stdout).toBe('Added ada@example.com to group editors.\n');
    expect(await holdings('ada@example.com')).toEqual({
      groups: ['editors'],
      permissions: ['post.change', 'post.view'],
    });
  });

  it('grants and revokes permissions of a group', async () => {
    const granted = await cli(['groups', 'grant', 'editors', 'post.add', 'post.delete']);
    expect(granted.stdout).toBe('Granted post.add, post.delete to group editors.\n');
    expect((await holdings('ada@example.com')).permissions).toEqual([
      'post.add',
      'post.change',
      'post.delete',
      'post.view',
    ]);
    const revoked = await cli(['groups', 'revoke', 'editors', 'post.delete']);
    expect(revoked.stdout).toBe('Revoked post.delete from group editors.\n');
    expect((await holdings('ada@example.com')).permissions).toEqual(['post.add', 'post.change', 'post.view']);
  });

  it('lists groups with their permissions, as a table and as JSON lines', async () => {
    await cli(['groups', 'create', 'readers']);
    const table = await cli(['groups', 'list']);
    expect(table.stdout).toMatch(/^name\s+count\s+permissions$/m);
    expect(table.stdout).toMatch(/^editors\s+3\s+post\.add, post\.change, post\.view$/m);
    expect(table.stdout).toMatch(/^readers\s+0$/m);
    const json = await cli(['groups', 'list', '--json']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        id: expect.stringMatching(/^grp_/),
        name: 'editors',
        permissions: ['post.add', 'post.change', 'post.view'],
      },
      { id: expect.stringMatching(/^grp_/), name: 'readers', permissions: [] },
    ]);
  });

  it('refuses a duplicate group', async () => {
    expectRefused(await cli(['groups', 'create', 'editors']), /A group with this name already exists/);
  });

  it('refuses an unknown permission and creates nothing', async () => {
    const result = await cli(['groups', 'create', 'authors', '--grant', 'post.view', 'post.publish']);
    expectRefused(result, /There is no permission post\.publish/);
    expect(await groupNames()).not.toContain('authors');
    expectRefused(
      await cli(['groups', 'grant', 'readers', 'nope.view']),
      /There is no permission nope\.view/,
    );
  });

  it('refuses an unknown group', async () => {
    expectRefused(await cli(['groups', 'grant', 'ghosts', 'post.view']), /There is no group named ghosts/);
    expectRefused(await cli(['groups', 'revoke', 'ghosts', 'post.view']), /There is no group named ghosts/);
    expectRefused(await cli(['groups', 'delete', 'ghosts']), /There is no group named ghosts/);
  });

  it('refuses an empty group name, saying why', async () => {
    expectRefused(await cli(['groups', 'create', '  ']), /name: A group name is 1 to 150 characters/);
  });
});

describe('gatehouse users (permissions)', () => {
  it("grants and revokes a user's direct permissions; group ones stay", async () => {
    const granted = await cli(['users', 'grant', 'ada@example.com', 'post.delete']);
    expect(granted.stdout).toBe('Granted post.delete to ada@example.com.\n');
    expect((await holdings('ada@example.com')).permissions).toContain('post.delete');
    const revoked = await cli(['users', 'revoke', 'ada', 'post.delete', 'post.view']);
    expect(revoked.stdout).toBe('Revoked post.delete, post.view from ada@example.com.\n');
    expect((await holdings('ada@example.com')).permissions).toEqual(['post.add', 'post.change', 'post.view']);
  });

  it('shows what a user holds', async () => {
    await cli(['users', 'grant', 'ada', 'post.delete']);
    const ada = await cli(['users', 'perms', 'ada']);
    expect(ada.stdout).toMatch(/^User: ada@example\.com \(usr_/m);
    expect(ada.stdout).toMatch(/^Status: active$/m);
    expect(ada.stdout).toMatch(/^Groups: editors$/m);
    expect(ada.stdout).toMatch(
      /^Permissions \(4\):\n {2}post\.add\n {2}post\.change\n {2}post\.delete\n {2}post\.view\n$/m,
    );
    const root = await cli(['users', 'perms', 'root@example.com']);
    expect(root.stdout).toMatch(/^Status: active, superuser \(holds every permission\)$/m);
    expect(root.stdout).toMatch(/^Groups: \(none\)$/m);
    expect(root.stdout).toMatch(/^ {2}post\.delete$/m);
  });

  it('marks an inactive user, who holds nothing even in a group', async () => {
    await cli(['users', 'add-to-group', 'gone@example.com', 'editors']);
    const result = await cli(['users', 'perms', 'gone@example.com']);
    expect(result.stdout).toMatch(/^Status: inactive \(holds no permissions\)$/m);
    expect(result.stdout).toMatch(/^Groups: editors$/m);
    expect(result.stdout).toMatch(/^Permissions \(0\):$/m);
  });

  it('removes a user from a group', async () => {
    const removed = await cli(['users', 'remove-from-group', 'ada', 'editors']);
    expect(removed.stdout).toBe('Removed ada@example.com from group editors.\n');
    expect(await holdings('ada@example.com')).toEqual({ groups: [], permissions: ['post.delete'] });
  });

  it('refuses an unknown user, group or permission', async () => {
    const noUser = /There is no user "ghost@example\.com"/;
    expectRefused(await cli(['users', 'grant', 'ghost@example.com', 'post.view']), noUser);
    expectRefused(await cli(['users', 'perms', 'ghost@example.com']), noUser);
    expectRefused(await cli(['users', 'add-to-group', 'ada', 'ghosts']), /There is no group named ghosts/);
    expectRefused(
      await cli(['users', 'remove-from-group', 'ada', 'ghosts']),
      /There is no group named ghosts/,
    );
    expectRefused(
      await cli(['users', 'grant', 'ada', 'post.publish']),
      /There is no permission post\.publish/,
    );
    expect((await holdings('ada@example.com')).permissions).toEqual(['post.delete']);
  });
});

describe('gatehouse groups delete', () => {
  it('deletes a group; its members lose what it gave them', async () => {
    await cli(['users', 'add-to-group', 'ada', 'editors']);
    const deleted = await cli(['groups', 'delete', 'editors']);
    expect(deleted.stdout).toBe('Deleted group editors.\n');
    expect(await groupNames()).toEqual(['readers']);
    expect(await holdings('ada@example.com')).toEqual({ groups: [], permissions: ['post.delete'] });
  });
});

describe('help and migrations', () => {
  it('prints help for every new command', async () => {
    for (const command of [
      ['permissions', 'list'],
      ['groups'],
      ['groups', 'list'],
      ['groups', 'create'],
      ['groups', 'grant'],
      ['groups', 'revoke'],
      ['groups', 'delete'],
      ['users', 'grant'],
      ['users', 'revoke'],
      ['users', 'add-to-group'],
      ['users', 'remove-from-group'],
      ['users', 'perms'],
    ]) {
      const result = await cli([...command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Usage: gatehouse/);
    }
  });

  it('refuses to work on a database that is not migrated', async () => {
    const fresh = await createTestDatabase();
    try {
      const result = await runInProcess(['groups', 'list'], { cwd, env: databaseEnv(fresh) });
      expectRefused(result, /not up to date: run `gatehouse migrate` first/);
    } finally {
      await fresh.drop();
    }
  });
});

describe('a resource removed from the config', () => {
  it('is reported by migrate and deleted only on request, with --force when held', async () => {
    await cli(['groups', 'create', 'bloggers', '--grant', 'post.view']);
    writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify({ resources: [] }));
    try {
      const migrated = await cli(['migrate']);
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toMatch(/Kept post\.view: .* held by 1 group\(s\) and 0 user\(s\) directly/);
      expect(migrated.stdout).toMatch(/Kept post\.add: /);

      expectRefused(await cli(['permissions', 'delete', 'post.view']), /held by 1 group\(s\).*--force/);
      const unheld = await cli(['permissions', 'delete', 'post.add']);
      expect(unheld.stdout).toBe('Deleted post.add.\n');
      const forced = await cli(['permissions', 'delete', 'post.view', '--force']);
      expect(forced.stdout).toBe('Deleted post.view and every grant of it.\n');
      expectRefused(await cli(['permissions', 'delete', 'post.view']), /There is no permission post\.view/);
      const left = await withFreshAuth(async (auth) =>
        (await auth.permissions.list()).map((p) => p.codename),
      );
      expect(left).not.toContain('post.view');
      expect(left).not.toContain('post.add');
      expect(left).toContain('post.change');
    } finally {
      writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify({ resources: ['post'] }));
      await cli(['migrate']);
    }
  });
});
