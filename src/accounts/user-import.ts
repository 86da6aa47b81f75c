/**
 * Bulk import of users (`auth.users.importMany`): a migration from another
 * system, up to millions of rows, at tens of thousands of rows a second.
 *
 * Invariants, and what each guards against:
 * - Every row passes the checks of `users.create` (the same function: see
 *   `checkNewUser` in `./users.ts`), so no door admits a user the others would
 *   refuse.
 * - Rows carry existing password hashes, never plain passwords: hashing a
 *   million passwords with argon2id would take hours and pin the thread pool.
 *   A hash must be in a format the registry verifies; a row without one gets
 *   an unusable password, or the lazy-migration marker (`legacy$`) that has
 *   the old system check the password at the user's first sign-in.
 * - All or nothing by default: the whole import is one write transaction and
 *   any rejected row rolls it back, yet every row is still checked so the
 *   report lists every problem at once. `partial` keeps the valid rows.
 * - Memory stays bounded: rows are streamed and written in multi-row INSERTs
 *   of `batchSize`; only the emails and usernames seen so far are kept (to
 *   report duplicates within the file with the line of the first occurrence).
 * - A user created by someone else while the import runs is never
 *   overwritten: INSERTs skip conflicting rows (`on conflict do nothing`) and
 *   those rows are reported as rejected.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { createId, encodeBase32 } from '../crypto.js';
import type { Database } from '../db/database.js';
import { type Executor, writeTransaction } from '../db/transaction.js';
import { type FieldErrors, invalidRequest } from '../errors.js';
import type { Logger } from '../logger.js';
import { LEGACY_PASSWORD_MARKER, UNUSABLE_PASSWORD_PREFIX } from '../passwords/index.js';
import {
  type CustomFieldInput,
  type CustomFields,
  columnName,
  columnType,
  type NoCustomFields,
} from './custom-fields.js';

/** The built-in fields of an imported user, with the line (or record) it came from for the report. */
export interface ImportUserFields {
  /** Where the row is in its source; rejected rows are reported by it. */
  line: number;
  email: string;
  username?: string | null;
  firstName?: string;
  lastName?: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  emailVerified?: boolean;
  metadata?: Record<string, unknown>;
  /**
   * The user's existing hash in a format Gatehouse verifies (Django's
   * `pbkdf2_sha256$…`, bcrypt, argon2, Gatehouse's own argon2id; `!…` for an
   * unusable password). Null or absent: no password, or with `legacyPassword`
   * the old system checks it at first sign-in.
   */
  passwordHash?: string | null;
  /** This row has no hash: its password is checked once by `passwords.legacy`. */
  legacyPassword?: boolean;
  /** When the account was made (Django's `date_joined`). Default: the import's time. */
  createdAt?: Date;
  lastLoginAt?: Date | null;
}

/** A row the reader could not turn into fields (bad JSON, wrong field count): reported as rejected. */
export interface UnreadableImportRow {
  line: number;
  unreadable: string;
}

export type ImportUserRow<F extends CustomFields = NoCustomFields> =
  | (ImportUserFields & CustomFieldInput<F>)
  | UnreadableImportRow;

export interface ImportUsersOptions {
  /** Rows per multi-row INSERT (default 1000). */
  batchSize?: number;
  /** Check every row, including against existing users, and write nothing. */
  dryRun?: boolean;
  /** Import the valid rows even if others are rejected. Default false: any rejected row means none is written. */
  partial?: boolean;
  /** Rows without a hash get the lazy-migration marker instead of an unusable password. */
  legacyPasswords?: boolean;
  /** Called every `batchSize` rows and at the end with the number of rows read so far. */
  onProgress?: (processed: number) => void;
}

export interface ImportRejection {
  line: number;
  reason: string;
}

export interface ImportUsersResult {
  /** Users written; with `dryRun`, users that would have been. */
  imported: number;
  /** Every rejected row, in line order. */
  rejected: ImportRejection[];
}

/** What `Users` lends the import: its database, clock, and the checks of `create`. */
export interface UserImportContext {
  database: Database;
  fields: CustomFields;
  now: () => Date;
  logger: Logger;
  /** Whether `passwords.legacy` is configured; if not, importing legacy rows is logged as a warning. */
  canVerifyLegacyPasswords: boolean;
  checkNewUser(
    raw: Record<string, unknown>,
    passwordHash: string | undefined,
    now: Date,
  ): { columns: Record<string, unknown>; errors: FieldErrors };
  onImported(summary: { imported: number; rejected: number }): void;
}

