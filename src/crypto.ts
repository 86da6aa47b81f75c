/**
 * Randomness and comparisons. Every secret Gatehouse mints comes from the
 * operating system's CSPRNG (`node:crypto`), and every comparison of a secret
 * against a stored value runs in time independent of where they differ.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A prefixed, time-ordered identifier: `usr_` + 10 characters of milliseconds
 * since the epoch + 16 characters (80 bits) of randomness, in Crockford base32.
 * Ids of rows created later sort later, which keeps B-tree inserts local and
 * makes `(created_at, id)` keyset pagination stable.
 */
export function createId<P extends string>(
  prefix: P,
  now: Date = new Date(),
  /** 10 random bytes drawn by the caller (bulk inserts draw them in bulk); default: fresh from the CSPRNG. */
  random: Uint8Array = randomBytes(10),
): `${P}_${string}` {
  let time = Math.max(0, now.getTime());
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return `${prefix}_${head}${encodeBase32(random)}`;
}

/** Lower-case Crockford base32 without padding (5 bits per character). */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}

/** A bearer secret: 256 bits from the CSPRNG, base64url (43 characters). */
export function createSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The SHA-256 of a secret, hex-encoded: what is stored in place of the secret.
 * Synchronous on purpose: about a microsecond with `node:crypto`, and it never
 * queues behind password hashes on the libuv thread pool.
 */
export function sha256Hex(secret: string): string {
  // The one-shot form skips building a Hash object: this runs on every authenticated request.
  return hash('sha256', secret, 'hex');
}

/** Compares two byte strings in constant time for equal lengths; unequal lengths are simply unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
