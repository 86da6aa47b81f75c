import { countCodePoints, normalizePassword } from '../password-input.js';
import type { PasswordValidator } from './password-validator.js';

/**
 * Refuses passwords longer than `max` characters (Unicode code points of the NFKC
 * form). The default of 256 leaves room for any passphrase or password manager
 * (NIST asks for at least 64) while keeping pathological inputs out.
 *
 * @example
 * await maximumLengthValidator(64).validate('x'.repeat(65)); // 'The password must contain at most 64 characters.'
 */
export function maximumLengthValidator(max = 256): PasswordValidator {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`The maximum password length must be a positive integer, got ${max}.`);
  }
  return {
    name: 'maximum_length',
    validate: (password) =>
      countCodePoints(normalizePassword(password)) > max
        ? `The password must contain at most ${max} ${max === 1 ? 'character' : 'characters'}.`
        : null,
  };
}
