/**
 * The queries of the mail outbox (`mail_outbox`).
 *
 * Claiming is the webhook outbox's design (`webhooks/delivery-store.ts`): one
 * UPDATE of due rows — pending, next attempt reached, not leased or lease
 * expired — that sets a lease and a fresh token and returns the rows it took.
 * SQLite runs writes one at a time; on PostgreSQL the inner SELECT skips rows
 * another worker has locked and the outer WHERE repeats the conditions, which
 * PostgreSQL re-checks on a row changed meanwhile. Either way a row goes to one
 * worker per lease, and a result is stored only under the token that claimed it.
 */
import type { Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import { claimDue } from '../db/leased-queue.js';
import type { MailOutboxTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

export type OutboxRow = Selectable<MailOutboxTable>;
export type MailStatus = 'pending' | 'sent' | 'failed';

export interface NewOutboxRow {
  id: string;
  template: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string> | null;
}

export interface OutboxQuery {
  status?: MailStatus;
  to?: string;
  template?: string;
  /** The id of the last message of the previous page. */
  before?: string;
  limit?: number;
}

export interface SendResult {
  status: MailStatus;
  at: Date;
  transport: string;
  nextAttemptAt: Date | null;
  error: string | null;
}

export class OutboxStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Adds a message, pending and due at `now` — or, for the log transport, already `sent`. */
  async insert(
    row: NewOutboxRow,
    now: Date,
    options: { db?: Executor; sentBy?: string } = {},
  ): Promise<void> {
    await (options.db ?? this.#database.db)
      .insertInto('mail_outbox')
      .values({
        id: row.id,
        template: row.template,
        to_address: row.to,
        from_address: row.from,
        subject: row.subject,
        text_body: row.text,
        html_body: row.html,
        headers: row.headers ? JSON.stringify(row.headers) : null,
        status: options.sentBy ? 'sent' : 'pending',
        transport: options.sentBy ?? null,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        sent_at: options.sentBy ? now : null,
      })
      .execute();
  }

  /** Leases up to `limit` due messages until `leaseUntil`, counting the attempt. */
  claimDue(options: { now: Date; leaseUntil: Date; token: string; limit: number }): Promise<OutboxRow[]> {
    return claimDue<OutboxRow>(this.#database, 'mail_outbox', options);
  }

  /**
   * Stores an attempt's outcome and releases the lease, if this claim still
   * holds it. A message that is done (sent or given up) loses its bodies.
   */
  async finish(id: string, token: string, result: SendResult): Promise<boolean> {
    const done = result.status !== 'pending';
    const update = await this.#database.db
      .updateTable('mail_outbox')
      .set({
        status: result.status,
        last_attempt_at: result.at,
        last_error: result.error,
        locked_until: null,
        lock_token: null,
        ...(result.nextAttemptAt ? { next_attempt_at: result.nextAttemptAt } : {}),
        ...(result.status === 'sent' ? { sent_at: result.at, transport: result.transport } : {}),
        ...(done ? { text_body: null, html_body: null } : {}),
      })
      .where('id', '=', id)
      .where('lock_token', '=', token)
      .executeTakeFirst();
    return Number(update.numUpdatedRows) === 1;
  }

  async list(query: OutboxQuery = {}): Promise<OutboxRow[]> {
    let select = this.#database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(query.limit ?? 50, 1), 1000));
    if (query.status) select = select.where('status', '=', query.status);
    if (query.to) select = select.where('to_address', '=', query.to);
    if (query.template) select = select.where('template', '=', query.template);
    if (query.before) select = select.where('id', '<', query.before);
    return select.execute();
  }

  async get(id: string): Promise<OutboxRow | null> {
    const row = await this.#database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Deletes messages sent, or given up, before `cutoff`; returns how many. */
  async deleteFinishedBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('mail_outbox')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'sent'), eb('sent_at', '<', cutoff)]),
          eb.and([eb('status', '=', 'failed'), eb('last_attempt_at', '<', cutoff)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
