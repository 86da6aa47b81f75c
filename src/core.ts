import {
  type AuthenticationEvents,
  Authenticator,
  type Credentials,
  passwordBackend,
} from './accounts/backends.js';
import type { CustomFields, NoCustomFields } from './accounts/custom-fields.js';
import { LinkedAccounts } from './accounts/linked-accounts.js';
import type { User } from './accounts/user.js';
import {
  migrateUserFields,
  planUserFields,
  type UserFieldChange,
  type UserFieldPlan,
} from './accounts/user-field-columns.js';
import { type UserEvents, Users } from './accounts/users.js';
import { AuditLog } from './audit/audit-log.js';
import { ConfigError, type GatehouseConfig, validateConfig } from './config.js';
import { createSealer } from './crypto.js';
import { type Database, openDatabase } from './db/database.js';
import { type Migration, type MigrationStatus, migrationStatus, runMigrations } from './db/migrator.js';
import { EventBus, type Listener } from './events.js';
import { createLogger, type Logger } from './logger.js';
import { Mail } from './mail/mail.js';
import type { MailConfig } from './mail/mail-config.js';
import { publicLink } from './mail/public-link.js';
import { smtpUrlProblem } from './mail/transport.js';
import { Mfa } from './methods/mfa/mfa.js';
import { SocialLogin } from './methods/oauth/social-login.js';
import { Passkeys } from './methods/passkeys/index.js';
import {
  createPasswordHashers,
  type PasswordHashers,
  type PasswordValidator,
  validatorsFromSettings,
} from './passwords/index.js';
import {
  BUILT_IN_RESOURCES,
  type Permission,
  Permissions,
  type StalePermission,
} from './permissions/permissions.js';
import { RedisInvalidationChannel } from './redis/invalidation-channel.js';
import { connectRedis, type RedisConnections } from './redis/redis.js';
import type { Session } from './sessions/sessions.js';
import { Sessions } from './sessions/sessions.js';
import { TokenMode } from './sessions/token-mode/token-mode.js';
import { Invitations } from './tenants/invitations.js';
import { Tenants } from './tenants/tenants.js';
import { OneTimeTokens } from './tokens/one-time-tokens.js';
import { Webhooks } from './webhooks/webhooks.js';

/** Django's `user_logged_in` / `user_logged_out`. */
export interface SessionEvents<F extends CustomFields = NoCustomFields> {
  login: { user: User<F>; session: Session; request?: Request };
  logout: { user: User<F>; session: Session; request?: Request };
}

export type AuthEvents<F extends CustomFields = NoCustomFields> = UserEvents<F> &
  AuthenticationEvents &
  SessionEvents<F>;

export interface MigrateOptions {
  /** Custom fields whose columns (and data) may be deleted because they are no longer declared. */
  dropFields?: readonly string[];
  /** Called after each schema migration is applied. */
  onMigration?: (migration: Migration, elapsedMs: number) => void;
}

export interface MigrateResult {
  migrations: Migration[];
  fields: UserFieldChange[];
  /** Permissions created for the declared resources. */
  permissions: Permission[];
  /** Permissions made for resources (or actions) no longer declared: kept, and reported here. */
  stalePermissions: StalePermission[];
}

