/**
 * Unusable passwords, Django's convention: a stored value starting with `!` is
 * never a hash, so no password can match it. It marks users who sign in another
 * way (social, passkey) or whose password was disabled by an administrator.
 * The random tail keeps two such values distinct, so a stored column never
 * reveals which accounts were disabled together.
 */
import { randomBytes } from 'node:crypto';
import { encodeBase32 } from '../crypto.js';

export const UNUSABLE_PASSWORD_PREFIX = '!';

/** A value to store in place of a hash when the user must not sign in with a password. */
export function unusablePassword(): string {
  return UNUSABLE_PASSWORD_PREFIX + encodeBase32(randomBytes(25));
}

/** False for a missing hash and for one made by `unusablePassword()`. */
export function isUsable(encoded: string | null | undefined): encoded is string {
  return typeof encoded === 'string' && !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}
