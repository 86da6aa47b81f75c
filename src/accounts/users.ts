/**
 * The user accounts API (`auth.users`): Django's `UserManager` plus the
 * model methods that touch passwords.
 *
 * Every input is validated here, whichever door it came through (HTTP, CLI,
 * library), and all problems are reported at once. Passwords are hashed before
 * any transaction opens, so a slow hash never holds a database lock.
 */

import { sql } from 'kysely';
import { createId } from '../crypto.js';
import type { Database } from '../db/database.js';
import { violatesUniqueColumn } from '../db/errors.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { AuthError, type FieldErrors, invalidRequest } from '../errors.js';
import type { Emitter } from '../events.js';
import type { Logger } from '../logger.js';
import {
  isHashablePassword,
  isLegacyPasswordMarker,
  isUsable,
  type LegacyPasswordsConfig,
  type LegacyPasswordVerifier,
  legacyPasswordVerifier,
  type PasswordHashers,
  type PasswordUserAttributes,
  type PasswordValidator,
  unusablePassword,
  validatePassword,
} from '../passwords/index.js';
import {
  type CustomFieldInput,
  type CustomFields,
  type NoCustomFields,
  validateCustomFields,
} from './custom-fields.js';
import { parseEmail } from './email.js';
import { DEFAULT_POOL, RESERVED_FIELD_NAMES, type User, userFromRow } from './user.js';
import {
  type ImportUserRow,
  type ImportUsersOptions,
  type ImportUsersResult,
  importUsers,
  readPasswordHashes,
} from './user-import.js';
import { type UserRow, UserStore } from './user-store.js';
import { parseUsername } from './username.js';

export const MAX_NAME_LENGTH = 150;
export const MAX_METADATA_BYTES = 16 * 1024;

/** Bumping a user's session epoch invalidates every session created before (see sessions/). */
const nextEpoch = sql`session_epoch + 1`;

interface CoreUserInput {
  email: string;
  /** Omit or pass null for a user who cannot sign in with a password. */
  password?: string | null;
  username?: string | null;
  firstName?: string;
  lastName?: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  emailVerified?: boolean;
  metadata?: Record<string, unknown>;
}

export type CreateUserInput<F extends CustomFields = NoCustomFields> = CoreUserInput & CustomFieldInput<F>;
export type UpdateUserInput<F extends CustomFields = NoCustomFields> = Partial<
  Omit<CoreUserInput, 'password'>
> &
  Partial<{ [K in keyof CustomFieldInput<F>]: CustomFieldInput<F>[K] | null }>;

export interface UserEvents<F extends CustomFields = NoCustomFields> {
  user_created: { user: User<F> };
  user_updated: { user: User<F>; changed: string[] };
  user_deleted: { user: User<F> };
  password_changed: { user: User<F> };
  /** One summary per committed bulk import (`importMany`); no per-user events are emitted for it. */
  users_imported: { imported: number; rejected: number };
}

export interface UsersOptions<F extends CustomFields> {
  database: Database;
  fields: F;
  hashers: PasswordHashers;
  validators: readonly PasswordValidator[];
  events: Emitter<UserEvents<F>>;
  now: () => Date;
  /** Where failures of the old system and configuration warnings go. Default: nowhere. */
  logger?: Logger;
  /** How to check passwords of users imported without a hash (`passwords.legacy`). */
  legacyPasswords?: LegacyPasswordsConfig<User<F>>;
}

/**
 * Which user pool a lookup by email or username searches: the shared pool
 * unless `pool` names an isolated tenant (its id), where the same address may
 * belong to another, unrelated account.
 */
export interface PoolOption {
  pool?: string;
}

function poolOf(options: PoolOption): string {
  return options.pool ?? DEFAULT_POOL;
}

