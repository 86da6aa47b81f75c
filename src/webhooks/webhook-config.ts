/**
 * What configures webhooks, their defaults, and the rules `createAuth`
 * checks them against (see `validateConfig`).
 *
 * URLs must be https: a delivery carries account activity and its signature
 * proves who sent it, not that nobody read it. Plain http is allowed only to
 * the loopback host (`127.0.0.1`, `localhost`, `[::1]`): a receiver on the same
 * machine, as in development and tests. Redirects are never followed.
 */
import type { AuditEventType } from '../audit/audit-log.js';

export interface WebhookConfig {
  /** Where deliveries are POSTed: https, or http to `127.0.0.1`/`localhost`/`[::1]`. */
  url: string;
  /** Signs every delivery (HMAC-SHA256); at least 32 characters. Share it with the receiver only. */
  secret: string;
  /** The audit event types to send (`signup`, `signin_failed`, …). Default: every type, including future ones. */
  events?: readonly AuditEventType[];
  /**
   * Names the webhook in the delivery log and the admin API, and ties pending
   * deliveries to it across restarts (change the URL, keep the name, and they
   * follow). Default: the URL's host and path. Names must be unique.
   */
  name?: string;
  /**
   * What of the client the payload carries. `ip` (default true): the client's
   * address; `userAgent` (default false): its browser string, off because a
   * receiver rarely needs it and it fingerprints people.
   */
  include?: { ip?: boolean; userAgent?: boolean };
}

export interface WebhookDeliverySettings {
  /** Milliseconds a receiver has to answer before the attempt counts as failed. Default 10000. */
  timeoutMs?: number;
  /** Attempts before a delivery is given up (`failed`). Default 8 (about 13 hours of retries). */
  maxAttempts?: number;
  /** How often the worker looks for due deliveries, in ms. Default 5000; it also wakes at once for this process's events. */
  pollIntervalMs?: number;
  /** Days a delivered or failed delivery stays in the log before the worker deletes it. Default 30. */
  retentionDays?: number;
}

export const DEFAULT_DELIVERY_SETTINGS: Required<WebhookDeliverySettings> = {
  timeoutMs: 10_000,
  maxAttempts: 8,
  pollIntervalMs: 5_000,
  retentionDays: 30,
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a webhook URL is refused, or null when it is fine. */
export function webhookUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be an absolute URL such as https://hooks.example.com/gatehouse';
  const url = new URL(value);
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'must be an https URL (plain http only to 127.0.0.1 or localhost)';
}

/** The name a webhook goes by: its own, else the URL's host and path (never its credentials or query). */
export function webhookName(webhook: Pick<WebhookConfig, 'url' | 'name'>): string {
  if (webhook.name !== undefined) return webhook.name;
  const url = new URL(webhook.url);
  return `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** The URL as shown to staff: without a username or password in it. */
export function displayUrl(value: string): string {
  const url = new URL(value);
  url.username = '';
  url.password = '';
  return url.toString();
}

/** Problems that need the whole list: two webhooks going by one name. */
export function webhookListProblems(webhooks: readonly Pick<WebhookConfig, 'url' | 'name'>[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  webhooks.forEach((webhook, index) => {
    const name = webhookName(webhook);
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else
      problems.push(
        `webhooks.${index}.name: "${name}" is also the name of webhooks.${first}; give each webhook its own name`,
      );
  });
  return problems;
}
