/**
 * Tenants (organisations) and their members.
 *
 * A tenant is found by its slug (in the path `/auth/t/{slug}/…`, a header or
 * a subdomain; see `src/http/tenant-resolution.ts`). Each draws its accounts
 * from a user pool: the shared one (one account, many organisations — who may
 * enter is who is a member) or its own isolated pool (the same email is
 * another account there, with its own password, sessions and factors). The
 * default tenant (`default`) serves every request that names no tenant and
 * owns the shared pool, so a single-tenant app never meets any of this.
 *
 * A member holds groups in the tenant (`tenant_member_groups`): roles that
 * grant their permissions there only (`permissions.hasPerm(user, perm,
 * { tenant })`).
 *
 * Lookups by slug are cached in process for `cacheSeconds` (default 10 s):
 * every request of a tenant resolves it, and a tenant's settings change
 * rarely. A change made through this instance is seen at once; with Redis,
 * other instances are told at once too; without, they see it within that bound.
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import { DEFAULT_POOL, type User, userFromRow } from '../accounts/user.js';
import { createId } from '../crypto.js';
import type { Database } from '../db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { readBool, readDate, readJson } from '../db/values.js';
import { AuthError, invalidRequest } from '../errors.js';
import {
  mergePolicy,
  normalisePolicy,
  type TenantPolicy,
  type TenantPolicyInput,
  tenantPolicySchema,
} from './policy.js';

export const DEFAULT_TENANT_ID = 'default';

export type TenantPool = 'shared' | 'isolated';

/** Whether the tenant is the default one (every request that names none). */
export function isDefaultTenant(tenant: { id: string }): boolean {
  return tenant.id === DEFAULT_TENANT_ID;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  pool: TenantPool;
  /** The pool its accounts live in: `default` (shared) or the tenant's own id (isolated). */
  poolId: string;
  isActive: boolean;
  /** An https (or same-site path) image shown on its sign-in pages. */
  logoUrl: string | null;
  policy: TenantPolicy;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateTenantInput {
  slug: string;
  name: string;
  /** Default `shared`. Fixed once created: moving accounts between pools is not a setting. */
  pool?: TenantPool;
  logoUrl?: string | null;
  policy?: TenantPolicyInput;
}

export interface UpdateTenantInput {
  name?: string;
  logoUrl?: string | null;
  isActive?: boolean;
  /** Merged into the current policy (`methods` key by key). */
  policy?: TenantPolicyInput;
}

export interface Membership<F extends CustomFields = NoCustomFields> {
  user: User<F>;
  /** Names of the groups the member holds in this tenant. */
  groups: string[];
  joinedAt: Date;
}

export interface TenantOfUser {
  tenant: Tenant;
  groups: string[];
  joinedAt: Date;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 150;
const PAGE_LIMIT = 100;

export class Tenants<F extends CustomFields = NoCustomFields> {
  readonly #database: Database;
  readonly #now: () => Date;
  readonly #fields: F;
  readonly #signUpDefault: boolean;
  readonly #cacheMs: number;
  readonly #bySlug = new Map<string, { tenant: Tenant | null; at: number }>();
  readonly #onMembershipChange: () => void;
  readonly #onTenantChange: (slug: string) => void;

  constructor(options: {
    database: Database;
    now: () => Date;
    fields: F;
    /** Whether the default tenant's policy opens sign-up when it does not say (`signUp.enabled`). */
    signUpEnabled: boolean;
    cacheSeconds?: number;
    /** Called after a membership or a member's groups change (the permission cache listens). */
    onMembershipChange?: () => void;
    /** Called after a tenant's settings change here (the other instances' caches are told). */
    onTenantChange?: (slug: string) => void;
  }) {
    this.#onTenantChange = options.onTenantChange ?? (() => {});
    this.#onMembershipChange = options.onMembershipChange ?? (() => {});
    this.#database = options.database;
    this.#now = options.now;
    this.#fields = options.fields;
    this.#signUpDefault = options.signUpEnabled;
    this.#cacheMs = (options.cacheSeconds ?? 10) * 1000;
  }

  /** Creates a tenant; `conflict` if the slug is taken. */
  async create(input: CreateTenantInput): Promise<Tenant> {
    const slug = checkSlug(input.slug);
    const name = checkName(input.name);
    const pool = input.pool ?? 'shared';
    if (pool !== 'shared' && pool !== 'isolated') throw invalidRequest({ pool: 'Use shared or isolated.' });
    const now = this.#now();
    try {
      const row = await this.#database.db
        .insertInto('tenants')
        .values({
          id: createId('ten', now),
          slug,
          name,
          pool,
          is_active: true,
          logo_url: checkLogo(input.logoUrl ?? null),
          policy: JSON.stringify(checkPolicy(input.policy ?? {})),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // An instance may have cached "no such tenant" for this slug.
      this.#bySlug.delete(slug);
      this.#onTenantChange(slug);
      return this.#fromRow(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'A tenant with this slug already exists.', {
          fields: { slug: 'A tenant with this slug already exists.' },
          cause: error,
        });
      throw error;
    }
  }

  /** The tenant with this id, or null. */
  async get(id: string): Promise<Tenant | null> {
    const row = await this.#database.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.#fromRow(row) : null;
  }

  /** The tenant by id or, failing that, by slug (what admin routes and the CLI accept). */
  async find(idOrSlug: string): Promise<Tenant | null> {
    return (await this.get(idOrSlug)) ?? (SLUG.test(idOrSlug) ? this.#loadBySlug(idOrSlug) : null);
  }

  /** The tenant a request names by slug, from the cache when fresh; null if there is none. */
  async resolve(slug: string): Promise<Tenant | null> {
    const cached = this.#bySlug.get(slug);
    const now = Date.now();
    if (cached && now - cached.at < this.#cacheMs) return cached.tenant;
    if (!SLUG.test(slug)) return null;
    const tenant = await this.#loadBySlug(slug);
    if (this.#bySlug.size >= 10_000) this.#bySlug.delete(this.#bySlug.keys().next().value as string);
    this.#bySlug.set(slug, { tenant, at: now });
    return tenant;
  }

  /** The tenant of this slug if the cache holds it fresh (null: there is none); undefined when it must be read. */
  cached(slug: string): Tenant | null | undefined {
    const entry = this.#bySlug.get(slug);
    return entry && Date.now() - entry.at < this.#cacheMs ? entry.tenant : undefined;
  }

  /** Drops a tenant (or every tenant) from the cache: another instance changed it. */
  forget(slug?: string): void {
    if (slug === undefined) this.#bySlug.clear();
    else this.#bySlug.delete(slug);
  }

  /** The default tenant (cached like the others). */
  async defaultTenant(): Promise<Tenant> {
    const tenant = await this.resolve(DEFAULT_TENANT_ID);
    if (!tenant) throw new Error('The default tenant is missing: run the migrations.');
    return tenant;
  }

  /** Tenants by slug, a page at a time (`cursor`: the last slug of the previous page). */
  async list(
    options: { cursor?: string | null; limit?: number } = {},
  ): Promise<{ tenants: Tenant[]; nextCursor: string | null }> {
    const limit = pageLimit(options.limit);
    let query = this.#database.db
      .selectFrom('tenants')
      .selectAll()
      .orderBy('slug')
      .limit(limit + 1);
    if (options.cursor) query = query.where('slug', '>', options.cursor);
    const rows = await query.execute();
    const tenants = rows.slice(0, limit).map((row) => this.#fromRow(row));
    return { tenants, nextCursor: rows.length > limit ? (tenants.at(-1)?.slug ?? null) : null };
  }

  /** Renames, enables or disables, rebrands or changes the policy; `not_found` if there is no such tenant. */
  async update(id: string, change: UpdateTenantInput): Promise<Tenant> {
    const current = await this.get(id);
    if (!current) throw new AuthError('not_found', 'There is no such tenant.');
    if (change.isActive === false && id === DEFAULT_TENANT_ID)
      throw invalidRequest({ isActive: 'The default tenant cannot be disabled.' });
    const values = {
      updated_at: this.#now(),
      ...(change.name !== undefined ? { name: checkName(change.name) } : {}),
      ...(change.logoUrl !== undefined ? { logo_url: checkLogo(change.logoUrl) } : {}),
      ...(change.isActive !== undefined ? { is_active: change.isActive } : {}),
      ...(change.policy !== undefined
        ? { policy: JSON.stringify(mergePolicy(current.policy, checkPolicy(change.policy))) }
        : {}),
    };
    const row = await this.#database.db
      .updateTable('tenants')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.#bySlug.delete(current.slug);
    this.#onTenantChange(current.slug);
    return this.#fromRow(row);
  }

  /**
   * Adds the user to the tenant with these groups (by name), or replaces the
   * groups of a member. The user must belong to the tenant's pool: an account
   * of another isolated pool is `not_found` here.
   */
  async addMember(
    tenantId: string,
    userId: string,
    options: { groups?: readonly string[] } = {},
    executor?: Executor,
  ): Promise<void> {
    const write = async (trx: Executor) => {
      const tenant = await this.#require(tenantId, trx);
      const groupIds = await this.#groupIds(options.groups ?? [], trx);
      const user = await trx
        .selectFrom('users')
        .select('pool_id')
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!user || user.pool_id !== tenant.poolId) throw new AuthError('not_found', 'There is no such user.');
      await trx
        .insertInto('tenant_members')
        .values({ tenant_id: tenantId, user_id: userId, created_at: this.#now() })
        .onConflict((c) => c.doNothing())
        .execute();
      await this.#writeGroups(trx, tenantId, userId, groupIds);
    };
    if (executor) await write(executor);
    else await writeTransaction(this.#database, write);
    this.#onMembershipChange();
  }

  /** Replaces a member's groups in the tenant; `not_found` if the user is not a member. */
  async setMemberGroups(tenantId: string, userId: string, groups: readonly string[]): Promise<void> {
    const groupIds = await this.#groupIds(groups);
    await writeTransaction(this.#database, async (trx) => {
      const member = await trx
        .selectFrom('tenant_members')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!member) throw new AuthError('not_found', 'That user is not a member of this tenant.');
      await this.#writeGroups(trx, tenantId, userId, groupIds);
    });
    this.#onMembershipChange();
  }

  /** Removes the user from the tenant (their groups there go too); false if they were not a member. */
  async removeMember(tenantId: string, userId: string): Promise<boolean> {
    const result = await this.#database.db
      .deleteFrom('tenant_members')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    this.#onMembershipChange();
    return Number(result.numDeletedRows) > 0;
  }

  async isMember(tenantId: string, userId: string): Promise<boolean> {
    const row = await this.#database.db
      .selectFrom('tenant_members')
      .select('user_id')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** One member with their groups, or null. */
  async member(tenantId: string, userId: string): Promise<Membership<F> | null> {
    const { members } = await this.#members(tenantId, { userId });
    return members[0] ?? null;
  }

  /** The tenant's members by join date (`cursor`: the previous page's `nextCursor`). */
  members(
    tenantId: string,
    options: { cursor?: string | null; limit?: number } = {},
  ): Promise<{ members: Membership<F>[]; nextCursor: string | null }> {
    return this.#members(tenantId, options);
  }

  /** The active tenants the user is a member of, with their groups there (the tenant picker). */
  async tenantsOf(userId: string): Promise<TenantOfUser[]> {
    const rows = await this.#database.db
      .selectFrom('tenant_members')
      .innerJoin('tenants', 'tenants.id', 'tenant_members.tenant_id')
      .selectAll('tenants')
      .select('tenant_members.created_at as joined_at')
      .where('tenant_members.user_id', '=', userId)
      .where('tenants.is_active', '=', true)
      .orderBy('tenants.name')
      .execute();
    const groups = await this.#groupsByTenant(
      userId,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({
      tenant: this.#fromRow(row),
      groups: groups.get(row.id) ?? [],
      joinedAt: readDate(row.joined_at),
    }));
  }

  async #members(
    tenantId: string,
    options: { cursor?: string | null; limit?: number; userId?: string },
  ): Promise<{ members: Membership<F>[]; nextCursor: string | null }> {
    const limit = pageLimit(options.limit);
    let query = this.#database.db
      .selectFrom('tenant_members')
      .innerJoin('users', 'users.id', 'tenant_members.user_id')
      .selectAll('users')
      .select('tenant_members.created_at as joined_at')
      .where('tenant_members.tenant_id', '=', tenantId)
      .orderBy('tenant_members.user_id')
      .limit(limit + 1);
    if (options.userId) query = query.where('tenant_members.user_id', '=', options.userId);
    if (options.cursor) query = query.where('tenant_members.user_id', '>', options.cursor);
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const groups = await this.#groupsByUser(
      tenantId,
      page.map((row) => row.id),
    );
    return {
      members: page.map((row) => ({
        user: userFromRow(this.#fields, row as Record<string, unknown>),
        groups: groups.get(row.id) ?? [],
        joinedAt: readDate(row.joined_at),
      })),
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async #groupsByUser(tenantId: string, userIds: string[]): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    if (userIds.length === 0) return byUser;
    const rows = await this.#database.db
      .selectFrom('tenant_member_groups')
      .innerJoin('groups', 'groups.id', 'tenant_member_groups.group_id')
      .select(['tenant_member_groups.user_id', 'groups.name'])
      .where('tenant_member_groups.tenant_id', '=', tenantId)
      .where('tenant_member_groups.user_id', 'in', userIds)
      .orderBy('groups.name')
      .execute();
    for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.name]);
    return byUser;
  }

  async #groupsByTenant(userId: string, tenantIds: string[]): Promise<Map<string, string[]>> {
    const byTenant = new Map<string, string[]>();
    if (tenantIds.length === 0) return byTenant;
    const rows = await this.#database.db
      .selectFrom('tenant_member_groups')
      .innerJoin('groups', 'groups.id', 'tenant_member_groups.group_id')
      .select(['tenant_member_groups.tenant_id', 'groups.name'])
      .where('tenant_member_groups.user_id', '=', userId)
      .where('tenant_member_groups.tenant_id', 'in', tenantIds)
      .orderBy('groups.name')
      .execute();
    for (const row of rows) byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), row.name]);
    return byTenant;
  }

  async #writeGroups(trx: Executor, tenantId: string, userId: string, groupIds: readonly string[]) {
    await trx
      .deleteFrom('tenant_member_groups')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .execute();
    if (groupIds.length === 0) return;
    try {
      await trx
        .insertInto('tenant_member_groups')
        .values(groupIds.map((groupId) => ({ tenant_id: tenantId, user_id: userId, group_id: groupId })))
        .execute();
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new AuthError('not_found', 'There is no such group.');
      throw error;
    }
  }

  async #groupIds(names: readonly string[], executor: Executor = this.#database.db): Promise<string[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    const rows = await executor
      .selectFrom('groups')
      .select(['id', 'name'])
      .where('name', 'in', unique)
      .execute();
    const missing = unique.filter((name) => !rows.some((row) => row.name === name));
    if (missing.length > 0)
      throw new AuthError('not_found', `There is no group named ${missing.join(', ')}.`, {
        fields: { groups: `There is no group named ${missing.join(', ')}.` },
      });
    return rows.map((row) => row.id);
  }

  async #require(id: string, executor: Executor): Promise<Tenant> {
    const row = await executor.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AuthError('not_found', 'There is no such tenant.');
    return this.#fromRow(row);
  }

  async #loadBySlug(slug: string): Promise<Tenant | null> {
    const row = await this.#database.db
      .selectFrom('tenants')
      .selectAll()
      .where('slug', '=', slug)
      .executeTakeFirst();
    return row ? this.#fromRow(row) : null;
  }

  #fromRow(row: {
    id: string;
    slug: string;
    name: string;
    pool: string;
    is_active: unknown;
    logo_url: string | null;
    policy: unknown;
    created_at: unknown;
    updated_at: unknown;
  }): Tenant {
    const pool: TenantPool = row.pool === 'isolated' ? 'isolated' : 'shared';
    const isDefault = row.id === DEFAULT_TENANT_ID;
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      pool,
      poolId: pool === 'isolated' ? row.id : DEFAULT_POOL,
      isActive: readBool(row.is_active),
      logoUrl: row.logo_url,
      policy: normalisePolicy(readJson(row.policy), {
        signUp: isDefault ? this.#signUpDefault : pool === 'isolated',
      }),
      createdAt: readDate(row.created_at),
      updatedAt: readDate(row.updated_at),
    };
  }
}

function checkSlug(slug: unknown): string {
  if (typeof slug !== 'string' || !SLUG.test(slug))
    throw invalidRequest({
      slug: 'A slug is 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
    });
  return slug;
}

function checkPolicy(policy: unknown): TenantPolicyInput {
  const parsed = tenantPolicySchema.safeParse(policy);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[['policy', ...issue.path].join('.')] ??= issue.message;
    throw invalidRequest(fields);
  }
  return parsed.data;
}

function checkName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '' || [...trimmed].length > MAX_NAME)
    throw invalidRequest({ name: `A name is 1 to ${MAX_NAME} characters.` });
  return trimmed;
}

/** A logo is an https URL or a path on this site: never `javascript:`, `data:` or plain http. */
function checkLogo(url: string | null): string | null {
  if (url === null || url === '') return null;
  const ok =
    typeof url === 'string' &&
    url.length <= 2048 &&
    ((url.startsWith('/') && !url.startsWith('//') && !url.includes('\\')) || isHttpsUrl(url));
  if (!ok) throw invalidRequest({ logoUrl: 'Use an https URL or a path on this site.' });
  return url;
}

function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT)
    throw invalidRequest({ limit: `Between 1 and ${PAGE_LIMIT}.` });
  return limit;
}
