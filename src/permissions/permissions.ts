/**
 * Authorization, Django's way: permissions named `resource.action`, groups
 * (the roles) that carry permissions, and users who hold permissions through
 * their groups or directly. A user's permissions are their direct ones ∪
 * their groups' ∪ (every permission, if an active superuser); an inactive
 * user has none.
 *
 * `getAllPermissions` is one query, kept in a bounded in-process cache that
 * every assignment change empties (the cache is stamped with a version the
 * writes bump), so a check after a change never sees the old answer.
 * Object-level checks (`hasPerm(user, perm, obj)`) ask the app's permission
 * backends, like Django's `has_perm(perm, obj)`.
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { createId } from '../crypto.js';
import type { Database } from '../db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { AuthError, invalidRequest } from '../errors.js';

export interface Permission {
  id: string;
  codename: string;
  name: string;
}

export interface Group {
  id: string;
  name: string;
}

/** A group with the codenames of its permissions. */
export interface GroupDetail extends Group {
  permissions: string[];
}

/** A permission `gatehouse migrate` made for a resource that is no longer declared, and who still holds it. */
export interface StalePermission extends Permission {
  groups: number;
  users: number;
}

/** A resource and its actions; Django's defaults (add, view, change, delete) unless `defaultActions: false`. */
export type ResourceDeclaration =
  | string
  | { name: string; actions?: readonly string[]; defaultActions?: boolean; label?: string };

/** An app's extra say in `hasPerm`: true grants, anything else leaves the decision to the others. */
export interface PermissionBackend<F extends CustomFields = NoCustomFields> {
  readonly name: string;
  hasPerm(user: User<F>, permission: string, obj: unknown): boolean | Promise<boolean>;
}

export const DEFAULT_ACTIONS = ['add', 'view', 'change', 'delete'] as const;
/** Gatehouse's own resources: their permissions guard the admin API. */
export const BUILT_IN_RESOURCES: readonly ResourceDeclaration[] = [
  { name: 'user', actions: ['impersonate'] },
  'group',
  'permission',
  { name: 'audit', actions: ['view'], defaultActions: false },
  { name: 'webhook', actions: ['view', 'change'], defaultActions: false },
  { name: 'tenant', actions: ['manage_members'] },
];
const CODENAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
const CACHE_SIZE = 10_000;

export class Permissions<F extends CustomFields = NoCustomFields> {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #backends: readonly PermissionBackend<F>[];
  readonly #cache = new Map<string, { version: number; codenames: ReadonlySet<string> }>();
  readonly #onChange: () => void;
  #version = 0;

  constructor(options: {
    database: Database;
    now: () => Date;
    backends?: readonly PermissionBackend<F>[];
    /** Called after every change this instance makes (the other instances' caches are told). */
    onChange?: () => void;
  }) {
    this.#database = options.database;
    this.#now = options.now;
    this.#backends = options.backends ?? [];
    this.#onChange = options.onChange ?? (() => {});
  }

