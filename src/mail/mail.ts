/**
 * Mail: messages rendered from templates, queued in the database, and sent by
 * a worker with retries — so a slow or down SMTP server never blocks or fails
 * the request that asked for a message, and a restart loses nothing.
 *
 * - **Enqueue** (`enqueue`) renders the message and inserts one `mail_outbox`
 *   row — in the caller's transaction when one is passed, so the message
 *   exists exactly when the token it carries does — and wakes the worker. It
 *   never talks to the SMTP server.
 * - **Delivery** is a worker (`start()`/`stop()`; by default started by the
 *   first `enqueue` of a process, and by the standalone server) or the app's
 *   own scheduler calling `deliverDue()`. Each due row is claimed with a lease
 *   (see `OutboxStore.claimDue`), so any number of workers in any number of
 *   processes send each message once in the normal case. A failed attempt is
 *   retried after 30 s, 1 min, 2 min, 5 min, 15 min, 30 min, 1 h, 2 h, then
 *   6 h (±10 % jitter); after 10 failed attempts (about 10 hours), or at once
 *   when the server refuses the recipient (5xx), the message is `failed`.
 * - Delivery is at least once: a worker that dies after the server accepted
 *   a message but before the result was stored sends it again when its lease
 *   ends. The `Message-ID` is the same on every attempt.
 * - Once sent or given up a message keeps its envelope and subject but loses
 *   its bodies: they carry live links and codes.
 * - **Without a transport** (no `mail.smtpUrl`, no `$SMTP_URL`, no
 *   `mail.transport`) nothing is sent: `enqueue` stores the message as `sent`
 *   by `log`, bodies kept, and logs its link or code at info level — unless
 *   `publicUrl` is https, where a secret in the logs would be a leak: then
 *   only the fact is logged, and a warning says that mail is not sent.
 */
import { createId, createSecretToken } from '../crypto.js';
import type { Database } from '../db/database.js';
import type { Executor } from '../db/transaction.js';
import { readDate, readOptionalDate } from '../db/values.js';
import { invalidRequest } from '../errors.js';
import type { Logger } from '../logger.js';
import { PollingWorker } from '../polling-worker.js';
import { DEFAULT_MAIL_RETENTION_DAYS, defaultFrom, isMailbox, type MailConfig } from './mail-config.js';
import { type MailStatus, type OutboxQuery, type OutboxRow, OutboxStore } from './outbox-store.js';
import {
  DEFAULT_EXPIRY_SECONDS,
  defaultTemplates,
  formatDuration,
  MAIL_TEMPLATE_NAMES,
  type MailTemplate,
  type MailTemplateData,
  type MailTemplateName,
  type MailTemplates,
  type RenderedMail,
} from './templates.js';
import { type MailTransport, smtpTransport } from './transport.js';

/** Waits after the 1st, 2nd, … failed attempt; the last repeats. */
export const MAIL_RETRY_DELAYS_SECONDS: readonly number[] = [30, 60, 120, 300, 900, 1800, 3600, 7200, 21_600];
/** Attempts before a message is given up. */
export const MAIL_MAX_ATTEMPTS = 10;
const JITTER = 0.1;
const BATCH_SIZE = 10;
/** At most this many batches per `deliverDue()` call, so one call ends even while mail pours in. */
const MAX_BATCHES = 20;
const POLL_INTERVAL_MS = 5_000;
/** After an enqueue inside a caller's transaction: time for it to commit before the worker looks. */
const AFTER_TRANSACTION_MS = 200;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const MAX_ERROR_LENGTH = 500;
const DEFAULT_TIMEOUT_MS = 30_000;

export type { MailStatus, OutboxQuery };

/** A message from a built-in template (or its override in `mail.templates`). */
export type TemplatedMail = {
  [K in MailTemplateName]: {
    to: string;
    template: K;
    data: MailTemplateData[K];
    headers?: Record<string, string>;
  };
}[MailTemplateName];

