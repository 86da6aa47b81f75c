/**
 * Passkeys (`auth.passkeys`): WebAuthn credentials a signed-in user
 * registers, then uses to sign in without a password (usernameless: the
 * browser offers the site's passkeys), as a second factor, or to confirm who
 * is there before a sensitive action.
 *
 * - Each ceremony's challenge is stored by its SHA-256 for one purpose and,
 *   when known, one user, for 5 minutes. Finishing spends it first, in one
 *   `UPDATE … RETURNING`: a response is accepted once, for what it was asked
 *   for, and a refused attempt cannot be retried with the same challenge.
 * - User verification is required at every step (the authenticator checked a
 *   PIN or a biometric), so a passkey alone proves two factors.
 * - A credential answers only for its owner: the user handle it returns must
 *   be the owner's id, and a ceremony bound to a user accepts only theirs.
 * - An authenticator that counts its signatures and answers with a count not
 *   above the stored one is a clone: refused. The new count is written only
 *   if the stored one is still the one checked, so of two racing uses of one
 *   credential, one wins.
 *
 * `@simplewebauthn/server` is loaded at the first ceremony.
 */
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { CoreUser } from '../../accounts/user.js';
import { createId, sha256Hex } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { writeTransaction } from '../../db/transaction.js';
import { readBool, readDate, readJson, readOptionalDate } from '../../db/values.js';
import { AuthError } from '../../errors.js';
import { isUsable } from '../../passwords/index.js';
import { defaultPasskeyName, parsePasskeyName, ZERO_AAGUID } from './names.js';
import type { RelyingParty } from './relying-party.js';
import {
  challengeOf,
  isCounterRegression,
  isUserHandleOf,
  signCountOf,
  userHandleOf,
} from './webauthn-data.js';

let library: Promise<typeof SimpleWebAuthn> | null = null;
const simpleWebAuthn = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

/** How long a ceremony may take, from its options to its response. */
export const CHALLENGE_TTL_SECONDS = 300;

export type PasskeyId = `pky_${string}`;

/** The user a passkey is made for: the browser shows the address and the name. */
export type PasskeyOwner = Pick<CoreUser, 'id' | 'email' | 'firstName' | 'lastName'>;

/** What a ceremony is for: adding a passkey, signing in, a second factor, or confirming a signed-in user. */
export type CeremonyPurpose = 'register' | 'signin' | 'mfa' | 'reauth';

/** An authentication ceremony: usernameless sign-in, or one for a known user (second factor, step-up). */
export type AuthenticationPurpose = { purpose: 'signin' } | { purpose: 'mfa' | 'reauth'; userId: string };

export interface Passkey {
  id: PasskeyId;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** `multiDevice`: the credential may be synced to the user's other devices. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** The authenticator model (AAGUID), when the authenticator told it. */
  aaguid: string | null;
}

/** Why a passkey was refused (the audit log's `reason`); the answer itself never says. */
export type PasskeyRefusalReason =
  | 'challenge'
  | 'unknown_credential'
  | 'user_handle'
  | 'counter_regression'
  | 'counter_race'
  | 'verification';

/** The cause of a refused authentication's `invalid_credentials`. */
export class PasskeyRefusal extends Error {
  override readonly name = 'PasskeyRefusal';

  constructor(
    readonly reason: PasskeyRefusalReason,
    /** The credential's owner, once the credential is known. */
    readonly userId: string | null,
    cause?: unknown,
  ) {
    super(`Passkey refused: ${reason}`, cause === undefined ? undefined : { cause });
  }
}

type PasskeyRow = {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number | string;
  transports: unknown;
  device_type: string;
  backed_up: unknown;
  aaguid: string | null;
  name: string;
  created_at: unknown;
  last_used_at: unknown;
};

const COLUMNS = [
  'id',
  'user_id',
  'credential_id',
  'public_key',
  'counter',
  'transports',
  'device_type',
  'backed_up',
  'aaguid',
  'name',
  'created_at',
  'last_used_at',
] as const;

export class Passkeys {
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(options: { database: Database; now: () => Date }) {
    this.#database = options.database;
    this.#now = options.now;
  }

  /**
   * The options for `navigator.credentials.create` (through
   * `@simplewebauthn/browser`'s `startRegistration`): a discoverable
   * credential with user verification, none of the user's existing
   * authenticators again, no attestation.
   */
  async registrationOptions(
    user: PasskeyOwner,
    rp: Pick<RelyingParty, 'rpId' | 'rpName'>,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.#rows(user.id);
    const { generateRegistrationOptions } = await simpleWebAuthn();
    const options = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpId,
      userName: user.email,
      userID: userHandleOf(user.id),
      userDisplayName: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.email,
      timeout: CHALLENGE_TTL_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.#storeChallenge(options.challenge, 'register', user.id);
    return options;
  }

