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
  | 'permission_deleted'
  | 'impersonation_started'
  | 'impersonation_ended'
  | 'webhook_delivery_retried'
  | 'password_reset_requested'
  | 'email_verified'
  | 'magic_link_requested'
  | 'otp_requested'
  | 'email_change_requested'
  | 'email_changed'
  | 'account_linked'
  | 'account_unlinked'
  | 'mfa_challenged'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_reset'
  | 'recovery_codes_regenerated'
  | 'reauthenticated'
  | 'device_remembered'
  | 'device_forgotten'
  | 'passkey_added'
  | 'passkey_removed'
  | 'tenant_created'
  | 'tenant_updated'
  | 'tenant_joined'
  | 'tenant_switched'
  | 'member_added'
  | 'member_updated'
  | 'member_removed'
  | 'invitation_sent'
  | 'invitation_accepted'
  | 'invitation_revoked'
  | 'tokens_issued'
  | 'refresh_token_reused'
  | 'signing_key_rotated';

/** Every `AuditEventType` (the compiler insists each is listed): what webhook subscriptions are checked against. */
const EVENT_TYPES: Record<AuditEventType, true> = {
  signup: true,
  signin_succeeded: true,
  signin_failed: true,
  signout: true,
  password_changed: true,
  session_revoked: true,
  sessions_revoked: true,
  user_created: true,
  user_updated: true,
  user_deleted: true,
  user_groups_set: true,
  user_permissions_set: true,
  group_created: true,
  group_updated: true,
  group_deleted: true,
  permission_created: true,
  permission_deleted: true,
  impersonation_started: true,
  impersonation_ended: true,
  webhook_delivery_retried: true,
  password_reset_requested: true,
  email_verified: true,
  magic_link_requested: true,
  otp_requested: true,
  email_change_requested: true,
  email_changed: true,
  account_linked: true,
  account_unlinked: true,
  mfa_challenged: true,
  mfa_enabled: true,
  mfa_disabled: true,
  mfa_reset: true,
  recovery_codes_regenerated: true,
  reauthenticated: true,
  device_remembered: true,
  device_forgotten: true,
  passkey_added: true,
  passkey_removed: true,
  tenant_created: true,
  tenant_updated: true,
  tenant_joined: true,
  tenant_switched: true,
  member_added: true,
  member_updated: true,
  member_removed: true,
  invitation_sent: true,
  invitation_accepted: true,
  invitation_revoked: true,
  tokens_issued: true,
  refresh_token_reused: true,
  signing_key_rotated: true,
};
export const AUDIT_EVENT_TYPES = Object.keys(EVENT_TYPES) as readonly AuditEventType[];
export const isAuditEventType = (value: string): value is AuditEventType => Object.hasOwn(EVENT_TYPES, value);

export interface AuditEntry {
  type: AuditEventType;
  userId?: string | null;
  actorId?: string | null;
  tenantId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /**
   * The staff member acting through an impersonation session: recorded in
   * `details.impersonatorId`, and as the actor when no other actor is named.
   */
  impersonatorId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<Omit<AuditEntry, 'details' | 'impersonatorId'>> {
  id: string;
  at: Date;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  type?: string;
  userId?: string;
  actorId?: string;
  since?: Date;
  until?: Date;
  before?: string;
  limit?: number;
}

export class AuditLog {
  readonly #database: Database;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #onRecorded: ((event: AuditEvent) => void | Promise<void>) | undefined;

  /** `onRecorded` runs after each event is written (webhooks enqueue there); its failure is logged, never thrown. */
  constructor(options: {
    database: Database;
    logger: Logger;
    now: () => Date;
    onRecorded?: (event: AuditEvent) => void | Promise<void>;
  }) {
    this.#database = options.database;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#onRecorded = options.onRecorded;
  }

  async record(entry: AuditEntry): Promise<void> {
    const at = this.#now();
    const event: AuditEvent = {
      id: createId('aud', at),
      at,
      type: entry.type,
      userId: entry.userId ?? null,
      actorId: entry.actorId ?? entry.impersonatorId ?? null,
      tenantId: entry.tenantId ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      details: entry.impersonatorId
        ? { ...entry.details, impersonatorId: entry.impersonatorId }
        : (entry.details ?? {}),
    };
    try {
      await this.#database.db
        .insertInto('audit_events')
        .values({
          id: event.id,
          at,
          type: event.type,
          user_id: event.userId,
          actor_id: event.actorId,
          tenant_id: event.tenantId,
          ip: event.ip,
          user_agent: event.userAgent,
          details: JSON.stringify(event.details),
        })
        .execute();
    } catch (error) {
      this.#logger.error({ err: error, audit: entry.type }, 'Could not write an audit event.');
      return;
    }
    try {
      await this.#onRecorded?.(event);
    } catch (error) {
      this.#logger.error({ err: error, audit: entry.type }, 'An audit event listener failed.');
    }
  }

  /**
   * Events newest first, filtered by type, user, actor and time (`since`
   * inclusive, `until` exclusive); `before` is the last id of the previous page.
   */
  async list(options: AuditQuery = {}): Promise<AuditEvent[]> {
    let query = this.#database.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(options.limit ?? 50, 1), 1000));
    if (options.type) query = query.where('type', '=', options.type);
    if (options.userId) query = query.where('user_id', '=', options.userId);
    if (options.actorId) query = query.where('actor_id', '=', options.actorId);
    if (options.since) query = query.where('at', '>=', options.since);
    if (options.until) query = query.where('at', '<', options.until);
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

  /** Deletes the events recorded before `cutoff` (the retention policy); returns how many. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.db
      .deleteFrom('audit_events')
      .where('at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
