/**
 * The audit trail (`audit_events`): who did what to which account, from where.
 * Rows are append-only and outlive the users they mention. A failed write is
 * logged and never fails the operation being audited: refusing a sign-in
 * because the trail is unavailable would turn an outage into a lockout.
 */
import { createId } from '../crypto.js';
import type { Database } from '../db/database.js';
import { readDate, readJson } from '../db/values.js';
import type { Logger } from '../logger.js';

export type AuditEventType =
  | 'signup'
  | 'signin_succeeded'
  | 'signin_failed'
  | 'signout'
  | 'password_changed'
  | 'session_revoked'
  | 'sessions_revoked'
  | 'user_created'
  | 'user_updated'
  | 'user_deleted'
  | 'user_groups_set'
  | 'user_permissions_set'
  | 'group_created'
  | 'group_updated'
  | 'group_deleted'
  | 'permission_created'
  | 'permission_deleted';

export interface AuditEntry {
  type: AuditEventType;
  userId?: string | null;
  actorId?: string | null;
  tenantId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<Omit<AuditEntry, 'details'>> {
  id: string;
  at: Date;
  details: Record<string, unknown>;
}

export class AuditLog {
  readonly #database: Database;
  readonly #logger: Logger;
  readonly #now: () => Date;

  constructor(options: { database: Database; logger: Logger; now: () => Date }) {
    this.#database = options.database;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  async record(entry: AuditEntry): Promise<void> {
    const at = this.#now();
    try {
      await this.#database.db
        .insertInto('audit_events')
        .values({
          id: createId('aud', at),
          at,
          type: entry.type,
          user_id: entry.userId ?? null,
          actor_id: entry.actorId ?? null,
          tenant_id: entry.tenantId ?? null,
          ip: entry.ip ?? null,
          user_agent: entry.userAgent ?? null,
          details: JSON.stringify(entry.details ?? {}),
        })
        .execute();
    } catch (error) {
      this.#logger.error({ err: error, audit: entry.type }, 'Could not write an audit event.');
    }
  }

  /** Events newest first, optionally of one type or one user; `before` is the last id of the previous page. */
  async list(
    options: { type?: string; userId?: string; before?: string; limit?: number } = {},
  ): Promise<AuditEvent[]> {
    let query = this.#database.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(options.limit ?? 50, 1), 1000));
    if (options.type) query = query.where('type', '=', options.type);
    if (options.userId) query = query.where('user_id', '=', options.userId);
    if (options.before) query = query.where('id', '<', options.before);
    return (await query.execute()).map((row) => ({
      id: row.id,
      at: readDate(row.at),
      type: row.type as AuditEventType,
      userId: row.user_id,
      actorId: row.actor_id,
      tenantId: row.tenant_id,
      ip: row.ip,
      userAgent: row.user_agent,
      details: (readJson(row.details) ?? {}) as Record<string, unknown>,
    }));
  }
}
