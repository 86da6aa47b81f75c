/**
 * Multi-factor authentication (`auth.mfa`): the second factors a user has,
 * who must have one (`mfa.required`), and the parts each sign-in uses —
 * TOTP, recovery codes, challenges, remembered browsers.
 */
import type { User } from '../../accounts/user.js';
import type { MfaRequirement } from '../../config.js';
import type { Sealer } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/transaction.js';
import { MfaChallenges } from './challenges.js';
import { RecoveryCodes } from './recovery-codes.js';
import { TotpFactors } from './totp.js';
import { TrustedDevices } from './trusted-devices.js';

export interface SecondFactors {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export class Mfa {
  readonly totp: TotpFactors;
  readonly recoveryCodes: RecoveryCodes;
  readonly challenges: MfaChallenges;
  readonly trustedDevices: TrustedDevices;
  readonly #database: Database;
  readonly #requirement: MfaRequirement;
  readonly #groupsOf: (userId: string) => Promise<string[]>;

  constructor(options: {
    database: Database;
    now: () => Date;
    /** Seals TOTP secrets; null when no server secret is configured (TOTP setup then answers 503). */
    sealer: Sealer | null;
    issuer: string;
    required?: MfaRequirement | undefined;
    groupsOf: (userId: string) => Promise<string[]>;
  }) {
    const { database, now } = options;
    this.#database = database;
    this.totp = new TotpFactors({ database, now, sealer: options.sealer, issuer: options.issuer });
    this.recoveryCodes = new RecoveryCodes({ database, now });
    this.challenges = new MfaChallenges({ database, now });
    this.trustedDevices = new TrustedDevices({ database, now });
    this.#requirement = options.required ?? false;
    this.#groupsOf = options.groupsOf;
  }

  /** What the user can answer a challenge with. */
  async factors(userId: string): Promise<SecondFactors> {
    const [totp, passkeys, recoveryCodes] = await Promise.all([
      this.totp.status(userId),
      this.#passkeyCount(userId),
      this.recoveryCodes.remaining(userId),
    ]);
    return { totp: totp.enabled, passkeys, recoveryCodes };
  }

  /** Whether signing in with one factor must be followed by a second: a confirmed TOTP app or a passkey. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    const [totp, passkeys] = await Promise.all([
      this.#database.db
        .selectFrom('mfa_factors')
        .select('id')
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .executeTakeFirst(),
      this.#database.db.selectFrom('passkeys').select('id').where('user_id', '=', userId).executeTakeFirst(),
    ]);
    return totp !== undefined || passkeys !== undefined;
  }

  /** Whether the policy (`mfa.required`) asks this user for a second factor. */
  async isRequiredFor(user: Pick<User, 'id' | 'isStaff' | 'isSuperuser'>): Promise<boolean> {
    const requirement = this.#requirement;
    if (requirement === false) return false;
    if (requirement === 'all') return true;
    if (requirement === 'staff') return user.isStaff || user.isSuperuser;
    const groups = await this.#groupsOf(user.id);
    return groups.some((group) => requirement.groups.includes(group));
  }

  /** Whether the user must enrol now: the policy asks for a second factor and they have none. */
  async mustEnroll(user: Pick<User, 'id' | 'isStaff' | 'isSuperuser'>): Promise<boolean> {
    return (await this.isRequiredFor(user)) && !(await this.hasSecondFactor(user.id));
  }

  /**
   * After a factor is removed: with no second factor left, the recovery codes
   * and remembered browsers stand for nothing and go too. True if they went.
   */
  async clearIfNoFactorLeft(userId: string): Promise<boolean> {
    if (await this.hasSecondFactor(userId)) return false;
    await this.recoveryCodes.remove(userId);
    await this.trustedDevices.forgetAll(userId);
    return true;
  }

  /**
   * Removes every second factor of the user — TOTP, recovery codes, passkeys —
   * and forgets their remembered browsers, in one transaction (an admin's
   * reset for a user who lost their device).
   */
  async reset(userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodes: number }> {
    return writeTransaction(this.#database, async (trx) => {
      const totp = await trx
        .deleteFrom('mfa_factors')
        .where('user_id', '=', userId)
        .returning('confirmed_at')
        .execute();
      const passkeys = await trx.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
      const recoveryCodes = await this.recoveryCodes.remove(userId, trx);
      await trx.deleteFrom('trusted_devices').where('user_id', '=', userId).execute();
      await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
      return {
        totp: totp.some((row) => row.confirmed_at !== null),
        passkeys: Number(passkeys.numDeletedRows),
        recoveryCodes,
      };
    });
  }

  async #passkeyCount(userId: string): Promise<number> {
    const row = await this.#database.db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
