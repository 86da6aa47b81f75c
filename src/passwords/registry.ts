/**
 * The password hasher registry, after Django's PASSWORD_HASHERS: one default
 * hasher makes every new hash; legacy hashers only verify, and any hash that is
 * not in the default's current format is reported for replacement.
 *
 * Invariants, and the threat each guards against:
 * - Every `verify` costs at least one run of the default hasher, also when the
 *   user is unknown, has no usable password, or the stored format is
 *   unrecognised; otherwise response time tells which accounts exist (user
 *   enumeration by timing, Django CVE-2024-39329).
 * - At most `maxConcurrency` hashes run at once, so a burst of sign-ins cannot
 *   occupy every thread of libuv's pool, which file I/O, DNS and other crypto
 *   also need.
 * - Passwords too long or ill-formed to hash are refused before any hasher sees
 *   them (hash DoS); `verify` still spends one dummy hash on them.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AuthError } from '../errors.js';
import type { DefaultPasswordHasher, PasswordHasher } from './hashers/password-hasher.js';
import { isLegacyPasswordMarker } from './legacy.js';
import { isHashablePassword, MAX_PASSWORD_LENGTH, normalizePassword } from './password-input.js';
import { Semaphore } from './semaphore.js';
import { isUsable } from './unusable.js';

export interface PasswordHashersOptions {
  /** Makes every new hash and verifies its own format. */
  default: DefaultPasswordHasher;
  /** Verify-only formats accepted from imported users; each is upgraded at its owner's next sign-in. */
  legacy?: readonly PasswordHasher[];
  /**
   * Most hashes running at once; further calls wait their turn, first come first served.
   * Default: the number of CPUs, but always at least one fewer than libuv's pool size
   * (`UV_THREADPOOL_SIZE`, default 4), so one pool thread stays free for other work.
   */
  maxConcurrency?: number;
}

export interface PasswordVerification {
  valid: boolean;
  /**
   * True when the password was valid and the stored hash should be replaced by
   * `hashers.hash(password)`: a legacy format, or the default format with
   * outdated parameters. Never true for an invalid password, so it can be acted
   * on without checking `valid` twice.
   */
  needsRehash: boolean;
}

// Stands in for a password too long to hash, so the dummy costs what a real verify costs.
const PLACEHOLDER_PASSWORD = 'gatehouse-password-placeholder';

/**
 * @example
 * const hashers = new PasswordHashers({ default: argon2idHasher(), legacy: [djangoPbkdf2Sha256Hasher()] });
 * const encoded = await hashers.hash('correct horse battery staple');
 * const { valid, needsRehash } = await hashers.verify('correct horse battery staple', encoded);
 */
export class PasswordHashers {
  readonly #default: DefaultPasswordHasher;
  readonly #legacy: readonly PasswordHasher[];
  readonly #semaphore: Semaphore;
  #dummyHash: Promise<string> | undefined;

  constructor(options: PasswordHashersOptions) {
    this.#default = options.default;
    this.#legacy = options.legacy ?? [];
    this.#semaphore = new Semaphore(options.maxConcurrency ?? defaultMaxConcurrency());
  }

  /**
   * A new hash of `password` with the default hasher. Throws `AuthError('password_invalid')`
   * for a password over 4096 characters or containing unpaired UTF-16 surrogates.
   */
  hash(password: string): Promise<string> {
    if (!isHashablePassword(password)) {
      return Promise.reject(
        new AuthError('password_invalid', 'The password cannot be used.', {
          fields: {
            password: `The password must be at most ${MAX_PASSWORD_LENGTH} characters of valid Unicode text.`,
          },
        }),
      );
    }
    return this.#semaphore.run(() => this.#default.hash(password));
  }

  /**
   * Checks `password` against a stored hash. Pass `null` for an unknown user or
   * one without a password: the call then costs the same hash as a wrong
   * password and returns `valid: false`.
   *
   * A legacy hash is tried with the password exactly as typed, as Django did;
   * if that fails and the NFKC form differs, the NFKC form is tried too, which
   * is how the password will be compared once upgraded to the default hasher.
   */
  async verify(password: string, encoded: string | null): Promise<PasswordVerification> {
    if (!isHashablePassword(password)) return this.#noMatch(PLACEHOLDER_PASSWORD);
    if (!isUsable(encoded)) return this.#noMatch(password);
    const hasher = this.#find(encoded);
    if (hasher === undefined) return this.#noMatch(password);
    if (hasher === this.#default) {
      const valid = await this.#semaphore.run(() => hasher.verify(password, encoded));
      return { valid, needsRehash: valid && this.#default.needsRehash(encoded) };
    }
    let valid = await this.#semaphore.run(() => hasher.verify(password, encoded));
    const normalized = normalizePassword(password);
    if (!valid && normalized !== password) {
      valid = await this.#semaphore.run(() => hasher.verify(normalized, encoded));
    }
    return { valid, needsRehash: valid };
  }

  /**
   * Whether some hasher of this registry can verify `encoded` (for imports of
   * existing hashes), or `encoded` is the marker of a password the old system
   * checks at first sign-in (`./legacy.ts`; `verify` itself never matches it).
   */
  recognizes(encoded: string): boolean {
    if (isLegacyPasswordMarker(encoded)) return true;
    return isUsable(encoded) && this.#find(encoded) !== undefined;
  }

  #find(encoded: string): PasswordHasher | undefined {
    if (this.#default.identifies(encoded)) return this.#default;
    return this.#legacy.find((hasher) => hasher.identifies(encoded));
  }

  /** One verify by the default hasher against a hash of a random secret that no password matches. */
  async #noMatch(password: string): Promise<PasswordVerification> {
    this.#dummyHash ??= this.#semaphore.run(() => this.#default.hash(randomBytes(32).toString('base64')));
    let dummy: string;
    try {
      dummy = await this.#dummyHash;
    } catch (error) {
      // Do not keep a failed hash around: the next call tries again.
      this.#dummyHash = undefined;
      throw error;
    }
    await this.#semaphore.run(() => this.#default.verify(password, dummy));
    return { valid: false, needsRehash: false };
  }
}

function defaultMaxConcurrency(): number {
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), poolSize - 1));
}
