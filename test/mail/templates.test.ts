/** The built-in messages, their escaping, and the app's overrides (rendered without sending). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/mail/templates.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';

const HOSTILE = '<img src=x onerror="alert(1)">&';
const HOSTILE_LINK = "https://auth.example.test/x?token=a\"><script>alert(1)</script>&b='c'";

describe('mail templates', () => {
  let t: TestAuth<Record<never, never>>;

  beforeAll(async () => {
    t = await createTestAuth({ ui: { productName: HOSTILE } });
  });
  afterAll(() => t?.close());

  const cases = [
    { template: 'verify_email', expiry: 'expires in 24 hours', notYou: 'If you did not create' },
    { template: 'password_reset', expiry: 'expires in 1 hour', notYou: 'If you did not ask for this' },
    { template: 'magic_link', expiry: 'expires in 15 minutes', notYou: 'If you did not try to sign in' },
    { template: 'email_change', expiry: 'expires in 24 hours', notYou: 'If you did not ask to change' },
  ] as const;

  it.each(cases)('$template: the link, the product name, the expiry, escaped HTML', async (c) => {
    const rendered = await t.auth.mail.render({
      to: 'ada@example.com',
      template: c.template,
      data: { link: HOSTILE_LINK, newEmail: `${HOSTILE}@example.com` },
    } as never);
    expect(rendered.text).toContain(HOSTILE_LINK);
    expect(rendered.text).toContain(c.expiry);
    expect(rendered.text).toContain(c.notYou);
    expect(rendered.text).toContain(HOSTILE);
    expect(rendered.subject).toContain(HOSTILE);
    expect(rendered.html).toContain(c.expiry);
    expect(rendered.html).toContain(c.notYou);
    // Every piece of data is escaped: no tag or attribute of it survives.
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).not.toContain('<script');
    expect(rendered.html).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#38;');
    expect(rendered.html).toContain(
      'href="https://auth.example.test/x?token=a&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;b=&#39;c&#39;"',
    );
  });

  it('email_otp: the code in the subject, text and html, with its expiry', async () => {
    const rendered = await t.auth.mail.render({
      to: 'ada@example.com',
      template: 'email_otp',
      data: { code: '<b>12</b>' },
    });
    expect(rendered.text).toContain('Your code: <b>12</b>');
    expect(rendered.text).toContain('expires in 10 minutes');
    expect(rendered.text).toContain('If you did not try to sign in');
    expect(rendered.html).toContain('&#60;b&#62;12&#60;/b&#62;');
    expect(rendered.html).not.toContain('<b>12');
  });

  it('states the expiry the caller passes', async () => {
    const rendered = await t.auth.mail.render({
      to: 'ada@example.com',
      template: 'password_reset',
      data: { link: 'https://a.test/r', expiresInSeconds: 1800 },
    });
    expect(rendered.text).toContain('expires in 30 minutes');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(7200)).toBe('2 hours');
    expect(formatDuration(86_400)).toBe('24 hours');
    expect(formatDuration(3 * 86_400)).toBe('3 days');
    expect(formatDuration(90)).toBe('2 minutes');
  });

  it('uses the app’s templates where given, the built-in ones elsewhere', async () => {
    const app = await createTestAuth(
      {
        mail: {
          templates: {
            password_reset: ({ link, productName, expiresIn }) => ({
              subject: `[${productName}] reset`,
              text: `Go to ${link} (${expiresIn})`,
              html: `<a href="${link}">reset</a>`,
            }),
          },
        },
      },
      t.db,
    );
    try {
      const reset = await app.auth.mail.enqueue({
        to: 'ada@example.com',
        template: 'password_reset',
        data: { link: 'https://a.test/r' },
      });
      expect(reset).toMatchObject({
        subject: '[Gatehouse] reset',
        text: 'Go to https://a.test/r (1 hour)',
        html: '<a href="https://a.test/r">reset</a>',
      });
      const magic = await app.auth.mail.render({
        to: 'ada@example.com',
        template: 'magic_link',
        data: { link: 'https://a.test/m' },
      });
      expect(magic.subject).toBe('Sign in to Gatehouse');
    } finally {
      await app.auth.close();
    }
  });

  it('refuses a template that does not return strings', async () => {
    const app = await createTestAuth(
      { mail: { templates: { magic_link: () => ({ subject: 'x' }) as never } } },
      t.db,
    );
    try {
      await expect(
        app.auth.mail.enqueue({
          to: 'ada@example.com',
          template: 'magic_link',
          data: { link: 'https://a.test' },
        }),
      ).rejects.toThrow(/must return \{ subject, text, html \}/);
    } finally {
      await app.auth.close();
    }
  });
});
