import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { type Receiver, SECRET, startReceiver } from './receiver.js';

const EVENTS = 60;

describe('two delivery workers on one database', () => {
  let receiver: Receiver;
  let first: TestAuth<Record<never, never>>;
  let second: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    // A little latency, so both workers have requests in flight at once.
    receiver.answer = (_request, response) => setTimeout(() => response.writeHead(200).end(), 5);
    const config = { webhooks: [{ url: receiver.url, secret: SECRET }] };
    first = await createTestAuth(config);
    second = await createTestAuth(config, first.db);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await receiver.close();
  });

  it('deliver each event exactly once, called side by side', async () => {
    for (let i = 0; i < EVENTS; i++) {
      const auth = i % 2 === 0 ? first.auth : second.auth;
      await auth.audit.record({ type: 'signin_succeeded', userId: `usr_${i}` });
    }
    const runs = await Promise.all([
      first.auth.webhooks.deliverDue(),
      second.auth.webhooks.deliverDue(),
      first.auth.webhooks.deliverDue(),
      second.auth.webhooks.deliverDue(),
    ]);
    expect(runs.reduce((sum, run) => sum + run.attempted, 0)).toBe(EVENTS);
    expect(runs.reduce((sum, run) => sum + run.delivered, 0)).toBe(EVENTS);

    const ids = receiver.deliveryIds();
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    const users = receiver.received.map((r) => (JSON.parse(r.body) as { userId: string }).userId);
    expect(new Set(users).size).toBe(EVENTS);

    const delivered = await first.auth.webhooks.listDeliveries({ status: 'delivered', limit: 1000 });
    expect(delivered).toHaveLength(EVENTS);
    expect(delivered.every((d) => d.attempts === 1)).toBe(true);
    expect((await second.auth.webhooks.deliverDue()).attempted).toBe(0);
  });

  it('deliver each event exactly once as running workers, while events keep coming', async () => {
    const before = receiver.received.length;
    first.auth.webhooks.start();
    second.auth.webhooks.start();
    try {
      for (let i = 0; i < EVENTS; i++) {
        const auth = i % 3 === 0 ? first.auth : second.auth;
        await auth.audit.record({ type: 'signout', userId: `usr_live_${i}` });
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const deadline = Date.now() + 10_000;
      while (receiver.received.length - before < EVENTS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await Promise.all([first.auth.webhooks.stop(), second.auth.webhooks.stop()]);
    }
    const live = receiver.received.slice(before);
    expect(live).toHaveLength(EVENTS);
    expect(new Set(live.map((r) => r.headers['gatehouse-delivery'])).size).toBe(EVENTS);
    expect(await first.auth.webhooks.listDeliveries({ status: 'pending' })).toEqual([]);
  });
});
