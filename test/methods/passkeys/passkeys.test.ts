/**
 * `auth.passkeys` against a software authenticator (real Ed25519 signatures,
 * real CBOR), on SQLite or PostgreSQL: the options it hands out, what it
 * stores, and every way a response is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/accounts/user.js';
import { sha256Hex } from '../../../src/crypto.js';
import { AuthError, isAuthError } from '../../../src/errors.js';
import { PasskeyRefusal, type PasskeyRefusalReason } from '../../../src/methods/passkeys/index.js';
import { createTestAuth, type TestAuth } from '../../helpers/auth.js';
import { SoftwareAuthenticator } from '../../helpers/webauthn.js';

const ORIGIN = 'https://auth.example.com';
const RP = { rpId: 'auth.example.com', rpName: 'Acme', expectedOrigins: [ORIGIN] };

let t: TestAuth<Record<never, never>>;
let clock = new Date('2026-11-26T10:00:00Z');
let n = 0;

beforeAll(async () => {
  t = await createTestAuth({ now: () => clock });
});
afterAll(() => t.close());

async function newUser(password: string | null = 'correct horse battery staple'): Promise<User> {
  n += 1;
  return t.auth.users.create({
    email: `passkey${n}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    password,
  });
}

/** A user with a passkey on a fresh software authenticator. */
async function registered(user?: User) {
  const owner = user ?? (await newUser());
  clock = new Date(clock.getTime() + 1000); // passkeys list oldest first
  const authenticator = new SoftwareAuthenticator();
  const options = await t.auth.passkeys.registrationOptions(owner, RP);
  const passkey = await t.auth.passkeys.register(
    owner,
    authenticator.register(options, { origin: ORIGIN }),
    RP,
  );
  return { user: owner, authenticator, passkey };
}

async function refusalOf(promise: Promise<unknown>): Promise<PasskeyRefusalReason> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (caught: unknown) => caught,
  );
  if (!isAuthError(error, 'invalid_credentials') || !(error.cause instanceof PasskeyRefusal)) throw error;
  return error.cause.reason;
}

async function registrationRefusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof AuthError)) throw error;
  return error;
}

const challengeRow = (challenge: string) =>
  t.auth.database.db
    .selectFrom('webauthn_challenges')
    .selectAll()
    .where('challenge_hash', '=', sha256Hex(challenge))
    .executeTakeFirst();

describe('registration options', () => {
  it('ask for a discoverable credential with user verification, name the user, and exclude their passkeys', async () => {
    const { user, authenticator } = await registered();
    const options = await t.auth.passkeys.registrationOptions(user, RP);
    expect(options.rp).toEqual({ id: 'auth.example.com', name: 'Acme' });
    expect(options.user).toEqual({
      id: Buffer.from(user.id).toString('base64url'),
      name: user.email,
      displayName: 'Ada Lovelace',
    });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    });
    expect(options.attestation).toBe('none');
    expect(options.timeout).toBe(300_000);
    expect(options.excludeCredentials).toEqual([
      { id: authenticator.credentialId, transports: ['internal'], type: 'public-key' },
    ]);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('store only the SHA-256 of the challenge, for registration, for that user, for 5 minutes', async () => {
    const user = await newUser();
    const { challenge } = await t.auth.passkeys.registrationOptions(user, RP);
    const row = await challengeRow(challenge);
    expect(row).toMatchObject({ purpose: 'register', user_id: user.id, used_at: null });
    expect(new Date(row?.expires_at as string).getTime() - clock.getTime()).toBe(300_000);
    const stored = await t.auth.database.db.selectFrom('webauthn_challenges').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(challenge);
  });
});

