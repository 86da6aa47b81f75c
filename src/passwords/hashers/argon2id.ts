/**
 * The default hasher: argon2id in the standard PHC string format, through
 * @node-rs/argon2, whose async calls run on libuv's thread pool and never on
 * the event loop (a hash takes milliseconds; the event loop must not).
 *
 * Invariants: the password is NFKC-normalised before hashing and verifying, so
 * Unicode forms of one password are one password; every hash has its own
 * random 16-byte salt and carries its parameters, so `needsRehash` can tell
 * when a stored hash was made with settings other than today's.
 */
import { type Algorithm, hash, type Version, verify } from '@node-rs/argon2';
import { normalizePassword } from '../password-input.js';
import { ARGON2_VERIFY_LIMIT, isWithinCostLimit, parseArgon2Phc } from './argon2-phc.js';
import type { DefaultPasswordHasher } from './password-hasher.js';

export interface Argon2idParams {
  /** Memory per hash in KiB. Default 19456 (19 MiB), OWASP's recommendation for argon2id with t=2. */
  memoryCost?: number;
  /** Passes over memory. Default 2. */
  timeCost?: number;
  /** Lanes. Default 1: concurrency comes from hashing several passwords at once, not from one hash. */
  parallelism?: number;
}

// @node-rs/argon2 declares these as `const enum`s, which isolated modules cannot read; the values are its own.
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * argon2id, the default for new hashes.
 *
 * @example
 * const hasher = argon2idHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
 * const encoded = await hasher.hash('correct horse battery staple');
 * await hasher.verify('correct horse battery staple', encoded); // true
 */
export function argon2idHasher(params: Argon2idParams = {}): DefaultPasswordHasher {
  const memoryCost = params.memoryCost ?? 19456;
  const timeCost = params.timeCost ?? 2;
  const parallelism = params.parallelism ?? 1;
  assertParams(memoryCost, timeCost, parallelism);
  // Hashes made with the configured cost must always verify, even if it exceeds the generic limit.
  const limit = {
    memoryCost: Math.max(ARGON2_VERIFY_LIMIT.memoryCost, memoryCost),
    timeCost: Math.max(ARGON2_VERIFY_LIMIT.timeCost, timeCost),
    parallelism: ARGON2_VERIFY_LIMIT.parallelism,
  };
  const prefix = '$argon2id$';

  return {
    algorithm: 'argon2id',

    identifies: (encoded) => encoded.startsWith(prefix),

    hash: (password) =>
      hash(normalizePassword(password), {
        algorithm: ARGON2ID,
        version: VERSION_0X13,
        memoryCost,
        timeCost,
        parallelism,
        outputLen: HASH_BYTES,
      }),

    async verify(password, encoded) {
      const phc = parseArgon2Phc(encoded);
      if (phc?.variant !== 'argon2id' || !isWithinCostLimit(phc, limit)) return false;
      try {
        return await verify(encoded, normalizePassword(password));
      } catch {
        // The library rejects what it cannot decode (bad base64, impossible parameters): no match.
        return false;
      }
    },

    needsRehash(encoded) {
      const phc = parseArgon2Phc(encoded);
      return (
        phc === null ||
        phc.variant !== 'argon2id' ||
        phc.version !== 0x13 ||
        phc.memoryCost !== memoryCost ||
        phc.timeCost !== timeCost ||
        phc.parallelism !== parallelism ||
        phc.saltBytes < SALT_BYTES ||
        phc.hashBytes !== HASH_BYTES
      );
    },
  };
}

function assertParams(memoryCost: number, timeCost: number, parallelism: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 255) {
    problems.push(`parallelism must be an integer from 1 to 255, got ${parallelism}`);
  }
  // argon2 needs at least 8 KiB per lane.
  if (
    !Number.isInteger(memoryCost) ||
    memoryCost < 8 * Math.max(1, parallelism) ||
    memoryCost > 2 ** 32 - 1
  ) {
    problems.push(`memoryCost must be an integer of at least 8 KiB per lane, got ${memoryCost}`);
  }
  if (!Number.isInteger(timeCost) || timeCost < 1 || timeCost > 2 ** 32 - 1) {
    problems.push(`timeCost must be a positive integer, got ${timeCost}`);
  }
  if (problems.length > 0) throw new RangeError(`Invalid argon2id parameters: ${problems.join('; ')}.`);
}
