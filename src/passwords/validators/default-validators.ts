import { commonPasswordValidator } from './common-password.js';
import { maximumLengthValidator } from './maximum-length.js';
import { minimumLengthValidator } from './minimum-length.js';
import { numericPasswordValidator } from './numeric.js';
import type { PasswordValidator } from './password-validator.js';
import { userAttributeSimilarityValidator } from './user-attribute-similarity.js';

/**
 * The validators Gatehouse runs unless configured otherwise: at least 8 and at
 * most 256 characters, not close to the user's attributes, not a common
 * password, not digits only. The breached-password check is off by default
 * because it calls an outside service.
 *
 * @example
 * const messages = await validatePassword('password', { email: 'ada@example.com' }, defaultPasswordValidators());
 */
export function defaultPasswordValidators(): PasswordValidator[] {
  return [
    minimumLengthValidator(8),
    maximumLengthValidator(256),
    userAttributeSimilarityValidator(),
    commonPasswordValidator(),
    numericPasswordValidator(),
  ];
}