describe('registering', () => {
  it('stores the passkey with its key and counter, named after the day when the authenticator is unknown', async () => {
    const { user, authenticator, passkey } = await registered();
    expect(passkey).toMatchObject({
      userId: user.id,
      name: 'Passkey 2026-11-26',
      lastUsedAt: null,
      deviceType: 'singleDevice',
      backedUp: false,
      aaguid: null,
    });
    const row = await t.auth.database.db
      .selectFrom('passkeys')
      .selectAll()
      .where('id', '=', passkey.id)
      .executeTakeFirstOrThrow();
    expect(row.credential_id).toBe(authenticator.credentialId);
    expect(Number(row.counter)).toBe(0);
    expect(row.public_key).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('takes a chosen name, trimmed, and refuses a bad one before spending the challenge', async () => {
    const user = await newUser();
    const authenticator = new SoftwareAuthenticator();
    const options = await t.auth.passkeys.registrationOptions(user, RP);
    const response = authenticator.register(options, { origin: ORIGIN });
    const bad = await registrationRefusal(t.auth.passkeys.register(user, response, { ...RP, name: ' ' }));
    expect(bad.fields).toEqual({ name: 'Enter a name for the passkey.' });
    const passkey = await t.auth.passkeys.register(user, response, { ...RP, name: '  Phone ' });
    expect(passkey.name).toBe('Phone');
  });

  it('accepts a registration challenge once: reusing it is refused', async () => {
    const user = await newUser();
    const options = await t.auth.passkeys.registrationOptions(user, RP);
    await t.auth.passkeys.register(
      user,
      new SoftwareAuthenticator().register(options, { origin: ORIGIN }),
      RP,
    );
    const again = new SoftwareAuthenticator().register(options, { origin: ORIGIN });
    const refused = await registrationRefusal(t.auth.passkeys.register(user, again, RP));
    expect(refused.code).toBe('invalid_request');
    expect(Object.keys(refused.fields ?? {})).toEqual(['response']);
    expect(await t.auth.passkeys.count(user.id)).toBe(1);
  });

  it("refuses another user's challenge, an expired one, another origin or RP ID, and no user verification", async () => {
    const user = await newUser();
    const other = await newUser();
    const attempt = async (
      change: (options: Awaited<ReturnType<typeof t.auth.passkeys.registrationOptions>>) => {
        owner?: User;
        origin?: string;
        rpId?: string;
        userVerified?: boolean;
        advanceMs?: number;
      },
    ) => {
      const options = await t.auth.passkeys.registrationOptions(user, RP);
      const { owner = user, advanceMs = 0, ...ceremony } = change(options);
      const response = new SoftwareAuthenticator().register(options, { origin: ORIGIN, ...ceremony });
      const before = clock;
      clock = new Date(clock.getTime() + advanceMs);
      try {
        return (await registrationRefusal(t.auth.passkeys.register(owner, response, RP))).code;
      } finally {
        clock = before;
      }
    };
    expect(await attempt(() => ({ owner: other }))).toBe('invalid_request');
    expect(await attempt(() => ({ advanceMs: 300_001 }))).toBe('invalid_request');
    expect(await attempt(() => ({ origin: 'https://evil.example' }))).toBe('invalid_request');
    expect(await attempt(() => ({ rpId: 'example.org' }))).toBe('invalid_request');
    expect(await attempt(() => ({ userVerified: false }))).toBe('invalid_request');
    expect(await t.auth.passkeys.count(user.id)).toBe(0);
    expect(await t.auth.passkeys.count(other.id)).toBe(0);
  });

  it('refuses a credential registered already (conflict)', async () => {
    const { user, authenticator } = await registered();
    const options = await t.auth.passkeys.registrationOptions(user, RP);
    const refused = await registrationRefusal(
      t.auth.passkeys.register(user, authenticator.register(options, { origin: ORIGIN }), RP),
    );
    expect(refused.code).toBe('conflict');
  });
});

describe('authentication options', () => {
  it('list no credential for a usernameless sign-in, and bind its challenge to no user', async () => {
    const options = await t.auth.passkeys.authenticationOptions({ purpose: 'signin', rpId: RP.rpId });
    expect(options).toMatchObject({
      rpId: 'auth.example.com',
      allowCredentials: [],
      userVerification: 'required',
    });
    expect(await challengeRow(options.challenge)).toMatchObject({ purpose: 'signin', user_id: null });
  });

  it("list the user's own credentials for a second factor, bound to that user", async () => {
    const { user, authenticator } = await registered();
    await registered(); // someone else's passkey is not listed
    const options = await t.auth.passkeys.authenticationOptions({
      purpose: 'mfa',
      userId: user.id,
      rpId: RP.rpId,
    });
    expect(options.allowCredentials).toEqual([
      { id: authenticator.credentialId, transports: ['internal'], type: 'public-key' },
    ]);
    expect(await challengeRow(options.challenge)).toMatchObject({ purpose: 'mfa', user_id: user.id });
  });
});

describe('authenticating', () => {
  const signInOptions = () => t.auth.passkeys.authenticationOptions({ purpose: 'signin', rpId: RP.rpId });
  const signIn = (response: ReturnType<SoftwareAuthenticator['assert']>) =>
    t.auth.passkeys.authenticate(response, { purpose: 'signin', ...RP });

  it('signs in usernameless, advancing the counter and recording the use', async () => {
    const { user, authenticator, passkey } = await registered();
    clock = new Date(clock.getTime() + 60_000);
    const result = await signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN }));
    expect(result.userId).toBe(user.id);
    expect(result.passkey).toMatchObject({ id: passkey.id, lastUsedAt: clock });
    const row = await t.auth.database.db
      .selectFrom('passkeys')
      .select('counter')
      .where('id', '=', passkey.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.counter)).toBe(1);
  });

  it('accepts an assertion once: a replay is refused, and of 10 parallel uses exactly one passes', async () => {
    const { authenticator } = await registered();
    const response = authenticator.assert(await signInOptions(), { origin: ORIGIN });
    await signIn(response);
    expect(await refusalOf(signIn(response))).toBe('challenge');

    const fresh = authenticator.assert(await signInOptions(), { origin: ORIGIN });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => signIn(fresh)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('binds the challenge to its purpose and user', async () => {
    const { user, authenticator } = await registered();
    const { user: other } = await registered();
    const forMfa = await t.auth.passkeys.authenticationOptions({
      purpose: 'mfa',
      userId: user.id,
      rpId: RP.rpId,
    });
    // A second-factor challenge does not sign anyone in, nor count as a step-up, nor serve another user.
    expect(await refusalOf(signIn(authenticator.assert(forMfa, { origin: ORIGIN })))).toBe('challenge');
    const forMfa2 = await t.auth.passkeys.authenticationOptions({
      purpose: 'mfa',
      userId: user.id,
      rpId: RP.rpId,
    });
    const asReauth = t.auth.passkeys.authenticate(authenticator.assert(forMfa2, { origin: ORIGIN }), {
      purpose: 'reauth',
      userId: user.id,
      ...RP,
    });
    expect(await refusalOf(asReauth)).toBe('challenge');
    const forMfa3 = await t.auth.passkeys.authenticationOptions({
      purpose: 'mfa',
      userId: user.id,
      rpId: RP.rpId,
    });
    const asOther = t.auth.passkeys.authenticate(authenticator.assert(forMfa3, { origin: ORIGIN }), {
      purpose: 'mfa',
      userId: other.id,
      ...RP,
    });
    expect(await refusalOf(asOther)).toBe('challenge');
    // And a sign-in challenge is no second factor.
    const forSignIn = await signInOptions();
    const asMfa = t.auth.passkeys.authenticate(authenticator.assert(forSignIn, { origin: ORIGIN }), {
      purpose: 'mfa',
      userId: user.id,
      ...RP,
    });
    expect(await refusalOf(asMfa)).toBe('challenge');
    const forMfa4 = await t.auth.passkeys.authenticationOptions({
      purpose: 'mfa',
      userId: user.id,
      rpId: RP.rpId,
    });
    const good = await t.auth.passkeys.authenticate(authenticator.assert(forMfa4, { origin: ORIGIN }), {
      purpose: 'mfa',
      userId: user.id,
      ...RP,
    });
    expect(good.userId).toBe(user.id);
  });

  it("refuses another user's credential for a user-bound ceremony", async () => {
    const { user } = await registered();
    const { authenticator: theirs } = await registered();
    const options = await t.auth.passkeys.authenticationOptions({
      purpose: 'reauth',
      userId: user.id,
      rpId: RP.rpId,
    });
    const attempt = t.auth.passkeys.authenticate(theirs.assert(options, { origin: ORIGIN }), {
      purpose: 'reauth',
      userId: user.id,
      ...RP,
    });
    expect(await refusalOf(attempt)).toBe('unknown_credential');
  });

  it("refuses an unknown credential, another user's handle, and a missing handle on a usernameless sign-in", async () => {
    expect(
      await refusalOf(signIn(new SoftwareAuthenticator().assert(await signInOptions(), { origin: ORIGIN }))),
    ).toBe('unknown_credential');
    const { authenticator } = await registered();
    const { user: other } = await registered();
    const othersHandle = Buffer.from(other.id).toString('base64url');
    expect(
      await refusalOf(
        signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN, userHandle: othersHandle })),
      ),
    ).toBe('user_handle');
    expect(
      await refusalOf(
        signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN, userHandle: null })),
      ),
    ).toBe('user_handle');
  });

  it('refuses a counter that does not go up (a cloned authenticator), before checking the signature', async () => {
    const { authenticator, passkey } = await registered();
    await signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN }));
    await signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN }));
    authenticator.counter = 1; // the clone was copied after the first use
    expect(await refusalOf(signIn(authenticator.assert(await signInOptions(), { origin: ORIGIN })))).toBe(
      'counter_regression',
    );
    const row = await t.auth.database.db
      .selectFrom('passkeys')
      .select('counter')
      .where('id', '=', passkey.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.counter)).toBe(2);
  });

  it('lets only one of two racing uses with the same counter through', async () => {
    const { authenticator } = await registered();
    const [first, second] = [await signInOptions(), await signInOptions()];
    const a = authenticator.assert(first, { origin: ORIGIN });
    authenticator.counter = 0; // a copy of the authenticator signs with the same count
    const b = authenticator.assert(second, { origin: ORIGIN });
    const outcomes = await Promise.allSettled([signIn(a), signIn(b)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(['counter_race', 'counter_regression']).toContain(
      await refusalOf(Promise.reject((rejected as PromiseRejectedResult).reason)),
    );
  });

  it('refuses another origin, another RP ID, no user verification and a bad signature', async () => {
    const { authenticator } = await registered();
    const assert = async (ceremony: Parameters<SoftwareAuthenticator['assert']>[1]) =>
      authenticator.assert(await signInOptions(), ceremony);
    expect(await refusalOf(signIn(await assert({ origin: 'https://evil.example' })))).toBe('verification');
    expect(await refusalOf(signIn(await assert({ origin: ORIGIN, rpId: 'example.org' })))).toBe(
      'verification',
    );
    expect(await refusalOf(signIn(await assert({ origin: ORIGIN, userVerified: false })))).toBe(
      'verification',
    );
    const forged = await assert({ origin: ORIGIN });
    forged.response.signature = Buffer.alloc(64, 7).toString('base64url');
    expect(await refusalOf(signIn(forged))).toBe('verification');
    // After all that, the real thing still works.
    expect((await signIn(await assert({ origin: ORIGIN }))).passkey.id).toBeDefined();
  });

  it('refuses an expired challenge', async () => {
    const { authenticator } = await registered();
    const options = await signInOptions();
    clock = new Date(clock.getTime() + 300_000);
    expect(await refusalOf(signIn(authenticator.assert(options, { origin: ORIGIN })))).toBe('challenge');
  });
});

