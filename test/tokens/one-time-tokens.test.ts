import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, createAuth, type TokenPurpose } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const password = 'tidal-beacon-6060';
const start = new Date('2026-03-01T12:00:00.000Z');
let clock = start;
const advance = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

let t: TestAuth<Record<never, never>>;
beforeAll(async () => {
  t = await createTestAuth({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  clock = start;
});

let counter = 0;
async function newUser() {
  counter += 1;
  return t.auth.users.create({ email: `t${counter}@example.com`, password });
}
const freshEmail = () => {
  counter += 1;
  return `otp${counter}@example.com`;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const rowOf = (id: string) =>
  t.auth.database.db.selectFrom('one_time_tokens').selectAll().where('id', '=', id).executeTakeFirst();
/** A 6-digit code that is not `code`. */
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('issue and consume', () => {
  it('mints a 256-bit link token, stores only its SHA-256, and gives it back once with its user', async () => {
    const user = await newUser();
    const issued = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
      data: { redirectTo: '/welcome' },
    });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(issued.token, 'base64url')).toHaveLength(32);
    expect(issued.id).toMatch(/^ott_/);
    expect(issued.expiresAt.getTime() - start.getTime()).toBe(24 * 3600 * 1000);

    const row = await rowOf(issued.id);
    expect(row?.token_hash).toBe(sha256(issued.token));
    expect(JSON.stringify(row)).not.toContain(issued.token);

    const consumed = await t.auth.tokens.consume('email_verification', issued.token);
    expect(consumed).toMatchObject({
      id: issued.id,
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
      data: { redirectTo: '/welcome' },
      usedAt: start,
    });
    expect(consumed?.user?.id).toBe(user.id);
    expect(await t.auth.tokens.consume('email_verification', issued.token)).toBeNull();
  });

  it('issues magic links to an address without an account', async () => {
    const email = freshEmail();
    const { token } = await t.auth.tokens.issue({ purpose: 'magic_link', email: ` ${email.toUpperCase()} ` });
    const consumed = await t.auth.tokens.consume('magic_link', token);
    expect(consumed).toMatchObject({ email, userId: null, user: null });
  });

  it('peek shows a usable token without using it', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    expect((await t.auth.tokens.peek('password_reset', token))?.userId).toBe(user.id);
    expect(await t.auth.tokens.peek('magic_link', token)).toBeNull();
    expect(await t.auth.tokens.consume('password_reset', token)).not.toBeNull();
    expect(await t.auth.tokens.peek('password_reset', token)).toBeNull();
  });

  it('has the default lifetimes: reset 1 h, magic link 15 min, code 10 min, verification and email change 24 h, invitation 7 days', async () => {
    const user = await newUser();
    const expected: Record<TokenPurpose, number> = {
      password_reset: 3600,
      magic_link: 900,
      email_otp: 600,
      mfa_email: 600,
      email_verification: 86_400,
      email_change: 86_400,
      invitation: 604_800,
    };
    for (const [purpose, seconds] of Object.entries(expected) as [TokenPurpose, number][]) {
      const issued = await t.auth.tokens.issue({ purpose, userId: user.id, email: user.email });
      expect(issued.expiresAt.getTime() - start.getTime()).toBe(seconds * 1000);
    }
  });

  it('refuses bad input', async () => {
    const user = await newUser();
    await expect(t.auth.tokens.issue({ purpose: 'password_reset', email: user.email })).rejects.toMatchObject(
      { code: 'invalid_request', fields: { userId: expect.any(String) } },
    );
    await expect(
      t.auth.tokens.issue({ purpose: 'nope' as TokenPurpose, email: user.email }),
    ).rejects.toMatchObject({ code: 'invalid_request', fields: { purpose: expect.any(String) } });
    await expect(
      t.auth.tokens.issue({ purpose: 'magic_link', email: user.email, data: { big: 'x'.repeat(3000) } }),
    ).rejects.toMatchObject({ code: 'invalid_request', fields: { data: expect.any(String) } });
    await expect(
      t.auth.tokens.issue({ purpose: 'password_reset', userId: 'usr_missing', email: user.email }),
    ).rejects.toBeInstanceOf(AuthError);
  });

  it('a race of consumers has exactly one winner', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'magic_link',
      userId: user.id,
      email: user.email,
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.auth.tokens.consume('magic_link', token)),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('is bound to its purpose', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    for (const purpose of ['email_verification', 'email_change', 'magic_link', 'email_otp'] as const) {
      expect(await t.auth.tokens.consume(purpose, token)).toBeNull();
    }
    expect(await t.auth.tokens.verifyCode(user.email, 'password_reset', '123456')).toBeNull();
    // The refusals did not use it up.
    expect(await t.auth.tokens.consume('password_reset', token)).not.toBeNull();
  });

  it('refuses an expired token', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'magic_link',
      userId: user.id,
      email: user.email,
    });
    advance(15 * 60);
    expect(await t.auth.tokens.consume('magic_link', token)).toBeNull();
    clock = start;
    const second = await t.auth.tokens.issue({ purpose: 'magic_link', userId: user.id, email: user.email });
    advance(15 * 60 - 1);
    expect(await t.auth.tokens.consume('magic_link', second.token)).not.toBeNull();
  });

  it('refuses every mutation of a valid token', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'magic_link',
      userId: user.id,
      email: user.email,
      ttlSeconds: 3600,
    });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const mutation = fc.oneof(
      // Replace one character by another.
      fc
        .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet))
        .map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
      // Drop, duplicate or append characters.
      fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i) + token.slice(i + 1)),
      fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i) + token[i] + token.slice(i)),
      fc.string({ minLength: 1, maxLength: 4 }).map((s) => token + s),
      fc.string().map((s) => s),
      fc.constant(token.toUpperCase()),
      fc.constant(` ${token}`),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (candidate) => {
        fc.pre(candidate !== token);
        expect(await t.auth.tokens.consume('magic_link', candidate)).toBeNull();
      }),
      { numRuns: 150 },
    );
    for (const junk of [undefined, null, 42, {}, [token], '', sha256(token)]) {
      expect(await t.auth.tokens.consume('magic_link', junk)).toBeNull();
    }
    // The real one still works: the mutations did not spend it.
    expect(await t.auth.tokens.consume('magic_link', token)).not.toBeNull();
  });

  it('is deleted with its user', async () => {
    const user = await newUser();
    const { id, token } = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    await t.auth.users.delete(user.id);
    expect(await rowOf(id)).toBeUndefined();
    expect(await t.auth.tokens.consume('email_verification', token)).toBeNull();
  });

  it('verifies only the address the user still has', async () => {
    const user = await newUser();
    const { token } = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    await t.auth.users.update(user.id, { email: `moved-${user.email}` });
    expect(await t.auth.tokens.consume('email_verification', token)).toBeNull();
  });
});