  /** Creates a permission, or returns the one with this codename. */
  async create(codename: string, name?: string): Promise<Permission> {
    if (!CODENAME.test(codename)) {
      throw invalidRequest({
        codename: 'A permission is named resource.action, in lower case (post.change).',
      });
    }
    const existing = await this.get(codename);
    if (existing) return existing;
    const row = {
      id: createId('prm', this.#now()),
      codename,
      name: name ?? defaultName(codename),
      created_at: this.#now(),
    };
    try {
      await this.#database.db.insertInto('permissions').values(row).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return (await this.get(codename)) as Permission;
  }

  /**
   * Creates the permissions of each declared resource that do not exist yet
   * and marks them as declared. Returns the new ones, and the declared ones
   * whose resource or action has left the list: those are kept (they may
   * still be assigned) and reported, never deleted here.
   */
  async declareResources(
    resources: readonly ResourceDeclaration[],
  ): Promise<{ created: Permission[]; stale: StalePermission[] }> {
    const wanted = new Set<string>();
    for (const resource of resources) {
      const {
        name,
        actions = [],
        defaultActions = true,
      } = typeof resource === 'string' ? { name: resource } : resource;
      for (const action of [...(defaultActions ? DEFAULT_ACTIONS : []), ...actions]) {
        wanted.add(`${name}.${action}`);
      }
    }
    const created: Permission[] = [];
    for (const codename of wanted) {
      if (!(await this.get(codename))) created.push(await this.create(codename));
    }
    const db = this.#database.db;
    if (wanted.size > 0) {
      await db
        .updateTable('permissions')
        .set({ declared: true })
        .where('codename', 'in', [...wanted])
        .execute();
    }
    const declared = await db
      .selectFrom('permissions')
      .select(['id', 'codename', 'name'])
      .select((eb) => [
        eb
          .selectFrom('group_permissions')
          .whereRef('group_permissions.permission_id', '=', 'permissions.id')
          .select((c) => c.fn.countAll().as('n'))
          .as('groups'),
        eb
          .selectFrom('user_permissions')
          .whereRef('user_permissions.permission_id', '=', 'permissions.id')
          .select((c) => c.fn.countAll().as('n'))
          .as('users'),
      ])
      .where('declared', '=', true)
      .orderBy('codename')
      .execute();
    const stale = declared
      .filter((row) => !wanted.has(row.codename))
      .map((row) => ({ ...row, groups: Number(row.groups), users: Number(row.users) }));
    return { created, stale };
  }

  async get(codename: string): Promise<Permission | null> {
    const row = await this.#database.db
      .selectFrom('permissions')
      .select(['id', 'codename', 'name'])
      .where('codename', '=', codename)
      .executeTakeFirst();
    return row ?? null;
  }

  list(): Promise<Permission[]> {
    return this.#database.db
      .selectFrom('permissions')
      .select(['id', 'codename', 'name'])
      .orderBy('codename')
      .execute();
  }

  /** How many groups, and how many users directly, hold the permission; null if there is none. */
  async holders(codename: string): Promise<{ groups: number; users: number } | null> {
    const permission = await this.get(codename);
    if (!permission) return null;
    const db = this.#database.db;
    const [groups, users] = await Promise.all([
      db
        .selectFrom('group_permissions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('permission_id', '=', permission.id)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('user_permissions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('permission_id', '=', permission.id)
        .executeTakeFirstOrThrow(),
    ]);
    return { groups: Number(groups.n), users: Number(users.n) };
  }

  /** Deletes a permission and every assignment of it. */
  async delete(codename: string): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('permissions')
      .where('codename', '=', codename)
      .executeTakeFirst();
    this.#changed();
    return Number(result.numDeletedRows) === 1;
  }

  /** Creates a group, with these permissions if given (all or none: an unknown codename creates nothing). */
  async createGroup(name: string, codenames: readonly string[] = []): Promise<GroupDetail> {
    const group = { id: createId('grp', this.#now()), name: groupName(name) };
    const ids = await this.#permissionIds(codenames);
    try {
      await writeTransaction(this.#database, async (trx) => {
        await trx
          .insertInto('groups')
          .values({ ...group, created_at: this.#now() })
          .execute();
        await insertGroupPermissions(trx, group.id, ids);
      });
    } catch (error) {
      throw asGroupConflict(error);
    }
    return { ...group, permissions: [...new Set(codenames)].sort() };
  }

  async getGroup(name: string): Promise<Group | null> {
    return (
      (await this.#database.db
        .selectFrom('groups')
        .select(['id', 'name'])
        .where('name', '=', name)
        .executeTakeFirst()) ?? null
    );
  }

  async getGroupById(id: string): Promise<GroupDetail | null> {
    return (await this.describeGroups([id]))[0] ?? null;
  }

  listGroups(): Promise<Group[]> {
    return this.#database.db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute();
  }

  /** Groups with their permissions, by name: every group, or those with these ids. */
  async describeGroups(ids?: readonly string[]): Promise<GroupDetail[]> {
    if (ids?.length === 0) return [];
    const db = this.#database.db;
    let groups = db.selectFrom('groups').select(['id', 'name']).orderBy('name');
    let links = db
      .selectFrom('group_permissions')
      .innerJoin('permissions', 'permissions.id', 'group_permissions.permission_id')
      .select(['group_permissions.group_id as groupId', 'permissions.codename'])
      .orderBy('permissions.codename');
    if (ids) {
      groups = groups.where('id', 'in', [...ids]);
      links = links.where('group_permissions.group_id', 'in', [...ids]);
    }
    const byGroup = new Map<string, string[]>();
    for (const link of await links.execute()) {
      const list = byGroup.get(link.groupId) ?? [];
      list.push(link.codename);
      byGroup.set(link.groupId, list);
    }
    return (await groups.execute()).map((group) => ({ ...group, permissions: byGroup.get(group.id) ?? [] }));
  }

  /** Renames a group and/or replaces its permissions, in one transaction. */
  async updateGroup(
    id: string,
    patch: { name?: string; permissions?: readonly string[] },
  ): Promise<GroupDetail> {
    const name = patch.name === undefined ? undefined : groupName(patch.name);
    const ids = patch.permissions ? await this.#permissionIds(patch.permissions) : null;
    try {
      await writeTransaction(this.#database, async (trx) => {
        const found = await trx.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst();
        if (!found) throw new AuthError('not_found', 'There is no such group.');
        if (name !== undefined) await trx.updateTable('groups').set({ name }).where('id', '=', id).execute();
        if (ids) {
          await trx.deleteFrom('group_permissions').where('group_id', '=', id).execute();
          await insertGroupPermissions(trx, id, ids);
        }
      });
    } catch (error) {
      throw asGroupConflict(error);
    } finally {
      this.#changed();
    }
    return (await this.getGroupById(id)) as GroupDetail;
  }

  async deleteGroup(name: string): Promise<boolean> {
    const result = await this.#database.db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
    this.#changed();
    return Number(result.numDeletedRows) === 1;
  }

  async deleteGroupById(id: string): Promise<boolean> {
    const result = await this.#database.db.deleteFrom('groups').where('id', '=', id).executeTakeFirst();
    this.#changed();
    return Number(result.numDeletedRows) === 1;
  }

  /** Gives the group these permissions (all or none: an unknown codename changes nothing). */
  async grantToGroup(groupName: string, codenames: readonly string[]): Promise<void> {
    const group = await this.#requireGroup(groupName);
    await insertGroupPermissions(this.#database.db, group.id, await this.#permissionIds(codenames));
    this.#changed();
  }

  async revokeFromGroup(groupName: string, codenames: readonly string[]): Promise<void> {
    const group = await this.#requireGroup(groupName);
    const ids = await this.#permissionIds(codenames);
    if (ids.length > 0) {
      await this.#database.db
        .deleteFrom('group_permissions')
        .where('group_id', '=', group.id)
        .where('permission_id', 'in', ids)
        .execute();
    }
    this.#changed();
  }

  async addUserToGroup(userId: string, groupName: string): Promise<void> {
    const group = await this.#requireGroup(groupName);
    await this.#assignToUser(() =>
      this.#database.db
        .insertInto('user_groups')
        .values({ user_id: userId, group_id: group.id })
        .onConflict((c) => c.doNothing())
        .execute(),
    );
    this.#changed();
  }

  async removeUserFromGroup(userId: string, groupName: string): Promise<void> {
    const group = await this.#requireGroup(groupName);
    await this.#database.db
      .deleteFrom('user_groups')
      .where('user_id', '=', userId)
      .where('group_id', '=', group.id)
      .execute();
    this.#changed();
  }

  /** The names of the user's groups. */
  async groupsOf(userId: string): Promise<string[]> {
    return (await this.memberships(userId)).map((group) => group.name);
  }

  /** The user's groups, by name. */
  memberships(userId: string): Promise<Group[]> {
    return this.#database.db
      .selectFrom('user_groups')
      .innerJoin('groups', 'groups.id', 'user_groups.group_id')
      .select(['groups.id', 'groups.name'])
      .where('user_groups.user_id', '=', userId)
      .orderBy('groups.name')
      .execute();
  }

  /** Replaces the user's groups with these (by id), in one transaction. */
  async setUserGroups(userId: string, groupIds: readonly string[]): Promise<void> {
    const ids = [...new Set(groupIds)];
    if (ids.length > 0) {
      const found = await this.#database.db
        .selectFrom('groups')
        .select('id')
        .where('id', 'in', ids)
        .execute();
      const missing = ids.filter((id) => !found.some((row) => row.id === id));
      if (missing.length > 0) throw new AuthError('not_found', `There is no group ${missing.join(', ')}.`);
    }
    await this.#assignToUser(() =>
      writeTransaction(this.#database, async (trx) => {
        await trx.deleteFrom('user_groups').where('user_id', '=', userId).execute();
        if (ids.length > 0) {
          await trx
            .insertInto('user_groups')
            .values(ids.map((id) => ({ user_id: userId, group_id: id })))
            .execute();
        }
      }),
    );
    this.#changed();
  }

  /** The codenames of the permissions the user holds directly (not through groups). */
  async directPermissionsOf(userId: string): Promise<string[]> {
    const rows = await this.#database.db
      .selectFrom('user_permissions')
      .innerJoin('permissions', 'permissions.id', 'user_permissions.permission_id')
      .select('permissions.codename')
      .where('user_permissions.user_id', '=', userId)
      .orderBy('permissions.codename')
      .execute();
    return rows.map((row) => row.codename);
  }

  /** Replaces the user's direct permissions with these, in one transaction. */
  async setUserPermissions(userId: string, codenames: readonly string[]): Promise<void> {
    const ids = await this.#permissionIds(codenames);
    await this.#assignToUser(() =>
      writeTransaction(this.#database, async (trx) => {
        await trx.deleteFrom('user_permissions').where('user_id', '=', userId).execute();
        if (ids.length > 0) {
          await trx
            .insertInto('user_permissions')
            .values(ids.map((id) => ({ user_id: userId, permission_id: id })))
            .execute();
        }
      }),
    );
    this.#changed();
  }

