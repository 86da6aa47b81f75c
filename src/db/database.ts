/**
 * Opens the database Gatehouse keeps its state in: a SQLite file by default,
 * PostgreSQL when the URL says `postgres://`. Both are reached through one
 * Kysely instance, so stores never branch on the dialect except for the few
 * statements (locks, upserts) whose SQL differs.
 *
 * Drivers are imported lazily: an app on SQLite never loads `pg`, and the
 * returned object is usable synchronously (the first query opens the driver).
 */
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import { openSqlite, type SqliteOptions } from './sqlite.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** `postgres://…` or `postgresql://…` for PostgreSQL; a file path, `file:path` or `sqlite:path` for SQLite. */
  url?: string;
  /** PostgreSQL only: the schema to work in (sets `search_path`); used by the test suites to isolate runs. */
  schema?: string;
  /** PostgreSQL only: the most connections to hold open (default 10). */
  poolSize?: number;
  /** PostgreSQL only: a statement running longer is cancelled (default 10 000 ms). */
  statementTimeoutMs?: number;
  /** PostgreSQL only: giving up on opening a connection after this long (default 5 000 ms). */
  connectTimeoutMs?: number;
  sqlite?: SqliteOptions;
}

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DialectName;
  /** Where the data lives, without credentials: safe to print. */
  readonly location: string;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_PATH = './gatehouse.db';

export function parseDatabaseUrl(url: string | undefined): { dialect: DialectName; target: string } {
  const value = url?.trim() || DEFAULT_SQLITE_PATH;
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: 'postgres', target: value };
  const path = value.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (path === '') throw new Error(`The database URL "${value}" names no SQLite file.`);
  return { dialect: 'sqlite', target: path };
}

export function openDatabase(options: DatabaseOptions = {}): Database {
  const { dialect, target } = parseDatabaseUrl(options.url);
  if (dialect === 'sqlite') {
    const db = new Kysely<DatabaseSchema>({
      dialect: new SqliteDialect({ database: () => openSqlite(target, options.sqlite) }),
    });
    return { db, dialect, location: target, close: () => db.destroy() };
  }
  const db = new Kysely<DatabaseSchema>({
    dialect: new PostgresDialect({
      pool: async () => {
        const { default: pg } = await import('pg');
        const pool = new pg.Pool({
          connectionString: target,
          max: options.poolSize ?? 10,
          connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
          statement_timeout: options.statementTimeoutMs ?? 10_000,
          ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
        });
        // A connection the server dropped (a restart, a network cut) errors the query that used it,
        // which is answered 503; the pool discards it and the next query opens another. Unheard, the
        // 'error' events of the pool and of its clients would end the process.
        pool.on('error', () => {});
        pool.on('connect', (client) => client.on('error', () => {}));
        return pool;
      },
    }),
  });
  return { db, dialect, location: redactUrl(target), close: () => db.destroy() };
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a valid schema name.`);
  return name;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
