/** Without SMTP: messages are stored as sent by `log` and their link or code logged (development only). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/index.js';
import { createTestAuth } from '../helpers/auth.js';

interface Entry {
  level: string;
  object: Record<string, unknown>;
  message: string | undefined;
}

function capture(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message?: string) =>
    entries.push({ level, object, message });
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, entries };
}

describe('the development transport', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('keeps the message in the outbox, marked sent by log, and logs its link', async () => {
    vi.stubEnv('SMTP_URL', '');
    const { logger, entries } = capture();
    const t = await createTestAuth({ logger });
    try {
      expect(t.auth.mail.transportName).toBe('log');
      const link = 'http://localhost:3000/auth/ui/magic?token=xyz';
      const queued = await t.auth.mail.enqueue({
        to: 'ada@example.com',
        template: 'magic_link',
        data: { link },
      });
      expect(queued).toMatchObject({ status: 'sent', transport: 'log', attempts: 0 });
      const stored = await t.auth.mail.get(queued.id);
      expect(stored).toMatchObject({ status: 'sent', transport: 'log', to: 'ada@example.com' });
      expect(stored?.text).toContain(link);
      expect(stored?.html).toContain(link);
      const line = entries.find((e) => e.level === 'info' && e.object.mail === queued.id);
      expect(line?.object).toMatchObject({ link, to: 'ada@example.com', template: 'magic_link' });
      expect(line?.message).toContain(link);

      const otp = await t.auth.mail.enqueue({
        to: 'ada@example.com',
        template: 'email_otp',
        data: { code: '123456' },
      });
      expect(entries.find((e) => e.object.mail === otp.id)?.message).toContain('code 123456');

      // Nothing to deliver: the worker has no transport.
      expect(await t.auth.mail.deliverDue()).toEqual({ attempted: 0, sent: 0, retrying: 0, failed: 0 });
      expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('with an https publicUrl: warns that mail is not sent, and never logs the link', async () => {
    vi.stubEnv('SMTP_URL', '');
    const { logger, entries } = capture();
    const t = await createTestAuth({ logger, publicUrl: 'https://auth.example.com' });
    try {
      t.auth.mail.start();
      const link = 'https://auth.example.com/auth/ui/reset?token=secret-token';
      const queued = await t.auth.mail.enqueue({
        to: 'ada@example.com',
        template: 'password_reset',
        data: { link },
      });
      await t.auth.mail.enqueue({ to: 'bob@example.com', template: 'password_reset', data: { link } });
      expect(queued.status).toBe('sent');
      const warnings = entries.filter((e) => e.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/Mail is not sent/);
      expect(JSON.stringify(entries)).not.toContain('secret-token');
      expect(JSON.stringify(entries)).not.toContain('ada@example.com');
    } finally {
      await t.close();
    }
  });

  it('takes the SMTP server from $SMTP_URL', async () => {
    vi.stubEnv('SMTP_URL', 'smtp://127.0.0.1:1');
    const t = await createTestAuth({ mail: { autoStart: false } });
    try {
      expect(t.auth.mail.transportName).toBe('smtp');
      const queued = await t.auth.mail.enqueue({
        to: 'a@example.com',
        template: 'email_otp',
        data: { code: '1' },
      });
      expect(queued.status).toBe('pending');
    } finally {
      await t.close();
    }
  });
});