  /**
   * Checks a registration response against the user's pending challenge and
   * stores the passkey. `invalid_request` when it does not hold up (the
   * challenge spent, expired or another user's, the origin or RP ID wrong, no
   * user verification); `conflict` when the credential is registered already.
   */
  async register(
    user: PasskeyOwner,
    response: RegistrationResponseJSON,
    options: { name?: string | undefined } & Pick<RelyingParty, 'rpId' | 'expectedOrigins'>,
  ): Promise<Passkey> {
    const chosenName = options.name === undefined ? null : parsePasskeyName(options.name);
    const challenge = challengeOf(response.response.clientDataJSON);
    if (challenge === null || !(await this.#spendChallenge(challenge, 'register', user.id))) {
      throw registrationRefused();
    }
    const { verifyRegistrationResponse } = await simpleWebAuthn();
    let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
    try {
      const verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: [...options.expectedOrigins],
        expectedRPID: options.rpId,
        requireUserVerification: true,
      });
      info = verification.verified ? verification.registrationInfo : undefined;
    } catch (error) {
      throw registrationRefused(error);
    }
    if (!info) throw registrationRefused();
    const now = this.#now();
    const aaguid = info.aaguid && info.aaguid !== ZERO_AAGUID ? info.aaguid : null;
    const row = {
      id: createId('pky', now),
      user_id: user.id,
      credential_id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: JSON.stringify(response.response.transports ?? []),
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp,
      aaguid,
      name: chosenName ?? defaultPasskeyName(aaguid, now),
      created_at: now,
      last_used_at: null,
    };
    try {
      await this.#database.db.insertInto('passkeys').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'This passkey is registered already.', { cause: error });
      throw error;
    }
    return passkeyFromRow(row);
  }

  /**
   * The options for `navigator.credentials.get` (`startAuthentication`), with
   * user verification required. Sign-in is usernameless: no credentials are
   * listed and the browser offers the site's passkeys. A second factor or a
   * step-up lists the user's own, and its challenge is theirs alone.
   */
  async authenticationOptions(
    request: AuthenticationPurpose & Pick<RelyingParty, 'rpId'>,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const userId = request.purpose === 'signin' ? null : request.userId;
    const rows = userId === null ? [] : await this.#rows(userId);
    const { generateAuthenticationOptions } = await simpleWebAuthn();
    const options = await generateAuthenticationOptions({
      rpID: request.rpId,
      allowCredentials: rows.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
      userVerification: 'required',
      timeout: CHALLENGE_TTL_SECONDS * 1000,
    });
    await this.#storeChallenge(options.challenge, request.purpose, userId);
    return options;
  }

  /**
   * Checks an authentication response (see the module's comment) and records
   * the use. Any refusal is `invalid_credentials`, with a `PasskeyRefusal`
   * as its cause.
   */
  async authenticate(
    response: AuthenticationResponseJSON,
    request: AuthenticationPurpose & Pick<RelyingParty, 'rpId' | 'expectedOrigins'>,
  ): Promise<{ userId: string; passkey: Passkey }> {
    const userId = request.purpose === 'signin' ? null : request.userId;
    const challenge = challengeOf(response.response.clientDataJSON);
    if (challenge === null || !(await this.#spendChallenge(challenge, request.purpose, userId))) {
      throw refused('challenge');
    }
    let query = this.#database.db
      .selectFrom('passkeys')
      .select(COLUMNS)
      .where('credential_id', '=', response.id);
    if (userId !== null) query = query.where('user_id', '=', userId);
    const row = await query.executeTakeFirst();
    if (!row) throw refused('unknown_credential');
    // A usernameless sign-in learns the user from the handle: it must be there, and be the owner's (WebAuthn §7.2).
    const handle = response.response.userHandle;
    const owner = row.user_id;
    if (handle ? !isUserHandleOf(handle, owner) : userId === null) throw refused('user_handle', owner);
    const stored = Number(row.counter);
    const received = signCountOf(response.response.authenticatorData);
    if (received === null) throw refused('verification', owner);
    if (isCounterRegression(stored, received)) throw refused('counter_regression', owner);

    const { verifyAuthenticationResponse } = await simpleWebAuthn();
    let info: Awaited<ReturnType<typeof verifyAuthenticationResponse>>['authenticationInfo'];
    try {
      const verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: [...request.expectedOrigins],
        expectedRPID: request.rpId,
        credential: {
          id: row.credential_id,
          publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
          counter: stored,
          transports: transportsOf(row),
        },
        requireUserVerification: true,
      });
      if (!verification.verified) throw refused('verification', owner);
      info = verification.authenticationInfo;
    } catch (error) {
      throw error instanceof AuthError ? error : refused('verification', owner, error);
    }
    const now = this.#now();
    const updated = await this.#database.db
      .updateTable('passkeys')
      .set({ counter: info.newCounter, last_used_at: now, backed_up: info.credentialBackedUp })
      .where('id', '=', row.id)
      .where('counter', '=', stored)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw refused('counter_race', owner);
    const passkey = passkeyFromRow({
      ...row,
      counter: info.newCounter,
      last_used_at: now,
      backed_up: info.credentialBackedUp,
    });
    return { userId: owner, passkey };
  }

  /** A user's passkeys, oldest first. */
  async list(userId: string): Promise<Passkey[]> {
    return (await this.#rows(userId)).map(passkeyFromRow);
  }

  async count(userId: string): Promise<number> {
    const row = await this.#database.db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Renames one of a user's passkeys (1–60 characters); `not_found` when it is not theirs. */
  async rename(userId: string, id: string, name: string): Promise<Passkey> {
    const row = await this.#database.db
      .updateTable('passkeys')
      .set({ name: parsePasskeyName(name) })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound();
    return passkeyFromRow(row);
  }

  /**
   * Removes one of a user's passkeys — never the last way the user has to
   * sign in: they must keep a usable password, a linked identity or another
   * passkey. Throws `not_found` (not theirs) or `conflict` (the last way in).
   */
  async remove(userId: string, id: string): Promise<Passkey> {
    return writeTransaction(this.#database, async (trx) => {
      // The user's row, locked: a removal racing an unlink (or another removal) sees its effect.
      let owner = trx.selectFrom('users').select('password_hash').where('id', '=', userId);
      if (this.#database.dialect === 'postgres') owner = owner.forUpdate();
      const user = await owner.executeTakeFirst();
      const rows = await trx.selectFrom('passkeys').select(COLUMNS).where('user_id', '=', userId).execute();
      const target = rows.find((row) => row.id === id);
      if (!user || !target) throw notFound();
      if (rows.length === 1 && !isUsable(user.password_hash)) {
        const linked = await trx
          .selectFrom('accounts')
          .select('id')
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (!linked) {
          throw new AuthError(
            'conflict',
            'This passkey is the only way you sign in: add another passkey or set a password before removing it.',
          );
        }
      }
      await trx.deleteFrom('passkeys').where('id', '=', id).execute();
      return passkeyFromRow(target);
    });
  }

  /** Removes every passkey of a user (a staff reset of their second factors); returns how many. */
  async removeAll(userId: string): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('passkeys')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes spent and expired ceremony challenges (housekeeping). */
  async deleteExpiredChallenges(): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('webauthn_challenges')
      .where((eb) => eb.or([eb('expires_at', '<=', this.#now()), eb('used_at', 'is not', null)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #rows(userId: string): Promise<PasskeyRow[]> {
    return this.#database.db
      .selectFrom('passkeys')
      .select(COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async #storeChallenge(challenge: string, purpose: CeremonyPurpose, userId: string | null): Promise<void> {
    const now = this.#now();
    await this.#database.db
      .insertInto('webauthn_challenges')
      .values({
        id: createId('wac', now),
        challenge_hash: sha256Hex(challenge),
        purpose,
        user_id: userId,
        created_at: now,
        expires_at: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
      })
      .execute();
  }

  /** Spends a pending challenge of this purpose (and user, or none); false when there is none to spend. */
  async #spendChallenge(
    challenge: string,
    purpose: CeremonyPurpose,
    userId: string | null,
  ): Promise<boolean> {
    const now = this.#now();
    let query = this.#database.db
      .updateTable('webauthn_challenges')
      .set({ used_at: now })
      .where('challenge_hash', '=', sha256Hex(challenge))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now);
    query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
    const spent = await query.returning('id').executeTakeFirst();
    return spent !== undefined;
  }
}

function passkeyFromRow(row: PasskeyRow): Passkey {
  return {
    id: row.id as PasskeyId,
    userId: row.user_id,
    name: row.name,
    createdAt: readDate(row.created_at),
    lastUsedAt: readOptionalDate(row.last_used_at),
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: readBool(row.backed_up),
    aaguid: row.aaguid,
  };
}

function transportsOf(row: Pick<PasskeyRow, 'transports'>): AuthenticatorTransportFuture[] {
  const stored = readJson(row.transports);
  return Array.isArray(stored)
    ? stored.filter((t): t is AuthenticatorTransportFuture => typeof t === 'string')
    : [];
}

function refused(reason: PasskeyRefusalReason, userId: string | null = null, cause?: unknown): AuthError {
  return new AuthError('invalid_credentials', 'This passkey could not sign you in.', {
    cause: new PasskeyRefusal(reason, userId, cause),
  });
}

function registrationRefused(cause?: unknown): AuthError {
  return new AuthError('invalid_request', 'The passkey could not be verified.', {
    fields: { response: 'The passkey was not added: the request expired or did not check out. Try again.' },
    cause,
  });
}

function notFound(): AuthError {
  return new AuthError('not_found', 'There is no such passkey.');
}
