import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const password = 'quartz-meadow-808';

describe('permissions and groups', () => {
  let t: TestAuth<Record<never, never>>;
  let n = 0;
  const newUser = (extra: { isSuperuser?: boolean } = {}) =>
    t.auth.users.create({ email: `user${++n}@example.com`, password, ...extra } as never) as Promise<User>;

  beforeAll(async () => {
    t = await createTestAuth({ resources: ['post', { name: 'invoice', actions: ['approve'] }] });
  });
  afterAll(() => t.close());

  it('creates add/view/change/delete for each declared resource plus custom actions, once', async () => {
    const codenames = (await t.auth.permissions.list())
      .map((p) => p.codename)
      .filter((codename) => !/^(user|group|permission|audit|webhook|tenant)\./.test(codename));
    expect(codenames).toEqual([
      'invoice.add',
      'invoice.approve',
      'invoice.change',
      'invoice.delete',
      'invoice.view',
      'post.add',
      'post.change',
      'post.delete',
      'post.view',
    ]);
    expect((await t.auth.permissions.get('post.change'))?.name).toBe('Can change post');
    const again = await t.auth.migrate();
    expect(again.permissions).toEqual([]);
  });

  it('gives a user direct permissions and group permissions, and takes them back', async () => {
    const user = await newUser();
    const { permissions } = t.auth;
    expect(await permissions.hasPerm(user, 'post.change')).toBe(false);
    await permissions.grantToUser(user.id, ['post.view']);
    await permissions.createGroup('editors');
    await permissions.grantToGroup('editors', ['post.change', 'post.add']);
    await permissions.addUserToGroup(user.id, 'editors');
    expect([...(await permissions.getAllPermissions(user))].sort()).toEqual([
      'post.add',
      'post.change',
      'post.view',
    ]);
    expect(await permissions.hasPerms(user, ['post.view', 'post.change'])).toBe(true);
    expect(await permissions.hasModulePerms(user, 'post')).toBe(true);
    expect(await permissions.hasModulePerms(user, 'invoice')).toBe(false);

    await permissions.removeUserFromGroup(user.id, 'editors');
    expect(await permissions.hasPerm(user, 'post.change')).toBe(false);
    await permissions.addUserToGroup(user.id, 'editors');
    await permissions.revokeFromGroup('editors', ['post.change']);
    expect(await permissions.hasPerm(user, 'post.change')).toBe(false);
    expect(await permissions.hasPerm(user, 'post.add')).toBe(true);
    expect(await permissions.groupsOf(user.id)).toEqual(['editors']);
  });

  it('gives an active superuser every permission and an inactive user none', async () => {
    const root = await newUser({ isSuperuser: true });
    expect(await t.auth.permissions.hasPerm(root, 'invoice.approve')).toBe(true);
    const user = await newUser();
    await t.auth.permissions.grantToUser(user.id, ['post.view']);
    const inactive = await t.auth.users.deactivate(user.id);
    expect(await t.auth.permissions.hasPerm(inactive, 'post.view')).toBe(false);
    const inactiveRoot = await t.auth.users.deactivate(root.id);
    expect(await t.auth.permissions.hasPerm(inactiveRoot, 'post.view')).toBe(false);
  });

  it('forgets a deleted permission and a deleted group at once', async () => {
    const user = await newUser();
    await t.auth.permissions.create('report.export');
    await t.auth.permissions.createGroup('analysts');
    await t.auth.permissions.grantToGroup('analysts', ['report.export']);
    await t.auth.permissions.addUserToGroup(user.id, 'analysts');
    expect(await t.auth.permissions.hasPerm(user, 'report.export')).toBe(true);
    await t.auth.permissions.deleteGroup('analysts');
    expect(await t.auth.permissions.hasPerm(user, 'report.export')).toBe(false);
    await t.auth.permissions.grantToUser(user.id, ['report.export']);
    expect(await t.auth.permissions.delete('report.export')).toBe(true);
    expect(await t.auth.permissions.hasPerm(user, 'report.export')).toBe(false);
  });

  it('refuses bad codenames, unknown permissions and duplicate groups, changing nothing', async () => {
    await expect(t.auth.permissions.create('Post.Change')).rejects.toMatchObject({ code: 'invalid_request' });
    const user = await newUser();
    await expect(t.auth.permissions.grantToUser(user.id, ['post.view', 'nope.nope'])).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await t.auth.permissions.hasPerm(user, 'post.view')).toBe(false);
    await expect(t.auth.permissions.grantToUser('usr_nobody', ['post.view'])).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.auth.permissions.addUserToGroup('usr_nobody', 'editors')).rejects.toMatchObject({
      code: 'not_found',
    });
    await t.auth.permissions.createGroup('dupes');
    await expect(t.auth.permissions.createGroup('dupes')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('agrees with a naive reference on random assignments', async () => {
    const codenames = ['post.add', 'post.view', 'post.change', 'post.delete', 'invoice.approve'];
    const groupNames = ['g0', 'g1', 'g2'];
    for (const name of groupNames)
      if (!(await t.auth.permissions.getGroup(name))) await t.auth.permissions.createGroup(name);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          direct: fc.subarray(codenames),
          groups: fc.tuple(fc.subarray(codenames), fc.subarray(codenames), fc.subarray(codenames)),
          member: fc.subarray(groupNames),
          superuser: fc.boolean(),
          active: fc.boolean(),
          asked: fc.constantFrom(...codenames),
        }),
        async (world) => {
          const { permissions } = t.auth;
          for (const [i, name] of groupNames.entries()) {
            await permissions.revokeFromGroup(name, codenames);
            await permissions.grantToGroup(name, world.groups[i] ?? []);
          }
          let user = await newUser({ isSuperuser: world.superuser });
          await permissions.grantToUser(user.id, world.direct);
          for (const name of world.member) await permissions.addUserToGroup(user.id, name);
          if (!world.active) user = await t.auth.users.deactivate(user.id);
          const expected =
            world.active &&
            (world.superuser ||
              world.direct.includes(world.asked) ||
              world.member.some((name) => world.groups[groupNames.indexOf(name)]?.includes(world.asked)));
          expect(await permissions.hasPerm(user, world.asked)).toBe(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('object-level permissions', () => {
  it('ask the app’s backends when an object is given', async () => {
    const t = await createTestAuth({
      resources: ['post'],
      permissionBackends: [
        {
          name: 'authors',
          hasPerm: (user, permission, obj) =>
            permission === 'post.change' && (obj as { authorId?: string } | undefined)?.authorId === user.id,
        },
      ],
    });
    const author = await t.auth.users.create({ email: 'author@example.com', password });
    const other = await t.auth.users.create({ email: 'other@example.com', password });
    const post = { authorId: author.id };
    expect(await t.auth.permissions.hasPerm(author, 'post.change', post)).toBe(true);
    expect(await t.auth.permissions.hasPerm(other, 'post.change', post)).toBe(false);
    expect(await t.auth.permissions.hasPerm(author, 'post.change')).toBe(false);
    await t.close();
  });
});

describe('replacing assignments', () => {
  let t: TestAuth<Record<never, never>>;
  beforeAll(async () => {
    t = await createTestAuth({ resources: ['post'] });
  });
  afterAll(() => t.close());

  it('creates a group with its permissions in one step, or not at all', async () => {
    const { permissions } = t.auth;
    const group = await permissions.createGroup('  reviewers ', ['post.view', 'post.change']);
    expect(group).toMatchObject({ name: 'reviewers', permissions: ['post.change', 'post.view'] });
    await expect(permissions.createGroup('broken', ['post.view', 'nope.nope'])).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await permissions.getGroup('broken')).toBeNull();
    await expect(permissions.createGroup(' ')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('replaces a user’s groups and direct permissions wholesale, all or nothing', async () => {
    const { permissions } = t.auth;
    const user = await t.auth.users.create({ email: 'swap@example.com', password });
    const a = await permissions.createGroup('a', ['post.add']);
    const b = await permissions.createGroup('b', ['post.delete']);
    await permissions.setUserGroups(user.id, [a.id, b.id, a.id]);
    expect(await permissions.groupsOf(user.id)).toEqual(['a', 'b']);
    await permissions.setUserGroups(user.id, [b.id]);
    expect(await permissions.hasPerm(user, 'post.add')).toBe(false);
    await expect(permissions.setUserGroups(user.id, ['grp_nope'])).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await permissions.groupsOf(user.id)).toEqual(['b']);

    await permissions.setUserPermissions(user.id, ['post.view', 'post.add']);
    expect(await permissions.directPermissionsOf(user.id)).toEqual(['post.add', 'post.view']);
    await expect(permissions.setUserPermissions(user.id, ['nope.nope'])).rejects.toMatchObject({
      code: 'not_found',
    });
    await permissions.setUserPermissions(user.id, []);
    expect([...(await permissions.getAllPermissions(user))]).toEqual(['post.delete']);
    await expect(permissions.setUserPermissions('usr_nobody', ['post.view'])).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('renames a group and replaces its permissions; a taken name changes nothing', async () => {
    const { permissions } = t.auth;
    const group = await permissions.createGroup('old name', ['post.view']);
    await permissions.createGroup('taken');
    await expect(
      permissions.updateGroup(group.id, { name: 'taken', permissions: ['post.add'] }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await permissions.getGroupById(group.id)).toEqual({ ...group, permissions: ['post.view'] });
    const updated = await permissions.updateGroup(group.id, { name: 'new name', permissions: ['post.add'] });
    expect(updated).toEqual({ id: group.id, name: 'new name', permissions: ['post.add'] });
    await expect(permissions.updateGroup('grp_nope', { name: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('gives an active superuser even a permission that does not exist (Django’s rule)', async () => {
    const root = await t.auth.users.create({ email: 'root@example.com', password, isSuperuser: true });
    expect(await t.auth.permissions.hasPerm(root, 'anything.at_all')).toBe(true);
    expect(await t.auth.permissions.hasModulePerms(root, 'anything')).toBe(true);
  });
});

describe('resources removed from the config', () => {
  it('are reported by migrate with who still holds them, and never deleted', async () => {
    const first = await createTestAuth({ resources: ['post', { name: 'invoice', actions: ['approve'] }] });
    const user = await first.auth.users.create({ email: 'holder@example.com', password });
    await first.auth.permissions.grantToUser(user.id, ['invoice.approve']);
    await first.auth.permissions.createGroup('accounting', ['invoice.approve', 'invoice.view']);
    await first.auth.permissions.create('report.export');
    await first.auth.close();

    const second = await createTestAuth({ resources: ['post'] }, first.db);
    try {
      const result = await second.auth.migrate();
      expect(result.permissions).toEqual([]);
      expect(result.stalePermissions.map((p) => [p.codename, p.groups, p.users])).toEqual([
        ['invoice.add', 0, 0],
        ['invoice.approve', 1, 1],
        ['invoice.change', 0, 0],
        ['invoice.delete', 0, 0],
        ['invoice.view', 1, 0],
      ]);
      expect(await second.auth.permissions.hasPerm(user, 'invoice.approve')).toBe(true);
    } finally {
      await second.auth.close();
      await first.db.drop();
    }
  });
});
