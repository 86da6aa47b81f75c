import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const password = 'lantern-orbit-52';

let t: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth();
});
afterAll(() => t.close());

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('users.create', () => {
  it('stores a normalised email and returns the user without any hash', async () => {
    const user = await t.auth.users.create({
      email: '  Grace.Hopper@Example.com ',
      password,
      firstName: 'Grace',
    });
    expect(user.id).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(user.email).toBe('grace.hopper@example.com');
    expect(user).toMatchObject({
      firstName: 'Grace',
      lastName: '',
      isActive: true,
      isStaff: false,
      isSuperuser: false,
      emailVerified: false,
      hasUsablePassword: true,
      lastLoginAt: null,
    });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(JSON.stringify(user)).not.toContain('argon2');
    expect(Object.keys(user)).not.toContain('passwordHash');
  });

  it('hashes the password with argon2id and never stores it in clear', async () => {
    const user = await t.auth.users.create({ email: 'hash@example.com', password });
    const row = await t.auth.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(password);
    expect(await t.auth.users.checkPassword(user.id, password)).toBe(true);
    expect(await t.auth.users.checkPassword(user.id, `${password}x`)).toBe(false);
  });

  it('treats emails differing only in case or width as the same account', async () => {
    await t.auth.users.create({ email: 'case@example.com', password });
    const error = await rejection(t.auth.users.create({ email: 'CASE@EXAMPLE.COM', password }));
    expect(error.code).toBe('conflict');
    expect(error.fields).toEqual({ email: 'A user with this email already exists.' });
    expect((await rejection(t.auth.users.create({ email: 'ｃａｓｅ@example.com', password }))).code).toBe(
      'conflict',
    );
  });

  it('keeps usernames optional and unique case-insensitively', async () => {
    const a = await t.auth.users.create({ email: 'u1@example.com', password, username: 'Ada_L' });
    expect(a.username).toBe('ada_l');
    const b = await t.auth.users.create({ email: 'u2@example.com', password });
    const c = await t.auth.users.create({ email: 'u3@example.com', password });
    expect([b.username, c.username]).toEqual([null, null]);
    const error = await rejection(
      t.auth.users.create({ email: 'u4@example.com', password, username: 'ADA_l' }),
    );
    expect(error.code).toBe('conflict');
    expect(error.fields).toHaveProperty('username');
  });

  it('reports every invalid field at once', async () => {
    const error = await rejection(
      t.auth.users.create({
        email: 'not-an-email',
        password,
        username: 'has space',
        firstName: 'x'.repeat(151),
        isStaff: 'yes' as unknown as boolean,
        passwordHint: 'my cat',
      } as never),
    );
    expect(error.code).toBe('invalid_request');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual([
      'email',
      'firstName',
      'isStaff',
      'passwordHint',
      'username',
    ]);
  });

  it('refuses a weak password with every validator message', async () => {
    const error = await rejection(t.auth.users.create({ email: 'weak@example.com', password: '1234' }));
    expect(error.code).toBe('password_invalid');
    expect(error.fields?.password).toMatch(/at least 8/);
    expect(error.fields?.password).toMatch(/numeric|digits/i);
    expect(await t.auth.users.getByEmail('weak@example.com')).toBeNull();
  });

  it('refuses a password too similar to the email', async () => {
    const error = await rejection(
      t.auth.users.create({ email: 'margaret.hamilton@example.com', password: 'margaret.hamilton' }),
    );
    expect(error.code).toBe('password_invalid');
  });

  it('skips password validation when asked to, for imports', async () => {
    const user = await t.auth.users.create(
      { email: 'import@example.com', password: '1234' },
      { validatePassword: false },
    );
    expect(await t.auth.users.checkPassword(user.id, '1234')).toBe(true);
  });

  it('creates a user without a usable password when none is given', async () => {
    const user = await t.auth.users.create({ email: 'social@example.com' });
    expect(user.hasUsablePassword).toBe(false);
    expect(await t.auth.users.checkPassword(user.id, '')).toBe(false);
    expect(await t.auth.users.checkPassword(user.id, '!')).toBe(false);
  });

  it('creates a superuser who is staff', async () => {
    const user = await t.auth.users.createSuperuser({ email: 'root@example.com', password });
    expect(user).toMatchObject({ isStaff: true, isSuperuser: true, isActive: true });
  });
});

describe('users lookups', () => {
  it('finds by id, email (any case) and username', async () => {
    const user = await t.auth.users.create({ email: 'find@example.com', password, username: 'finder' });
    expect((await t.auth.users.get(user.id))?.email).toBe('find@example.com');
    expect((await t.auth.users.getByEmail(' FIND@example.com'))?.id).toBe(user.id);
    expect((await t.auth.users.getByUsername('Finder'))?.id).toBe(user.id);
    expect((await t.auth.users.getByIdentifier('finder'))?.id).toBe(user.id);
    expect((await t.auth.users.getByIdentifier('Find@Example.com'))?.id).toBe(user.id);
    expect(await t.auth.users.get('usr_missing')).toBeNull();
    expect(await t.auth.users.getByEmail('nobody@example.com')).toBeNull();
    expect(await t.auth.users.getByEmail('not an email')).toBeNull();
  });
});

