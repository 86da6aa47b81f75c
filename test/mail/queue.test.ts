/**
 * The outbox under failure: SMTP down (refusing, hanging, rejecting), retries
 * with backoff, a restart in between, two workers on one database, pruning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_MAX_ATTEMPTS } from '../../src/mail/mail.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

const reset = (to: string) =>
  ({ to, template: 'password_reset', data: { link: `https://auth.example.com/r?to=${to}` } }) as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on: where a stopped sink was. */
async function closedPort(): Promise<number> {
  const sink = await startSmtpSink();
  await sink.stop();
  return sink.port;
}

describe('SMTP down, then a restart', () => {
  let db: TestDatabase;
  let clock = new Date('2030-01-01T00:00:00Z');
  const now = () => clock;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('queues at once, keeps the message with its attempts and backoff, and delivers it once after a restart', async () => {
    const port = await closedPort();
    const first = await createTestAuth({ now, mail: { smtpUrl: `smtp://127.0.0.1:${port}` } }, db);
    const started = performance.now();
    const queued = await first.auth.mail.enqueue(reset('ada@example.com'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(queued.status).toBe('pending');

    // The worker (started by the enqueue) tries, fails, and schedules a retry.
    let stored = await waitForAttempts(first, queued.id, 1);
    expect(stored).toMatchObject({ status: 'pending', attempts: 1, sentAt: null });
    expect(stored.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    const delay = (stored.nextAttemptAt?.getTime() ?? 0) - clock.getTime();
    expect(delay).toBeGreaterThanOrEqual(27_000);
    expect(delay).toBeLessThanOrEqual(33_000);
    expect(stored.text).toContain('https://auth.example.com/r?to=ada@example.com');
    // Not due yet: nothing is attempted.
    expect((await first.auth.mail.deliverDue()).attempted).toBe(0);

    // The second failure waits longer.
    clock = new Date(clock.getTime() + 40_000);
    expect(await first.auth.mail.deliverDue()).toEqual({ attempted: 1, sent: 0, retrying: 1, failed: 0 });
    stored = (await first.auth.mail.get(queued.id)) as NonNullable<typeof stored>;
    expect(stored.attempts).toBe(2);
    const secondDelay = (stored.nextAttemptAt?.getTime() ?? 0) - clock.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(54_000);
    expect(secondDelay).toBeLessThanOrEqual(66_000);
    await first.close();

    // The process restarts; SMTP is back on its address.
    const sink = await startSmtpSink({ port });
    try {
      clock = new Date(clock.getTime() + 70_000);
      const second = await createTestAuth({ now, mail: { smtpUrl: sink.url } }, db);
      try {
        second.auth.mail.start();
        const mail = await sink.waitFor((m) => m.to === 'ada@example.com');
        expect(mail.link).toBe('https://auth.example.com/r?to=ada@example.com');
        expect(mail.messageId).toBe(`<${queued.id}@localhost>`);
        await sleep(300);
        expect((await second.auth.mail.deliverDue()).attempted).toBe(0);
        expect(sink.messages).toHaveLength(1);
        expect(await second.auth.mail.get(queued.id)).toMatchObject({
          status: 'sent',
          attempts: 3,
          lastError: null,
          text: null,
          html: null,
        });
      } finally {
        await second.close();
      }
    } finally {
      await sink.stop();
    }
  });

  it('gives up after the last attempt, keeping no body', async () => {
    const port = await closedPort();
    const t = await createTestAuth(
      { now, mail: { smtpUrl: `smtp://127.0.0.1:${port}`, autoStart: false } },
      db,
    );
    try {
      const queued = await t.auth.mail.enqueue(reset('gone@example.com'));
      for (let attempt = 1; attempt <= MAIL_MAX_ATTEMPTS; attempt++) {
        const run = await t.auth.mail.deliverDue();
        expect(run.attempted).toBe(1);
        expect(run.failed).toBe(attempt === MAIL_MAX_ATTEMPTS ? 1 : 0);
        clock = new Date(clock.getTime() + 7 * 3600 * 1000);
      }
      expect(await t.auth.mail.get(queued.id)).toMatchObject({
        status: 'failed',
        attempts: MAIL_MAX_ATTEMPTS,
        nextAttemptAt: null,
        text: null,
        html: null,
      });
      expect((await t.auth.mail.deliverDue()).attempted).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('SMTP misbehaving', () => {
  let sink: SmtpSink;
  let t: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestAuth({ mail: { smtpUrl: sink.url, timeoutMs: 300, autoStart: false } });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  it('a server refusing service (421) is retried; delivered when it is back', async () => {
    sink.setMode('reject');
    const queued = await t.auth.mail.enqueue(reset('busy@example.com'));
    expect(await t.auth.mail.deliverDue()).toEqual({ attempted: 1, sent: 0, retrying: 1, failed: 0 });
    expect((await t.auth.mail.get(queued.id))?.lastError).toMatch(/421/);
    sink.setMode('accept');
    expect((await t.auth.mail.deliverDue()).attempted).toBe(0);
  });

  it('a server that never answers costs the request nothing and the worker one timeout', async () => {
    sink.setMode('hang');
    const started = performance.now();
    const queued = await t.auth.mail.enqueue(reset('slow@example.com'));
    expect(performance.now() - started).toBeLessThan(200);
    const run = await t.auth.mail.deliverDue();
    expect(run.retrying).toBeGreaterThanOrEqual(1);
    expect((await t.auth.mail.get(queued.id))?.lastError).toMatch(/ETIMEDOUT|timeout/i);
    sink.setMode('accept');
  });

  it('a refused recipient (550) is given up at once', async () => {
    sink.setMode('reject-recipients');
    const queued = await t.auth.mail.enqueue(reset('nobody@example.com'));
    const run = await t.auth.mail.deliverDue();
    expect(run.failed).toBeGreaterThanOrEqual(1);
    const stored = await t.auth.mail.get(queued.id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1, text: null });
    expect(stored?.lastError).toMatch(/550/);
    sink.setMode('accept');
  });
});

describe('two workers on one database', () => {
  const COUNT = 30;
  let sink: SmtpSink;
  let first: TestAuth<Record<never, never>>;
  let second: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const config = { mail: { smtpUrl: sink.url, autoStart: false } };
    first = await createTestAuth(config);
    second = await createTestAuth(config, first.db);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sink?.stop();
  });

  it('send each message once, called side by side', async () => {
    for (let i = 0; i < COUNT; i++) {
      await (i % 2 ? first : second).auth.mail.enqueue(reset(`side-${i}@example.com`));
    }
    const runs = await Promise.all([
      first.auth.mail.deliverDue(),
      second.auth.mail.deliverDue(),
      first.auth.mail.deliverDue(),
      second.auth.mail.deliverDue(),
    ]);
    expect(runs.reduce((sum, run) => sum + run.sent, 0)).toBe(COUNT);
    expect(sink.messages).toHaveLength(COUNT);
    expect(new Set(sink.messages.map((m) => m.to)).size).toBe(COUNT);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(COUNT);
  });

  it('send each message once as running workers, while messages keep coming', async () => {
    const before = sink.messages.length;
    first.auth.mail.start();
    second.auth.mail.start();
    for (let i = 0; i < COUNT; i++) {
      await (i % 3 ? first : second).auth.mail.enqueue(reset(`live-${i}@example.com`));
    }
    await sink.waitFor(() => sink.messages.length - before >= COUNT, 10_000);
    await sleep(500);
    const live = sink.messages.slice(before);
    expect(live).toHaveLength(COUNT);
    expect(new Set(live.map((m) => m.to)).size).toBe(COUNT);
    const sent = await first.auth.mail.list({ status: 'sent', limit: 1000 });
    expect(sent).toHaveLength(2 * COUNT);
    expect(sent.every((m) => m.attempts === 1)).toBe(true);
  });
});

describe('retention', () => {
  it('prunes messages sent longer ago than retentionDays, keeps pending ones', async () => {
    let clock = new Date('2030-06-01T00:00:00Z');
    const sink = await startSmtpSink();
    const t = await createTestAuth({
      now: () => clock,
      mail: { smtpUrl: sink.url, retentionDays: 3, autoStart: false },
    });
    try {
      await t.auth.mail.enqueue(reset('old@example.com'));
      await t.auth.mail.deliverDue();
      sink.setMode('reject');
      const pending = await t.auth.mail.enqueue(reset('pending@example.com'));
      clock = new Date(clock.getTime() + 2 * 86_400_000);
      expect(await t.auth.mail.prune()).toBe(0);
      clock = new Date(clock.getTime() + 2 * 86_400_000);
      expect(await t.auth.mail.prune()).toBe(1);
      expect((await t.auth.mail.list()).map((m) => m.id)).toEqual([pending.id]);
    } finally {
      await t.close();
      await sink.stop();
    }
  });
});

async function waitForAttempts(t: TestAuth<Record<never, never>>, id: string, attempts: number) {
  for (let i = 0; i < 100; i++) {
    const stored = await t.auth.mail.get(id);
    if (stored && stored.attempts >= attempts && stored.lastError) return stored;
    await sleep(50);
  }
  throw new Error(`The message never reached ${attempts} attempts.`);
}