/** Everything but the HTTP layer: what `createAuth` builds its handler on. */
export interface AuthCore<F extends CustomFields = NoCustomFields> {
  readonly config: GatehouseConfig<F>;
  readonly database: Database;
  readonly users: Users<F>;
  /** Server-side sessions: create, validate, list, revoke. */
  readonly sessions: Sessions<F>;
  /** One-time tokens for the mail flows: reset, verification, email change, magic links, email codes. */
  readonly tokens: OneTimeTokens<F>;
  readonly hashers: PasswordHashers;
  /** The password validators in force (from `passwords.validators`). */
  readonly validators: readonly PasswordValidator[];
  readonly logger: Logger;
  /** Permissions and groups (roles): assignments and checks. */
  readonly permissions: Permissions<F>;
  /** The audit trail (`audit_events`). */
  readonly audit: AuditLog;
  /** Audit events delivered to the configured URLs: the worker, the delivery log, retries. */
  readonly webhooks: Webhooks;
  /** Outgoing mail: templates, the outbox, the delivery worker (`mail.start()`; see `Mail`). */
  readonly mail: Mail;
  /** External identities (social sign-in) linked to users: list, find, unlink. */
  readonly accounts: LinkedAccounts;
  /** Social sign-in: the configured providers, starting and completing their flows. */
  readonly oauth: SocialLogin<F>;
  /** Second factors: TOTP, recovery codes, sign-in challenges, remembered browsers, the MFA policy. */
  readonly mfa: Mfa;
  /** Passkeys (WebAuthn): registering, signing in, listing, renaming, removing. */
  readonly passkeys: Passkeys;
  /** Tenants (organisations), their members and login policies. */
  readonly tenants: Tenants<F>;
  /** Invitations to join a tenant (mailed, single-use, expiring). */
  readonly invitations: Invitations;
  /** Access tokens (JWT), refresh tokens and signing keys; null without `secret`. */
  readonly tokenMode: TokenMode | null;
  /** The Redis connections when `REDIS_URL` (or `redis.url`) is set; null for a single instance. */
  readonly redis: RedisConnections | null;
  /** Emits signals; `on` subscribes to them. */
  readonly events: EventBus<AuthEvents<F>>;
  /** The clock everything reads (`config.now`). */
  readonly now: () => Date;
  /** Tries each authentication backend in order (Django's `authenticate`). */
  authenticate(
    credentials: Credentials,
    options?: { request?: Request; pool?: string },
  ): Promise<User<F> | null>;
  /** Adds a listener for a signal; returns the function that removes it. */
  on<E extends keyof AuthEvents<F>>(event: E, listener: Listener<AuthEvents<F>[E]>): () => void;
  /** Applies pending schema migrations, then adds columns for new custom fields. */
  migrate(options?: MigrateOptions): Promise<MigrateResult>;
  /** What `migrate` would do: pending migrations and custom-field changes (with any problems). */
  migrationStatus(
    options?: Pick<MigrateOptions, 'dropFields'>,
  ): Promise<MigrationStatus & { fields: UserFieldPlan }>;
  /**
   * Deletes what has expired: sessions past their lifetime, one-time tokens
   * past their expiry, spent or stale social sign-in requests and passkey ceremonies, expired refresh tokens, and audit events older than `audit.retentionDays`.
   * The standalone server runs it hourly.
   */
  housekeeping(): Promise<{
    sessions: number;
    anonymousSessions: number;
    oneTimeTokens: number;
    oauthTransactions: number;
    mfaChallenges: number;
    trustedDevices: number;
    webauthnChallenges: number;
    refreshTokens: number;
    auditEvents: number;
  }>;
  /** Stops the webhook and mail workers (letting what is in flight finish), then closes the database connections. */
  close(): Promise<void>;
}

