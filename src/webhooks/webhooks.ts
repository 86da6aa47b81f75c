/**
 * Webhooks: audit events delivered to configured URLs, signed, retried, and
 * never lost on a restart.
 *
 * - **Enqueue** happens where the audit row is written (`AuditLog`'s
 *   `onRecorded`): one `webhook_deliveries` row per subscribed webhook, with
 *   the exact JSON body to send. It is a single INSERT, skipped when nothing
 *   subscribes; a failure is logged and never fails the audited operation.
 *   The request waits for it, so an answered request's deliveries are on disk.
 * - **Delivery** is a worker (`start()`/`stop()`) or the app's own scheduler
 *   calling `deliverDue()`. Each due row is claimed with a lease (see
 *   `DeliveryStore.claimDue`), so any number of workers in any number of
 *   processes send each row once per attempt. A 2xx answer within the timeout
 *   delivers; anything else is a failed attempt, retried after
 *   10 s, 30 s, 2 min, 10 min, 1 h, then every 6 h (±10 % jitter), until
 *   `maxAttempts` (8) attempts have failed: the delivery is then `failed`
 *   until someone calls `retry(id)`.
 * - Delivery is at least once: a worker that dies after the receiver answered
 *   but before the result was stored sends again when its lease expires.
 *   Receivers deduplicate on the `gatehouse-delivery` header.
 */
import type { AuditEvent, AuditEventType } from '../audit/audit-log.js';
import { createId, createSecretToken } from '../crypto.js';
import type { Database } from '../db/database.js';
import { readDate, readOptionalDate } from '../db/values.js';
import { AuthError } from '../errors.js';
import type { Logger } from '../logger.js';
import { PollingWorker } from '../polling-worker.js';
import {
  type DeliveryQuery,
  type DeliveryRow,
  DeliveryStore,
  type WebhookDeliveryStatus,
} from './delivery-store.js';
import { SIGNATURE_HEADER, signWebhookPayload } from './signature.js';
import {
  DEFAULT_DELIVERY_SETTINGS,
  displayUrl,
  type WebhookConfig,
  type WebhookDeliverySettings,
  webhookName,
} from './webhook-config.js';

/** Waits after the 1st, 2nd, … failed attempt; the last repeats. */
export const RETRY_DELAYS_SECONDS: readonly number[] = [10, 30, 120, 600, 3600, 21_600];
const JITTER = 0.1;
const BATCH_SIZE = 25;
/** At most this many batches per `deliverDue()` call, so one call ends even while events pour in. */
const MAX_BATCHES = 40;
const MAX_ERROR_LENGTH = 500;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const USER_AGENT = 'Gatehouse-Webhooks';

/** The JSON body of a delivery: the audit event. */
export interface WebhookPayload {
  /** The audit event's id (`aud_…`): the same in every webhook's delivery of it. */
  id: string;
  type: AuditEventType;
  /** ISO 8601. */
  at: string;
  userId: string | null;
  actorId: string | null;
  tenantId: string | null;
  /** Present unless the webhook's `include.ip` is false. */
  ip?: string | null;
  /** Present only when the webhook's `include.userAgent` is true. */
  userAgent?: string | null;
  details: Record<string, unknown>;
}

export type { WebhookDeliveryStatus };

export interface WebhookDelivery {
  /** `whd_…`: sent as the `gatehouse-delivery` header. */
  id: string;
  /** The webhook's name. */
  webhook: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** Attempts made so far (including one in progress). */
  attempts: number;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** The HTTP status of the last answer; null if there was none (network error, timeout). */
  lastStatusCode: number | null;
  /** Why the last attempt failed (truncated); null after a success. */
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  payload: WebhookPayload;
}

/** A configured webhook as staff may see it: no secret, no credentials in the URL. */
export interface WebhookInfo {
  name: string;
  url: string;
  /** The event types it receives; null: every type. */
  events: AuditEventType[] | null;
  include: { ip: boolean; userAgent: boolean };
}

/** What one `deliverDue()` call did. */
export interface DeliveryRun {
  /** Deliveries attempted. */
  attempted: number;
  delivered: number;
  /** Failed attempts that will be tried again. */
  retrying: number;
  /** Failed attempts that were the last allowed: the delivery is now `failed`. */
  failed: number;
}

interface ResolvedWebhook {
  name: string;
  /** The URL without credentials (fetch refuses them); they go in `authorization`. */
  target: string;
  authorization: string | null;
  secret: string;
  events: ReadonlySet<string> | null;
  includeIp: boolean;
  includeUserAgent: boolean;
  info: WebhookInfo;
}

export class Webhooks {
  readonly #store: DeliveryStore;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #settings: Required<WebhookDeliverySettings>;
  readonly #byName: ReadonlyMap<string, ResolvedWebhook>;
  readonly #names: readonly string[];
  readonly #worker: PollingWorker;

