import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/index.js';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';
import { type Receiver, SECRET, startReceiver } from './receiver.js';

let receiver: Receiver;
let api: TestApi<Record<never, never>>;
let n = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  api = await createTestApi({
    rateLimits: false,
    webhooks: [
      { url: receiver.url.replace('http://', 'http://user:hunter2@'), secret: SECRET, name: 'crm' },
      {
        url: receiver.url,
        secret: SECRET,
        name: 'security',
        events: ['signin_failed'],
        include: { ip: false },
      },
    ],
    webhookDelivery: { maxAttempts: 1 },
  });
});
afterAll(async () => {
  await api.close();
  await receiver.close();
});

async function staffWith(...codenames: string[]): Promise<{ user: User; client: Client }> {
  const user = await api.auth.users.create({
    email: `staff${++n}@example.com`,
    password: PASSWORD,
    isStaff: true,
  });
  await api.auth.permissions.grantToUser(user.id, codenames);
  const client = api.client();
  client.cookies.set('gh_session', (await api.auth.sessions.create(user.id)).token);
  return { user, client };
}

describe('admin webhook routes', () => {
  it('lists the configured webhooks without secrets or credentials', async () => {
    const { client } = await staffWith('webhook.view');
    const reply = await client.get('/auth/admin/webhooks');
    expect(reply.status).toBe(200);
    expect(reply.body.webhooks).toEqual([
      { name: 'crm', url: receiver.url, events: null, include: { ip: true, userAgent: false } },
      {
        name: 'security',
        url: receiver.url,
        events: ['signin_failed'],
        include: { ip: false, userAgent: false },
      },
    ]);
    expect(reply.text).not.toContain(SECRET);
    expect(reply.text).not.toContain('hunter2');
  });

  it('lists deliveries newest first, filtered, with a cursor, and without their payload', async () => {
    const { client } = await staffWith('webhook.view');
    for (let i = 0; i < 3; i++) await api.auth.audit.record({ type: 'signin_failed', ip: '198.51.100.9' });
    await api.auth.audit.record({ type: 'signout', userId: 'usr_someone' });
    receiver.queue(500);
    await api.auth.webhooks.deliverDue();

    const all = await client.get('/auth/admin/webhooks/deliveries?limit=200');
    expect(all.status).toBe(200);
    expect(all.text).not.toContain('198.51.100.9');
    const signout = await client.get('/auth/admin/webhooks/deliveries?type=signout');
    expect(signout.body.deliveries).toHaveLength(1);
    expect(signout.body.deliveries[0]).toEqual({
      id: expect.stringMatching(/^whd_/),
      webhook: 'crm',
      eventId: expect.stringMatching(/^aud_/),
      eventType: 'signout',
      status: expect.any(String),
      attempts: 1,
      nextAttemptAt: null,
      lastAttemptAt: expect.any(String),
      lastStatusCode: expect.any(Number),
      lastError: expect.toSatisfy((v) => v === null || typeof v === 'string'),
      deliveredAt: expect.toSatisfy((v) => v === null || typeof v === 'string'),
      createdAt: expect.any(String),
    });

    const security = await client.get('/auth/admin/webhooks/deliveries?webhook=security&type=signin_failed');
    expect(security.body.deliveries).toHaveLength(3);
    const failed = await client.get('/auth/admin/webhooks/deliveries?status=failed');
    expect(failed.body.deliveries).toHaveLength(1);
    expect(failed.body.deliveries[0].lastError).toContain('HTTP 500');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { deliveries: { id: string }[]; nextCursor: string | null } } = await client.get(
        `/auth/admin/webhooks/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.deliveries.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.deliveries.map((d: { id: string }) => d.id));

    const bad = await client.get('/auth/admin/webhooks/deliveries?status=lost&limit=0');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['limit', 'status']);
  });

  it('retries a failed delivery, recording who did it', async () => {
    const { user, client } = await staffWith('webhook.change');
    await api.auth.audit.record({ type: 'signout', userId: 'usr_retry' });
    receiver.queue(502);
    await api.auth.webhooks.deliverDue();
    const [failed] = await api.auth.webhooks.listDeliveries({ status: 'failed', limit: 1 });
    if (!failed) throw new Error('expected a failed delivery');

    const reply = await client.post(`/auth/admin/webhooks/deliveries/${failed.id}/retry`);
    expect(reply.status).toBe(200);
    expect(reply.body.delivery).toMatchObject({ id: failed.id, status: 'pending' });
    expect(reply.body.delivery).not.toHaveProperty('payload');
    const [event] = await api.auth.audit.list({ type: 'webhook_delivery_retried', limit: 1 });
    expect(event).toMatchObject({
      actorId: user.id,
      details: { delivery: failed.id, webhook: failed.webhook, eventId: failed.eventId },
    });

    await api.auth.webhooks.deliverDue();
    expect((await api.auth.webhooks.getDelivery(failed.id))?.status).toBe('delivered');
    const again = await client.post(`/auth/admin/webhooks/deliveries/${failed.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await client.post('/auth/admin/webhooks/deliveries/whd_missing/retry')).status).toBe(404);
  });

  it('refuses a cross-site retry', async () => {
    const { client } = await staffWith('webhook.change');
    const reply = await client.send('POST', '/auth/admin/webhooks/deliveries/whd_x/retry', {
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('csrf_failed');
  });
});
