/**
 * Claiming work from a durable queue table (the mail outbox, webhook
 * deliveries) so that several workers, in one process or many, never take
 * the same row: one UPDATE leases due rows to a claim token until
 * `leaseUntil` and counts the attempt; PostgreSQL also skips rows another
 * transaction holds (`FOR UPDATE SKIP LOCKED`). A worker that dies leaves its
 * rows to be claimed again once the lease runs out.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import type { Timestamp } from './schema.js';

/** The columns every queue table has. */
interface QueueColumns {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  lock_token: string | null;
}

export type QueueTable = 'mail_outbox' | 'webhook_deliveries';

export async function claimDue<Row>(
  database: Database,
  table: QueueTable,
  options: {
    now: Date;
    leaseUntil: Date;
    token: string;
    limit: number;
    /** Only rows whose `column` is one of `values` (e.g. the webhooks this process knows). */
    only?: { column: string; values: readonly string[] };
  },
): Promise<Row[]> {
  const { now, only } = options;
  if (only && only.values.length === 0) return [];
  const db = database.db as unknown as Kysely<Record<QueueTable, QueueColumns>>;
  const due = sql<boolean>`status = 'pending' and next_attempt_at <= ${now} and (locked_until is null or locked_until < ${now})${
    only ? sql` and ${sql.ref(only.column)} in (${sql.join(only.values)})` : sql``
  }`;
  const postgres = database.dialect === 'postgres';
  const rows = await db
    .updateTable(table)
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      locked_until: options.leaseUntil,
      lock_token: options.token,
    }))
    .where((eb) =>
      eb(
        'id',
        'in',
        eb
          .selectFrom(table)
          .select('id')
          .where(due)
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(options.limit)
          .$if(postgres, (qb) => qb.forUpdate().skipLocked()),
      ),
    )
    .where(due)
    .returningAll()
    .execute();
  return rows as Row[];
}