/** The domain half of `createAuth`; see there. */
export function createCore<F extends CustomFields = NoCustomFields>(config: GatehouseConfig<F>): AuthCore<F> {
  validateConfig(config);
  const logger = config.logger ?? createLogger(config.logLevel ?? logLevelFromEnv());
  const now = config.now ?? (() => new Date());
  const fields = (config.user?.fields ?? {}) as F;
  const database = openDatabase({
    ...config.database,
    url: config.database?.url ?? process.env.DATABASE_URL,
  });
  const hashers = config.passwords?.hashers ?? createPasswordHashers({ argon2: config.passwords?.argon2 });
  const configured = config.passwords?.validators;
  const validators = isValidatorList(configured) ? configured : validatorsFromSettings(configured);
  const events = new EventBus<AuthEvents<F>>(logger);
  const users = new Users<F>({
    database,
    fields,
    hashers,
    validators,
    events,
    now,
    logger,
    ...(config.passwords?.legacy ? { legacyPasswords: config.passwords.legacy } : {}),
  });
  const redisSettings = config.redis === false ? null : (config.redis ?? {});
  const redisUrl = redisSettings && (redisSettings.url ?? process.env.REDIS_URL);
  const redis = redisUrl ? connectRedis(redisUrl, redisSettings?.prefix ?? 'gatehouse:', logger) : null;
  const invalidations = redis
    ? new RedisInvalidationChannel({
        publisher: redis.commands,
        subscriber: redis.subscriber,
        logger,
        prefix: redis.prefix,
      })
    : null;
  const sessions = new Sessions<F>({
    database,
    fields,
    now,
    ...(invalidations ? { invalidations } : {}),
    ...(config.sessions ? { policy: config.sessions } : {}),
  });
  const tokens = new OneTimeTokens<F>({
    database,
    fields,
    now,
    ...(config.tokens ? { settings: config.tokens } : {}),
  });
  // A changed user must not be served from the session cache in its old state.
  for (const event of ['user_updated', 'user_deleted', 'password_changed'] as const) {
    events.on(event, ({ user }) => sessions.forgetUser(user.id));
  }
  const permissions = new Permissions<F>({
    database,
    now,
    ...(invalidations ? { onChange: () => invalidations.publish({ kind: 'permissions' }) } : {}),
    ...(config.permissionBackends ? { backends: config.permissionBackends } : {}),
  });
  invalidations?.subscribe((message) => {
    if (message.kind === 'permissions' || message.kind === 'all') permissions.invalidate();
  });
  const webhooks = new Webhooks({
    database,
    logger,
    now,
    webhooks: config.webhooks ?? [],
    ...(config.webhookDelivery ? { settings: config.webhookDelivery } : {}),
  });
  const smtpUrl = smtpUrlOf(config.mail);
  const mail = new Mail({
    database,
    logger,
    now,
    ...(config.mail ? { config: config.mail } : {}),
    ...(smtpUrl ? { smtpUrl } : {}),
    ...(config.ui?.productName ? { productName: config.ui.productName } : {}),
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  });
  const audit = new AuditLog({ database, logger, now, onRecorded: (event) => webhooks.enqueue(event) });
  const secret = config.secret ?? process.env.GATEHOUSE_SECRET;
  const accounts = new LinkedAccounts({
    database,
    now,
    sealer: secret ? createSealer(secret, 'provider tokens') : null,
  });
  const basePath = config.basePath ?? '/auth';
  const oauth = new SocialLogin<F>({
    database,
    now,
    config: config.oauth,
    redirectUri: (id) => publicLink(config, `${basePath}/oauth/${id}/callback`),
    users,
    accounts,
    logger,
  });
  const mfa = new Mfa({
    database,
    now,
    sealer: secret ? createSealer(secret, 'mfa secrets') : null,
    issuer: config.mfa?.issuer ?? config.ui?.productName ?? 'Gatehouse',
    required: config.mfa?.required,
    groupsOf: (userId) => permissions.groupsOf(userId),
  });
  const passkeys = new Passkeys({ database, now });
  const tenants = new Tenants<F>({
    database,
    now,
    fields,
    signUpEnabled: config.signUp?.enabled !== false,
    ...(config.tenants?.cacheSeconds !== undefined ? { cacheSeconds: config.tenants.cacheSeconds } : {}),
    onMembershipChange: () => {
      permissions.invalidate();
      invalidations?.publish({ kind: 'permissions' });
    },
    ...(invalidations
      ? { onTenantChange: (slug: string) => invalidations.publish({ kind: 'tenant', slug }) }
      : {}),
  });
  invalidations?.subscribe((message) => {
    if (message.kind === 'tenant') tenants.forget(message.slug);
    else if (message.kind === 'all') tenants.forget();
  });
  const tokenMode = secret
    ? new TokenMode({
        database,
        secret,
        sealer: createSealer(secret, 'signing keys'),
        now,
        settings: {
          ...(config.accessTokens?.algorithm ? { algorithm: config.accessTokens.algorithm } : {}),
          ...(config.accessTokens?.ttlSeconds
            ? { accessTokenTtlSeconds: config.accessTokens.ttlSeconds }
            : {}),
          ...(config.accessTokens?.refreshGraceSeconds !== undefined
            ? { refreshGraceSeconds: config.accessTokens.refreshGraceSeconds }
            : {}),
          ...(config.accessTokens?.rotateKeysAfterDays
            ? { rotateKeysAfterDays: config.accessTokens.rotateKeysAfterDays }
            : {}),
        },
      })
    : null;
  const authenticator = new Authenticator<F>({
    backends: config.backends ?? [passwordBackend as never],
    users,
    events,
  });

  return {
    config,
    database,
    users,
    sessions,
    tokens,
    hashers,
    validators,
    logger,
    permissions,
    audit,
    webhooks,
    mail,
    accounts,
    oauth,
    mfa,
    passkeys,
    tenants,
    invitations: new Invitations({ tokens, now }),
    tokenMode,
    redis,
    events,
    now,
    authenticate: (credentials, options) => authenticator.authenticate(credentials, options),
    on: (event, listener) => events.on(event, listener),
    async migrate(options = {}) {
      const migrations = await runMigrations(database, {
        now,
        ...(options.onMigration ? { onApplied: options.onMigration } : {}),
      });
      const fieldChanges = await migrateUserFields(database, fields, {
        now,
        dropFields: options.dropFields ?? [],
      });
      const { created, stale } = await permissions.declareResources([
        ...BUILT_IN_RESOURCES,
        ...(config.resources ?? []),
      ]);
      if (stale.length > 0) {
        logger.warn(
          { permissions: stale.map((p) => p.codename) },
          'Some permissions belong to resources no longer declared; they are kept until deleted.',
        );
      }
      return { migrations, fields: fieldChanges, permissions: created, stalePermissions: stale };
    },
    async migrationStatus(options = {}) {
      const status = await migrationStatus(database);
      // Custom fields live in tables the migrations create: with migrations pending, planning them is premature.
      const fieldPlan =
        status.pending.length > 0
          ? { changes: [], problems: [] }
          : await planUserFields(database, fields, options.dropFields ?? []);
      return { ...status, fields: fieldPlan };
    },
    async housekeeping() {
      const retentionDays = config.audit?.retentionDays;
      const [
        ended,
        anonymousEnded,
        tokensEnded,
        transactionsEnded,
        challengesEnded,
        devicesEnded,
        ceremoniesEnded,
        refreshEnded,
        pruned,
      ] = await Promise.all([
        sessions.deleteExpired(),
        sessions.anonymous.deleteExpired(),
        tokens.deleteExpired(),
        oauth.transactions.deleteExpired(),
        mfa.challenges.deleteExpired(),
        mfa.trustedDevices.deleteExpired(),
        passkeys.deleteExpiredChallenges(),
        tokenMode?.refreshTokens.deleteExpired() ?? 0,
        retentionDays ? audit.deleteBefore(new Date(now().getTime() - retentionDays * 86_400_000)) : 0,
      ]);
      return {
        sessions: ended,
        anonymousSessions: anonymousEnded,
        oneTimeTokens: tokensEnded,
        oauthTransactions: transactionsEnded,
        mfaChallenges: challengesEnded,
        trustedDevices: devicesEnded,
        webauthnChallenges: ceremoniesEnded,
        refreshTokens: refreshEnded,
        auditEvents: pruned,
      };
    },
    async close() {
      await Promise.all([webhooks.stop(), mail.stop(), invalidations?.flush()]);
      await Promise.all([database.close(), redis?.close()]);
    },
  };
}

/** `mail.smtpUrl`, else `$SMTP_URL` (checked here: the config schema does not see the environment). */
function smtpUrlOf(mail: MailConfig | undefined): string | undefined {
  if (mail?.smtpUrl || mail?.transport) return mail.smtpUrl;
  const fromEnv = process.env.SMTP_URL?.trim();
  if (!fromEnv) return undefined;
  const problem = smtpUrlProblem(fromEnv);
  if (problem) throw new ConfigError([`SMTP_URL: ${problem}`]);
  return fromEnv;
}

function isValidatorList(value: unknown): value is readonly PasswordValidator[] {
  return Array.isArray(value);
}

function logLevelFromEnv() {
  const level = process.env.LOG_LEVEL;
  const known = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  return known.find((candidate) => candidate === level) ?? 'info';
}
