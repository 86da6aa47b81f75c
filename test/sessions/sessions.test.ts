import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const password = 'tidal-beacon-6060';
const start = new Date('2026-03-01T12:00:00.000Z');
let clock = start;
const advance = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

let t: TestAuth<Record<never, never>>;
let uncached: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth({ now: () => clock });
  uncached = await createTestAuth({ now: () => clock, sessions: { cacheSize: 0 } }, t.db);
});
afterAll(async () => {
  await uncached.close();
  await t.close();
});
beforeEach(() => {
  clock = start;
});

let counter = 0;
async function newUser() {
  counter += 1;
  return t.auth.users.create({ email: `s${counter}@example.com`, password });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const rowOf = (id: string) =>
  t.auth.database.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

describe('sessions.create', () => {
  it('returns a 256-bit token and stores only its SHA-256', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id, {
      ip: '203.0.113.9',
      userAgent: 'test',
      amr: ['pwd'],
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(session).toMatchObject({
      userId: user.id,
      ip: '203.0.113.9',
      userAgent: 'test',
      amr: ['pwd'],
      data: {},
    });
    expect(session.expiresAt.getTime() - start.getTime()).toBe(14 * 24 * 3600 * 1000);
    const row = await rowOf(session.id);
    expect(row?.token_hash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('refuses an inactive or unknown user', async () => {
    const user = await newUser();
    await t.auth.users.deactivate(user.id);
    await expect(t.auth.sessions.create(user.id)).rejects.toThrow(AuthError);
    await expect(t.auth.sessions.create('usr_nobody')).rejects.toThrow(AuthError);
  });
});

describe('sessions.validate', () => {
  it('opens the session and its user for the right token only', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id);
    const found = await t.auth.sessions.validate(token);
    expect(found?.session.id).toBe(session.id);
    expect(found?.user.email).toBe(user.email);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [tampered, '', 'x'.repeat(43), token.slice(1), `${token}=`, null, 42, { token }]) {
      expect(await t.auth.sessions.validate(bad)).toBeNull();
    }
  });

  it('ends a session unused for longer than the idle window', async () => {
    const user = await newUser();
    const { token } = await t.auth.sessions.create(user.id);
    advance(2 * 24 * 3600 + 1);
    expect(await t.auth.sessions.validate(token)).toBeNull();
  });

  it('keeps a used session alive past the idle window, but never past the absolute expiry', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id);
    for (let day = 0; day < 13; day++) {
      advance(24 * 3600);
      expect(await t.auth.sessions.validate(token)).not.toBeNull();
    }
    advance(24 * 3600 + 1);
    expect(await t.auth.sessions.validate(token)).toBeNull();
    expect(await uncached.auth.sessions.validate(token)).toBeNull();
    expect(await rowOf(session.id)).toBeUndefined();
  });

  it('writes last_seen_at at most once a minute', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id);
    advance(30);
    await t.auth.sessions.validate(token);
    expect(new Date(String((await rowOf(session.id))?.last_seen_at)).getTime()).toBe(start.getTime());
    advance(31);
    await t.auth.sessions.validate(token);
    expect(new Date(String((await rowOf(session.id))?.last_seen_at)).getTime()).toBe(
      start.getTime() + 61_000,
    );
  });

  it('serves a repeat validation from memory, and only when the cache is on', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id);
    expect(await t.auth.sessions.validate(token)).not.toBeNull();
    // Remove the row behind the service's back: only a cache hit can still answer.
    await t.auth.database.db.deleteFrom('sessions').where('id', '=', session.id).execute();
    expect(await t.auth.sessions.validate(token)).not.toBeNull();
    expect(await uncached.auth.sessions.validate(token)).toBeNull();
    // Past the cache's maximum age the database is asked again, so a removal by another instance is seen.
    advance(6);
    expect(await t.auth.sessions.validate(token)).toBeNull();
  });
});