  async grantToUser(userId: string, codenames: readonly string[]): Promise<void> {
    const ids = await this.#permissionIds(codenames);
    if (ids.length > 0) {
      await this.#assignToUser(() =>
        this.#database.db
          .insertInto('user_permissions')
          .values(ids.map((id) => ({ user_id: userId, permission_id: id })))
          .onConflict((c) => c.doNothing())
          .execute(),
      );
    }
    this.#changed();
  }

  async revokeFromUser(userId: string, codenames: readonly string[]): Promise<void> {
    const ids = await this.#permissionIds(codenames);
    if (ids.length > 0) {
      await this.#database.db
        .deleteFrom('user_permissions')
        .where('user_id', '=', userId)
        .where('permission_id', 'in', ids)
        .execute();
    }
    this.#changed();
  }

  /** Every permission the user holds: direct ∪ groups' ∪ all for an active superuser; none if inactive. */
  async getAllPermissions(user: {
    id: string;
    isActive: boolean;
    isSuperuser: boolean;
  }): Promise<ReadonlySet<string>> {
    if (!user.isActive) return new Set();
    const key = user.isSuperuser ? '*superuser' : user.id;
    const cached = this.#cache.get(key);
    if (cached && cached.version === this.#version) return cached.codenames;
    const version = this.#version;
    const codenames = new Set(
      user.isSuperuser ? await this.#allCodenames() : await this.#codenamesOf(user.id),
    );
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(key, { version, codenames });
    return codenames;
  }

  /**
   * The permissions the user holds in a tenant: their own (direct and through
   * their groups) with those of the groups they hold there — for a member;
   * none for anyone else but an active superuser. In the default tenant, the
   * user's own permissions.
   */
  async getTenantPermissions(
    user: { id: string; isActive: boolean; isSuperuser: boolean },
    tenantId: string,
  ): Promise<ReadonlySet<string>> {
    if (!user.isActive || user.isSuperuser || tenantId === DEFAULT_TENANT)
      return this.getAllPermissions(user);
    const key = `${user.id}@${tenantId}`;
    const cached = this.#cache.get(key);
    if (cached && cached.version === this.#version) return cached.codenames;
    const version = this.#version;
    const codenames = new Set(
      (await this.#isMember(user.id, tenantId))
        ? [...(await this.getAllPermissions(user)), ...(await this.#tenantCodenamesOf(user.id, tenantId))]
        : [],
    );
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(key, { version, codenames });
    return codenames;
  }

  /**
   * Django's `has_perm`: true for an active superuser whatever the permission,
   * else the user's permissions, then each backend (for object-level grants).
   * With `{ tenant }` (a tenant's id, or the tenant) as the object, the check
   * is made in that tenant (see `getTenantPermissions`): a role held in one
   * tenant grants nothing in another.
   */
  async hasPerm(user: User<F>, permission: string, obj?: unknown): Promise<boolean> {
    if (!user.isActive) return false;
    if (user.isSuperuser) return true;
    const tenantId = scopedTenant(obj);
    if (tenantId !== null && (await this.getTenantPermissions(user, tenantId)).has(permission)) return true;
    if (obj === undefined && (await this.getAllPermissions(user)).has(permission)) return true;
    for (const backend of this.#backends) {
      if ((await backend.hasPerm(user, permission, obj)) === true) return true;
    }
    return false;
  }

  async hasPerms(user: User<F>, permissions: readonly string[], obj?: unknown): Promise<boolean> {
    for (const permission of permissions) if (!(await this.hasPerm(user, permission, obj))) return false;
    return true;
  }

  /** Whether the user holds any permission on the resource (Django's `has_module_perms`). */
  async hasModulePerms(user: User<F>, resource: string): Promise<boolean> {
    if (user.isActive && user.isSuperuser) return true;
    for (const codename of await this.getAllPermissions(user))
      if (codename.startsWith(`${resource}.`)) return true;
    return false;
  }

  /**
   * Drops every cached answer: for assignments made outside this object
   * (tenant memberships), or by another instance.
   */
  invalidate(): void {
    this.#version++;
  }

  #changed(): void {
    this.#version++;
    this.#onChange();
  }

  async #isMember(userId: string, tenantId: string): Promise<boolean> {
    const row = await this.#database.db
      .selectFrom('tenant_members')
      .select('user_id')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #tenantCodenamesOf(userId: string, tenantId: string): Promise<string[]> {
    const rows = await this.#database.db
      .selectFrom('tenant_member_groups')
      .innerJoin('group_permissions', 'group_permissions.group_id', 'tenant_member_groups.group_id')
      .innerJoin('permissions', 'permissions.id', 'group_permissions.permission_id')
      .select('permissions.codename')
      .where('tenant_member_groups.user_id', '=', userId)
      .where('tenant_member_groups.tenant_id', '=', tenantId)
      .execute();
    return rows.map((row) => row.codename);
  }

  /** Runs an insert that names a user; a user that does not exist is `not_found`, not a driver error. */
  async #assignToUser(insert: () => Promise<unknown>): Promise<void> {
    try {
      await insert();
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new AuthError('not_found', 'There is no such user.');
      throw error;
    }
  }

  async #requireGroup(name: string): Promise<Group> {
    const group = await this.getGroup(name);
    if (!group) throw new AuthError('not_found', `There is no group named ${name}.`);
    return group;
  }

  async #permissionIds(codenames: readonly string[]): Promise<string[]> {
    if (codenames.length === 0) return [];
    const rows = await this.#database.db
      .selectFrom('permissions')
      .select(['id', 'codename'])
      .where('codename', 'in', [...codenames])
      .execute();
    const missing = codenames.filter((codename) => !rows.some((row) => row.codename === codename));
    if (missing.length > 0) throw new AuthError('not_found', `There is no permission ${missing.join(', ')}.`);
    return rows.map((row) => row.id);
  }

  async #allCodenames(): Promise<string[]> {
    return (await this.#database.db.selectFrom('permissions').select('codename').execute()).map(
      (r) => r.codename,
    );
  }

  async #codenamesOf(userId: string): Promise<string[]> {
    const db = this.#database.db;
    const direct = db
      .selectFrom('user_permissions')
      .innerJoin('permissions', 'permissions.id', 'user_permissions.permission_id')
      .select('permissions.codename')
      .where('user_permissions.user_id', '=', userId);
    const viaGroups = db
      .selectFrom('user_groups')
      .innerJoin('group_permissions', 'group_permissions.group_id', 'user_groups.group_id')
      .innerJoin('permissions', 'permissions.id', 'group_permissions.permission_id')
      .select('permissions.codename')
      .where('user_groups.user_id', '=', userId);
    // UNION ALL: the caller's Set removes duplicates for less than the database would charge.
    return (await direct.unionAll(viaGroups).execute()).map((row) => row.codename);
  }
}

