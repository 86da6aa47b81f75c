import {
  type AuthenticationEvents,
  Authenticator,
  type Credentials,
  passwordBackend,
} from './accounts/backends.js';
import type { CustomFields, NoCustomFields } from './accounts/custom-fields.js';
import type { User } from './accounts/user.js';
import {
  migrateUserFields,
  planUserFields,
  type UserFieldChange,
  type UserFieldPlan,
} from './accounts/user-field-columns.js';
import { type UserEvents, Users } from './accounts/users.js';
import { type GatehouseConfig, validateConfig } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { type Migration, type MigrationStatus, migrationStatus, runMigrations } from './db/migrator.js';
import { EventBus, type Listener } from './events.js';
import { createLogger, type Logger } from './logger.js';
import {
  createPasswordHashers,
  type PasswordHashers,
  type PasswordValidator,
  validatorsFromSettings,
} from './passwords/index.js';
import { Sessions } from './sessions/sessions.js';

export type AuthEvents<F extends CustomFields = NoCustomFields> = UserEvents<F> & AuthenticationEvents;

export interface MigrateOptions {
  /** Custom fields whose columns (and data) may be deleted because they are no longer declared. */
  dropFields?: readonly string[];
  /** Called after each schema migration is applied. */
  onMigration?: (migration: Migration, elapsedMs: number) => void;
}

export interface MigrateResult {
  migrations: Migration[];
  fields: UserFieldChange[];
}

export interface Auth<F extends CustomFields = NoCustomFields> {
  readonly database: Database;
  readonly users: Users<F>;
  /** Server-side sessions: create, validate, list, revoke. */
  readonly sessions: Sessions<F>;
  readonly hashers: PasswordHashers;
  /** The password validators in force (from `passwords.validators`). */
  readonly validators: readonly PasswordValidator[];
  readonly logger: Logger;
  /** Tries each authentication backend in order (Django's `authenticate`). */
  authenticate(credentials: Credentials, options?: { request?: Request }): Promise<User<F> | null>;
  /** Adds a listener for a signal; returns the function that removes it. */
  on<E extends keyof AuthEvents<F>>(event: E, listener: Listener<AuthEvents<F>[E]>): () => void;
  /** Applies pending schema migrations, then adds columns for new custom fields. */
  migrate(options?: MigrateOptions): Promise<MigrateResult>;
  /** What `migrate` would do: pending migrations and custom-field changes (with any problems). */
  migrationStatus(
    options?: Pick<MigrateOptions, 'dropFields'>,
  ): Promise<MigrationStatus & { fields: UserFieldPlan }>;
  /** Closes the database connections. */
  close(): Promise<void>;
}

/**
 * Creates a Gatehouse instance. Nothing touches the database until the first
 * call that needs it; run `auth.migrate()` (or `gatehouse migrate`) once
 * before serving.
 *
 * @example
 * const auth = createAuth({ user: { fields: { phoneNumber: { type: 'string', optional: true } } } });
 * await auth.migrate();
 * const user = await auth.users.create({ email: 'ada@example.com', password: 'correct horse battery' });
 */
export function createAuth<const F extends CustomFields = NoCustomFields>(
  config: GatehouseConfig<F> = {},
): Auth<F> {
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
  const users = new Users<F>({ database, fields, hashers, validators, events, now });
  const sessions = new Sessions<F>({
    database,
    fields,
    now,
    ...(config.sessions ? { policy: config.sessions } : {}),
  });
  // A changed user must not be served from the session cache in its old state.
  for (const event of ['user_updated', 'user_deleted', 'password_changed'] as const) {
    events.on(event, ({ user }) => sessions.forgetUser(user.id));
  }
  const authenticator = new Authenticator<F>({
    backends: config.backends ?? [passwordBackend as never],
    users,
    events,
  });

  return {
    database,
    users,
    sessions,
    hashers,
    validators,
    logger,
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
      return { migrations, fields: fieldChanges };
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
    close: () => database.close(),
  };
}

function isValidatorList(value: unknown): value is readonly PasswordValidator[] {
  return Array.isArray(value);
}

function logLevelFromEnv() {
  const level = process.env.LOG_LEVEL;
  const known = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  return known.find((candidate) => candidate === level) ?? 'info';
}
