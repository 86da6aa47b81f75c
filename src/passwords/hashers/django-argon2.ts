/**
 * A verify-only hasher for Django's argon2 format, kept so users imported from
 * a Django project can sign in once and be upgraded to this project's argon2id:
 *
 *   argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>   Django 3.2 and later
 *   argon2$argon2i$v=19$m=…,t=…,p=…$<salt>$<hash>    Django 1.10 to 3.1
 *   argon2$argon2i$m=…,t=…,p=…$<salt>$<hash>         earliest hashes, argon2 version 0x10
 *
 * Django prefixes a standard PHC string with `argon2`; dropping the prefix
 * leaves a string the argon2 library verifies directly. Invariants: the
 * password is used exactly as Django used it (UTF-8, no normalisation);
 * verification runs on the thread pool; a stored hash asking for more memory
 * or time than any real deployment uses is refused, because failing to
 * allocate it would abort the process.
 */
import { verify } from '@node-rs/argon2';
import { ARGON2_VERIFY_LIMIT, isWithinCostLimit, parseArgon2Phc } from './argon2-phc.js';
import type { PasswordHasher } from './password-hasher.js';

const PREFIX = 'argon2$';

/** Django's `Argon2PasswordHasher` (`argon2$argon2id$…` and the older `argon2$argon2i$…`). */
export function djangoArgon2Hasher(): PasswordHasher {
  return {
    algorithm: 'argon2',

    identifies: (encoded) => encoded.startsWith(PREFIX),

    async verify(password, encoded) {
      if (!encoded.startsWith(PREFIX)) return false;
      const phcString = encoded.slice(PREFIX.length - 1);
      const phc = parseArgon2Phc(phcString);
      // Django never wrote argon2d.
      if (phc === null || phc.variant === 'argon2d' || !isWithinCostLimit(phc, ARGON2_VERIFY_LIMIT))
        return false;
      try {
        return await verify(phcString, password);
      } catch {
        return false;
      }
    },
  };
}
