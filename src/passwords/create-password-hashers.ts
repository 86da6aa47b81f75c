import { type Argon2idParams, argon2idHasher } from './hashers/argon2id.js';
import { djangoArgon2Hasher } from './hashers/django-argon2.js';
import { djangoBcryptHasher, djangoBcryptSha256Hasher } from './hashers/django-bcrypt.js';
import { djangoPbkdf2Sha1Hasher, djangoPbkdf2Sha256Hasher } from './hashers/django-pbkdf2.js';
import { PasswordHashers } from './registry.js';

export interface PasswordHashersConfig {
  /** Cost of new hashes. Default: OWASP's 19 MiB, 2 passes, 1 lane. Changing it upgrades hashes at next sign-in. */
  argon2?: Argon2idParams;
  /** Most hashes running at once; see `PasswordHashersOptions.maxConcurrency`. */
  maxConcurrency?: number;
}

/**
 * The registry Gatehouse uses unless told otherwise: argon2id for new hashes, and
 * every Django format (PBKDF2-SHA256, PBKDF2-SHA1, bcrypt-SHA256, bcrypt, argon2)
 * accepted from imported users and upgraded to argon2id at their next sign-in.
 *
 * @example
 * const hashers = createPasswordHashers({ argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 } });
 * const { valid, needsRehash } = await hashers.verify(password, user.passwordHash);
 * if (needsRehash) await saveHash(user.id, await hashers.hash(password));
 */
export function createPasswordHashers(config: PasswordHashersConfig = {}): PasswordHashers {
  return new PasswordHashers({
    default: argon2idHasher(config.argon2),
    legacy: [
      djangoPbkdf2Sha256Hasher(),
      djangoPbkdf2Sha1Hasher(),
      djangoBcryptSha256Hasher(),
      djangoBcryptHasher(),
      djangoArgon2Hasher(),
    ],
    maxConcurrency: config.maxConcurrency,
  });
}
