/** Queries on `sessions`. */
import type { Database } from '../db/database.js';
import type { Executor } from '../db/transaction.js';

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  user_epoch: number;
  created_at: unknown;
  last_seen_at: unknown;
  expires_at: unknown;
  ip: string | null;
  user_agent: string | null;
  amr: unknown;
  data: unknown;
}

export class SessionStore {
  readonly #db: Executor;

  constructor(database: Database) {
    this.#db = database.db;
  }

  async insert(
    row: Omit<SessionRow, 'created_at' | 'last_seen_at' | 'expires_at' | 'amr' | 'data'> & {
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      amr: string;
      data: string;
    },
  ): Promise<SessionRow> {
    return (await this.#db
      .insertInto('sessions')
      .values(row)
      .returningAll()
      .executeTakeFirstOrThrow()) as SessionRow;
  }

  /** The session with this token hash and the current row of its user, in one query. */
  async findWithUser(tokenHash: string) {
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select([
        'sessions.id as s_id',
        'sessions.token_hash as s_token_hash',
        'sessions.user_id as s_user_id',
        'sessions.user_epoch as s_user_epoch',
        'sessions.created_at as s_created_at',
        'sessions.last_seen_at as s_last_seen_at',
        'sessions.expires_at as s_expires_at',
        'sessions.ip as s_ip',
        'sessions.user_agent as s_user_agent',
        'sessions.amr as s_amr',
        'sessions.data as s_data',
      ])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const session: SessionRow = {
      id: row.s_id,
      token_hash: row.s_token_hash,
      user_id: row.s_user_id,
      user_epoch: Number(row.s_user_epoch),
      created_at: row.s_created_at,
      last_seen_at: row.s_last_seen_at,
      expires_at: row.s_expires_at,
      ip: row.s_ip,
      user_agent: row.s_user_agent,
      amr: row.s_amr,
      data: row.s_data,
    };
    return { session, user: row as Record<string, unknown> };
  }

  /** What creating a session needs to know of its user. */
  async findUser(userId: string) {
    return this.#db
      .selectFrom('users')
      .select(['is_active', 'session_epoch'])
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  async listForUser(userId: string): Promise<SessionRow[]> {
    return (await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute()) as SessionRow[];
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async updateData(id: string, data: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('sessions')
      .set({ data })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async deleteForUser(userId: string, exceptId?: string): Promise<number> {
    let query = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