/** The default tenant's id (`tenants/` sits above this module, so the value is repeated here). */
const DEFAULT_TENANT = 'default';

/** The tenant a `{ tenant }` scope names (by id, or a tenant object), or null when `obj` is not such a scope. */
function scopedTenant(obj: unknown): string | null {
  if (typeof obj !== 'object' || obj === null || Object.keys(obj).length !== 1) return null;
  const { tenant } = obj as { tenant?: unknown };
  if (typeof tenant === 'string') return tenant;
  if (typeof tenant === 'object' && tenant !== null && typeof (tenant as { id?: unknown }).id === 'string')
    return (tenant as { id: string }).id;
  return null;
}

async function insertGroupPermissions(db: Executor, groupId: string, permissionIds: readonly string[]) {
  if (permissionIds.length === 0) return;
  await db
    .insertInto('group_permissions')
    .values(permissionIds.map((id) => ({ group_id: groupId, permission_id: id })))
    .onConflict((c) => c.doNothing())
    .execute();
}

function groupName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '' || [...trimmed].length > 150)
    throw invalidRequest({ name: 'A group name is 1 to 150 characters.' });
  return trimmed;
}

function asGroupConflict(error: unknown): unknown {
  if (isUniqueViolation(error))
    return new AuthError('conflict', 'A group with this name already exists.', {
      fields: { name: 'A group with this name already exists.' },
      cause: error,
    });
  return error;
}

function defaultName(codename: string): string {
  const [resource = '', action = ''] = codename.split('.');
  return `Can ${action} ${resource.replace(/_/g, ' ')}`;
}
