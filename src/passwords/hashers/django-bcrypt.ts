/**
 * Verify-only hashers for Django's bcrypt formats, kept so users imported from
 * a Django project can sign in once and be upgraded to argon2id:
 *
 *   bcrypt_sha256$$2b$<cost>$<salt+hash>  bcrypt over the hex SHA-256 of the password
 *   bcrypt$$2b$<cost>$<salt+hash>         bcrypt over the password itself
 *
 * Invariants: the password is used exactly as Django used it (UTF-8 bytes, no
 * normalisation); bcrypt runs on the thread pool (@node-rs/bcrypt's async
 * `verify`, loaded at the first bcrypt hash), which compares the result in
 * constant time.
 *
 * Threat, and Django's own behaviour: bcrypt reads at most 72 bytes of key.
 * `bcrypt_sha256` avoids that by feeding bcrypt a 64-character digest, so every
 * byte of the password counts. Plain `bcrypt` does not: two passwords that share
 * their first 72 UTF-8 bytes both match its hashes, exactly as they did in
 * Django. That weakness lasts until the user's next sign-in, when the registry
 * replaces the hash with argon2id, which reads the whole password.
 */
import { createHash } from 'node:crypto';
import type { PasswordHasher } from './password-hasher.js';

// 2a and 2y are the same algorithm as 2b for passwords under 256 bytes; older Django installs wrote 2a.
const MODULAR_CRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** 2^18 rounds is 64 times Django's default cost of 12: enough headroom for real hashes, none for a hostile one. */
const MAX_COST = 18;

/** Django's `BCryptSHA256PasswordHasher` (`bcrypt_sha256$…`), for verifying imported hashes. */
export function djangoBcryptSha256Hasher(): PasswordHasher {
  return djangoBcryptHasherFor('bcrypt_sha256', (password) =>
    // Django feeds bcrypt the lower-case hex digest, as ASCII bytes.
    createHash('sha256').update(password, 'utf8').digest('hex'),
  );
}

/**
 * Django's `BCryptPasswordHasher` (`bcrypt$…`), for verifying imported hashes.
 * Only the first 72 UTF-8 bytes of the password are checked, as in Django.
 */
export function djangoBcryptHasher(): PasswordHasher {
  return djangoBcryptHasherFor('bcrypt', (password) => Buffer.from(password, 'utf8'));
}

function djangoBcryptHasherFor(
  algorithm: string,
  prepare: (password: string) => string | Buffer,
): PasswordHasher {
  const prefix = `${algorithm}$`;
  return {
    algorithm,

    identifies: (encoded) => encoded.startsWith(prefix),

    async verify(password, encoded) {
      if (!encoded.startsWith(prefix)) return false;
      const modularCrypt = encoded.slice(prefix.length);
      const match = MODULAR_CRYPT.exec(modularCrypt);
      if (!match || Number(match[1]) < 4 || Number(match[1]) > MAX_COST) return false;
      try {
        // Loaded on first use: most deployments never see a bcrypt hash, and the binding costs memory.
        const { verify } = await import('@node-rs/bcrypt');
        return await verify(prepare(password), modularCrypt);
      } catch {
        return false;
      }
    },
  };
}