export const DEFAULT_IMPORT_BATCH_SIZE = 1000;
const MAX_BATCH_SIZE = 100_000;

const PLAIN_PASSWORD_REFUSED =
  'password: plain passwords are not accepted in a bulk import (hashing a million of them with ' +
  'argon2id would take hours); give the existing hash as passwordHash, or create this user with users.create';

/** SQLite's SQLITE_MAX_VARIABLE_NUMBER: bound parameters per statement. */
const MAX_SQLITE_PARAMETERS = 32_766;

/** The built-in columns every imported row fills, in INSERT order, with their PostgreSQL types. */
const CORE_COLUMNS = [
  ['id', 'text'],
  ['email', 'text'],
  ['username', 'text'],
  ['password_hash', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['is_active', 'boolean'],
  ['is_staff', 'boolean'],
  ['is_superuser', 'boolean'],
  ['email_verified_at', 'timestamptz'],
  ['last_login_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['metadata', 'jsonb'],
] as const;

interface Pending {
  line: number;
  id: string;
  email: string;
  username: string | null;
  values: unknown[];
}

const ROLLBACK = Symbol('rollback');

export async function importUsers<F extends CustomFields>(
  rows: Iterable<ImportUserRow<F>> | AsyncIterable<ImportUserRow<F>>,
  options: ImportUsersOptions,
  context: UserImportContext,
): Promise<ImportUsersResult> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw invalidRequest({ batchSize: `Enter a whole number from 1 to ${MAX_BATCH_SIZE}.` });
  }
  const importer = new Importer(context, options, batchSize);
  const source = rows as Iterable<ImportUserRow> | AsyncIterable<ImportUserRow>;
  const { database } = context;
  if (options.dryRun && database.dialect === 'sqlite') {
    await importer.run(source, database.db);
  } else if (options.dryRun) {
    // A transaction all the same, for one snapshot and the planner setting below; it writes nothing.
    await database.db.transaction().execute(async (trx) => {
      await preferIndexes(trx, database);
      await importer.run(source, trx);
    });
  } else {
    try {
      await writeTransaction(database, async (trx) => {
        await preferIndexes(trx, database);
        await withLargerCache(trx, database, () => importer.run(source, trx));
        if (!options.partial && importer.rejected.length > 0) throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
  }
  const result = importer.result();
  if (!options.dryRun && result.imported > 0) {
    // Fresh statistics, or the planner keeps choosing for the table as it was (a filter took 140–500 ms at 1M).
    if (database.dialect === 'postgres') await sql`analyze users`.execute(database.db);
    context.onImported({ imported: result.imported, rejected: result.rejected.length });
    if (importer.legacyCount > 0 && !context.canVerifyLegacyPasswords) {
      context.logger.warn(
        { users: importer.legacyCount },
        'Users were imported to have their passwords checked by the old system, but passwords.legacy ' +
          'is not configured: they cannot sign in with a password until it is.',
      );
    }
  }
  return result;
}

/**
 * The per-batch lookups of existing emails and usernames must be B-tree index
 * probes. Left to itself, PostgreSQL answered `email = any($1)` from the
 * trigram GIN index of the user search (a bitmap scan: seconds per batch) or,
 * planning with statistics from before the import, a sequential scan that
 * grows with every batch. Within the import's own transaction (`set local`),
 * neither is allowed: the plain index scan is what is left.
 */
async function preferIndexes(trx: Executor, database: Database): Promise<void> {
  if (database.dialect !== 'postgres') return;
  await trx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
  await trx.executeQuery(CompiledQuery.raw('set local enable_bitmapscan = off'));
}

/** SQLite's page cache during the import, in KiB (the default is 2 MB). */
const IMPORT_CACHE_KIB = 65_536;

/**
 * On SQLite, a page cache of 64 MiB for the import's duration, then the
 * previous size again. One transaction touches every index of `users` (the
 * unique keys, the search indexes and their full-text table); with the default
 * 2 MB, inserts wait more on evicted pages (a million rows took 15 % longer).
 */
async function withLargerCache<T>(trx: Executor, database: Database, work: () => Promise<T>): Promise<T> {
  if (database.dialect !== 'sqlite') return work();
  const { rows } = await trx.executeQuery<{ cache_size: number }>(CompiledQuery.raw('pragma cache_size'));
  const previous = Number(rows[0]?.cache_size ?? -2000);
  if (previous < 0 && -previous >= IMPORT_CACHE_KIB) return work();
  await trx.executeQuery(CompiledQuery.raw(`pragma cache_size = -${IMPORT_CACHE_KIB}`));
  try {
    return await work();
  } finally {
    await trx.executeQuery(CompiledQuery.raw(`pragma cache_size = ${Math.trunc(previous)}`));
  }
}

class Importer {
  readonly rejected: ImportRejection[] = [];
  legacyCount = 0;
  readonly #context: UserImportContext;
  readonly #options: ImportUsersOptions;
  readonly #batchSize: number;
  readonly #customColumns: string[];
  /** Every column of the INSERT (custom fields after the built-in ones) with its PostgreSQL type. */
  readonly #columns: (readonly [name: string, type: string])[];
  readonly #rowsPerStatement: number;
  readonly #insertSql = new Map<number, string>();
  /** Normalised email or username → line of its first occurrence. */
  readonly #emails = new Map<string, number>();
  readonly #usernames = new Map<string, number>();
  #batch: Pending[] = [];
  #processed = 0;
  #valid = 0;
  #inserted = 0;
  #executor: Executor | null = null;
  readonly #random = new RandomPool();

  constructor(context: UserImportContext, options: ImportUsersOptions, batchSize: number) {
    this.#context = context;
    this.#options = options;
    this.#batchSize = batchSize;
    this.#customColumns = Object.keys(context.fields).map(columnName);
    this.#columns = [
      ...CORE_COLUMNS,
      ...Object.entries(context.fields).map(
        ([name, field]) => [columnName(name), columnType(field.type, 'postgres')] as const,
      ),
    ];
    // PostgreSQL takes a batch as one array per column; SQLite as bound values, 32,766 at most.
    this.#rowsPerStatement =
      context.database.dialect === 'postgres'
        ? batchSize
        : Math.max(1, Math.min(batchSize, Math.floor(MAX_SQLITE_PARAMETERS / this.#columns.length)));
  }

  async run(rows: Iterable<ImportUserRow> | AsyncIterable<ImportUserRow>, executor: Executor): Promise<void> {
    this.#executor = executor;
    // A plain iterable is walked synchronously: awaiting each of a million rows would cost more than checking it.
    if (Symbol.asyncIterator in rows) {
      for await (const row of rows) {
        const flushing = this.#take(row);
        if (flushing) await flushing;
      }
    } else {
      for (const row of rows) {
        const flushing = this.#take(row);
        if (flushing) await flushing;
      }
    }
    await this.#flush();
    this.#options.onProgress?.(this.#processed);
  }

  result(): ImportUsersResult {
    const rejected = this.rejected.sort((a, b) => a.line - b.line);
    let imported: number;
    if (this.#options.dryRun) imported = this.#options.partial || rejected.length === 0 ? this.#valid : 0;
    else imported = this.#options.partial || rejected.length === 0 ? this.#inserted : 0;
    return { imported, rejected };
  }

  /** Checks one row; returns the flush to wait for when the batch is full. */
  #take(row: ImportUserRow): Promise<void> | undefined {
    this.#processed++;
    const pending = this.#check(row);
    if (pending) this.#batch.push(pending);
    const flushing = this.#batch.length >= this.#batchSize ? this.#flush() : undefined;
    if (this.#processed % this.#batchSize === 0) this.#options.onProgress?.(this.#processed);
    return flushing;
  }

  #reject(line: number, reason: string): null {
    this.rejected.push({ line, reason });
    return null;
  }

  #check(row: ImportUserRow): Pending | null {
    if (typeof row !== 'object' || row === null) return this.#reject(this.#processed, 'not an object');
    const line = typeof row.line === 'number' ? row.line : this.#processed;
    if ('unreadable' in row) return this.#reject(line, row.unreadable);
    const {
      line: _line,
      passwordHash,
      legacyPassword,
      createdAt,
      lastLoginAt,
      ...raw
    } = row as ImportUserFields & Record<string, unknown>;
    if (raw.password !== undefined) return this.#reject(line, PLAIN_PASSWORD_REFUSED);

    const errors: FieldErrors = {};
    if (passwordHash !== undefined && passwordHash !== null && typeof passwordHash !== 'string') {
      errors.passwordHash = 'A password hash is text.';
    }
    if (legacyPassword !== undefined && typeof legacyPassword !== 'boolean') {
      errors.legacyPassword = 'Enter true or false.';
    }
    const hasHash = typeof passwordHash === 'string' && passwordHash !== '';
    if (hasHash && legacyPassword === true) {
      errors.legacyPassword = 'Give a password hash or legacyPassword, not both.';
    }
    const legacy = !hasHash && (legacyPassword ?? this.#options.legacyPasswords) === true;
    const stored = hasHash
      ? (passwordHash as string)
      : legacy
        ? LEGACY_PASSWORD_MARKER
        : // `unusablePassword()`'s format, from the pool.
          UNUSABLE_PASSWORD_PREFIX + encodeBase32(this.#random.take(25));
    if (createdAt !== undefined && !isValidDate(createdAt)) errors.createdAt = 'Enter a date and time.';
    if (lastLoginAt !== undefined && lastLoginAt !== null && !isValidDate(lastLoginAt)) {
      errors.lastLoginAt = 'Enter a date and time.';
    }

    // The clock is read per row: ids start with the time, and ids made in order keep the primary-key and
    // created_at indexes appending, where one timestamp for the whole import made every insert land at random.
    const now = this.#context.now();
    const checked = this.#context.checkNewUser(raw, stored, now);
    Object.assign(errors, checked.errors);
    const columns = checked.columns;
    const email = columns.email as string | undefined;
    const username = (columns.username as string | null | undefined) ?? null;
    if (email !== undefined) {
      const first = this.#emails.get(email);
      if (first !== undefined) errors.email = `${email} is already on line ${first}.`;
    }
    if (username !== null) {
      const first = this.#usernames.get(username);
      if (first !== undefined) errors.username = `${username} is already on line ${first}.`;
    }
    if (hasKeys(errors) || email === undefined) return this.#reject(line, describe(errors));
    this.#emails.set(email, line);
    if (username !== null) this.#usernames.set(username, line);
    if (legacy) this.legacyCount++;

    const created = (createdAt as Date | undefined) ?? now;
    const id = createId('usr', created, this.#random.take(10));
    const values: unknown[] = [
      id,
      email,
      username,
      stored,
      columns.first_name ?? '',
      columns.last_name ?? '',
      columns.is_active ?? true,
      columns.is_staff ?? false,
      columns.is_superuser ?? false,
      columns.email_verified_at ?? null,
      lastLoginAt ?? null,
      created,
      now,
      columns.metadata ?? '{}',
    ];
    for (const column of this.#customColumns) values.push(columns[column] ?? null);
    return { line, id, email, username, values };
  }

  /** Checks the batch against existing users, then writes it unless this run writes nothing. */
  async #flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    const executor = this.#executor as Executor;
    const emails = await this.#existing(
      executor,
      'email',
      batch.map((entry) => entry.email),
    );
    const usernames = batch.flatMap((entry) => (entry.username === null ? [] : [entry.username]));
    const takenUsernames =
      usernames.length > 0 ? await this.#existing(executor, 'username', usernames) : new Set<string>();
    const writable: Pending[] = [];
    for (const entry of batch) {
      const problems: string[] = [];
      if (emails.has(entry.email)) problems.push(`email: a user with email ${entry.email} already exists.`);
      if (entry.username !== null && takenUsernames.has(entry.username)) {
        problems.push(`username: a user with username ${entry.username} already exists.`);
      }
      if (problems.length > 0) this.#reject(entry.line, problems.join('; '));
      else writable.push(entry);
    }
    this.#valid += writable.length;
    // All or nothing, once something is rejected the transaction will roll back: only check what remains.
    if (this.#options.dryRun || (!this.#options.partial && this.rejected.length > 0)) return;
    for (let start = 0; start < writable.length; start += this.#rowsPerStatement) {
      await this.#insert(executor, writable.slice(start, start + this.#rowsPerStatement));
    }
  }

  /** Which of these values of a unique column already belong to a user. */
  async #existing(executor: Executor, column: 'email' | 'username', values: string[]): Promise<Set<string>> {
    // One parameter whatever the batch size: a JSON array on SQLite, a text[] on PostgreSQL.
    const query =
      this.#context.database.dialect === 'postgres'
        ? CompiledQuery.raw(`select "${column}" as v from "users" where "${column}" = any($1::text[])`, [
            values,
          ])
        : CompiledQuery.raw(
            `select u."${column}" as v from json_each(?) as j join "users" as u on u."${column}" = j.value`,
            [JSON.stringify(values)],
          );
    const { rows } = await executor.executeQuery<{ v: string }>(query);
    return new Set(rows.map((row) => row.v));
  }

  async #insert(executor: Executor, entries: Pending[]): Promise<void> {
    const { numAffectedRows } = await executor.executeQuery(this.#insertQuery(entries));
    const written = Number(numAffectedRows ?? 0);
    this.#inserted += written;
    if (written === entries.length) return;
    // Someone created one of these users since the check above: find which rows were skipped.
    const { rows } = await executor.executeQuery<{ id: string }>(
      this.#context.database.dialect === 'postgres'
        ? CompiledQuery.raw('select id from "users" where id = any($1::text[])', [entries.map((e) => e.id)])
        : CompiledQuery.raw('select u.id from json_each(?) as j join "users" as u on u.id = j.value', [
            JSON.stringify(entries.map((e) => e.id)),
          ]),
    );
    const present = new Set(rows.map((row) => row.id));
    for (const entry of entries) {
      if (!present.has(entry.id)) {
        this.#reject(entry.line, 'a user with this email or username was created while the import ran.');
      }
    }
  }

  /**
   * One multi-row INSERT that skips rows clashing with a user created
   * meanwhile. PostgreSQL gets one array per column (`select * from
   * unnest($1::text[], …)`): a dozen parameters to bind instead of a dozen
   * thousand, 15 % faster. SQLite gets `values (?, …), (?, …)`, whose text is
   * built once per row count (and its statement prepared once).
   */
  #insertQuery(entries: Pending[]): CompiledQuery {
    const names = this.#columns.map(([name]) => `"${name}"`).join(', ');
    if (this.#context.database.dialect === 'postgres') {
      const arrays = this.#columns.map(() => new Array<unknown>(entries.length));
      for (let row = 0; row < entries.length; row++) {
        const values = (entries[row] as Pending).values;
        for (let column = 0; column < arrays.length; column++) {
          (arrays[column] as unknown[])[row] = values[column];
        }
      }
      let text = this.#insertSql.get(0);
      if (!text) {
        const sources = this.#columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
        text = `insert into "users" (${names}) select * from unnest(${sources}) on conflict do nothing`;
        this.#insertSql.set(0, text);
      }
      return CompiledQuery.raw(text, arrays);
    }
    const parameters: unknown[] = [];
    for (const entry of entries) for (const value of entry.values) parameters.push(value);
    let text = this.#insertSql.get(entries.length);
    if (!text) {
      const tuple = `(${this.#columns.map(() => '?').join(', ')})`;
      const tuples = Array.from({ length: entries.length }, () => tuple).join(', ');
      text = `insert into "users" (${names}) values ${tuples} on conflict do nothing`;
      this.#insertSql.set(entries.length, text);
    }
    return CompiledQuery.raw(text, parameters);
  }
}

/**
 * Random bytes drawn from the CSPRNG a few kilobytes at a time: one
 * `randomBytes` call per row would cost a third of the import's time.
 */
class RandomPool {
  #pool = Buffer.alloc(0);
  #offset = 0;

  take(size: number): Buffer {
    if (this.#offset + size > this.#pool.length) {
      this.#pool = randomBytes(16 * 1024);
      this.#offset = 0;
    }
    this.#offset += size;
    return this.#pool.subarray(this.#offset - size, this.#offset);
  }
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** `email: Enter an email address.; username: …` — every problem of the row on one line. */
function describe(errors: FieldErrors): string {
  return Object.entries(errors)
    .map(([field, why]) => `${field}: ${why}`)
    .join('; ');
}

/** The stored hashes of these users (for an export that keeps them). */
export async function readPasswordHashes(
  database: Database,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await database.db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row.password_hash]));
}