  constructor(options: {
    database: Database;
    logger: Logger;
    now: () => Date;
    webhooks?: readonly WebhookConfig[];
    settings?: WebhookDeliverySettings;
    /** The jitter's source; tests pin it. */
    random?: () => number;
  }) {
    this.#store = new DeliveryStore(options.database);
    this.#logger = options.logger;
    this.#now = options.now;
    this.#random = options.random ?? Math.random;
    this.#settings = { ...DEFAULT_DELIVERY_SETTINGS, ...options.settings };
    this.#byName = new Map((options.webhooks ?? []).map((w) => [webhookName(w), resolve(w)]));
    this.#names = [...this.#byName.keys()];
    this.#worker = new PollingWorker({
      pollIntervalMs: this.#settings.pollIntervalMs,
      maintenanceIntervalMs: PRUNE_INTERVAL_MS,
      work: () => this.deliverDue(),
      maintenance: () => this.prune(),
      onError: (error) =>
        this.#logger.warn({ err: error }, 'The webhook worker could not run; it will try again.'),
      now: () => this.#now().getTime(),
    });
  }

  /** The configured webhooks, without their secrets. */
  list(): WebhookInfo[] {
    return [...this.#byName.values()].map((w) => w.info);
  }

  /**
   * Queues `event` for every webhook subscribed to its type. Called by the
   * audit log for each event it writes; never throws (a failure is logged).
   */
  async enqueue(event: AuditEvent): Promise<void> {
    const targets = [...this.#byName.values()].filter((w) => w.events === null || w.events.has(event.type));
    if (targets.length === 0) return;
    const now = this.#now();
    try {
      await this.#store.enqueue(
        targets.map((webhook) => ({
          id: createId('whd', now),
          webhook: webhook.name,
          eventId: event.id,
          eventType: event.type,
          payload: JSON.stringify(payloadOf(event, webhook)),
        })),
        now,
      );
    } catch (error) {
      this.#logger.error(
        { err: error, audit: event.type, event: event.id, webhooks: targets.map((w) => w.name) },
        'Could not queue webhook deliveries; these webhooks will not receive this event.',
      );
      return;
    }
    this.#worker.wake();
  }

  /**
   * Sends every delivery that is due now (claiming each, so other workers
   * skip it) and stores the outcomes. What `start()` runs on a timer; call it
   * from your own scheduler instead if you prefer.
   */
  deliverDue(): Promise<DeliveryRun> {
    return this.#worker.track(this.#deliverDue());
  }

  /**
   * Starts the delivery worker in this process: `deliverDue()` every
   * `pollIntervalMs` and at once after this process queues an event, plus an
   * hourly `prune()`. Its timer does not keep the process alive. Does nothing
   * when no webhook is configured or it is running already.
   */
  start(): void {
    if (this.#names.length > 0) this.#worker.start();
  }

  /**
   * Stops the worker and waits for the deliveries in flight (at most about
   * one timeout); `deliverDue()` calls under way claim nothing more.
   */
  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** Deliveries newest first, filtered; `before` is the last id of the previous page. */
  async listDeliveries(query: DeliveryQuery = {}): Promise<WebhookDelivery[]> {
    return (await this.#store.list(query)).map(deliveryOf);
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = await this.#store.get(id);
    return row ? deliveryOf(row) : null;
  }

  /**
   * Puts a failed delivery back in the queue, due now. It gets one more
   * attempt; if that fails too it is `failed` again. Null if there is no such
   * delivery; `conflict` if it is not failed (pending or delivered).
   */
  async retry(id: string): Promise<WebhookDelivery | null> {
    const requeued = await this.#store.requeueFailed(id, this.#now());
    const row = await this.#store.get(id);
    if (!row) return null;
    if (!requeued) {
      throw new AuthError(
        'conflict',
        `This delivery is ${row.status}; only a failed delivery can be retried.`,
      );
    }
    this.#worker.wake();
    return deliveryOf(row);
  }

  /** Deletes deliveries delivered or given up more than `retentionDays` ago; returns how many. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - this.#settings.retentionDays * 24 * 3600 * 1000);
    return this.#store.deleteFinishedBefore(cutoff);
  }

  async #deliverDue(): Promise<DeliveryRun> {
    const run: DeliveryRun = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    // The lease outlasts a whole batch (sent in parallel, each bounded by the timeout) and storing its results.
    const leaseMs = this.#settings.timeoutMs * 2 + 30_000;
    const generation = this.#worker.generation;
    for (let batch = 0; batch < MAX_BATCHES && this.#worker.generation === generation; batch++) {
      const now = this.#now();
      const token = createSecretToken();
      const rows = await this.#store.claimDue({
        webhooks: this.#names,
        now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        token,
        limit: BATCH_SIZE,
      });
      const outcomes = await Promise.all(rows.map((row) => this.#attempt(row, token)));
      for (const outcome of outcomes) {
        run.attempted += 1;
        if (outcome === 'delivered') run.delivered += 1;
        else if (outcome === 'pending') run.retrying += 1;
        else run.failed += 1;
      }
      if (rows.length < BATCH_SIZE) break;
    }
    return run;
  }

  async #attempt(row: DeliveryRow, token: string): Promise<WebhookDeliveryStatus> {
    const webhook = this.#byName.get(row.webhook) as ResolvedWebhook;
    const sent = await this.#send(row, webhook);
    const at = this.#now();
    const attempts = Number(row.attempts);
    const status: WebhookDeliveryStatus = sent.ok
      ? 'delivered'
      : attempts >= this.#settings.maxAttempts
        ? 'failed'
        : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(at.getTime() + this.#retryDelayMs(attempts)) : null;
    const context = { webhook: webhook.name, delivery: row.id, event: row.event_type, attempts };
    if (status === 'failed') {
      this.#logger.error({ ...context, error: sent.error }, 'A webhook delivery failed for the last time.');
    } else if (status === 'pending') {
      this.#logger.warn(
        { ...context, error: sent.error, nextAttemptAt },
        'A webhook delivery failed; it will be retried.',
      );
    }
    try {
      const stored = await this.#store.finish(row.id, token, {
        status,
        at,
        nextAttemptAt,
        statusCode: sent.statusCode,
        error: sent.ok ? null : truncate(sent.error ?? 'Failed.'),
      });
      if (!stored)
        this.#logger.warn(context, 'A webhook delivery outlived its lease; another worker has it.');
    } catch (error) {
      // The lease will run out and the delivery be attempted again: at least once, never lost.
      this.#logger.error({ ...context, err: error }, 'Could not store a webhook delivery result.');
    }
    return status;
  }

  async #send(
    row: DeliveryRow,
    webhook: ResolvedWebhook,
  ): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
    const timestamp = Math.floor(this.#now().getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'gatehouse-event': row.event_type,
      'gatehouse-delivery': row.id,
      [SIGNATURE_HEADER]: signWebhookPayload(webhook.secret, row.payload, timestamp),
    };
    if (webhook.authorization) headers.authorization = webhook.authorization;
    const timeoutMs = this.#settings.timeoutMs;
    try {
      const response = await fetch(webhook.target, {
        method: 'POST',
        headers,
        body: row.payload,
        // A redirect could point anywhere, internal addresses included: it is a failed attempt, not followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => {});
        return { ok: true, statusCode: response.status, error: null };
      }
      const text = await readStart(response, 200).catch(() => '');
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      return {
        ok: false,
        statusCode: response.status,
        error: `HTTP ${response.status}${redirect}${text ? `: ${text}` : ''}`,
      };
    } catch (error) {
      return { ok: false, statusCode: null, error: describeFailure(error, timeoutMs) };
    }
  }

  #retryDelayMs(failedAttempts: number): number {
    const base =
      RETRY_DELAYS_SECONDS[Math.min(failedAttempts, RETRY_DELAYS_SECONDS.length) - 1] ??
      RETRY_DELAYS_SECONDS[0] ??
      10;
    return Math.round(base * 1000 * (1 - JITTER + 2 * JITTER * this.#random()));
  }
}

function resolve(webhook: WebhookConfig): ResolvedWebhook {
  const url = new URL(webhook.url);
  const authorization =
    url.username || url.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : null;
  url.username = '';
  url.password = '';
  const events = webhook.events ? [...new Set(webhook.events)] : null;
  const includeIp = webhook.include?.ip !== false;
  const includeUserAgent = webhook.include?.userAgent === true;
  const name = webhookName(webhook);
  return {
    name,
    target: url.toString(),
    authorization,
    secret: webhook.secret,
    events: events ? new Set(events) : null,
    includeIp,
    includeUserAgent,
    info: {
      name,
      url: displayUrl(webhook.url),
      events,
      include: { ip: includeIp, userAgent: includeUserAgent },
    },
  };
}

function payloadOf(event: AuditEvent, webhook: ResolvedWebhook): WebhookPayload {
  return {
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    userId: event.userId,
    actorId: event.actorId,
    tenantId: event.tenantId,
    ...(webhook.includeIp ? { ip: event.ip } : {}),
    ...(webhook.includeUserAgent ? { userAgent: event.userAgent } : {}),
    details: event.details,
  };
}

function deliveryOf(row: DeliveryRow): WebhookDelivery {
  const status = row.status as WebhookDeliveryStatus;
  return {
    id: row.id,
    webhook: row.webhook,
    eventId: row.event_id,
    eventType: row.event_type,
    status,
    attempts: Number(row.attempts),
    nextAttemptAt: status === 'pending' ? readDate(row.next_attempt_at) : null,
    lastAttemptAt: readOptionalDate(row.last_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    deliveredAt: readOptionalDate(row.delivered_at),
    createdAt: readDate(row.created_at),
    payload: JSON.parse(row.payload) as WebhookPayload,
  };
}

/** The first `maxBytes` of a response body as text (the rest is not downloaded). */
async function readStart(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
  return text.replace(/\s+/g, ' ').trim();
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `No answer within ${timeoutMs} ms.`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  const detail =
    typeof cause?.message === 'string'
      ? cause.message
      : error instanceof Error
        ? error.message
        : String(error);
  return code && !detail.includes(code) ? `${code}: ${detail}` : detail;
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
