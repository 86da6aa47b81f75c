/** The tenants domain: tenants, policies, members and their groups, and permissions held in a tenant. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

let t: TestAuth<Record<never, never>>;
let n = 0;
const slug = () => `org-${++n}`;
const newUser = (pool?: string) =>
  t.auth.users.create(
    { email: `person${++n}@example.com`, password: 'correct horse battery' },
    pool ? { pool } : {},
  );

beforeAll(async () => {
  t = await createTestAuth();
  await t.auth.permissions.createGroup('Editors', ['group.view', 'group.change']);
  await t.auth.permissions.createGroup('Viewers', ['group.view']);
});
afterAll(() => t.close());

describe('tenants', () => {
  it('has a default tenant of the shared pool that cannot be disabled', async () => {
    const fallback = await t.auth.tenants.defaultTenant();
    expect(fallback).toMatchObject({ id: 'default', slug: 'default', pool: 'shared', poolId: 'default' });
    await expect(t.auth.tenants.update('default', { isActive: false })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('creates, finds by id or slug, renames and disables a tenant', async () => {
    const created = await t.auth.tenants.create({ slug: slug(), name: ' Acme ', pool: 'isolated' });
    expect(created).toMatchObject({ name: 'Acme', pool: 'isolated', poolId: created.id, isActive: true });
    expect((await t.auth.tenants.find(created.slug))?.id).toBe(created.id);
    expect((await t.auth.tenants.find(created.id))?.slug).toBe(created.slug);
    const renamed = await t.auth.tenants.update(created.id, { name: 'Acme Corp', isActive: false });
    expect(renamed).toMatchObject({ name: 'Acme Corp', isActive: false });
    // The change is seen at once by the instance that made it.
    expect((await t.auth.tenants.resolve(created.slug))?.isActive).toBe(false);
  });

  it('refuses a bad slug, a taken slug, a bad logo and a malformed policy', async () => {
    for (const bad of ['', 'Acme', '-acme', 'acme-', 'a'.repeat(64), 'ac me', 'acme/x']) {
      await expect(t.auth.tenants.create({ slug: bad, name: 'X' }), bad).rejects.toMatchObject({
        code: 'invalid_request',
        fields: { slug: expect.any(String) },
      });
    }
    const taken = slug();
    await t.auth.tenants.create({ slug: taken, name: 'X' });
    await expect(t.auth.tenants.create({ slug: taken, name: 'Y' })).rejects.toMatchObject({
      code: 'conflict',
    });
    for (const logoUrl of ['javascript:alert(1)', 'http://cdn.example.com/x.png', '//evil.example/x.png']) {
      await expect(
        t.auth.tenants.create({ slug: slug(), name: 'X', logoUrl }),
        logoUrl,
      ).rejects.toMatchObject({
        fields: { logoUrl: expect.any(String) },
      });
    }
    await expect(
      t.auth.tenants.create({ slug: slug(), name: 'X', policy: { allowedEmailDomains: ['not a domain'] } }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      t.auth.tenants.create({ slug: slug(), name: 'X', policy: { signUp: 'yes' } as never }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('fills a policy: every method on, sign-up open in an isolated pool and by invitation in an organisation', async () => {
    const org = await t.auth.tenants.create({ slug: slug(), name: 'Org' });
    const pool = await t.auth.tenants.create({ slug: slug(), name: 'Pool', pool: 'isolated' });
    expect(org.policy).toEqual({
      methods: { password: true, magicLink: true, emailCode: true, passkey: true, social: null },
      mfaRequired: false,
      allowedEmailDomains: [],
      signUp: false,
    });
    expect(pool.policy.signUp).toBe(true);
    const changed = await t.auth.tenants.update(org.id, {
      policy: { methods: { password: false }, allowedEmailDomains: ['Acme.Example'] },
    });
    expect(changed.policy.methods).toMatchObject({ password: false, magicLink: true });
    expect(changed.policy.allowedEmailDomains).toEqual(['acme.example']);
  });

  it('lists tenants by slug a page at a time', async () => {
    const first = await t.auth.tenants.list({ limit: 2 });
    expect(first.tenants).toHaveLength(2);
    const second = await t.auth.tenants.list({ limit: 2, cursor: first.nextCursor });
    const slugs = [...first.tenants, ...second.tenants].map((tenant) => tenant.slug);
    expect(slugs).toEqual([...slugs].sort());
    expect(new Set(slugs).size).toBe(slugs.length);
  });
});

describe('members', () => {
  it('adds members with groups held in that tenant only', async () => {
    const org = await t.auth.tenants.create({ slug: slug(), name: 'Org' });
    const user = await newUser();
    await t.auth.tenants.addMember(org.id, user.id, { groups: ['Editors'] });
    expect((await t.auth.tenants.member(org.id, user.id))?.groups).toEqual(['Editors']);
    await t.auth.tenants.setMemberGroups(org.id, user.id, ['Viewers']);
    expect((await t.auth.tenants.member(org.id, user.id))?.groups).toEqual(['Viewers']);
    expect((await t.auth.tenants.tenantsOf(user.id)).map((m) => m.tenant.id)).toEqual([org.id]);
    expect(await t.auth.tenants.removeMember(org.id, user.id)).toBe(true);
    expect(await t.auth.tenants.member(org.id, user.id)).toBeNull();
    expect(await t.auth.tenants.removeMember(org.id, user.id)).toBe(false);
  });

  it('refuses an account of another pool and a group that does not exist, adding nobody', async () => {
    const isolated = await t.auth.tenants.create({ slug: slug(), name: 'Pool', pool: 'isolated' });
    const shared = await newUser();
    await expect(t.auth.tenants.addMember(isolated.id, shared.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    const local = await newUser(isolated.id);
    await expect(t.auth.tenants.addMember(isolated.id, local.id, { groups: ['Nope'] })).rejects.toMatchObject(
      {
        code: 'not_found',
        fields: { groups: expect.any(String) },
      },
    );
    expect(await t.auth.tenants.isMember(isolated.id, local.id)).toBe(false);
  });

  it('pages through members', async () => {
    const org = await t.auth.tenants.create({ slug: slug(), name: 'Org' });
    for (let i = 0; i < 3; i++) await t.auth.tenants.addMember(org.id, (await newUser()).id);
    const first = await t.auth.tenants.members(org.id, { limit: 2 });
    const second = await t.auth.tenants.members(org.id, { limit: 2, cursor: first.nextCursor });
    expect(first.members).toHaveLength(2);
    expect(second.members).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });
});

describe('hasPerm in a tenant', () => {
  it('grants what the groups held there grant, nowhere else, and follows changes at once', async () => {
    const a = await t.auth.tenants.create({ slug: slug(), name: 'A' });
    const b = await t.auth.tenants.create({ slug: slug(), name: 'B' });
    const user = await newUser();
    await t.auth.tenants.addMember(a.id, user.id, { groups: ['Editors'] });
    await t.auth.tenants.addMember(b.id, user.id, { groups: ['Viewers'] });
    const can = (perm: string, tenant?: string) =>
      t.auth.permissions.hasPerm(user, perm, tenant ? { tenant } : undefined);
    expect(await can('group.change', a.id)).toBe(true);
    expect(await can('group.change', b.id)).toBe(false);
    expect(await can('group.view', b.id)).toBe(true);
    expect(await can('group.change')).toBe(false);
    expect(await t.auth.permissions.hasPerm(user, 'group.change', { tenant: a })).toBe(true);
    await t.auth.tenants.setMemberGroups(a.id, user.id, []);
    expect(await can('group.change', a.id)).toBe(false);
  });

  it("adds the user's own permissions for a member, gives a non-member nothing, and a superuser everything", async () => {
    const org = await t.auth.tenants.create({ slug: slug(), name: 'Org' });
    const user = await newUser();
    await t.auth.permissions.grantToUser(user.id, ['permission.view']);
    expect(await t.auth.permissions.hasPerm(user, 'permission.view', { tenant: org.id })).toBe(false);
    await t.auth.tenants.addMember(org.id, user.id);
    expect(await t.auth.permissions.hasPerm(user, 'permission.view', { tenant: org.id })).toBe(true);
    const root = await t.auth.users.create({
      email: `root${++n}@example.com`,
      password: 'correct horse battery',
      isSuperuser: true,
    });
    expect(await t.auth.permissions.hasPerm(root, 'group.delete', { tenant: org.id })).toBe(true);
  });
});
