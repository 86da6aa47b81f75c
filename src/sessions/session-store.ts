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
  impersonator_id: string | null;
  impersonator_session_id: string | null;
  tenant_id: string;
}

export class SessionStore {
  readonly #db: Executor;

  constructor(database: Database) {
    this.#db = database.db;
  }

  /**
   * Inserts the session if its user exists and is active, stamping the user's
   * current session epoch in the same statement; undefined otherwise.
   */
  async insertForActiveUser(
    row: Omit<SessionRow, 'user_epoch' | 'created_at' | 'last_seen_at' | 'expires_at' | 'amr' | 'data'> & {
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      amr: string;
      data: string;
    },
  ): Promise<SessionRow | undefined> {
    const inserted = await this.#db
      .insertInto('sessions')
      .columns([
        'id',
        'token_hash',
        'user_id',
        'user_epoch',
        'created_at',
        'last_seen_at',
        'expires_at',
        'ip',
        'user_agent',
        'amr',
        'data',
        'impersonator_id',
        'impersonator_session_id',
        'tenant_id',
      ])
      .expression((eb) =>
        eb
          .selectFrom('users')
          .select([
            eb.val(row.id).as('id'),
            eb.val(row.token_hash).as('token_hash'),
            'users.id as user_id',
            'users.session_epoch as user_epoch',
            eb.val(row.created_at).as('created_at'),
            eb.val(row.last_seen_at).as('last_seen_at'),
            eb.val(row.expires_at).as('expires_at'),
            eb.val(row.ip).as('ip'),
            eb.val(row.user_agent).as('user_agent'),
            eb.val(row.amr).as('amr'),
            eb.val(row.data).as('data'),
            eb.val(row.impersonator_id).as('impersonator_id'),
            eb.val(row.impersonator_session_id).as('impersonator_session_id'),
            eb.val(row.tenant_id).as('tenant_id'),
          ])
          .where('users.id', '=', row.user_id)
          .where('users.is_active', '=', true),
      )
      .returningAll()
      .executeTakeFirst();
    return inserted as SessionRow | undefined;
  }

  /** The session with this token hash (or id) and the current row of its user, in one query. */
  async findWithUser(key: string, by: 'token_hash' | 'id' = 'token_hash') {
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
        'sessions.impersonator_id as s_impersonator_id',
        'sessions.impersonator_session_id as s_impersonator_session_id',
        'sessions.tenant_id as s_tenant_id',
      ])
      .where(`sessions.${by}`, '=', key)
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
      impersonator_id: row.s_impersonator_id,
      impersonator_session_id: row.s_impersonator_session_id,
      tenant_id: row.s_tenant_id,
    };
    return { session, user: row as Record<string, unknown> };
  }

  /** The user's sessions that their current epoch still honours (none for an inactive user). */
  async listForUser(userId: string): Promise<SessionRow[]> {
    return (await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .where('sessions.user_id', '=', userId)
      .whereRef('sessions.user_epoch', '=', 'users.session_epoch')
      .where('users.is_active', '=', true)
      .orderBy('sessions.created_at', 'desc')
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

  async deleteForUser(userId: string, exceptId?: string, tenantId?: string): Promise<number> {
    let query = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id', '!=', exceptId);
    if (tenantId) query = query.where('tenant_id', '=', tenantId);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