/** A message the app rendered itself; `purpose` names it in the outbox (like a template name). */
export interface ReadyMail {
  to: string;
  purpose: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export type MailInput = TemplatedMail | ReadyMail;

export interface QueuedMail {
  /** `mail_…`; also the `Message-ID`'s local part. */
  id: string;
  to: string;
  from: string;
  /** The template name, or the `purpose` of a ready-made message. */
  template: string;
  subject: string;
  /** Null once the message was sent by a real transport or given up. */
  text: string | null;
  html: string | null;
  status: MailStatus;
  /** What sent it: `smtp`, `log` (not sent: development), or a custom transport's name. Null until sent. */
  transport: string | null;
  /** Attempts made so far (including one in progress). */
  attempts: number;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** Why the last attempt failed (truncated); null after a success. */
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** What one `deliverDue()` call did. */
export interface MailRun {
  attempted: number;
  sent: number;
  /** Failed attempts that will be tried again. */
  retrying: number;
  /** Messages given up (last attempt, or a refused recipient). */
  failed: number;
}

export interface MailOptions {
  database: Database;
  logger: Logger;
  now: () => Date;
  config?: MailConfig;
  /** The SMTP URL in force (`mail.smtpUrl`, else `$SMTP_URL`); none: the log transport. */
  smtpUrl?: string;
  productName?: string;
  publicUrl?: string;
  /** The jitter's source; tests pin it. */
  random?: () => number;
}

export class Mail {
  readonly #store: OutboxStore;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #random: () => number;
  /** Null: the development log transport. */
  readonly #transport: MailTransport | null;
  readonly #from: string;
  readonly #productName: string;
  readonly #templates: MailTemplates;
  readonly #retentionDays: number;
  readonly #timeoutMs: number;
  readonly #autoStart: boolean;
  /** https `publicUrl`: links and codes must not reach the logs. */
  readonly #production: boolean;
  readonly #worker: PollingWorker;
  /** Set by `stop()`: `enqueue` no longer starts the worker by itself. */
  #stopped = false;
  #warnedUnsent = false;