describe('ending sessions', () => {
  it('revoke takes effect on the very next validation, cached or not', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id);
    expect(await t.auth.sessions.validate(token)).not.toBeNull();
    expect(await t.auth.sessions.revoke(session.id)).toBe(true);
    expect(await t.auth.sessions.validate(token)).toBeNull();
    expect(await t.auth.sessions.revoke(session.id)).toBe(false);
  });

  it('revokeAllForUser can keep the current session', async () => {
    const user = await newUser();
    const a = await t.auth.sessions.create(user.id);
    const b = await t.auth.sessions.create(user.id);
    const c = await t.auth.sessions.create(user.id);
    for (const s of [a, b, c]) await t.auth.sessions.validate(s.token);
    expect(await t.auth.sessions.revokeAllForUser(user.id, { except: a.session.id })).toBe(2);
    expect(await t.auth.sessions.validate(a.token)).not.toBeNull();
    expect(await t.auth.sessions.validate(b.token)).toBeNull();
    expect(await t.auth.sessions.validate(c.token)).toBeNull();
    expect((await t.auth.sessions.list(user.id)).map((s) => s.id)).toEqual([a.session.id]);
  });

  it('a password change ends every session of the user, even cached ones', async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = await t.auth.sessions.create(user.id);
    const theirs = await t.auth.sessions.create(other.id);
    await t.auth.sessions.validate(mine.token);
    await t.auth.users.setPassword(user.id, 'another-tidal-beacon-7');
    expect(await t.auth.sessions.validate(mine.token)).toBeNull();
    expect(await uncached.auth.sessions.validate(mine.token)).toBeNull();
    expect(await t.auth.sessions.validate(theirs.token)).not.toBeNull();
  });

  it('a password change made by another instance ends the sessions too', async () => {
    const user = await newUser();
    const { token } = await uncached.auth.sessions.create(user.id);
    await t.auth.users.setPassword(user.id, 'yet-another-beacon-8');
    expect(await uncached.auth.sessions.validate(token)).toBeNull();
  });

  it('deactivation ends every session; a profile change is seen at once', async () => {
    const user = await newUser();
    const { token } = await t.auth.sessions.create(user.id);
    await t.auth.sessions.validate(token);
    await t.auth.users.update(user.id, { firstName: 'Renamed' });
    expect((await t.auth.sessions.validate(token))?.user.firstName).toBe('Renamed');
    await t.auth.users.deactivate(user.id);
    expect(await t.auth.sessions.validate(token)).toBeNull();
    await t.auth.users.activate(user.id);
    expect(await t.auth.sessions.validate(token)).toBeNull();
  });

  it('deleteExpired removes only sessions past their absolute expiry', async () => {
    const user = await newUser();
    const old = await t.auth.sessions.create(user.id);
    advance(10 * 24 * 3600);
    const recent = await t.auth.sessions.create(user.id);
    advance(5 * 24 * 3600);
    expect(await t.auth.sessions.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await rowOf(old.session.id)).toBeUndefined();
    expect(await rowOf(recent.session.id)).toBeDefined();
  });
});

describe('session data', () => {
  it('stores small JSON data and refuses oversized or non-object data', async () => {
    const user = await newUser();
    const { session, token } = await t.auth.sessions.create(user.id, { data: { cart: [1] } });
    expect((await t.auth.sessions.validate(token))?.session.data).toEqual({ cart: [1] });
    await t.auth.sessions.setData(session.id, { cart: [1, 2], theme: 'dark' });
    expect((await t.auth.sessions.validate(token))?.session.data).toEqual({ cart: [1, 2], theme: 'dark' });
    const big = await t.auth.sessions
      .setData(session.id, { blob: 'x'.repeat(5000) })
      .catch((e: unknown) => e);
    expect((big as AuthError).code).toBe('invalid_request');
    const list = await t.auth.sessions.setData(session.id, [] as never).catch((e: unknown) => e);
    expect((list as AuthError).code).toBe('invalid_request');
    expect((await t.auth.sessions.validate(token))?.session.data).toEqual({ cart: [1, 2], theme: 'dark' });
    await expect(t.auth.sessions.setData('ses_missing', {})).rejects.toThrow(AuthError);
  });
});