describe('managing passkeys', () => {
  it("lists, counts and renames a user's own passkeys; another user's are not found", async () => {
    const { user, passkey } = await registered();
    const { passkey: second } = await registered(user);
    const { user: other } = await registered();
    expect((await t.auth.passkeys.list(user.id)).map((p) => p.id)).toEqual([passkey.id, second.id]);
    expect(await t.auth.passkeys.count(user.id)).toBe(2);
    expect((await t.auth.passkeys.rename(user.id, passkey.id, ' Laptop ')).name).toBe('Laptop');
    const notTheirs = await registrationRefusal(t.auth.passkeys.rename(other.id, passkey.id, 'Mine now'));
    expect(notTheirs.code).toBe('not_found');
    const removal = await registrationRefusal(t.auth.passkeys.remove(other.id, passkey.id));
    expect(removal.code).toBe('not_found');
    expect((await t.auth.passkeys.list(user.id))[0]?.name).toBe('Laptop');
  });

  it('never removes the last way in: a user without a password or linked account keeps one passkey', async () => {
    const { user, passkey } = await registered(await newUser(null));
    const { passkey: second } = await registered(user);
    await t.auth.passkeys.remove(user.id, passkey.id);
    const last = await registrationRefusal(t.auth.passkeys.remove(user.id, second.id));
    expect(last.code).toBe('conflict');
    await t.auth.accounts.link(user.id, {
      provider: 'github',
      subject: `gh-${user.id}`,
      email: user.email,
      emailVerified: true,
    });
    await t.auth.passkeys.remove(user.id, second.id);
    expect(await t.auth.passkeys.count(user.id)).toBe(0);
  });

  it('removes every passkey of a user at once (a staff reset), and the removed ones stop signing in', async () => {
    const { user, authenticator } = await registered();
    await registered(user);
    expect(await t.auth.passkeys.removeAll(user.id)).toBe(2);
    const options = await t.auth.passkeys.authenticationOptions({ purpose: 'signin', rpId: RP.rpId });
    const attempt = t.auth.passkeys.authenticate(authenticator.assert(options, { origin: ORIGIN }), {
      purpose: 'signin',
      ...RP,
    });
    expect(await refusalOf(attempt)).toBe('unknown_credential');
  });

  it('deletes spent and expired challenges in housekeeping, and keeps pending ones', async () => {
    const { authenticator } = await registered();
    const spent = await t.auth.passkeys.authenticationOptions({ purpose: 'signin', rpId: RP.rpId });
    await t.auth.passkeys.authenticate(authenticator.assert(spent, { origin: ORIGIN }), {
      purpose: 'signin',
      ...RP,
    });
    const pending = await t.auth.passkeys.authenticationOptions({ purpose: 'signin', rpId: RP.rpId });
    const result = await t.auth.housekeeping();
    expect(result.webauthnChallenges).toBeGreaterThanOrEqual(1);
    expect(await challengeRow(spent.challenge)).toBeUndefined();
    expect(await challengeRow(pending.challenge)).toBeDefined();
    clock = new Date(clock.getTime() + 300_000);
    await t.auth.housekeeping();
    expect(await challengeRow(pending.challenge)).toBeUndefined();
  });
});