describe('password reset', () => {
  it('a later request invalidates an earlier one', async () => {
    const user = await newUser();
    const first = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    const second = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    expect(await t.auth.tokens.consume('password_reset', first.token)).toBeNull();
    expect(await t.auth.tokens.consume('password_reset', second.token)).not.toBeNull();
  });

  it('a password change invalidates an outstanding reset token (and a pending email change)', async () => {
    const user = await newUser();
    const reset = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    const change = await t.auth.tokens.issue({
      purpose: 'email_change',
      userId: user.id,
      email: 'attacker@example.net',
    });
    const verification = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    await t.auth.users.setPassword(user.id, 'another-tidal-beacon-7070');
    expect(await t.auth.tokens.consume('password_reset', reset.token)).toBeNull();
    expect(await t.auth.tokens.consume('email_change', change.token)).toBeNull();
    // Not every purpose is ended by a password change.
    expect(await t.auth.tokens.consume('email_verification', verification.token)).not.toBeNull();
    // One issued after the change works.
    const later = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    expect(await t.auth.tokens.consume('password_reset', later.token)).not.toBeNull();
  });

  it('does not touch other users’ reset tokens', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const forA = await t.auth.tokens.issue({ purpose: 'password_reset', userId: a.id, email: a.email });
    await t.auth.tokens.issue({ purpose: 'password_reset', userId: b.id, email: b.email });
    await t.auth.users.setPassword(b.id, 'another-tidal-beacon-7070');
    expect(await t.auth.tokens.consume('password_reset', forA.token)).not.toBeNull();
  });

  it('concurrent requests leave exactly one usable token', async () => {
    const user = await newUser();
    const issued = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.auth.tokens.issue({ purpose: 'password_reset', userId: user.id, email: user.email }),
      ),
    );
    const usable = await t.auth.database.db
      .selectFrom('one_time_tokens')
      .select('id')
      .where('user_id', '=', user.id)
      .where('purpose', '=', 'password_reset')
      .execute();
    expect(usable).toHaveLength(1);
    const results = await Promise.all(issued.map((i) => t.auth.tokens.consume('password_reset', i.token)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });
});

