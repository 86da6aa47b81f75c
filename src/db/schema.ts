/**
 * Row types as Kysely sees them. What comes back differs by dialect — SQLite
 * returns 0/1 for booleans, ISO strings for timestamps and text for JSON;
 * PostgreSQL returns booleans, `Date`s and parsed JSON — so the read side of
 * those columns is a union and each store maps rows through `./values.ts`.
 * Writes take the plain JavaScript values on both dialects.
 */
import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date | string, Date, Date>;
export type Bool = ColumnType<boolean | number, boolean, boolean>;
export type Json = ColumnType<unknown, string, string>;

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

/** The custom user fields `gatehouse migrate` has added as columns, so removals are noticed. */
export interface UserFieldsTable {
  name: string;
  column_name: string;
  type: string;
  added_at: Timestamp;
}

export interface UsersTable {
  id: string;
  email: string;
  email_verified_at: ColumnType<Date | string | null, Date | null | undefined, Date | null>;
  username: string | null;
  password_hash: string | null;
  first_name: Generated<string>;
  last_name: Generated<string>;
  is_active: ColumnType<boolean | number, boolean | undefined, boolean>;
  is_staff: ColumnType<boolean | number, boolean | undefined, boolean>;
  is_superuser: ColumnType<boolean | number, boolean | undefined, boolean>;
  last_login_at: ColumnType<Date | string | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  metadata: ColumnType<unknown, string | undefined, string>;
  session_epoch: ColumnType<number, number | undefined, number>;
  /** The tenant whose user pool holds the account: `default` for the shared pool. */
  pool_id: ColumnType<string, string | undefined, string>;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  user_epoch: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  amr: Json;
  data: Json;
  impersonator_id: ColumnType<string | null, string | null | undefined, string | null>;
  impersonator_session_id: ColumnType<string | null, string | null | undefined, string | null>;
  tenant_id: ColumnType<string, string | undefined, string>;
}

export interface AuditEventsTable {
  id: string;
  at: Timestamp;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  tenant_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Json;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  reset_at: Timestamp;
}

export interface AnonymousSessionsTable {
  id: string;
  token_hash: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  data: Json;
}

export interface PermissionsTable {
  id: string;
  codename: string;
  name: string;
  created_at: Timestamp;
  declared: ColumnType<boolean | number, boolean | undefined, boolean>;
}

export interface GroupsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

export interface GroupPermissionsTable {
  group_id: string;
  permission_id: string;
}

export interface UserGroupsTable {
  user_id: string;
  group_id: string;
}

export interface UserPermissionsTable {
  user_id: string;
  permission_id: string;
}

type NullableTimestamp = ColumnType<Date | string | null, Date | null | undefined, Date | null>;

/** The webhook outbox and delivery log (see `src/webhooks/`). */
export interface WebhookDeliveriesTable {
  id: string;
  webhook: string;
  event_id: string;
  event_type: string;
  /** The exact JSON body sent (and signed) on every attempt. */
  payload: string;
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  lock_token: ColumnType<string | null, string | null | undefined, string | null>;
  last_attempt_at: NullableTimestamp;
  last_status_code: ColumnType<number | null, number | null | undefined, number | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
}

/** Single-use mailed secrets (see `src/tokens/`): only hashes are stored. */
export interface OneTimeTokensTable {
  id: string;
  purpose: string;
  token_hash: string;
  user_id: string | null;
  email: string;
  data: Json;
  /** The user's session epoch at issue, for the purposes a password change ends. */
  user_epoch: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  tenant_id: ColumnType<string, string | undefined, string>;
}

/** External identities linked to users (see `src/accounts/linked-accounts.ts`). */
export interface AccountsTable {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  email_verified: Bool;
  /** Sealed (`crypto.ts`), when the provider keeps its tokens. */
  access_token: string | null;
  refresh_token: string | null;
  token_expires_at: NullableTimestamp;
  scope: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
}

/** Authorization requests between their start and their callback (see `src/methods/oauth/`). */
export interface OAuthTransactionsTable {
  id: string;
  secret_hash: string;
  provider: string;
  intent: string;
  user_id: string | null;
  session_id: string | null;
  redirect_to: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  tenant_id: ColumnType<string, string | undefined, string>;
}

/** A user's TOTP authenticator (see `src/methods/mfa/`). */
export interface MfaFactorsTable {
  id: string;
  user_id: string;
  kind: string;
  /** Sealed (`crypto.ts`). */
  secret: string;
  /** The latest time step a code was accepted for (bigint: PostgreSQL may return it as a string). */
  last_step: ColumnType<number | string, number | undefined, number>;
  created_at: Timestamp;
  confirmed_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  salt: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

/** Sign-ins waiting for their second factor. */
export interface MfaChallengesTable {
  id: string;
  token_hash: string;
  user_id: string;
  amr: Json;
  data: Json;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  /** base64url. */
  credential_id: string;
  /** base64url of the COSE public key. */
  public_key: string;
  counter: ColumnType<number | string, number | undefined, number>;
  transports: Json;
  device_type: string;
  backed_up: Bool;
  aaguid: string | null;
  name: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface WebauthnChallengesTable {
  id: string;
  challenge_hash: string;
  purpose: string;
  user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface TrustedDevicesTable {
  id: string;
  user_id: string;
  token_hash: string;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
}

/** The mail outbox (see `src/mail/`): rendered messages waiting for, or done with, a transport. */
export interface MailOutboxTable {
  id: string;
  /** The template name (`password_reset`, …) or the purpose given with a ready-made message. */
  template: string;
  to_address: string;
  from_address: string;
  subject: string;
  /** Null once the message is sent by a real transport or given up: the bodies carry live links. */
  text_body: ColumnType<string | null, string | null, string | null>;
  html_body: ColumnType<string | null, string | null, string | null>;
  /** Extra headers, JSON. */
  headers: ColumnType<string | null, string | null | undefined, string | null>;
  status: string;
  /** Which transport sent it (`smtp`, `log`, or a custom transport's name). */
  transport: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  lock_token: ColumnType<string | null, string | null | undefined, string | null>;
  last_attempt_at: NullableTimestamp;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

/** Organisations (see `src/tenants/`). */
export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  /** `shared` or `isolated`. */
  pool: string;
  is_active: ColumnType<boolean | number, boolean | undefined, boolean>;
  logo_url: string | null;
  policy: ColumnType<unknown, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TenantMembersTable {
  tenant_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface TenantMemberGroupsTable {
  tenant_id: string;
  user_id: string;
  group_id: string;
}

/** Keys that sign access tokens (see `src/sessions/token-mode/`). */
export interface SigningKeysTable {
  id: string;
  alg: string;
  private_key: string;
  public_jwk: string;
  created_at: Timestamp;
  activates_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface DatabaseSchema {
  gatehouse_migrations: MigrationsTable;
  gatehouse_user_fields: UserFieldsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  rate_limits: RateLimitsTable;
  anonymous_sessions: AnonymousSessionsTable;
  permissions: PermissionsTable;
  groups: GroupsTable;
  group_permissions: GroupPermissionsTable;
  user_groups: UserGroupsTable;
  user_permissions: UserPermissionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  mail_outbox: MailOutboxTable;
  one_time_tokens: OneTimeTokensTable;
  accounts: AccountsTable;
  oauth_transactions: OAuthTransactionsTable;
  mfa_factors: MfaFactorsTable;
  recovery_codes: RecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  trusted_devices: TrustedDevicesTable;
  tenants: TenantsTable;
  tenant_members: TenantMembersTable;
  tenant_member_groups: TenantMemberGroupsTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
}
