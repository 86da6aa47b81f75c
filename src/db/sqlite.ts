/**
 * The SQLite connection behind Kysely: WAL mode (readers never wait for the
 * writer), foreign keys enforced, a busy timeout so a second process waits for
 * the write lock instead of failing, and `synchronous=NORMAL`, which in WAL mode
 * loses no committed transaction when the process crashes (only, at worst, the
 * last ones on a power loss; set `synchronous: 'full'` to rule that out too).
 *
 * Two adaptations sit between Kysely and better-sqlite3:
 * - prepared statements are cached by SQL text, because preparing costs more
 *   than running the small indexed queries of an auth server;
 * - parameters are mapped to what SQLite can bind: booleans to 0/1 and dates
 *   to ISO-8601 strings (which sort chronologically), so stores pass the same
 *   values on both dialects.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export interface SqliteOptions {
  /** Milliseconds a writer waits for another process's lock before failing (default 5000). */
  busyTimeoutMs?: number;
  synchronous?: 'normal' | 'full';
}

const STATEMENT_CACHE_SIZE = 256;

export async function openSqlite(path: string, options: SqliteOptions = {}): Promise<SqliteDatabase> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const raw = new BetterSqlite3(path);
  raw.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');

  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => raw.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        // Re-insert so the map's iteration order is least-recently-used first.
        statements.delete(sql);
      } else {
        statement = bindable(raw.prepare(sql));
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

function bindable(statement: import('better-sqlite3').Statement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => statement.all(...toSqliteValues(parameters)),
    run: (parameters) => statement.run(...toSqliteValues(parameters)),
    iterate: (parameters) => statement.iterate(...toSqliteValues(parameters)),
  };
}

function toSqliteValues(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((value) => {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString();
    return value;
  });
}
