import { countCodePoints, normalizePassword } from '../password-input.js';
import type { PasswordValidator } from './password-validator.js';

/**
 * Refuses passwords shorter than `min` characters, counted as Unicode code points
 * of the NFKC form, which is the form that gets hashed (NIST SP 800-63B-4: at
 * least 8; 15 when a password is the only factor).
 *
 * @example
 * await minimumLengthValidator(12).validate('short'); // 'The password must contain at least 12 characters.'
 */
export function minimumLengthValidator(min = 8): PasswordValidator {
  if (!Number.isInteger(min) || min < 1) {
    throw new RangeError(`The minimum password length must be a positive integer, got ${min}.`);
  }
  return {
    name: 'minimum_length',
    validate: (password) =>
      countCodePoints(normalizePassword(password)) < min
        ? `The password must contain at least ${min} ${min === 1 ? 'character' : 'characters'}.`
        : null,
  };
}