export interface ListUsersOptions {
  /** Users per page, 1 to 1000 (default 50). */
  limit?: number;
  /** The `nextCursor` of the previous page (of the same sort and order; else `invalid_request` naming `cursor`). */
  cursor?: string | null;
  /** Case-insensitive text in the email, username, first or last name; `%`, `_` and `\` are literal. */
  search?: string;
  /**
   * `prefix`: one of those texts starts with the search; `contains`: one
   * contains it. Default: `prefix` for 1 or 2 characters, `contains` from 3.
   */
  match?: 'prefix' | 'contains';
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  /** Whether the email address is verified. */
  emailVerified?: boolean;
  /** Only the members of this group (by id). */
  groupId?: string;
  /** `created` (default), `email` or `lastLogin` (who never signed in counts as earliest); the id breaks ties. */
  sort?: 'created' | 'email' | 'lastLogin';
  /** Default `asc`. */
  order?: 'asc' | 'desc';
}

const CORE_INPUT_KEYS = new Set([
  'email',
  'password',
  'username',
  'firstName',
  'lastName',
  'isActive',
  'isStaff',
  'isSuperuser',
  'emailVerified',
  'metadata',
]);

export class Users<F extends CustomFields = NoCustomFields> {
  readonly #store: UserStore;
  readonly #options: UsersOptions<F>;
  readonly #logger: Logger;
  readonly #legacyVerifier: LegacyPasswordVerifier<User<F>> | null;
  #warnedNoLegacyVerifier = false;

  constructor(options: UsersOptions<F>) {
    this.#options = options;
    this.#store = new UserStore(options.database);
    this.#logger = options.logger ?? silentLogger;
    this.#legacyVerifier = options.legacyPasswords
      ? legacyPasswordVerifier(options.legacyPasswords, this.#logger)
      : null;
  }

  /**
   * Creates a user (Django's `create_user`). The password is checked by the
   * configured validators unless `validatePassword: false`. To import an
   * account with its existing hash (e.g. Django's `pbkdf2_sha256$…`), pass it
   * as `passwordHash` instead of a password: it is upgraded to the default
   * hasher at the user's next successful sign-in. Throws `invalid_request`,
   * `password_invalid` or `conflict` (email or username taken).
   */
  async create(
    input: CreateUserInput<F>,
    options: {
      validatePassword?: boolean;
      passwordHash?: string;
      /**
       * Runs in the transaction that inserts the user, after the insert: what
       * it writes commits with the user, and if it throws, no user is created.
       */
      inTransaction?: (user: User<F>, trx: Executor) => Promise<void>;
      /** The user pool to create the account in (an isolated tenant's id); default: the shared pool. */
      pool?: string;
    } = {},
  ): Promise<User<F>> {
    const raw = input as Record<string, unknown>;
    const now = this.#options.now();
    const { columns, errors } = this.#checkNewUser(raw, options.passwordHash, now);
    const password = raw.password;
    const passwordText = typeof password === 'string' ? password : null;
    if (passwordText !== null && options.validatePassword !== false) {
      const messages = await validatePassword(
        passwordText,
        attributesOf(raw, columns),
        this.#options.validators,
      );
      if (messages.length > 0) {
        if (Object.keys(errors).length === 0) throw passwordInvalid(messages);
        errors.password = messages.join(' ');
      }
    }
    if (Object.keys(errors).length > 0) throw invalidRequest(errors);

    const passwordHash =
      passwordText !== null
        ? await this.#options.hashers.hash(passwordText)
        : (options.passwordHash ?? unusablePassword());
    const row = await this.#insert(options.inTransaction ?? null, {
      id: createId('usr', now),
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
      is_active: true,
      is_staff: false,
      is_superuser: false,
      metadata: '{}',
      pool_id: options.pool ?? DEFAULT_POOL,
      ...columns,
    });
    const user = userFromRow(this.#options.fields, row);
    this.#options.events.emit('user_created', { user });
    return user;
  }

  /** Creates a staff superuser (Django's `create_superuser`); a password is required. */
  async createSuperuser(input: CreateUserInput<F> & { password: string }): Promise<User<F>> {
    if (typeof input.password !== 'string')
      throw invalidRequest({ password: 'A superuser needs a password.' });
    return this.create({ ...input, isStaff: true, isSuperuser: true });
  }

  async get(id: string): Promise<User<F> | null> {
    return this.#read(await this.#store.findBy('id', id));
  }

