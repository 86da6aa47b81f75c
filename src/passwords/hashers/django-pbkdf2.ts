/**
 * Verify-only hashers for Django's PBKDF2 formats, kept so users imported from
 * a Django project can sign in once and be upgraded to argon2id:
 *
 *   pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte derived key>
 *   pbkdf2_sha1$<iterations>$<salt>$<base64 of the 20-byte derived key>
 *
 * Invariants: the password is used exactly as Django used it (its UTF-8 bytes,
 * no normalisation); derived keys are compared in constant time; derivation
 * runs on the thread pool (async `pbkdf2`); a stored hash asking for an absurd
 * iteration count is refused rather than pinning a pool thread for minutes.
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { constantTimeEqual } from '../../crypto.js';
import type { PasswordHasher } from './password-hasher.js';

const pbkdf2Async = promisify(pbkdf2);

/** Ten times Django 5.2's default (1,000,000): a real hash never asks for more; a corrupt one might. */
const MAX_ITERATIONS = 10_000_000;

// Django writes standard, padded base64.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ITERATIONS = /^[1-9]\d{0,9}$/;

/** Django's `PBKDF2PasswordHasher` (`pbkdf2_sha256$…`), for verifying imported hashes. */
export function djangoPbkdf2Sha256Hasher(): PasswordHasher {
  return djangoPbkdf2Hasher('pbkdf2_sha256', 'sha256', 32);
}

/** Django's `PBKDF2SHA1PasswordHasher` (`pbkdf2_sha1$…`), for verifying imported hashes. */
export function djangoPbkdf2Sha1Hasher(): PasswordHasher {
  return djangoPbkdf2Hasher('pbkdf2_sha1', 'sha1', 20);
}

function djangoPbkdf2Hasher(algorithm: string, digest: string, keyBytes: number): PasswordHasher {
  const prefix = `${algorithm}$`;
  return {
    algorithm,

    identifies: (encoded) => encoded.startsWith(prefix),

    async verify(password, encoded) {
      const parts = encoded.split('$');
      if (parts.length !== 4 || parts[0] !== algorithm) return false;
      const [, iterationsText = '', salt = '', expectedText = ''] = parts;
      if (!ITERATIONS.test(iterationsText) || salt === '' || !BASE64.test(expectedText)) return false;
      const iterations = Number(iterationsText);
      if (iterations > MAX_ITERATIONS) return false;
      const expected = Buffer.from(expectedText, 'base64');
      // Buffer's decoder skips what it does not understand; insist the text was canonical base64 of a full key.
      if (expected.length !== keyBytes || expected.toString('base64') !== expectedText) return false;
      const derived = await pbkdf2Async(
        Buffer.from(password, 'utf8'),
        Buffer.from(salt, 'utf8'),
        iterations,
        keyBytes,
        digest,
      );
      return constantTimeEqual(derived, expected);
    },
  };
}