describe('users.update', () => {
  it('changes the given fields and leaves the others', async () => {
    const user = await t.auth.users.create({
      email: 'upd@example.com',
      password,
      firstName: 'Old',
      lastName: 'Name',
    });
    const updated = await t.auth.users.update(user.id, {
      firstName: 'New',
      isStaff: true,
      metadata: { plan: 'pro' },
    });
    expect(updated).toMatchObject({
      firstName: 'New',
      lastName: 'Name',
      isStaff: true,
      metadata: { plan: 'pro' },
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    expect(await t.auth.users.get(user.id)).toEqual(updated);
  });

  it('clears email verification when the email changes', async () => {
    const user = await t.auth.users.create({ email: 'verified@example.com', password, emailVerified: true });
    expect(user.emailVerified).toBe(true);
    const same = await t.auth.users.update(user.id, { email: 'VERIFIED@example.com' });
    expect(same.emailVerified).toBe(true);
    const changed = await t.auth.users.update(user.id, { email: 'moved@example.com' });
    expect(changed).toMatchObject({
      email: 'moved@example.com',
      emailVerified: false,
      emailVerifiedAt: null,
    });
  });

  it('refuses a taken email with conflict and an unknown user with not_found', async () => {
    await t.auth.users.create({ email: 'taken@example.com', password });
    const other = await t.auth.users.create({ email: 'other@example.com', password });
    expect((await rejection(t.auth.users.update(other.id, { email: 'Taken@example.com' }))).code).toBe(
      'conflict',
    );
    expect((await rejection(t.auth.users.update('usr_nope', { firstName: 'x' }))).code).toBe('not_found');
  });

  it('refuses a password in update, pointing to setPassword', async () => {
    const user = await t.auth.users.create({ email: 'nopw@example.com', password });
    const error = await rejection(t.auth.users.update(user.id, { password: 'x' } as never));
    expect(error.fields).toHaveProperty('password');
    expect(await t.auth.users.checkPassword(user.id, password)).toBe(true);
  });

  it('refuses metadata that is not a bounded JSON object', async () => {
    const user = await t.auth.users.create({ email: 'meta@example.com', password });
    expect((await rejection(t.auth.users.update(user.id, { metadata: [] as never }))).fields).toHaveProperty(
      'metadata',
    );
    const huge = { blob: 'x'.repeat(20_000) };
    expect((await rejection(t.auth.users.update(user.id, { metadata: huge }))).fields).toHaveProperty(
      'metadata',
    );
  });
});

describe('passwords of users', () => {
  it('setPassword validates, replaces the hash and emits password_changed', async () => {
    const user = await t.auth.users.create({ email: 'setpw@example.com', password });
    const seen: string[] = [];
    const off = t.auth.on('password_changed', ({ user }) => void seen.push(user.id));
    expect((await rejection(t.auth.users.setPassword(user.id, 'password'))).code).toBe('password_invalid');
    await t.auth.users.setPassword(user.id, 'new-lantern-orbit-99');
    off();
    expect(seen).toEqual([user.id]);
    expect(await t.auth.users.checkPassword(user.id, password)).toBe(false);
    expect(await t.auth.users.checkPassword(user.id, 'new-lantern-orbit-99')).toBe(true);
  });

  it('setUnusablePassword stops password sign-in', async () => {
    const user = await t.auth.users.create({ email: 'unusable@example.com', password });
    const after = await t.auth.users.setUnusablePassword(user.id);
    expect(after.hasUsablePassword).toBe(false);
    expect(await t.auth.users.checkPassword(user.id, password)).toBe(false);
  });
});

describe('deactivate, activate, delete', () => {
  it('toggles isActive', async () => {
    const user = await t.auth.users.create({ email: 'active@example.com', password });
    expect((await t.auth.users.deactivate(user.id)).isActive).toBe(false);
    expect((await t.auth.users.activate(user.id)).isActive).toBe(true);
  });

  it('deletes a user and emits user_deleted once', async () => {
    const user = await t.auth.users.create({ email: 'gone@example.com', password });
    const deleted: string[] = [];
    const off = t.auth.on('user_deleted', ({ user }) => void deleted.push(user.email));
    expect(await t.auth.users.delete(user.id)).toBe(true);
    expect(await t.auth.users.delete(user.id)).toBe(false);
    off();
    expect(deleted).toEqual(['gone@example.com']);
    expect(await t.auth.users.get(user.id)).toBeNull();
  });
});

describe('users.list', () => {
  it('pages through every user exactly once, oldest first', async () => {
    const total = await t.auth.users.count();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof t.auth.users.list>> = await t.auth.users.list({
        limit: 3,
        cursor,
      });
      expect(page.users.length).toBeLessThanOrEqual(3);
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
  });

  it('searches email, username and names without treating % or _ as wildcards', async () => {
    await t.auth.users.create({ email: 'searchable@example.com', password, lastName: 'Lovelace' });
    const byName = await t.auth.users.list({ search: 'LOVEL' });
    expect(byName.users.map((u) => u.email)).toEqual(['searchable@example.com']);
    expect((await t.auth.users.list({ search: '%' })).users).toEqual([]);
  });
});

describe('signals', () => {
  it('emits user_created with the new user', async () => {
    const created: string[] = [];
    const off = t.auth.on('user_created', ({ user }) => void created.push(user.email));
    await t.auth.users.create({ email: 'signal@example.com', password });
    off();
    expect(created).toEqual(['signal@example.com']);
  });

  it('a throwing listener neither fails the operation nor stops other listeners', async () => {
    const after: string[] = [];
    const offs = [
      t.auth.on('user_created', () => {
        throw new Error('listener bug');
      }),
      t.auth.on('user_created', async () => {
        throw new Error('async listener bug');
      }),
      t.auth.on('user_created', ({ user }) => void after.push(user.email)),
    ];
    const user = await t.auth.users.create({ email: 'robust@example.com', password });
    for (const off of offs) off();
    expect(user.email).toBe('robust@example.com');
    expect(after).toEqual(['robust@example.com']);
  });
});
