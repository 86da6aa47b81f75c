/**
 * Refuses a password that is close to something an attacker targeting this
 * user already knows: their email address, username or names (NIST SP
 * 800-63B-4 lists context-specific words in the blocklist). Each attribute is
 * compared whole, split at `@`, and split at every non-letter, so for
 * `jane.doe@example.com` the local part `jane.doe`, `jane` and `doe` all count.
 * Comparison is case-insensitive, on NFKC forms.
 */
import { normalizePassword } from '../password-input.js';
import type { PasswordUserAttributes, PasswordValidator } from './password-validator.js';
import { similarity, similarityUpperBound } from './text-similarity.js';

export interface UserAttributeSimilarityOptions {
  /** Attributes of the user to compare with. Default: email, username, firstName, lastName. */
  attributes?: readonly string[];
  /** Refuse when similarity reaches this value, from 0.1 (strict) to 1 (only exact matches). Default 0.7. */
  maxSimilarity?: number;
}

/**
 * Comparing is quadratic and runs on the event loop, so passwords longer than
 * this are not compared; the maximum length validator (256 by default) refuses
 * them anyway.
 */
const MAX_COMPARED_LENGTH = 512;

const LABELS: Record<string, string> = {
  email: 'email address',
  username: 'username',
  firstName: 'first name',
  lastName: 'last name',
};

const NON_WORD = /[^\p{L}\p{N}]+/u;

/**
 * @example
 * const validator = userAttributeSimilarityValidator();
 * await validator.validate('janedoe2024', { email: 'jane.doe@example.com' });
 * // 'The password is too similar to your email address.'
 */
export function userAttributeSimilarityValidator(
  options: UserAttributeSimilarityOptions = {},
): PasswordValidator {
  const attributes = options.attributes ?? ['email', 'username', 'firstName', 'lastName'];
  const maxSimilarity = options.maxSimilarity ?? 0.7;
  if (!(maxSimilarity >= 0.1 && maxSimilarity <= 1)) {
    throw new RangeError(`maxSimilarity must be between 0.1 and 1, got ${maxSimilarity}.`);
  }

  return {
    name: 'user_attribute_similarity',
    validate(password, user?: PasswordUserAttributes) {
      if (!user) return null;
      const candidate = [...fold(password)];
      if (candidate.length > MAX_COMPARED_LENGTH) return null;
      for (const attribute of attributes) {
        const value = user[attribute];
        if (typeof value !== 'string' || value === '') continue;
        const folded = fold(value);
        const pieces = new Set([folded, ...folded.split('@'), ...folded.split(NON_WORD)]);
        for (const piece of pieces) {
          if (piece === '') continue;
          const chars = [...piece];
          if (similarityUpperBound(candidate.length, chars.length) < maxSimilarity) continue;
          if (similarity(candidate, chars) >= maxSimilarity) {
            return `The password is too similar to your ${labelOf(attribute)}.`;
          }
        }
      }
      return null;
    },
  };
}

function fold(text: string): string {
  return normalizePassword(text).toLowerCase();
}

/** `phoneNumber` becomes "phone number". */
function labelOf(attribute: string): string {
  return (
    LABELS[attribute] ??
    attribute
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/_/g, ' ')
      .toLowerCase()
  );
}
