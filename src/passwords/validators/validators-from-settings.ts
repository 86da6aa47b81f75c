import { breachedPasswordValidator } from './breached-password.js';
import { commonPasswordValidator } from './common-password.js';
import { maximumLengthValidator } from './maximum-length.js';
import { minimumLengthValidator } from './minimum-length.js';
import { numericPasswordValidator } from './numeric.js';
import type { PasswordValidator } from './password-validator.js';
import { userAttributeSimilarityValidator } from './user-attribute-similarity.js';

/** Which shipped validators run, with what settings; omitted keys keep the defaults. */
export interface PasswordValidatorSettings {
  /** Default 8. */
  minLength?: number;
  /** Default 256. */
  maxLength?: number;
  /** Default on. */
  similarity?: boolean | { attributes?: string[]; maxSimilarity?: number };
  /** Default on. */
  common?: boolean;
  /** Default on. */
  numeric?: boolean;
  /** Default off: it calls an outside service. */
  breached?: boolean | { endpoint?: string; timeoutMs?: number; minCount?: number };
}

/**
 * The validator list that configuration describes; `{}` gives `defaultPasswordValidators()`.
 *
 * @example
 * const validators = validatorsFromSettings({ minLength: 15, breached: { timeoutMs: 1000 } });
 */
export function validatorsFromSettings(settings: PasswordValidatorSettings = {}): PasswordValidator[] {
  const validators = [minimumLengthValidator(settings.minLength), maximumLengthValidator(settings.maxLength)];
  if (settings.similarity !== false) {
    validators.push(
      userAttributeSimilarityValidator(settings.similarity === true ? {} : settings.similarity),
    );
  }
  if (settings.common !== false) validators.push(commonPasswordValidator());
  if (settings.numeric !== false) validators.push(numericPasswordValidator());
  if (settings.breached) {
    validators.push(breachedPasswordValidator(settings.breached === true ? {} : settings.breached));
  }
  return validators;
}
