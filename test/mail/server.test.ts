/** The standalone server runs the mail worker: mail left queued before it started goes out, and stop() stops it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { createTestAuth } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

describe('the standalone server and mail', () => {
  let sink: SmtpSink;
  let db: TestDatabase;

  beforeAll(async () => {
    sink = await startSmtpSink();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await sink?.stop();
    await db?.drop();
  });

  it('sends what an earlier process queued, and stops the worker with the server', async () => {
    const config = { mail: { smtpUrl: sink.url, autoStart: false } };
    const before = await createTestAuth(config, db);
    await before.auth.mail.enqueue({
      to: 'queued@example.com',
      template: 'email_otp',
      data: { code: '111222' },
    });
    await before.auth.close();
    expect(sink.messages).toHaveLength(0);

    const t = await createTestAuth(config, db);
    const server = await startServer(t.auth, { port: 0, host: '127.0.0.1' });
    try {
      const mail = await sink.waitFor((m) => m.to === 'queued@example.com');
      expect(mail.code).toBe('111222');
    } finally {
      await server.stop();
    }
  });
});
