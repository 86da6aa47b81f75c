/**
 * A database of its own for each test file: a temporary SQLite file, or — when
 * DATABASE_URL points at PostgreSQL — a fresh schema in that database. Either
 * is removed by `drop()`, so runs never collide and leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  url: string;
  /** PostgreSQL only: the schema this test owns. */
  schema?: string;
  drop(): Promise<void>;
}

export const postgresUrl = (): string | undefined =>
  /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined;

export async function createTestDatabase(): Promise<TestDatabase> {
  const url = postgresUrl();
  if (url) {
    const schema = `gh_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    return {
      dialect: 'postgres',
      url,
      schema,
      async drop() {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return {
    dialect: 'sqlite',
    url: join(dir, 'test.db'),
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
