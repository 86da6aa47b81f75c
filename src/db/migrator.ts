/**
 * Versioned schema migrations.
 *
 * Each migration runs in its own transaction together with the row that
 * records it, so a crash leaves it either wholly applied or not at all (both
 * dialects have transactional DDL). Each transaction first takes an exclusive
 * lock — `pg_advisory_xact_lock` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite —
 * and re-reads what is applied under that lock, so two processes migrating at
 * once apply every migration exactly once.
 */
import { type Kysely, sql } from 'kysely';
import type { Database, DialectName } from './database.js';
import { migrations as builtIn } from './migrations/index.js';
import { type Executor, writeTransaction } from './transaction.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

export interface MigrationStatus {
  applied: { version: number; name: string }[];
  pending: { version: number; name: string }[];
  /** Versions recorded in the database that this code does not know (a newer release migrated it). */
  unknown: number[];
}

/** An arbitrary constant shared by every Gatehouse process: the advisory-lock key of migrations. */
const MIGRATION_LOCK_KEY = 7_240_133_541;

export async function lockedTransaction<T>(
  database: Database,
  work: (trx: Executor) => Promise<T>,
): Promise<T> {
  return writeTransaction(database, async (trx) => {
    if (database.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
    return work(trx);
  });
}

async function ensureMigrationsTable(database: Database): Promise<void> {
  const timestamp = database.dialect === 'postgres' ? 'timestamptz' : 'text';
  // Under the lock: concurrent `create table if not exists` races on PostgreSQL's catalog.
  await lockedTransaction(database, (trx) =>
    trx.schema
      .createTable('gatehouse_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', sql.raw(timestamp), (c) => c.notNull())
      .execute(),
  );
}

async function appliedVersions(db: Executor): Promise<Map<number, string>> {
  const rows = await db.selectFrom('gatehouse_migrations').select(['version', 'name']).execute();
  return new Map(rows.map((row) => [Number(row.version), row.name]));
}

export async function migrationStatus(
  database: Database,
  migrations: readonly Migration[] = builtIn,
): Promise<MigrationStatus> {
  await ensureMigrationsTable(database);
  const applied = await appliedVersions(database.db);
  const known = new Set(migrations.map((m) => m.version));
  return {
    applied: migrations.filter((m) => applied.has(m.version)).map(({ version, name }) => ({ version, name })),
    pending: migrations
      .filter((m) => !applied.has(m.version))
      .map(({ version, name }) => ({ version, name })),
    unknown: [...applied.keys()].filter((version) => !known.has(version)).sort((a, b) => a - b),
  };
}

/**
 * Applies every pending migration in order and returns the ones this call
 * applied (another process may have applied some of them meanwhile).
 */
export async function runMigrations(
  database: Database,
  options: {
    migrations?: readonly Migration[];
    onApplied?: (m: Migration, ms: number) => void;
    now?: () => Date;
  } = {},
): Promise<Migration[]> {
  const migrations = options.migrations ?? builtIn;
  assertOrdered(migrations);
  await ensureMigrationsTable(database);
  const done: Migration[] = [];
  for (const migration of migrations) {
    const started = performance.now();
    const appliedHere = await lockedTransaction(database, async (trx) => {
      const applied = await trx
        .selectFrom('gatehouse_migrations')
        .select('version')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (applied) return false;
      await migration.up(trx as Kysely<unknown>, database.dialect);
      await trx
        .insertInto('gatehouse_migrations')
        .values({
          version: migration.version,
          name: migration.name,
          applied_at: options.now?.() ?? new Date(),
        })
        .execute();
      return true;
    });
    if (appliedHere) {
      done.push(migration);
      options.onApplied?.(migration, performance.now() - started);
    }
  }
  return done;
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.version >= migration.version) {
      throw new Error(`Migration ${migration.version} (${migration.name}) is out of order.`);
    }
  });
}
