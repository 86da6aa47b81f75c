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

/** A resource and its actions; Django's defaults are add, view, change and delete. */
export type ResourceDeclaration = string | { name: string; actions?: readonly string[]; label?: string };

/** An app's extra say in `hasPerm`: true grants, anything else leaves the decision to the others. */
export interface PermissionBackend<F extends CustomFields = NoCustomFields> {
  readonly name: string;
  hasPerm(user: User<F>, permission: string, obj: unknown): boolean | Promise<boolean>;
}

export const DEFAULT_ACTIONS = ['add', 'view', 'change', 'delete'] as const;
const CODENAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
const CACHE_SIZE = 10_000;

export class Permissions<F extends CustomFields = NoCustomFields> {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #backends: readonly PermissionBackend<F>[];
  readonly #cache = new Map<string, { version: number; codenames: ReadonlySet<string> }>();
  #version = 0;

  constructor(options: { database: Database; now: () => Date; backends?: readonly PermissionBackend<F>[] }) {
    this.#database = options.database;
    this.#now = options.now;
    this.#backends = options.backends ?? [];
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

  /** Creates the permissions of each declared resource that do not exist yet; returns the new ones. */
  async declareResources(resources: readonly ResourceDeclaration[]): Promise<Permission[]> {
    const created: Permission[] = [];
    for (const resource of resources) {
      const { name, actions } =
        typeof resource === 'string' ? { name: resource, actions: undefined } : resource;
      for (const action of new Set([...DEFAULT_ACTIONS, ...(actions ?? [])])) {
        const codename = `${name}.${action}`;
        if (!(await this.get(codename))) created.push(await this.create(codename));
      }
    }
    return created;
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

  /** Deletes a permission and every assignment of it. */
  async delete(codename: string): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('permissions')
      .where('codename', '=', codename)
      .executeTakeFirst();
    this.#changed();
    return Number(result.numDeletedRows) === 1;
  }

  async createGroup(name: string): Promise<Group> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 150)
      throw invalidRequest({ name: 'A group name is 1 to 150 characters.' });
    const group = { id: createId('grp', this.#now()), name: trimmed };
    try {
      await this.#database.db
        .insertInto('groups')
        .values({ ...group, created_at: this.#now() })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AuthError('conflict', 'A group with this name already exists.');
      throw error;
    }
    return group;
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

  listGroups(): Promise<Group[]> {
    return this.#database.db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute();
  }

  async deleteGroup(name: string): Promise<boolean> {
    const result = await this.#database.db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
    this.#changed();
    return Number(result.numDeletedRows) === 1;
  }

  /** Gives the group these permissions (all or none: an unknown codename changes nothing). */
  async grantToGroup(groupName: string, codenames: readonly string[]): Promise<void> {
    const group = await this.#requireGroup(groupName);
    const ids = await this.#permissionIds(codenames);
    if (ids.length > 0) {
      await this.#database.db
        .insertInto('group_permissions')
        .values(ids.map((id) => ({ group_id: group.id, permission_id: id })))
        .onConflict((c) => c.doNothing())
        .execute();
    }
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
    const rows = await this.#database.db
      .selectFrom('user_groups')
      .innerJoin('groups', 'groups.id', 'user_groups.group_id')
      .select('groups.name')
      .where('user_groups.user_id', '=', userId)
      .orderBy('groups.name')
      .execute();
    return rows.map((row) => row.name);
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

  /** Django's `has_perm`: the user's permissions, then each backend (for object-level grants). */
  async hasPerm(user: User<F>, permission: string, obj?: unknown): Promise<boolean> {
    if (!user.isActive) return false;
    if (obj === undefined && (await this.getAllPermissions(user)).has(permission)) return true;
    if (obj !== undefined && user.isSuperuser) return true;
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
    for (const codename of await this.getAllPermissions(user))
      if (codename.startsWith(`${resource}.`)) return true;
    return false;
  }

  #changed(): void {
    this.#version++;
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
    return (await direct.union(viaGroups).execute()).map((row) => row.codename);
  }
}

function defaultName(codename: string): string {
  const [resource = '', action = ''] = codename.split('.');
  return `Can ${action} ${resource.replace(/_/g, ' ')}`;
}
