/**
 * What a password is before any hasher or validator sees it.
 *
 * Invariant: Gatehouse hashes and measures the NFKC form of a password (NIST SP
 * 800-63B-4 §3.1.1.2 recommends NFKC/NFKD), so the same password typed on two
 * keyboards that emit different Unicode forms (é as one code point or as e +
 * combining accent) signs in the same way. Threat guarded by the limits: a
 * multi-megabyte "password" tying up the hashing threads (hash DoS), and
 * ill-formed UTF-16 whose lone surrogates would all collapse to U+FFFD when
 * encoded as UTF-8, making distinct inputs hash alike.
 */

/** The longest password, in Unicode code points, that is ever hashed. Length policy proper belongs to validators. */
export const MAX_PASSWORD_LENGTH = 4096;

/** The form of a password that is hashed, measured and compared against lists. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points, so an emoji or an accented letter counts as one character. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** True when the password may be handed to a hasher: at most MAX_PASSWORD_LENGTH code points of well-formed UTF-16. */
export function isHashablePassword(password: string): boolean {
  // A code point is at most two UTF-16 units: this bound settles most inputs without walking the string.
  if (password.length > 2 * MAX_PASSWORD_LENGTH) return false;
  if (password.length > MAX_PASSWORD_LENGTH && countCodePoints(password) > MAX_PASSWORD_LENGTH) return false;
  return !LONE_SURROGATE.test(password);
}