  constructor(options: MailOptions) {
    const config = options.config ?? {};
    this.#store = new OutboxStore(options.database);
    this.#logger = options.logger;
    this.#now = options.now;
    this.#random = options.random ?? Math.random;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#transport =
      config.transport ??
      (options.smtpUrl ? smtpTransport(options.smtpUrl, { timeoutMs: this.#timeoutMs }) : null);
    this.#productName = options.productName ?? 'Gatehouse';
    this.#from = config.from ?? defaultFrom(this.#productName, options.publicUrl);
    this.#templates = { ...defaultTemplates, ...definedOnly(config.templates ?? {}) } as MailTemplates;
    this.#retentionDays = config.retentionDays ?? DEFAULT_MAIL_RETENTION_DAYS;
    this.#autoStart = config.autoStart !== false;
    this.#production = options.publicUrl?.startsWith('https:') ?? false;
    this.#worker = new PollingWorker({
      pollIntervalMs: POLL_INTERVAL_MS,
      maintenanceIntervalMs: PRUNE_INTERVAL_MS,
      work: () => this.deliverDue(),
      maintenance: () => this.prune(),
      onError: (error) =>
        this.#logger.warn({ err: error }, 'The mail worker could not run; it will try again.'),
      now: () => this.#now().getTime(),
    });
  }

  /** `smtp`, a custom transport's name, or `log` when mail is not sent (development). */
  get transportName(): string {
    return this.#transport ? transportNameOf(this.#transport) : 'log';
  }

  /** The sender used for new messages. */
  get from(): string {
    return this.#from;
  }

  /**
   * Renders a message without queueing it: what `enqueue` would store.
   * Throws if the data is unusable (a link that is not an absolute http(s) URL).
   */
  async render(input: MailInput): Promise<RenderedMail & { template: string }> {
    if ('purpose' in input) {
      return { template: input.purpose, subject: input.subject, text: input.text, html: input.html };
    }
    const name = input.template;
    if (!MAIL_TEMPLATE_NAMES.includes(name)) throw new Error(`There is no mail template "${String(name)}".`);
    const data = input.data as MailTemplateData[MailTemplateName];
    if ('link' in data) assertLink(data.link);
    const expiresInSeconds = data.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS[name];
    const template = this.#templates[name] as MailTemplate<MailTemplateName>;
    const rendered = await template({
      ...data,
      productName: this.#productName,
      expiresIn: formatDuration(expiresInSeconds),
    } as never);
    if (
      typeof rendered?.subject !== 'string' ||
      typeof rendered.text !== 'string' ||
      typeof rendered.html !== 'string'
    ) {
      throw new Error(`The mail template "${name}" must return { subject, text, html } as strings.`);
    }
    return { template: name, ...rendered };
  }

  /**
   * Renders and queues a message; returns once it is stored (in `options.db`,
   * the caller's transaction, if given). Never waits for the mail server.
   */
  async enqueue(input: MailInput, options: { db?: Executor } = {}): Promise<QueuedMail> {
    const to = input.to.trim();
    if (!isMailbox(to)) throw invalidRequest({ to: 'Enter a valid email address.' });
    const headers = checkHeaders(input.headers);
    const rendered = await this.render(input);
    const subject = rendered.subject.replace(/[\r\n]+/g, ' ').trim();
    const now = this.#now();
    const id = createId('mail', now);
    const sentBy = this.#transport ? undefined : 'log';
    await this.#store.insert(
      {
        id,
        template: rendered.template,
        to,
        from: this.#from,
        subject,
        text: rendered.text,
        html: rendered.html,
        headers,
      },
      now,
      { ...(options.db ? { db: options.db } : {}), ...(sentBy ? { sentBy } : {}) },
    );
    if (sentBy) {
      this.#logUnsent(id, to, rendered.template, subject, input);
    } else {
      if (this.#autoStart && !this.#worker.running && !this.#stopped) this.start();
      this.#worker.wake(options.db ? AFTER_TRANSACTION_MS : 0);
    }
    return {
      id,
      to,
      from: this.#from,
      template: rendered.template,
      subject,
      text: rendered.text,
      html: rendered.html,
      status: sentBy ? 'sent' : 'pending',
      transport: sentBy ?? null,
      attempts: 0,
      nextAttemptAt: sentBy ? null : now,
      lastAttemptAt: null,
      lastError: null,
      createdAt: now,
      sentAt: sentBy ? now : null,
    };
  }

  /**
   * Sends every message that is due now (claiming each, so other workers
   * skip it) and stores the outcomes. What the worker runs; call it from your
   * own scheduler instead if you prefer. Does nothing without a transport.
   */
  deliverDue(): Promise<MailRun> {
    return this.#worker.track(this.#deliverDue());
  }

  /**
   * Starts the worker in this process: `deliverDue()` every 5 s and at once
   * after this process queues a message, plus an hourly `prune()`. Its timer
   * does not keep the process alive. Without a transport it only prunes (and
   * warns, once, if `publicUrl` is https: mail is not being sent).
   */
  start(): void {
    this.#stopped = false;
    if (this.#worker.start() && !this.#transport) this.#warnUnsent();
  }

  /** Stops the worker and waits for the messages in flight (at most about three timeouts). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#worker.stop();
  }

  /** Messages newest first, filtered; `before` is the last id of the previous page. */
  async list(query: OutboxQuery = {}): Promise<QueuedMail[]> {
    return (await this.#store.list(query)).map(queuedOf);
  }

  async get(id: string): Promise<QueuedMail | null> {
    const row = await this.#store.get(id);
    return row ? queuedOf(row) : null;
  }

  /** Deletes messages sent or given up more than `retentionDays` ago; returns how many. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - this.#retentionDays * 86_400_000);
    return this.#store.deleteFinishedBefore(cutoff);
  }

  async #deliverDue(): Promise<MailRun> {
    const run: MailRun = { attempted: 0, sent: 0, retrying: 0, failed: 0 };
    const transport = this.#transport;
    if (!transport) return run;
    // The lease outlasts a whole batch (sent in parallel, each bounded by three timeouts) and storing its results.
    const leaseMs = this.#timeoutMs * 3 + 30_000;
    const generation = this.#worker.generation;
    for (let batch = 0; batch < MAX_BATCHES && this.#worker.generation === generation; batch++) {
      const now = this.#now();
      const token = createSecretToken();
      const rows = await this.#store.claimDue({
        now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        token,
        limit: BATCH_SIZE,
      });
      const outcomes = await Promise.all(rows.map((row) => this.#attempt(transport, row, token)));
      for (const outcome of outcomes) {
        run.attempted += 1;
        if (outcome === 'sent') run.sent += 1;
        else if (outcome === 'pending') run.retrying += 1;
        else run.failed += 1;
      }
      if (rows.length < BATCH_SIZE) break;
    }
    return run;
  }

  async #attempt(transport: MailTransport, row: OutboxRow, token: string): Promise<MailStatus> {
    let error: string | null = null;
    let permanent = false;
    try {
      await transport.send({
        to: row.to_address,
        from: row.from_address,
        subject: row.subject,
        text: row.text_body ?? '',
        html: row.html_body ?? '',
        headers: {
          'Auto-Submitted': 'auto-generated',
          ...(row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {}),
          'Message-ID': `<${row.id}@${domainOf(row.from_address)}>`,
        },
      });
    } catch (failure) {
      error = truncate(describe(failure));
      permanent = (failure as { permanent?: unknown } | null)?.permanent === true;
    }
    const at = this.#now();
    const attempts = Number(row.attempts);
    const status: MailStatus =
      error === null ? 'sent' : permanent || attempts >= MAIL_MAX_ATTEMPTS ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(at.getTime() + this.#retryDelayMs(attempts)) : null;
    const context = { mail: row.id, template: row.template, attempts };
    if (status === 'failed') {
      this.#logger.error({ ...context, error }, 'A message could not be sent and is given up.');
    } else if (status === 'pending') {
      this.#logger.warn(
        { ...context, error, nextAttemptAt },
        'A message could not be sent; it will be retried.',
      );
    }
    try {
      const stored = await this.#store.finish(row.id, token, {
        status,
        at,
        transport: transportNameOf(transport),
        nextAttemptAt,
        error,
      });
      if (!stored) this.#logger.warn(context, 'A message outlived its lease; another worker has it.');
    } catch (failure) {
      // The lease will run out and the message be attempted again: at least once, never lost.
      this.#logger.error({ ...context, err: failure }, 'Could not store the outcome of sending a message.');
    }
    return status;
  }

  #retryDelayMs(failedAttempts: number): number {
    const delays = MAIL_RETRY_DELAYS_SECONDS;
    const base = delays[Math.min(Math.max(failedAttempts, 1), delays.length) - 1] ?? 30;
    return Math.round(base * 1000 * (1 - JITTER + 2 * JITTER * this.#random()));
  }

  #logUnsent(id: string, to: string, template: string, subject: string, input: MailInput): void {
    if (this.#production) {
      this.#warnUnsent();
      this.#logger.info({ mail: id, template }, 'Mail not sent (no SMTP server configured).');
      return;
    }
    const data = 'data' in input ? (input.data as Partial<{ link: string; code: string }>) : {};
    const line = data.link ?? (data.code ? `code ${data.code}` : 'text' in input ? input.text : subject);
    this.#logger.info(
      {
        mail: id,
        to,
        template,
        subject,
        ...(data.link ? { link: data.link } : {}),
        ...(data.code ? { code: data.code } : {}),
      },
      `Mail not sent (no SMTP server configured; development): ${template} to ${to}: ${line}`,
    );
  }

  #warnUnsent(): void {
    if (!this.#production || this.#warnedUnsent) return;
    this.#warnedUnsent = true;
    this.#logger.warn(
      {},
      'Mail is not sent: publicUrl is https but no SMTP server is configured (mail.smtpUrl or SMTP_URL). ' +
        'Messages are only stored in mail_outbox, and their links are not logged.',
    );
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function transportNameOf(transport: MailTransport): string {
  return transport.name ?? 'custom';
}

function assertLink(link: unknown): void {
  if (typeof link !== 'string' || !URL.canParse(link) || !/^https?:$/.test(new URL(link).protocol)) {
    throw new Error('A mail link must be an absolute http(s) URL (build it with publicLink).');
  }
}

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
const RESERVED_HEADERS = new Set(['to', 'from', 'subject', 'message-id', 'cc', 'bcc', 'reply-to', 'sender']);

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> | null {
  if (!headers || Object.keys(headers).length === 0) return null;
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new Error(`The mail header "${name}" cannot be set here.`);
    }
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new Error(`The mail header "${name}" must be a one-line string.`);
    }
  }
  return { ...headers };
}

function domainOf(from: string): string {
  const match = /@([^\s<>@]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'localhost';
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

function queuedOf(row: OutboxRow): QueuedMail {
  const status = row.status as MailStatus;
  return {
    id: row.id,
    to: row.to_address,
    from: row.from_address,
    template: row.template,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status,
    transport: row.transport,
    attempts: Number(row.attempts),
    nextAttemptAt: status === 'pending' ? readDate(row.next_attempt_at) : null,
    lastAttemptAt: readOptionalDate(row.last_attempt_at),
    lastError: row.last_error,
    createdAt: readDate(row.created_at),
    sentAt: readOptionalDate(row.sent_at),
  };
}
