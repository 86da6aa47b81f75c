/** Mail over a real SMTP server on loopback: rendered, queued, sent by the worker, parsed back. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeTransaction } from '../../src/db/transaction.js';
import type { MailInput } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

const LINK = 'https://auth.acme.test/auth/ui/reset?token=abc&x=1';

describe('mail over SMTP', () => {
  let sink: SmtpSink;
  let t: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: 'gatehouse', pass: 'p@ss word/1' } });
    t = await createTestAuth({
      publicUrl: 'https://auth.acme.test',
      ui: { productName: 'Acme "Pro" <Cloud>' },
      mail: { smtpUrl: sink.url },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  it('queues at once, then the worker delivers it: text, html, headers, from', async () => {
    expect(sink.url).toContain('gatehouse:p%40ss%20word%2F1@');
    const queued = await t.auth.mail.enqueue({
      to: 'ada@example.com',
      template: 'password_reset',
      data: { link: LINK },
    });
    expect(queued).toMatchObject({ status: 'pending', to: 'ada@example.com', template: 'password_reset' });
    expect(queued.id).toMatch(/^mail_/);

    const mail = await sink.waitFor((m) => m.to === 'ada@example.com');
    expect(mail.subject).toBe('Reset your Acme "Pro" <Cloud> password');
    expect(mail.from).toContain('no-reply@auth.acme.test');
    expect(mail.from).toContain('Acme');
    expect(mail.envelopeFrom).toBe('no-reply@auth.acme.test');
    expect(mail.toHeader).toBe('ada@example.com');
    expect(mail.messageId).toBe(`<${queued.id}@auth.acme.test>`);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.link).toBe(LINK);
    expect(mail.text).toContain('expires in 1 hour');
    expect(mail.text).toContain('If you did not ask for this');
    expect(mail.html).toContain('href="https://auth.acme.test/auth/ui/reset?token=abc&#38;x=1"');
    expect(mail.html).toContain('Acme &#34;Pro&#34; &#60;Cloud&#62;');
    expect(mail.html).not.toContain('<Cloud>');

    // Stored as sent; the bodies (a live link) are gone.
    await vi.waitFor(async () => expect((await t.auth.mail.get(queued.id))?.status).toBe('sent'));
    const stored = await t.auth.mail.get(queued.id);
    expect(stored).toMatchObject({ transport: 'smtp', attempts: 1, text: null, html: null, lastError: null });
    expect(stored?.sentAt).toBeInstanceOf(Date);
  });

  it('sends every template with its link or code', async () => {
    const inputs: MailInput[] = [
      { to: 'v@example.com', template: 'verify_email', data: { link: 'https://auth.acme.test/v?t=1' } },
      { to: 'm@example.com', template: 'magic_link', data: { link: 'https://auth.acme.test/m?t=2' } },
      { to: 'o@example.com', template: 'email_otp', data: { code: '493817' } },
      {
        to: 'new@example.com',
        template: 'email_change',
        data: { link: 'https://auth.acme.test/c?t=3', newEmail: 'new@example.com' },
      },
    ];
    for (const input of inputs) await t.auth.mail.enqueue(input);
    const verify = await sink.waitFor((m) => m.to === 'v@example.com');
    expect(verify.link).toBe('https://auth.acme.test/v?t=1');
    expect(verify.text).toContain('expires in 24 hours');
    const magic = await sink.waitFor((m) => m.to === 'm@example.com');
    expect(magic.link).toBe('https://auth.acme.test/m?t=2');
    expect(magic.text).toContain('expires in 15 minutes');
    const otp = await sink.waitFor((m) => m.to === 'o@example.com');
    expect(otp.code).toBe('493817');
    expect(otp.subject).toContain('493817');
    expect(otp.html).toContain('493817');
    expect(otp.text).toContain('expires in 10 minutes');
    const change = await sink.waitFor((m) => m.to === 'new@example.com');
    expect(change.link).toBe('https://auth.acme.test/c?t=3');
    expect(change.text).toContain('Confirm new@example.com as the new email address');
  });

  it('queues inside the caller’s transaction: nothing if it rolls back, sent once it commits', async () => {
    await expect(
      writeTransaction(t.auth.database, async (trx) => {
        await t.auth.mail.enqueue(
          {
            to: 'rolled-back@example.com',
            template: 'magic_link',
            data: { link: 'https://auth.acme.test/m' },
          },
          { db: trx },
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await t.auth.mail.list({ to: 'rolled-back@example.com' })).toEqual([]);

    const queued = await writeTransaction(t.auth.database, (trx) =>
      t.auth.mail.enqueue(
        { to: 'committed@example.com', template: 'magic_link', data: { link: 'https://auth.acme.test/m' } },
        { db: trx },
      ),
    );
    const mail = await sink.waitFor((m) => m.to === 'committed@example.com');
    expect(mail.messageId).toBe(`<${queued.id}@auth.acme.test>`);
    expect(sink.messages.some((m) => m.to === 'rolled-back@example.com')).toBe(false);
  });

  it('sends a ready-made message under its purpose', async () => {
    const queued = await t.auth.mail.enqueue({
      to: 'ready@example.com',
      purpose: 'account_exists',
      subject: 'You already have an account',
      text: 'Sign in instead.',
      html: '<p>Sign in instead.</p>',
      headers: { 'X-Campaign': 'none' },
    });
    const mail = await sink.waitFor((m) => m.to === 'ready@example.com');
    expect(mail).toMatchObject({ subject: 'You already have an account', text: 'Sign in instead.' });
    expect(mail.headers.get('x-campaign')).toBe('none');
    expect(queued.template).toBe('account_exists');
  });

  it('refuses bad input before queueing anything', async () => {
    await expect(
      t.auth.mail.enqueue({
        to: 'a@b.example\r\nBcc: x@evil.test',
        template: 'email_otp',
        data: { code: '1' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      t.auth.mail.enqueue({ to: 'a@example.com, b@example.com', template: 'email_otp', data: { code: '1' } }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      t.auth.mail.enqueue({
        to: 'a@example.com',
        template: 'magic_link',
        data: { link: 'javascript:alert(1)' },
      }),
    ).rejects.toThrow(/absolute http\(s\) URL/);
    await expect(
      t.auth.mail.enqueue({ to: 'a@example.com', template: 'magic_link', data: { link: '/relative' } }),
    ).rejects.toThrow(/absolute http\(s\) URL/);
    await expect(
      t.auth.mail.enqueue({
        to: 'a@example.com',
        purpose: 'x',
        subject: 's',
        text: 't',
        html: 'h',
        headers: { Bcc: 'x@evil.test' },
      }),
    ).rejects.toThrow(/cannot be set/);
    await expect(
      t.auth.mail.enqueue({
        to: 'a@example.com',
        purpose: 'x',
        subject: 's',
        text: 't',
        html: 'h',
        headers: { 'X-A': 'one\r\nBcc: x@evil.test' },
      }),
    ).rejects.toThrow(/one-line/);
  });
});
