/**
 * Changing the email address: the request mails a link to the new address and
 * a notice to the current one (through a real SMTP server on loopback); only
 * the link changes the address, and the request answers alike whether the new
 * address is free, taken or the current one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestApi } from '../../helpers/http.js';
import {
  MAIL_PUBLIC_URL,
  type MailTestApi,
  SECURE_COOKIE,
  startMailTestApi,
} from '../../helpers/mail-api.js';
import type { ReceivedMail, SmtpSink } from '../../helpers/smtp.js';

const PUBLIC_URL = MAIL_PUBLIC_URL;
const COOKIE = SECURE_COOKIE;

let api: TestApi<Record<never, never>>;
let sink: SmtpSink;
let mail: MailTestApi;
let n = 0;

beforeAll(async () => {
  mail = await startMailTestApi({ rateLimits: { mail: { perEmail: { max: 3, windowSeconds: 3600 } } } });
  ({ api, sink } = mail);
});
afterAll(() => mail.close());

async function signedInUser() {
  n += 1;
  const user = await api.auth.users.create({ email: `mover${n}@example.com`, password: PASSWORD });
  const client = api.client();
  client.cookies.set(COOKIE, (await api.auth.sessions.create(user.id)).token);
  return { user, client };
}

const mailTo = (email: string, subject: RegExp) =>
  sink.waitFor((m) => m.to === email && subject.test(m.subject), 10_000);

const tokenOf = (mail: ReceivedMail) => new URL(mail.link ?? '').searchParams.get('token') ?? '';

/** Lets the work queued after an answer run, then delivers what it queued. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  await api.auth.mail.deliverDue();
}

describe('POST /auth/email/change', () => {
  it('mails the new address a link from publicUrl and the old one a notice; the link changes the address, verified', async () => {
    const { user, client } = await signedInUser();
    const newEmail = `moved${n}@example.net`;
    const asked = await client.post('/auth/email/change', { newEmail: ` ${newEmail.toUpperCase()} ` });
    expect(asked.status).toBe(202);
    expect(asked.text).toBe('');

    const confirmation = await mailTo(newEmail, /confirm your new email/i);
    expect(confirmation.link?.startsWith(`${PUBLIC_URL}/auth/ui/confirm-email-change?token=`)).toBe(true);
    expect(confirmation.text).toContain(newEmail);
    const notice = await mailTo(user.email, /about to change/i);
    expect(notice.text).toContain(newEmail);
    expect(notice.link).toBeUndefined();

    // Nothing changed yet.
    expect((await api.auth.users.get(user.id))?.email).toBe(user.email);
    expect((await client.get('/auth/session')).body.user.email).toBe(user.email);

    const confirmed = await api.client().post('/auth/email/change/confirm', { token: tokenOf(confirmation) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.email).toBe(newEmail);
    expect(confirmed.body.user.emailVerified).toBe(true);
    expect(await api.auth.users.getByEmail(user.email)).toBeNull();
    expect((await client.get('/auth/session')).body.user.email).toBe(newEmail);

    const again = await api.client().post('/auth/email/change/confirm', { token: tokenOf(confirmation) });
    expect(again.status).toBe(400);
    expect(again.body.error.fields).toHaveProperty('token');
    const events = await api.auth.audit.list({ type: 'email_changed' });
    expect(events.find((e) => e.userId === user.id)?.details).toEqual({ from: user.email, to: newEmail });
  });

  it('answers a taken or the current address exactly like a free one, and mails nothing to it', async () => {
    const { user, client } = await signedInUser();
    const other = await api.auth.users.create({ email: `holder${n}@example.com`, password: PASSWORD });
    const taken = await client.post('/auth/email/change', { newEmail: other.email });
    const same = await client.post('/auth/email/change', { newEmail: user.email });
    const free = await client.post('/auth/email/change', { newEmail: `free${n}@example.net` });
    expect([taken.status, taken.text]).toEqual([free.status, free.text]);
    expect([same.status, same.text]).toEqual([free.status, free.text]);
    await mailTo(`free${n}@example.net`, /confirm/i);
    await settle();
    expect(sink.messages.some((m) => m.to === other.email)).toBe(false);
    // Only the free address's request sent the old address a notice.
    expect(sink.messages.filter((m) => m.to === user.email)).toHaveLength(1);
  });

  it('answers 409 when the new address was taken between the request and the link', async () => {
    const { user, client } = await signedInUser();
    const newEmail = `contested${n}@example.net`;
    expect((await client.post('/auth/email/change', { newEmail })).status).toBe(202);
    const token = tokenOf(await mailTo(newEmail, /confirm/i));
    await api.auth.users.create({ email: newEmail, password: PASSWORD });
    const reply = await api.client().post('/auth/email/change/confirm', { token });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('conflict');
    expect((await api.auth.users.get(user.id))?.email).toBe(user.email);
  });

  it('refuses a replaced link, one after a password change, a tampered one and one for another purpose', async () => {
    const { user, client } = await signedInUser();
    await client.post('/auth/email/change', { newEmail: `first${n}@example.net` });
    const first = tokenOf(await mailTo(`first${n}@example.net`, /confirm/i));
    await client.post('/auth/email/change', { newEmail: `second${n}@example.net` });
    const second = tokenOf(await mailTo(`second${n}@example.net`, /confirm/i));
    const verification = await api.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    for (const token of [first, `${second.slice(0, -2)}AA`, verification.token, 'x'.repeat(43)]) {
      const reply = await api.client().post('/auth/email/change/confirm', { token });
      expect(reply.status, token).toBe(400);
    }
    await api.auth.users.setPassword(user.id, 'another long passphrase 42');
    expect((await api.client().post('/auth/email/change/confirm', { token: second })).status).toBe(400);
    expect((await api.auth.users.get(user.id))?.email).toBe(user.email);
  });

  it('ends links still pending for the old address, such as a reset link', async () => {
    const { user, client } = await signedInUser();
    const reset = await api.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    await client.post('/auth/email/change', { newEmail: `fresh${n}@example.net` });
    const token = tokenOf(await mailTo(`fresh${n}@example.net`, /confirm/i));
    expect((await api.client().post('/auth/email/change/confirm', { token })).status).toBe(200);
    const replied = await api.client().post('/auth/password/reset/confirm', {
      token: reset.token,
      newPassword: 'a fresh and unusual passphrase 7',
    });
    expect(replied.status).toBe(400);
  });

  it('needs a session, a valid address, and stops mailing one address after its limit', async () => {
    expect((await api.client().post('/auth/email/change', { newEmail: 'a@example.net' })).status).toBe(401);
    const { client } = await signedInUser();
    const bad = await client.post('/auth/email/change', { newEmail: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('newEmail');

    const target = `limited${n}@example.net`;
    for (let i = 0; i < 5; i++) {
      expect((await client.post('/auth/email/change', { newEmail: target })).status).toBe(202);
    }
    await mailTo(target, /confirm/i);
    await settle();
    expect(sink.messages.filter((m) => m.to === target)).toHaveLength(3);
  });
});

describe('the email-change pages', () => {
  const form = (fields: Record<string, string>) => ({ form: fields });

  it('account form → mail → link page (opening spends nothing) → button → new address', async () => {
    const { user, client } = await signedInUser();
    const account = await client.get('/auth/ui/account');
    expect(account.text).toContain('action="/auth/ui/account/email"');
    expect(account.text).toContain(`Your address is ${user.email}.`);

    const bad = await client.send('POST', '/auth/ui/account/email', form({ newEmail: 'nope' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');

    const newEmail = `paged${n}@example.net`;
    const sent = await client.send('POST', '/auth/ui/account/email', form({ newEmail }));
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/auth/ui/account?done=email');
    expect((await client.get('/auth/ui/account?done=email')).text).toContain('Check the new address');

    const link = new URL((await mailTo(newEmail, /confirm/i)).link ?? '');
    const token = link.searchParams.get('token') ?? '';
    for (let i = 0; i < 2; i++) {
      const landing = await api.client().get(`${link.pathname}${link.search}`);
      expect(landing.status).toBe(200);
      expect(landing.text).toContain(`name="token" value="${token}"`);
    }
    expect((await api.auth.users.get(user.id))?.email).toBe(user.email);
    const done = await api.client().send('POST', '/auth/ui/confirm-email-change', form({ token }));
    expect(done.status).toBe(200);
    expect(done.text).toContain(`Your email address is changed to ${newEmail}.`);
    expect((await client.get('/auth/ui/account')).text).toContain(`Your address is ${newEmail}.`);
    const reused = await api.client().send('POST', '/auth/ui/confirm-email-change', form({ token }));
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('not valid any more');
  });
});