describe('email codes', () => {
  it('are 6 digits, stored hashed with their id, and checked by address and purpose', async () => {
    const email = freshEmail();
    const issued = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    expect(issued.token).toMatch(/^\d{6}$/);
    expect(issued.attemptsRemaining).toBe(5);
    const row = await rowOf(issued.id);
    expect(row?.token_hash).toBe(sha256(`${issued.id}:${issued.token}`));
    expect(row?.token_hash).not.toBe(sha256(issued.token));
    expect(JSON.stringify(row)).not.toContain(`"${issued.token}"`);

    expect(await t.auth.tokens.consume('email_otp', issued.token)).toBeNull();
    expect(await t.auth.tokens.verifyCode(freshEmail(), 'email_otp', issued.token)).toBeNull();
    const used = await t.auth.tokens.verifyCode(email.toUpperCase(), 'email_otp', issued.token);
    expect(used).toMatchObject({ id: issued.id, email, attempts: 1 });
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', issued.token)).toBeNull();
  });

  it('die after 5 wrong tries, even for the right code', async () => {
    const email = freshEmail();
    const { token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    for (let i = 0; i < 5; i++)
      expect(await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(token))).toBeNull();
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', token)).toBeNull();
  });

  it('accept the right code on the fifth try', async () => {
    const email = freshEmail();
    const { token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    for (let i = 0; i < 4; i++) await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(token));
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', token)).not.toBeNull();
  });

  it('count tries atomically: of many racing guesses only 5 are ever checked', async () => {
    const email = freshEmail();
    const { id, token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.auth.tokens.verifyCode(email, 'email_otp', otherCode(token))),
    );
    expect(results.every((r) => r === null)).toBe(true);
    expect(Number((await rowOf(id))?.attempts)).toBe(5);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', token)).toBeNull();
  });

  it('racing right guesses have exactly one winner', async () => {
    const email = freshEmail();
    const { token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => t.auth.tokens.verifyCode(email, 'email_otp', token)),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('a new code replaces the old one but keeps its failure count', async () => {
    const email = freshEmail();
    const first = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    for (let i = 0; i < 3; i++) await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(first.token));
    advance(60);
    const second = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    expect(second.attemptsRemaining).toBe(2);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', first.token)).toBeNull();
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(second.token))).toBeNull();
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', second.token)).toBeNull();
  });

  it('after 5 failures, new codes are dead until the locked one expires', async () => {
    const email = freshEmail();
    const first = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    for (let i = 0; i < 5; i++) await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(first.token));
    advance(5 * 60);
    const locked = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    expect(locked.attemptsRemaining).toBe(0);
    expect(locked.expiresAt).toEqual(first.expiresAt);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', locked.token)).toBeNull();
    advance(5 * 60);
    const fresh = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    expect(fresh.attemptsRemaining).toBe(5);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', fresh.token)).not.toBeNull();
  });

  it('a used code does not count against the next', async () => {
    const email = freshEmail();
    const first = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    await t.auth.tokens.verifyCode(email, 'email_otp', otherCode(first.token));
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', first.token)).not.toBeNull();
    const second = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    expect(second.attemptsRemaining).toBe(5);
  });

  it('expire after 10 minutes', async () => {
    const email = freshEmail();
    const { token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    advance(600);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', token)).toBeNull();
  });

  it('malformed codes are refused without spending a try', async () => {
    const email = freshEmail();
    const { id, token } = await t.auth.tokens.issue({ purpose: 'email_otp', email });
    for (const junk of ['12345', '1234567', ' 123456', 'abcdef', 123456, null]) {
      expect(await t.auth.tokens.verifyCode(email, 'email_otp', junk)).toBeNull();
    }
    expect(Number((await rowOf(id))?.attempts)).toBe(0);
    expect(await t.auth.tokens.verifyCode(email, 'email_otp', token)).not.toBeNull();
  });
});

describe('revokeAll, deleteExpired and housekeeping', () => {
  it('revokeAll deletes a user’s tokens, of one purpose or all', async () => {
    const user = await newUser();
    const reset = await t.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    const link = await t.auth.tokens.issue({ purpose: 'magic_link', userId: user.id, email: user.email });
    const verify = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    expect(await t.auth.tokens.revokeAll(user.id, 'password_reset')).toBe(1);
    expect(await t.auth.tokens.consume('password_reset', reset.token)).toBeNull();
    expect(await t.auth.tokens.revokeAll(user.id)).toBe(2);
    expect(await t.auth.tokens.consume('magic_link', link.token)).toBeNull();
    expect(await t.auth.tokens.consume('email_verification', verify.token)).toBeNull();
  });

  it('housekeeping deletes expired tokens and reports how many', async () => {
    const user = await newUser();
    const short = await t.auth.tokens.issue({ purpose: 'magic_link', userId: user.id, email: user.email });
    const long = await t.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    advance(24 * 3600 - 1);
    const result = await t.auth.housekeeping();
    expect(result.oneTimeTokens).toBeGreaterThanOrEqual(1);
    expect(await rowOf(short.id)).toBeUndefined();
    expect(await rowOf(long.id)).toBeDefined();
  });
});

describe('configuration', () => {
  it('takes lifetimes from config.tokens.ttlSeconds', async () => {
    const other = await createTestAuth(
      { now: () => clock, tokens: { ttlSeconds: { password_reset: 1800, email_otp: 300 } } },
      t.db,
    );
    try {
      const user = await other.auth.users.create({ email: 'configured@example.com', password });
      const reset = await other.auth.tokens.issue({
        purpose: 'password_reset',
        userId: user.id,
        email: user.email,
      });
      expect(reset.expiresAt.getTime() - start.getTime()).toBe(1800 * 1000);
      expect(other.auth.tokens.ttlSeconds('email_otp')).toBe(300);
      expect(other.auth.tokens.ttlSeconds('magic_link')).toBe(900);
    } finally {
      await other.auth.close();
    }
  });

  it('refuses bad lifetimes', () => {
    expect(() => createAuth({ tokens: { ttlSeconds: { email_otp: 3600 } } })).toThrow(ConfigError);
    expect(() => createAuth({ tokens: { ttlSeconds: { password_reset: 0 } } })).toThrow(ConfigError);
    expect(() => createAuth({ tokens: { ttlSeconds: { bogus: 5 } as never } })).toThrow(ConfigError);
  });
});
