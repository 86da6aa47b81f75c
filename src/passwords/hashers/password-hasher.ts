/**
 * The contract every password hasher meets, after Django's PASSWORD_HASHERS:
 * each stored hash names its algorithm, so one registry can verify many
 * formats and upgrade old ones when their owner next signs in.
 *
 * Implementations treat a malformed stored hash as "no match" (false), never
 * as an exception: a corrupt row must not turn a sign-in into a 500.
 */
export interface PasswordHasher {
  /** The name written into (or recognised in) stored hashes, such as `argon2id` or `pbkdf2_sha256`. */
  readonly algorithm: string;
  /** True when `encoded` is in this hasher's format, whether or not it is well formed. */
  identifies(encoded: string): boolean;
  /** True when `password` matches `encoded`; false for a wrong password or a malformed hash. */
  verify(password: string, encoded: string): Promise<boolean>;
}

/** A hasher that can also create hashes: the registry's default, used for every new or upgraded hash. */
export interface DefaultPasswordHasher extends PasswordHasher {
  /** A new hash of `password` with a fresh random salt. */
  hash(password: string): Promise<string>;
  /** True when `encoded` was made with parameters other than the configured ones and should be replaced. */
  needsRehash(encoded: string): boolean;
}
