import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatehouseConfig, WebhookConfig } from '../../src/index.js';
import { verifyWebhookSignature } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { PASSWORD } from '../helpers/http.js';
import { type Receiver, SECRET, startReceiver } from './receiver.js';

type Auth = TestAuth<Record<never, never>>;

let clock = new Date('2030-01-01T00:00:00.000Z');
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  open.push(r);
  return r;
}

async function setup(
  webhooks: WebhookConfig[],
  config: GatehouseConfig = {},
  database?: TestDatabase,
): Promise<Auth> {
  const t = await createTestAuth(
    {
      rateLimits: false,
      webhooks,
      webhookDelivery: { timeoutMs: 500 },
      now: () => clock,
      ...config,
    },
    database,
  );
  open.push(t);
  return t;
}

const signup = (t: Auth, extra: Record<string, unknown> = {}) =>
  t.auth.audit.record({
    type: 'signup',
    userId: 'usr_ada',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (Test)',
    ...extra,
  });

async function onlyDelivery(t: Auth) {
  const [delivery, ...rest] = await t.auth.webhooks.listDeliveries();
  expect(rest).toEqual([]);
  if (!delivery) throw new Error('No delivery was queued.');
  return delivery;
}

describe('webhook delivery', () => {
  it('POSTs the audit event as signed JSON with the documented headers', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }]);
    await signup(t, { details: { method: 'password' } });

    expect(await t.auth.webhooks.deliverDue()).toEqual({
      attempted: 1,
      delivered: 1,
      retrying: 0,
      failed: 0,
    });
    expect(r.received).toHaveLength(1);
    const [request] = r.received;
    if (!request) throw new Error('unreachable');
    const delivery = await onlyDelivery(t);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/gatehouse');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('Gatehouse-Webhooks');
    expect(request.headers['gatehouse-event']).toBe('signup');
    expect(request.headers['gatehouse-delivery']).toBe(delivery.id);
    expect(delivery.id).toMatch(/^whd_/);

    const header = String(request.headers['gatehouse-signature']);
    expect(header).toMatch(new RegExp(`^t=${Math.floor(clock.getTime() / 1000)},v1=[0-9a-f]{64}$`));
    expect(verifyWebhookSignature(SECRET, header, request.body, { now: clock })).toMatchObject({ ok: true });
    expect(
      verifyWebhookSignature('whsec_some_other_secret_0123456789abcdef', header, request.body, {
        now: clock,
      }),
    ).toEqual({ ok: false, reason: 'mismatch' });

    const [event] = await t.auth.audit.list({ type: 'signup' });
    expect(JSON.parse(request.body)).toEqual({
      id: event?.id,
      type: 'signup',
      at: clock.toISOString(),
      userId: 'usr_ada',
      actorId: null,
      tenantId: null,
      ip: '203.0.113.7',
      details: { method: 'password' },
    });
    expect(delivery).toMatchObject({
      webhook: new URL(r.url).host + new URL(r.url).pathname,
      eventId: event?.id,
      eventType: 'signup',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: clock,
    });
  });

  it('leaves out the user agent unless asked, and the ip when told to', async () => {
    const r = await receiver();
    const t = await setup([
      { url: r.url, secret: SECRET, name: 'default' },
      { url: r.url, secret: SECRET, name: 'everything', include: { userAgent: true } },
      { url: r.url, secret: SECRET, name: 'no-ip', include: { ip: false } },
    ]);
    await signup(t);
    await t.auth.webhooks.deliverDue();
    const bodies = Object.fromEntries(
      await Promise.all(
        (await t.auth.webhooks.listDeliveries()).map(async (d) => {
          const received = r.received.find((x) => x.headers['gatehouse-delivery'] === d.id);
          return [d.webhook, JSON.parse(received?.body ?? '{}')] as const;
        }),
      ),
    );
    expect(bodies.default).not.toHaveProperty('userAgent');
    expect(bodies.default.ip).toBe('203.0.113.7');
    expect(bodies.everything.userAgent).toBe('Mozilla/5.0 (Test)');
    expect(bodies['no-ip']).not.toHaveProperty('ip');
    expect(bodies['no-ip']).not.toHaveProperty('userAgent');
  });

  it('retries after a 500, with the same body and delivery id, and then delivers', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }]);
    await signup(t);
    r.queue(500);

    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ attempted: 1, retrying: 1 });
    const failed = await onlyDelivery(t);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(failed.lastError).toBe('HTTP 500: status 500');
    // Not due yet: nothing is sent.
    expect((await t.auth.webhooks.deliverDue()).attempted).toBe(0);

    advance(11_001);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(await onlyDelivery(t)).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 204,
      lastError: null,
    });
    const [first, second] = r.received;
    expect(second?.body).toBe(first?.body);
    expect(second?.headers['gatehouse-delivery']).toBe(first?.headers['gatehouse-delivery']);
    // Each attempt is signed at its own time.
    expect(second?.headers['gatehouse-signature']).not.toBe(first?.headers['gatehouse-signature']);
    expect(
      verifyWebhookSignature(SECRET, String(second?.headers['gatehouse-signature']), second?.body ?? '', {
        now: clock,
      }).ok,
    ).toBe(true);
  });

  it('backs off 10 s, 30 s, 2 min, 10 min, 1 h, 6 h, 6 h (±10 %), then gives up after 8 attempts', async () => {
    const r = await receiver();
    r.answer = 503;
    const t = await setup([{ url: r.url, secret: SECRET }]);
    await signup(t);
    const waits = [10, 30, 120, 600, 3600, 21_600, 21_600];

    for (const [i, wait] of waits.entries()) {
      expect(await t.auth.webhooks.deliverDue(), `attempt ${i + 1}`).toMatchObject({
        attempted: 1,
        retrying: 1,
      });
      const delivery = await onlyDelivery(t);
      expect(delivery.attempts).toBe(i + 1);
      const delay = (delivery.nextAttemptAt?.getTime() ?? 0) - clock.getTime();
      expect(delay).toBeGreaterThanOrEqual(wait * 900);
      expect(delay).toBeLessThanOrEqual(wait * 1100);
      advance(wait * 890);
      expect((await t.auth.webhooks.deliverDue()).attempted, `early, before attempt ${i + 2}`).toBe(0);
      advance(delay - wait * 890);
    }
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ attempted: 1, failed: 1 });
    const failed = await onlyDelivery(t);
    expect(failed).toMatchObject({ status: 'failed', attempts: 8, nextAttemptAt: null, lastStatusCode: 503 });

    advance(7 * 24 * 3600 * 1000);
    expect((await t.auth.webhooks.deliverDue()).attempted).toBe(0);
    expect(r.received).toHaveLength(8);

    // A retry is one more attempt, now.
    r.answer = 200;
    expect(await t.auth.webhooks.retry(failed.id)).toMatchObject({ status: 'pending', nextAttemptAt: clock });
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ delivered: 1 });
    expect(await onlyDelivery(t)).toMatchObject({ status: 'delivered', attempts: 9 });
  });

  it('makes a manual retry a single attempt: failing again, it is failed again', async () => {
    const r = await receiver();
    r.answer = 500;
    const t = await setup([{ url: r.url, secret: SECRET }], { webhookDelivery: { maxAttempts: 1 } });
    await signup(t);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ failed: 1 });
    const { id } = await onlyDelivery(t);
    await t.auth.webhooks.retry(id);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ failed: 1 });
    expect(await onlyDelivery(t)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('refuses to retry a delivery that is not failed, and answers null for an unknown id', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }]);
    await signup(t);
    const { id } = await onlyDelivery(t);
    await expect(t.auth.webhooks.retry(id)).rejects.toMatchObject({ code: 'conflict' });
    await t.auth.webhooks.deliverDue();
    await expect(t.auth.webhooks.retry(id)).rejects.toMatchObject({ code: 'conflict' });
    expect(await t.auth.webhooks.retry('whd_nothing')).toBeNull();
  });

  it('counts no answer within the timeout as a failed attempt', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }], { webhookDelivery: { timeoutMs: 200 } });
    await signup(t);
    r.queue('hang');
    const started = performance.now();
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ retrying: 1 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await onlyDelivery(t)).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: 'No answer within 200 ms.',
    });
    advance(60_000);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ delivered: 1 });
  });

  it('counts a refused connection and a redirect as failures, and follows no redirect', async () => {
    const r = await receiver();
    const elsewhere = await receiver();
    r.queue((_request, response) => response.writeHead(307, { location: elsewhere.url }).end());
    const closed = await startReceiver();
    const deadUrl = closed.url;
    await closed.close();
    const t = await setup([
      { url: r.url, secret: SECRET, name: 'redirects' },
      { url: deadUrl, secret: SECRET, name: 'dead' },
    ]);
    await signup(t);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ attempted: 2, retrying: 2 });
    const byName = Object.fromEntries((await t.auth.webhooks.listDeliveries()).map((d) => [d.webhook, d]));
    expect(byName.redirects).toMatchObject({ lastStatusCode: 307 });
    expect(byName.redirects?.lastError).toContain('redirects are not followed');
    expect(elsewhere.received).toHaveLength(0);
    expect(byName.dead).toMatchObject({ lastStatusCode: null, status: 'pending' });
    expect(byName.dead?.lastError).toMatch(/ECONNREFUSED/);
  });

  it('sends credentials in the URL as basic authentication, not in the URL', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url.replace('http://', 'http://hook:s%3Acret@'), secret: SECRET }]);
    await signup(t);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ delivered: 1 });
    expect(r.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('hook:s:cret').toString('base64')}`,
    );
    expect(t.auth.webhooks.list()[0]?.url).toBe(r.url);
    expect((await onlyDelivery(t)).webhook).not.toContain('cret');
  });

  it('sends only the event types a webhook subscribes to', async () => {
    const r = await receiver();
    const t = await setup([
      { url: r.url, secret: SECRET, name: 'signups', events: ['signup'] },
      { url: r.url, secret: SECRET, name: 'all' },
      { url: r.url, secret: SECRET, name: 'failures', events: ['signin_failed', 'user_deleted'] },
    ]);
    await signup(t);
    await t.auth.audit.record({ type: 'signin_failed', ip: '198.51.100.1', details: { reason: 'password' } });
    await t.auth.audit.record({ type: 'user_deleted', userId: 'usr_ada', actorId: 'usr_admin' });
    await t.auth.audit.record({ type: 'password_changed', userId: 'usr_ada' });
    await t.auth.webhooks.deliverDue();
    const typesOf = async (webhook: string) =>
      (await t.auth.webhooks.listDeliveries({ webhook })).map((d) => d.eventType).sort();
    expect(await typesOf('signups')).toEqual(['signup']);
    expect(await typesOf('all')).toEqual(['password_changed', 'signin_failed', 'signup', 'user_deleted']);
    expect(await typesOf('failures')).toEqual(['signin_failed', 'user_deleted']);
    expect(r.received).toHaveLength(7);
  });

  it('queues nothing, and touches no table, when no webhook subscribes', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET, events: ['user_deleted'] }]);
    await signup(t);
    expect(await t.auth.webhooks.listDeliveries()).toEqual([]);
  });

  it('delivers what was queued before a restart', async () => {
    const r = await receiver();
    const database = await createTestDatabase();
    open.push({ close: () => database.drop() });
    const webhooks = [{ url: r.url, secret: SECRET }];
    const before = await createTestAuth({ webhooks, now: () => clock, logLevel: 'silent' }, database);
    await signup(before);
    await before.auth.audit.record({ type: 'signout', userId: 'usr_ada' });
    await before.close();
    expect(r.received).toHaveLength(0);

    const after = await setup(webhooks, {}, database);
    expect(await after.auth.webhooks.deliverDue()).toMatchObject({ delivered: 2 });
    expect(r.received.map((x) => x.headers['gatehouse-event']).sort()).toEqual(['signout', 'signup']);
  });

  it('sends again a delivery whose worker died holding it, once its lease has run out', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }]);
    await signup(t);
    const { id } = await onlyDelivery(t);
    // What a worker that claimed the row and then died leaves behind.
    const leaseUntil = new Date(clock.getTime() + 60_000);
    await t.auth.database.db
      .updateTable('webhook_deliveries')
      .set({ locked_until: leaseUntil, lock_token: 'dead-worker', attempts: 1 })
      .where('id', '=', id)
      .execute();
    expect((await t.auth.webhooks.deliverDue()).attempted).toBe(0);
    advance(60_001);
    expect(await t.auth.webhooks.deliverDue()).toMatchObject({ delivered: 1 });
    expect(await onlyDelivery(t)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('queues the delivery of a sign-up through the API before answering', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET, events: ['signup'] }]);
    const reply = await t.auth.handler(
      new Request('http://localhost:3000/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
        body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
      }),
      { ip: '192.0.2.10' },
    );
    expect(reply.status).toBe(201);
    const { user } = (await reply.json()) as { user: { id: string } };
    const delivery = await onlyDelivery(t);
    expect(delivery.payload).toMatchObject({ type: 'signup', userId: user.id, ip: '192.0.2.10' });
    await t.auth.webhooks.deliverDue();
    expect(JSON.parse(r.received[0]?.body ?? '{}')).toMatchObject({ userId: user.id });
  });

  it('logs a failed enqueue and never fails the sign-up', async () => {
    const r = await receiver();
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const t = await setup([{ url: r.url, secret: SECRET }], { logger });
    await sql`drop table webhook_deliveries`.execute(t.auth.database.db);

    const reply = await t.auth.handler(
      new Request('http://localhost:3000/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
        body: JSON.stringify({ email: 'grace@example.com', password: PASSWORD }),
      }),
    );
    expect(reply.status).toBe(201);
    expect(await t.auth.audit.list({ type: 'signup' })).toHaveLength(1);
    expect(lines.join('')).toContain('Could not queue webhook deliveries');
  });

  it('lists deliveries newest first, filtered, a page at a time', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET, name: 'main' }]);
    for (let i = 0; i < 5; i++) {
      await signup(t, { userId: `usr_${i}` });
      advance(1);
    }
    await t.auth.audit.record({ type: 'signout', userId: 'usr_0' });
    r.queue(500);
    await t.auth.webhooks.deliverDue();

    const all = await t.auth.webhooks.listDeliveries();
    expect(all.map((d) => d.payload.userId)).toEqual(['usr_0', 'usr_4', 'usr_3', 'usr_2', 'usr_1', 'usr_0']);
    expect((await t.auth.webhooks.listDeliveries({ type: 'signout' })).map((d) => d.eventType)).toEqual([
      'signout',
    ]);
    expect(await t.auth.webhooks.listDeliveries({ status: 'pending' })).toHaveLength(1);
    expect(await t.auth.webhooks.listDeliveries({ webhook: 'other' })).toEqual([]);
    const first = await t.auth.webhooks.listDeliveries({ limit: 4 });
    const rest = await t.auth.webhooks.listDeliveries({ limit: 4, before: first.at(-1)?.id ?? '' });
    expect([...first, ...rest].map((d) => d.id)).toEqual(all.map((d) => d.id));
  });

  it('prunes delivered and given-up deliveries after the retention period, keeping pending ones', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }], {
      webhookDelivery: { retentionDays: 2, maxAttempts: 1 },
    });
    await signup(t, { userId: 'usr_delivered' });
    await t.auth.webhooks.deliverDue();
    await signup(t, { userId: 'usr_failed' });
    r.queue(500);
    await t.auth.webhooks.deliverDue();
    advance(24 * 3600 * 1000);
    await signup(t, { userId: 'usr_recent' });
    await t.auth.webhooks.deliverDue();
    await t.auth.webhooks.retry((await t.auth.webhooks.listDeliveries({ status: 'failed' }))[0]?.id ?? '');
    r.queue(500);
    // The retried one fails again now, so its clock restarts.
    await t.auth.webhooks.deliverDue();

    advance(24 * 3600 * 1000 + 1);
    expect(await t.auth.webhooks.prune()).toBe(1);
    expect((await t.auth.webhooks.listDeliveries()).map((d) => d.payload.userId).sort()).toEqual([
      'usr_failed',
      'usr_recent',
    ]);
    advance(24 * 3600 * 1000);
    expect(await t.auth.webhooks.prune()).toBe(2);
  });
});

describe('the delivery worker', () => {
  it('sends an event of this process at once, and stops cleanly', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }], {
      webhookDelivery: { pollIntervalMs: 60_000 },
    });
    t.auth.webhooks.start();
    t.auth.webhooks.start(); // a second start is a no-op
    await signup(t);
    await waitFor(() => r.received.length === 1);
    await t.auth.webhooks.stop();
    expect((await onlyDelivery(t)).status).toBe('delivered');
  });

  it('picks up deliveries queued by another process on its next poll', async () => {
    const r = await receiver();
    const t = await setup([{ url: r.url, secret: SECRET }], { webhookDelivery: { pollIntervalMs: 100 } });
    const other = await setup([{ url: r.url, secret: SECRET }], {}, t.db);
    t.auth.webhooks.start();
    await signup(other);
    await waitFor(() => r.received.length === 1);
  });

  it('lets a delivery in flight finish when the auth closes', async () => {
    const r = await receiver();
    r.queue((_request, response) => setTimeout(() => response.writeHead(200).end(), 150));
    const database = await createTestDatabase();
    open.push({ close: () => database.drop() });
    const t = await createTestAuth(
      { webhooks: [{ url: r.url, secret: SECRET }], now: () => clock, logLevel: 'silent' },
      database,
    );
    t.auth.webhooks.start();
    await signup(t);
    await waitFor(() => r.received.length === 1);
    await t.close();
    const reopened = await setup([{ url: r.url, secret: SECRET }], {}, database);
    expect((await reopened.auth.webhooks.listDeliveries())[0]?.status).toBe('delivered');
  });

  it('does not start without webhooks', async () => {
    const t = await setup([]);
    t.auth.webhooks.start();
    expect(await t.auth.webhooks.deliverDue()).toEqual({
      attempted: 0,
      delivered: 0,
      retrying: 0,
      failed: 0,
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
