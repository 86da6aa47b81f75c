import { randomBytes } from 'node:crypto';
import type { CustomFields } from '../../src/accounts/custom-fields.js';
import { type Auth, createAuth, type GatehouseConfig } from '../../src/index.js';
import { createPasswordHashers } from '../../src/passwords/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** Argon2id at its cheapest: the hashers' own tests use real parameters; everything else needs speed. */
export const fastHashers = createPasswordHashers({
  argon2: { memoryCost: 8192, timeCost: 1, parallelism: 1 },
});

export interface TestAuth<F extends CustomFields> {
  auth: Auth<F>;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A migrated Gatehouse on its own database with quiet logs and fast hashing. */
export async function createTestAuth<const F extends CustomFields = Record<never, never>>(
  config: GatehouseConfig<F> = {},
  existing?: TestDatabase,
): Promise<TestAuth<F>> {
  const db = existing ?? (await createTestDatabase());
  const auth = createAuth<F>({
    logLevel: 'silent',
    // With REDIS_URL (the PostgreSQL pass of CI), each test instance keeps its own keys and channel.
    ...(process.env.REDIS_URL ? { redis: { prefix: `gh_test_${randomBytes(6).toString('hex')}:` } } : {}),
    ...config,
    database: { url: db.url, ...(db.schema ? { schema: db.schema } : {}), ...config.database },
    passwords: { hashers: fastHashers, ...config.passwords },
  });
  await auth.migrate();
  return {
    auth,
    db,
    async close() {
      await forgetRedisKeys(auth);
      await auth.close();
      if (!existing) await db.drop();
    },
  };
}

/** Deletes what this test instance wrote to a shared Redis (its prefix is its own): nothing outlives the run. */
async function forgetRedisKeys(auth: { redis: Auth['redis'] }): Promise<void> {
  const redis = auth.redis;
  if (!redis?.prefix.startsWith('gh_test_') || redis.commands.status !== 'ready') return;
  const keys = await redis.commands.keys(`${redis.prefix}*`).catch(() => [] as string[]);
  if (keys.length > 0) await redis.commands.del(...keys).catch(() => 0);
}
