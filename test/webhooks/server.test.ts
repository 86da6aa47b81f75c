import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { verifyWebhookSignature } from '../../src/index.js';
import { createTestAuth } from '../helpers/auth.js';
import { createTestDatabase } from '../helpers/database.js';
import { PASSWORD } from '../helpers/http.js';
import { SECRET, startReceiver } from './receiver.js';

describe('the standalone server and webhooks', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('runs the delivery worker while it serves, and stops it before closing the database', async () => {
    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const webhooks = [{ url: receiver.url, secret: SECRET, events: ['signup' as const] }];
    const { auth } = await createTestAuth({ rateLimits: false, webhooks }, database);
    const server = await startServer(auth, { port: 0, host: '127.0.0.1' });

    const reply = await fetch(`${server.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    expect(reply.status).toBe(201);
    const deadline = Date.now() + 5000;
    while (receiver.received.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const [delivery] = receiver.received;
    expect(delivery?.headers['gatehouse-event']).toBe('signup');
    expect(
      verifyWebhookSignature(SECRET, String(delivery?.headers['gatehouse-signature']), delivery?.body ?? '')
        .ok,
    ).toBe(true);
    expect(JSON.parse(delivery?.body ?? '{}').ip).toBe('127.0.0.1');

    await server.stop();
    const reopened = await createTestAuth({ webhooks }, database);
    cleanup.push(() => reopened.close());
    expect((await reopened.auth.webhooks.listDeliveries()).map((d) => d.status)).toEqual(['delivered']);
  });
});
