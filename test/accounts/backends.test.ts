import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, type AuthenticationBackend, passwordBackend } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const password = 'velvet-comet-1337';

/** A trusted-header style backend: the credentials name an email the app already vouched for. */
const trustedHeaderBackend: AuthenticationBackend = {
  name: 'trusted-header',
  async authenticate(credentials, { users }) {
    return typeof credentials.remoteUser === 'string' ? users.getByEmail(credentials.remoteUser) : null;
  },
};

const denyBlockedBackend: AuthenticationBackend = {
  name: 'deny-blocked',
  async authenticate(credentials) {
    if (credentials.email === 'blocked@example.com') throw new AuthError('forbidden', 'Blocked.');
    return null;
  },
};

let t: TestAuth<Record<never, never>>;
const failures: { credentials: Record<string, unknown>; reason: string }[] = [];

beforeAll(async () => {
  t = await createTestAuth({ backends: [denyBlockedBackend, passwordBackend, trustedHeaderBackend] });
  t.auth.on('login_failed', (event) => void failures.push(event));
  await t.auth.users.create({ email: 'ada@example.com', password, username: 'ada' });
  await t.auth.users.create({ email: 'blocked@example.com', password });
});
afterAll(() => t.close());

describe('auth.authenticate', () => {
  it('returns the user for a correct email or username and password', async () => {
    expect((await t.auth.authenticate({ email: 'ADA@example.com', password }))?.email).toBe(
      'ada@example.com',
    );
    expect((await t.auth.authenticate({ username: 'Ada', password }))?.email).toBe('ada@example.com');
  });

  it('returns null for a wrong password or unknown user, emitting login_failed without the password', async () => {
    failures.length = 0;
    expect(
      await t.auth.authenticate({ email: 'ada@example.com', password: 'wrong-password-here' }),
    ).toBeNull();
    expect(await t.auth.authenticate({ email: 'nobody@example.com', password })).toBeNull();
    expect(failures).toHaveLength(2);
    expect(failures[0]).toEqual({
      credentials: { email: 'ada@example.com', password: '********' },
      reason: 'invalid_credentials',
    });
    expect(JSON.stringify(failures)).not.toContain(password);
    expect(JSON.stringify(failures)).not.toContain('wrong-password-here');
  });

  it('tries the backends in order: a later backend can succeed where the password backend declined', async () => {
    expect((await t.auth.authenticate({ remoteUser: 'ada@example.com' }))?.email).toBe('ada@example.com');
  });

  it('stops the chain when a backend refuses with an AuthError, and reports it', async () => {
    failures.length = 0;
    const error = await t.auth
      .authenticate({ email: 'blocked@example.com', password })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('forbidden');
    expect(failures.map((f) => f.reason)).toEqual(['forbidden']);
  });

  it('never authenticates an inactive user, whichever backend finds them', async () => {
    const user = await t.auth.users.create({ email: 'inactive@example.com', password });
    await t.auth.users.deactivate(user.id);
    expect(await t.auth.authenticate({ email: 'inactive@example.com', password })).toBeNull();
    expect(await t.auth.authenticate({ remoteUser: 'inactive@example.com' })).toBeNull();
  });

  it('refuses password sign-in for a user without a usable password', async () => {
    await t.auth.users.create({ email: 'oauth-only@example.com' });
    expect(await t.auth.authenticate({ email: 'oauth-only@example.com', password: '' })).toBeNull();
    expect(await t.auth.authenticate({ email: 'oauth-only@example.com', password: '!' })).toBeNull();
  });

  it('returns null for malformed credentials instead of throwing', async () => {
    expect(await t.auth.authenticate({ email: 42, password: {} })).toBeNull();
    expect(await t.auth.authenticate({})).toBeNull();
  });
});
