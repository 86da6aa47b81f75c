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
export type {
  ImportRejection,
  ImportUserRow,
  ImportUsersOptions,
  ImportUsersResult,
} from './accounts/user-import.js';
export { normalizeUsername } from './accounts/username.js';
export type {
  CreateUserInput,
  ListUsersOptions,
  UpdateUserInput,
  UserEvents,
  Users,
} from './accounts/users.js';
export type { AuditEvent, AuditEventType, AuditLog } from './audit/audit-log.js';
export { type Auth, createAuth } from './auth.js';
export { ConfigError, defineConfig, type GatehouseConfig, type RateLimit } from './config.js';
export type { AuthEvents, MigrateOptions, MigrateResult, SessionEvents } from './core.js';
export { AuthError, type ErrorCode, errorStatus, type FieldErrors, isAuthError } from './errors.js';
export type { Listener } from './events.js';
export type { ConnectionInfo } from './http/api.js';
export type { SignedIn } from './http/exchange.js';
export type { Logger, LogLevel } from './logger.js';
export type { AuthHooks } from './methods/hooks.js';
export type { LegacyPasswordsConfig, PasswordValidatorSettings } from './passwords/index.js';
export type { AnonymousSession } from './sessions/anonymous-sessions.js';
export {
  type CreateSessionOptions,
  defaultSessionPolicy,
  type Session,
  type SessionId,
  type SessionPolicy,
  type Sessions,
} from './sessions/sessions.js';
export {
  type DeliveryQuery,
  type DeliveryRun,
  signWebhookPayload,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
  type WebhookConfig,
  type WebhookDelivery,
  type WebhookDeliverySettings,
  type WebhookDeliveryStatus,
  type WebhookInfo,
  type WebhookPayload,
  type WebhookSignatureCheck,
  type Webhooks,
} from './webhooks/index.js';
