/**
 * Recovery codes: ten look-up secrets that each stand in for the second
 * factor once (NIST SP 800-63B look-up secrets).
 *
 * A code is 10 Crockford base32 characters (50 bits), shown as `xxxxx-xxxxx`.
 * Below 112 bits NIST asks for a salted password hash, so each code is stored
 * as argon2id under a salt shared by its set: checking a guess costs one hash
 * (off the event loop) however many codes are left, and no two sets share a
 * salt. A code is spent by `UPDATE … WHERE used_at IS NULL`, so of racing
 * uses exactly one wins; a new set deletes the old one.
 */
import { randomBytes } from 'node:crypto';
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2';
import { constantTimeEqual, createId, encodeBase32 } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { type Executor, writeTransaction } from '../../db/transaction.js';

export const RECOVERY_CODE_COUNT = 10;
const CODE_CHARACTERS = 10;
// @node-rs/argon2's `const enum` values (isolated modules cannot read them).
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;
const ARGON2 = { algorithm: ARGON2ID, version: VERSION_0X13, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export class RecoveryCodes {
  readonly #database: Database;
  readonly #now: () => Date;

  constructor(options: { database: Database; now: () => Date }) {
    this.#database = options.database;
    this.#now = options.now;
  }

  /** A new set for the user, replacing any earlier one; the codes are returned once and never again. */
  async generate(userId: string, executor?: Executor): Promise<string[]> {
    const now = this.#now();
    const salt = randomBytes(16);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
      encodeBase32(randomBytes(7)).slice(0, CODE_CHARACTERS),
    );
    const hashes = await Promise.all(codes.map((code) => hashCode(code, salt)));
    const rows = hashes.map((hash) => ({
      id: createId('rec', now),
      user_id: userId,
      salt: salt.toString('base64url'),
      code_hash: hash.toString('base64url'),
      created_at: now,
    }));
    const write = async (trx: Executor) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.insertInto('recovery_codes').values(rows).execute();
    };
    if (executor) await write(executor);
    else await writeTransaction(this.#database, write);
    return codes.map((code) => `${code.slice(0, 5)}-${code.slice(5)}`);
  }

  /** Spends the code if it is one of the user's unused ones; false otherwise. */
  async use(userId: string, code: unknown): Promise<boolean> {
    const typed = normalizeRecoveryCode(code);
    const unused = await this.#database.db
      .selectFrom('recovery_codes')
      .select(['id', 'salt', 'code_hash'])
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
    const first = unused[0];
    if (typed === null || !first) return false;
    const guess = await hashCode(typed, Buffer.from(first.salt, 'base64url'));
    let match: string | null = null;
    for (const row of unused) {
      if (constantTimeEqual(guess, Buffer.from(row.code_hash, 'base64url'))) match = row.id;
    }
    if (match === null) return false;
    const spent = await this.#database.db
      .updateTable('recovery_codes')
      .set({ used_at: this.#now() })
      .where('id', '=', match)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1;
  }

  /** How many unused codes the user has. */
  async remaining(userId: string): Promise<number> {
    const row = await this.#database.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async remove(userId: string, executor: Executor = this.#database.db): Promise<number> {
    const result = await executor
      .deleteFrom('recovery_codes')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** The code as stored: lower case, no separators, Crockford's look-alikes folded; null if it cannot be one. */
export function normalizeRecoveryCode(code: unknown): string | null {
  if (typeof code !== 'string' || code.length > 40) return null;
  const folded = code.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  return /^[0-9a-hjkmnp-tv-z]{10}$/.test(folded) ? folded : null;
}

function hashCode(code: string, salt: Buffer): Promise<Buffer> {
  return hashRaw(code, { ...ARGON2, salt, outputLen: 32 });
}
