import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { type Migration, migrationStatus, runMigrations } from '../../src/db/migrator.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
const opened: Database[] = [];
const open = () => {
  const database = openDatabase({ url: testDb.url, ...(testDb.schema ? { schema: testDb.schema } : {}) });
  opened.push(database);
  return database;
};

beforeEach(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
  await testDb.drop();
});

async function tableExists(database: Database, name: string): Promise<boolean> {
  const tables = await database.db.introspection.getTables();
  return tables.some((t) => t.name === name);
}

describe('runMigrations', () => {
  it('applies every migration once and records it', async () => {
    const database = open();
    expect((await migrationStatus(database)).pending.map((m) => m.version)).toEqual(
      migrations.map((m) => m.version),
    );
    const applied = await runMigrations(database);
    expect(applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    expect(await tableExists(database, 'users')).toBe(true);
    expect(await runMigrations(database)).toEqual([]);
    const status = await migrationStatus(database);
    expect(status.pending).toEqual([]);
    expect(status.applied).toHaveLength(migrations.length);
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    const database = open();
    const failing: Migration = {
      version: 2,
      name: 'half_done',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
        await sql`select * from no_such_table`.execute(db);
      },
    };
    const list = [migrations[0] as Migration, failing];
    await expect(runMigrations(database, { migrations: list })).rejects.toThrow();
    expect(await tableExists(database, 'half_done')).toBe(false);
    expect((await migrationStatus(database, list)).pending.map((m) => m.version)).toEqual([2]);
  });

  it('reports versions recorded by a newer release as unknown', async () => {
    const database = open();
    await runMigrations(database);
    await database.db
      .insertInto('gatehouse_migrations')
      .values({ version: 9999, name: 'from_the_future', applied_at: new Date() })
      .execute();
    expect((await migrationStatus(database)).unknown).toEqual([9999]);
  });

  it('refuses migrations listed out of order', async () => {
    const a: Migration = { version: 2, name: 'a', up: async () => {} };
    const b: Migration = { version: 1, name: 'b', up: async () => {} };
    await expect(runMigrations(open(), { migrations: [a, b] })).rejects.toThrow(/out of order/);
  });
});