  /** The user with this email in a user pool (default: the shared pool; see `PoolOption`). */
  async getByEmail(email: string, options: PoolOption = {}): Promise<User<F> | null> {
    const parsed = parseEmail(email);
    return 'email' in parsed
      ? this.#read(await this.#store.findBy('email', parsed.email, poolOf(options)))
      : null;
  }

  async getByUsername(username: string, options: PoolOption = {}): Promise<User<F> | null> {
    const parsed = parseUsername(username);
    return 'username' in parsed
      ? this.#read(await this.#store.findBy('username', parsed.username, poolOf(options)))
      : null;
  }

  /** An email if the identifier contains `@`, a username otherwise (usernames never contain `@`). */
  async getByIdentifier(identifier: string, options: PoolOption = {}): Promise<User<F> | null> {
    return this.#read(await this.#findRowByIdentifier(identifier, poolOf(options)));
  }

  /**
   * Changes the given fields. Changing the email clears its verification
   * unless `emailVerified` is given too. Throws `not_found`,
   * `invalid_request` or `conflict`.
   */
  async update(id: string, patch: UpdateUserInput<F>): Promise<User<F>> {
    const raw = patch as Record<string, unknown>;
    const { values, errors } = this.#validateCore(raw, 'update');
    if ('password' in raw) errors.password = 'Change a password with setPassword.';
    const custom = validateCustomFields(this.#options.fields, raw, 'update');
    Object.assign(errors, custom.errors);
    if (Object.keys(errors).length > 0) throw invalidRequest(errors);

    const current = await this.#require(id);
    const now = this.#options.now();
    if (raw.emailVerified === true) values.email_verified_at = current.emailVerifiedAt ?? now;
    else if (raw.emailVerified === false || (values.email !== undefined && values.email !== current.email)) {
      values.email_verified_at = null;
    }
    const changed = Object.keys(raw).filter((key) => raw[key] !== undefined);
    // Deactivation ends every session of the user at once.
    if (values.is_active === false) values.session_epoch = nextEpoch;
    const row = await this.#write(id, { ...values, ...custom.columns, updated_at: now });
    const user = userFromRow(this.#options.fields, row);
    this.#options.events.emit('user_updated', { user, changed });
    return user;
  }

  /**
   * Sets a new password (Django's `set_password` + `save`). Validated unless
   * `validate: false`. Ends every session of the user (their session epoch
   * moves on) and emits `password_changed`.
   */
  async setPassword(id: string, password: string, options: { validate?: boolean } = {}): Promise<User<F>> {
    const current = await this.#require(id);
    if (typeof password !== 'string') throw invalidRequest({ password: 'A password is text.' });
    if (options.validate !== false) {
      const messages = await validatePassword(password, current, this.#options.validators);
      if (messages.length > 0) throw passwordInvalid(messages);
    }
    const hash = await this.#options.hashers.hash(password);
    const user = userFromRow(
      this.#options.fields,
      await this.#write(id, {
        password_hash: hash,
        updated_at: this.#options.now(),
        session_epoch: nextEpoch,
      }),
    );
    this.#options.events.emit('password_changed', { user });
    return user;
  }

  /**
   * Makes password sign-in impossible for this user (Django's
   * `set_unusable_password`); like any password change, it ends their sessions.
   */
  async setUnusablePassword(id: string): Promise<User<F>> {
    await this.#require(id);
    const user = userFromRow(
      this.#options.fields,
      await this.#write(id, {
        password_hash: unusablePassword(),
        updated_at: this.#options.now(),
        session_epoch: nextEpoch,
      }),
    );
    this.#options.events.emit('password_changed', { user });
    return user;
  }

  /**
   * Whether `password` is the user's password. Costs one hash even when the
   * user does not exist or has no usable password, so timing reveals nothing.
   * A correct password stored in an outdated format is re-hashed with the
   * current default.
   */
  async checkPassword(id: string, password: string): Promise<boolean> {
    return this.#verify(await this.#store.findBy('id', id), password);
  }

  /**
   * The user whose email (or username) and password these are, or null —
   * Django's `ModelBackend.authenticate`. Inactive users get null. Unknown
   * identifiers cost the same hash as wrong passwords.
   */
  async verifyCredentials(
    identifier: string,
    password: string,
    options: PoolOption = {},
  ): Promise<User<F> | null> {
    const row = await this.#findRowByIdentifier(identifier, poolOf(options));
    const valid = await this.#verify(row, password);
    if (!valid || !row) return null;
    const user = userFromRow(this.#options.fields, row);
    return user.isActive ? user : null;
  }

  async #verify(row: UserRow | undefined, password: string): Promise<boolean> {
    const stored = row?.password_hash ?? null;
    if (row && isLegacyPasswordMarker(stored)) return this.#verifyWithOldSystem(row, stored, password);
    const { valid, needsRehash } = await this.#options.hashers.verify(password, stored);
    if (valid && needsRehash && row && stored) {
      const upgraded = await this.#options.hashers.hash(password);
      await this.#store.replacePasswordHash(row.id, stored, upgraded);
    }
    return valid;
  }

  /**
   * A user imported without a hash (lazy migration): the old system checks the
   * password, once. If it is right, a native hash replaces the marker (only if
   * the marker is still there, so a concurrent password change wins) and the
   * old system is never asked again. A wrong or unanswered check costs one
   * dummy hash, like any failed verify.
   */
  async #verifyWithOldSystem(row: UserRow, marker: string, password: string): Promise<boolean> {
    const verifier = this.#legacyVerifier;
    let valid = false;
    if (!verifier) {
      if (!this.#warnedNoLegacyVerifier) {
        this.#warnedNoLegacyVerifier = true;
        this.#logger.warn(
          { userId: row.id },
          'A user imported without a password hash tried to sign in, but passwords.legacy is not ' +
            'configured: such users cannot sign in with a password until it is.',
        );
      }
    } else if (isHashablePassword(password)) {
      valid = await verifier({ user: userFromRow(this.#options.fields, row), password });
    }
    if (!valid) {
      await this.#options.hashers.verify(password, null);
      return false;
    }
    const hash = await this.#options.hashers.hash(password);
    await this.#store.replacePasswordHash(row.id, marker, hash);
    return true;
  }

  #findRowByIdentifier(identifier: string, pool: string): Promise<UserRow | undefined> {
    if (identifier.includes('@')) {
      const parsed = parseEmail(identifier);
      return 'email' in parsed ? this.#store.findBy('email', parsed.email, pool) : Promise.resolve(undefined);
    }
    const parsed = parseUsername(identifier);
    return 'username' in parsed
      ? this.#store.findBy('username', parsed.username, pool)
      : Promise.resolve(undefined);
  }

  /** Stamps `lastLoginAt` (Django's `update_last_login`); the session cache is not disturbed. */
  async recordLogin(id: string): Promise<Date> {
    const at = this.#options.now();
    await this.#store.update(id, { last_login_at: at });
    return at;
  }

  async deactivate(id: string): Promise<User<F>> {
    return this.update(id, { isActive: false } as UpdateUserInput<F>);
  }

  async activate(id: string): Promise<User<F>> {
    return this.update(id, { isActive: true } as UpdateUserInput<F>);
  }

  /** Deletes the user; returns false when there was none. */
  async delete(id: string): Promise<boolean> {
    const row = await this.#store.delete(id);
    if (!row) return false;
    this.#options.events.emit('user_deleted', { user: userFromRow(this.#options.fields, row) });
    return true;
  }

  /**
   * A page of users matching the search and filters, oldest first unless
   * `sort`/`order` say otherwise; pass `nextCursor` back as `cursor` for the
   * next page (keyset pagination: deep pages cost what the first does). See
   * `UserStore.list` for how the indexes are used.
   */
  async list(options: ListUsersOptions = {}): Promise<{ users: User<F>[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 1000);
    const { sort = 'created', order = 'asc' } = options;
    const rows = await this.#store.list({
      limit: limit + 1,
      sort,
      order,
      ...(options.cursor ? { after: options.cursor } : {}),
      ...(options.search ? { search: options.search } : {}),
      ...(options.match !== undefined ? { match: options.match } : {}),
      ...(options.isActive !== undefined ? { isActive: options.isActive } : {}),
      ...(options.isStaff !== undefined ? { isStaff: options.isStaff } : {}),
      ...(options.isSuperuser !== undefined ? { isSuperuser: options.isSuperuser } : {}),
      ...(options.emailVerified !== undefined ? { emailVerified: options.emailVerified } : {}),
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      users: page.map((row) => userFromRow(this.#options.fields, row)),
      nextCursor: rows.length > limit && last ? this.#store.cursorAfter(last, sort, order) : null,
    };
  }

  count(): Promise<number> {
    return this.#store.count();
  }

  /**
   * Creates many users at once (a migration from another system): rows come
   * from an iterable or async iterable and are streamed, so a million of them
   * need no more memory than a batch and the set of emails and usernames seen.
   * Each row is checked exactly as `create` checks its input; rows carry
   * existing password hashes (`passwordHash`), never plain passwords. All or
   * nothing unless `partial: true`; see `./user-import.ts`.
   *
   * @example
   * const { imported, rejected } = await auth.users.importMany([
   *   { line: 2, email: 'ada@example.com', passwordHash: 'pbkdf2_sha256$1000000$…' },
   * ]);
   */
  importMany(
    rows: Iterable<ImportUserRow<F>> | AsyncIterable<ImportUserRow<F>>,
    options: ImportUsersOptions = {},
  ): Promise<ImportUsersResult> {
    return importUsers(rows, options, {
      database: this.#options.database,
      fields: this.#options.fields,
      now: this.#options.now,
      logger: this.#logger,
      canVerifyLegacyPasswords: this.#legacyVerifier !== null,
      checkNewUser: (raw, passwordHash, now) => this.#checkNewUser(raw, passwordHash, now),
      onImported: (summary) => this.#options.events.emit('users_imported', summary),
    });
  }

  /**
   * The stored password hashes of these users, by id. They are secrets: this
   * exists for `gatehouse users export --include-hashes`, nothing else.
   */
  passwordHashesOf(ids: readonly string[]): Promise<Map<string, string | null>> {
    return readPasswordHashes(this.#options.database, ids);
  }

  #read(row: Record<string, unknown> | undefined): User<F> | null {
    return row ? userFromRow(this.#options.fields, row) : null;
  }

  async #require(id: string): Promise<User<F>> {
    const user = await this.get(id);
    if (!user) throw new AuthError('not_found', 'There is no such user.');
    return user;
  }

  async #insert(
    inTransaction: ((user: User<F>, trx: Executor) => Promise<void>) | null,
    values: Record<string, unknown>,
  ): Promise<UserRow> {
    try {
      if (!inTransaction) return await this.#store.insert(values);
      return await writeTransaction(this.#options.database, async (trx) => {
        const row = await this.#store.insert(values, trx);
        await inTransaction(userFromRow(this.#options.fields, row), trx);
        return row;
      });
    } catch (error) {
      throw asConflict(error) ?? error;
    }
  }

  async #write(id: string, values: Record<string, unknown>): Promise<UserRow> {
    let row: UserRow | undefined;
    try {
      row = await this.#store.update(id, values);
    } catch (error) {
      throw asConflict(error) ?? error;
    }
    if (!row) throw new AuthError('not_found', 'There is no such user.');
    return row;
  }

  /**
   * The checks every new user passes, through `create` or `importMany`: the
   * built-in and custom fields, and the password or the existing hash given.
   * Returns the column values and every problem found. Synchronous and free of
   * I/O, so a bulk import can afford it on each of a million rows.
   */
  #checkNewUser(
    raw: Record<string, unknown>,
    passwordHash: string | undefined,
    now: Date,
  ): { columns: Record<string, unknown>; errors: FieldErrors } {
    const { values, errors } = this.#validateCore(raw, 'create');
    const custom = validateCustomFields(this.#options.fields, raw, 'create');
    Object.assign(errors, custom.errors);
    const password = raw.password;
    if (password !== undefined && password !== null && typeof password !== 'string') {
      errors.password = 'A password is text.';
    }
    if (passwordHash !== undefined) {
      if (typeof password === 'string') errors.password = 'Give a password or a password hash, not both.';
      // Django's unusable passwords (`!…`) import as unusable; anything else must be verifiable.
      else if (
        typeof passwordHash !== 'string' ||
        (isUsable(passwordHash) && !this.#options.hashers.recognizes(passwordHash))
      ) {
        errors.password = 'The password hash is in no format Gatehouse can verify.';
      }
    }
    if (raw.emailVerified === true) values.email_verified_at = now;
    return { columns: Object.assign(values, custom.columns), errors };
  }

  /** Validates the built-in fields present in `input`; returns their column values and every problem. */
  #validateCore(input: Record<string, unknown>, mode: 'create' | 'update') {
    const values: Record<string, unknown> = {};
    const errors: FieldErrors = {};
    for (const key of Object.keys(input)) {
      if (!CORE_INPUT_KEYS.has(key) && !(key in this.#options.fields)) {
        errors[key] = RESERVED_FIELD_NAMES.has(key) ? 'This field cannot be set.' : 'Unknown field.';
      }
    }
    if (mode === 'create' || input.email !== undefined) {
      const parsed = parseEmail(input.email);
      if ('email' in parsed) values.email = parsed.email;
      else errors.email = parsed.problem;
    }
    if (input.username !== undefined && input.username !== null && input.username !== '') {
      const parsed = parseUsername(input.username);
      if ('username' in parsed) values.username = parsed.username;
      else errors.username = parsed.problem;
    } else if (input.username !== undefined) {
      values.username = null;
    }
    for (const [key, column] of [
      ['firstName', 'first_name'],
      ['lastName', 'last_name'],
    ] as const) {
      const value = input[key];
      if (value === undefined) continue;
      if (typeof value !== 'string') errors[key] = 'Enter text.';
      else if ([...value].length > MAX_NAME_LENGTH)
        errors[key] = `Enter at most ${MAX_NAME_LENGTH} characters.`;
      else values[column] = value.normalize('NFKC').trim();
    }
    for (const [key, column] of [
      ['isActive', 'is_active'],
      ['isStaff', 'is_staff'],
      ['isSuperuser', 'is_superuser'],
    ] as const) {
      const value = input[key];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') errors[key] = 'Enter true or false.';
      else values[column] = value;
    }
    if (input.emailVerified !== undefined && typeof input.emailVerified !== 'boolean') {
      errors.emailVerified = 'Enter true or false.';
    }
    if (input.metadata !== undefined) {
      const problem = metadataProblem(input.metadata);
      if (problem) errors.metadata = problem;
      else values.metadata = JSON.stringify(input.metadata);
    }
    return { values, errors };
  }
}

const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

function metadataProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'Enter a JSON object.';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return 'Enter a JSON object.';
  }
  return Buffer.byteLength(text) > MAX_METADATA_BYTES
    ? `Keep metadata under ${MAX_METADATA_BYTES} bytes.`
    : null;
}

function attributesOf(raw: Record<string, unknown>, values: Record<string, unknown>): PasswordUserAttributes {
  const { password: _password, ...rest } = raw;
  return {
    ...rest,
    email: (values.email as string | undefined) ?? null,
    username: (values.username as string | undefined) ?? null,
    firstName: (values.first_name as string | undefined) ?? null,
    lastName: (values.last_name as string | undefined) ?? null,
  };
}

function passwordInvalid(messages: string[]): AuthError {
  return new AuthError('password_invalid', 'The password is not strong enough.', {
    fields: { password: messages.join(' ') },
  });
}

function asConflict(error: unknown): AuthError | null {
  if (violatesUniqueColumn(error, 'users', 'email')) {
    return new AuthError('conflict', 'A user with this email already exists.', {
      fields: { email: 'A user with this email already exists.' },
      cause: error,
    });
  }
  if (violatesUniqueColumn(error, 'users', 'username')) {
    return new AuthError('conflict', 'A user with this username already exists.', {
      fields: { username: 'A user with this username already exists.' },
      cause: error,
    });
  }
  return null;
}
