export { createPasswordHashers, type PasswordHashersConfig } from './create-password-hashers.js';
export { type Argon2idParams, argon2idHasher } from './hashers/argon2id.js';
export { djangoArgon2Hasher } from './hashers/django-argon2.js';
export { djangoBcryptHasher, djangoBcryptSha256Hasher } from './hashers/django-bcrypt.js';
export { djangoPbkdf2Sha1Hasher, djangoPbkdf2Sha256Hasher } from './hashers/django-pbkdf2.js';
export type { DefaultPasswordHasher, PasswordHasher } from './hashers/password-hasher.js';
export {
  DEFAULT_LEGACY_TIMEOUT_MS,
  isLegacyPasswordMarker,
  LEGACY_PASSWORD_MARKER,
  type LegacyPasswordFunction,
  type LegacyPasswordsConfig,
  type LegacyPasswordVerifier,
  type LegacyPasswordWebhook,
  legacyPasswordVerifier,
  legacyUrlProblem,
} from './legacy.js';
export { isHashablePassword, MAX_PASSWORD_LENGTH, normalizePassword } from './password-input.js';
export { PasswordHashers, type PasswordHashersOptions, type PasswordVerification } from './registry.js';
export { isUsable, UNUSABLE_PASSWORD_PREFIX, unusablePassword } from './unusable.js';
export { type BreachedPasswordOptions, breachedPasswordValidator } from './validators/breached-password.js';
export { commonPasswordValidator } from './validators/common-password.js';
export { defaultPasswordValidators } from './validators/default-validators.js';
export { maximumLengthValidator } from './validators/maximum-length.js';
export { minimumLengthValidator } from './validators/minimum-length.js';
export { numericPasswordValidator } from './validators/numeric.js';
export type { PasswordUserAttributes, PasswordValidator } from './validators/password-validator.js';
export {
  type UserAttributeSimilarityOptions,
  userAttributeSimilarityValidator,
} from './validators/user-attribute-similarity.js';
export { assertValidPassword, validatePassword } from './validators/validate-password.js';
export {
  type PasswordValidatorSettings,
  validatorsFromSettings,
} from './validators/validators-from-settings.js';
