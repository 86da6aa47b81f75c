import { normalizePassword } from '../password-input.js';
import type { PasswordValidator } from './password-validator.js';

// Decimal digits of any script; NFKC has already folded full-width digits to ASCII.
const ALL_DIGITS = /^\p{Nd}+$/u;

/**
 * Refuses passwords made of digits only: dates, phone numbers and PINs fall to
 * a dictionary attack long before their length suggests.
 *
 * @example
 * await numericPasswordValidator().validate('20240229'); // 'The password cannot be made of digits only.'
 */
export function numericPasswordValidator(): PasswordValidator {
  return {
    name: 'numeric',
    validate: (password) =>
      ALL_DIGITS.test(normalizePassword(password)) ? 'The password cannot be made of digits only.' : null,
  };
}
