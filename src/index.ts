export {
  type AuthenticationBackend,
  type BackendContext,
  type Credentials,
  cleanseCredentials,
  passwordBackend,
} from './accounts/backends.js';
export type {
  BooleanField,
  CustomFieldDefinition,
  CustomFieldInput,
  CustomFields,
  CustomFieldValues,
  IntegerField,
  NoCustomFields,
  NumberField,
  StringField,
  TimestampField,
} from './accounts/custom-fields.js';
export { normalizeEmail } from './accounts/email.js';
export type { CoreUser, User, UserId } from './accounts/user.js';
export { UserFieldMigrationError } from './accounts/user-field-columns.js';
export { normalizeUsername } from './accounts/username.js';
export type {
  CreateUserInput,
  ListUsersOptions,
  UpdateUserInput,
  UserEvents,
  Users,
} from './accounts/users.js';
export { type Auth, type AuthEvents, createAuth, type MigrateOptions, type MigrateResult } from './auth.js';
export { ConfigError, defineConfig, type GatehouseConfig } from './config.js';
export { AuthError, type ErrorCode, errorStatus, type FieldErrors, isAuthError } from './errors.js';
export type { Listener } from './events.js';
export type { Logger, LogLevel } from './logger.js';
export type { PasswordValidatorSettings } from './passwords/index.js';
export {
  type CreateSessionOptions,
  defaultSessionPolicy,
  type Session,
  type SessionId,
  type SessionPolicy,
  type Sessions,
} from './sessions/sessions.js';
