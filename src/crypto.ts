/**
 * Randomness and comparisons. Every secret Gatehouse mints comes from the
 * operating system's CSPRNG (`node:crypto`), and every comparison of a secret
 * against a stored value runs in time independent of where they differ.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

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

/** A value derived from a secret for one use: HMAC-SHA-256(secret, label), base64url (43 characters). */
export function deriveToken(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest('base64url');
}

/** Encrypts and authenticates short text at rest; see `createSealer`. */
export interface Sealer {
  /** `v1.<iv>.<ciphertext and tag>`; `context` (say, a row id and column) must be given again to open it. */
  seal(text: string, context: string): string;
  /** The text, or null when the value was not sealed by this key for this context. */
  open(sealed: string, context: string): string | null;
}

/**
 * AES-256-GCM under a key derived (HKDF-SHA-256) from the server secret for
 * one purpose, a fresh 96-bit IV per value, and the context as additional
 * data: a sealed value copied to another row or column does not open.
 */
export function createSealer(secret: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', purpose, 32));
  return {
    seal(text, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, context) {
      const [version, iv, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !body) return null;
      const bytes = Buffer.from(body, 'base64url');
      if (bytes.length < 16) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
          .setAAD(Buffer.from(context))
          .setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([
          decipher.update(bytes.subarray(0, bytes.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
