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
export {
  escapeHtml as escapeMailHtml,
  type Mail,
  type MailConfig,
  type MailInput,
  type MailMessage,
  type MailQuery,
  type MailRun,
  MailSendError,
  type MailStatus,
  type MailTemplate,
  type MailTemplateContext,
  type MailTemplateData,
  type MailTemplateName,
  type MailTransport,
  type PublicLinkOptions,
  publicLink,
  type QueuedMail,
  type ReadyMail,
  type RenderedMail,
  smtpTransport,
  type TemplatedMail,
} from './mail/index.js';
export type { AuthHooks } from './methods/hooks.js';
export {
  type AuthenticationPurpose,
  type CeremonyPurpose,
  type Passkey,
  type PasskeyId,
  PasskeyRefusal,
  type PasskeyRefusalReason,
  type Passkeys,
  type RelyingParty,
} from './methods/passkeys/index.js';
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
  type ConsumedToken,
  defaultTokenTtlSeconds,
  type IssuedToken,
  type IssueTokenInput,
  MAX_CODE_ATTEMPTS,
  type OneTimeToken,
  type OneTimeTokens,
  type TokenId,
  type TokenPurpose,
  type TokenSettings,
} from './tokens/one-time-tokens.js';
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
