/**
 * Password reset and email verification end to end: the API answers, the
 * message goes through the mail queue to a real SMTP server on loopback, and
 * the link in the received mail completes the flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestApi } from '../../helpers/http.js';
import { MAIL_PUBLIC_URL, type MailTestApi, startMailTestApi } from '../../helpers/mail-api.js';
import type { ReceivedMail, SmtpSink } from '../../helpers/smtp.js';

const PUBLIC_URL = MAIL_PUBLIC_URL;
const NEW_PASSWORD = 'a fresh and unusual passphrase 7';

let api: TestApi<Record<never, never>>;
let sink: SmtpSink;
let mail: MailTestApi;
let n = 0;

beforeAll(async () => {
  mail = await startMailTestApi({ rateLimits: { mail: { perEmail: { max: 3, windowSeconds: 3600 } } } });
  ({ api, sink } = mail);
});
afterAll(() => mail.close());

function newUser() {
  n += 1;
  return api.auth.users.create({ email: `reader${n}@example.com`, password: PASSWORD });
}

const mailTo = (email: string, subject: RegExp) =>
  sink.waitFor((m) => m.to === email && subject.test(m.subject), 10_000);

function tokenOf(mail: ReceivedMail): string {
  const link = new URL(mail.link ?? '');
  return link.searchParams.get('token') ?? '';
}

describe('password reset', () => {
  it('mails a link built from publicUrl that sets a new password once and ends every session', async () => {
    const user = await newUser();
    const { token: oldSession } = await api.auth.sessions.create(user.id);
    const asked = await api.client().post('/auth/password/reset', { email: user.email.toUpperCase() });
    expect(asked.status).toBe(202);
    const mail = await mailTo(user.email, /reset/i);
    expect(mail.link?.startsWith(`${PUBLIC_URL}/auth/ui/reset-password?token=`)).toBe(true);
    expect(mail.html).toContain(mail.link?.replace(/&/g, '&amp;') ?? 'no link');
    const token = tokenOf(mail);

    const weak = await api.client().post('/auth/password/reset/confirm', { token, newPassword: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('password_invalid');

    const done = await api
      .client()
      .post('/auth/password/reset/confirm', { token, newPassword: NEW_PASSWORD });
    expect(done.status).toBe(204);
    expect(await api.auth.users.checkPassword(user.id, NEW_PASSWORD)).toBe(true);
    expect(await api.auth.sessions.validate(oldSession)).toBeNull();

    const again = await api
      .client()
      .post('/auth/password/reset/confirm', { token, newPassword: `${NEW_PASSWORD}!` });
    expect(again.status).toBe(400);
    expect(again.body.error.fields).toHaveProperty('token');
  });

  it('answers an unknown address exactly like a known one, and mails nothing', async () => {
    const user = await newUser();
    const unknown = await api.client().post('/auth/password/reset', { email: 'nobody-here@example.com' });
    const known = await api.client().post('/auth/password/reset', { email: user.email });
    expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
    await mailTo(user.email, /reset/i);
    expect(sink.messages.some((m) => m.to === 'nobody-here@example.com')).toBe(false);
  });

  it('builds the link from publicUrl whatever Host the request names', async () => {
    const user = await newUser();
    const reply = await api.auth.handler(
      new Request('http://evil.example/auth/password/reset', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer', host: 'evil.example' },
        body: JSON.stringify({ email: user.email }),
      }),
    );
    expect(reply.status).toBe(202);
    const mail = await mailTo(user.email, /reset/i);
    expect(new URL(mail.link ?? '').origin).toBe(PUBLIC_URL);
    expect(mail.text).not.toContain('evil.example');
  });

  it('refuses a link once the password changed, a replaced link, a tampered one and one for another purpose', async () => {
    const user = await newUser();
    await api.client().post('/auth/password/reset', { email: user.email });
    const first = tokenOf(await mailTo(user.email, /reset/i));
    await api.auth.users.setPassword(user.id, 'changed some other way 99');
    const afterChange = await api.client().post('/auth/password/reset/confirm', {
      token: first,
      newPassword: NEW_PASSWORD,
    });
    expect(afterChange.status).toBe(400);

    const verification = await api.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    for (const token of [verification.token, `${first.slice(0, -2)}AA`, 'x'.repeat(43)]) {
      const reply = await api
        .client()
        .post('/auth/password/reset/confirm', { token, newPassword: NEW_PASSWORD });
      expect(reply.status, token).toBe(400);
    }
    expect(await api.auth.users.checkPassword(user.id, NEW_PASSWORD)).toBe(false);
  });

  it('stops mailing one address after its limit but answers the same', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) {
      expect((await api.client().post('/auth/password/reset', { email: user.email })).status).toBe(202);
    }
    await mailTo(user.email, /reset/i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.auth.mail.deliverDue();
    expect(sink.messages.filter((m) => m.to === user.email)).toHaveLength(3);
  });
});

describe('email verification', () => {
  it('is mailed on sign-up, and the link marks the address verified once', async () => {
    const client = api.client();
    const email = `signup${++n}@example.com`;
    const signup = await client.post('/auth/signup', { email, password: PASSWORD });
    expect(signup.status).toBe(201);
    expect(signup.body.user.emailVerified).toBe(false);
    const token = tokenOf(await mailTo(email, /confirm|verify/i));

    const confirmed = await api.client().post('/auth/email/verify/confirm', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.emailVerified).toBe(true);
    expect((await api.client().post('/auth/email/verify/confirm', { token })).status).toBe(400);
    const events = (await api.auth.audit.list({ type: 'email_verified' })).map((e) => e.userId);
    expect(events).toContain(signup.body.user.id);
  });

  it('can be asked for again while signed in; a verified address gets no mail', async () => {
    const user = await newUser();
    const client = api.client();
    client.cookies.set('__Host-gh_session', (await api.auth.sessions.create(user.id)).token);
    expect((await client.post('/auth/email/verify')).status).toBe(202);
    const token = tokenOf(await mailTo(user.email, /confirm|verify/i));
    const resetLink = await api
      .client()
      .post('/auth/password/reset/confirm', { token, newPassword: NEW_PASSWORD });
    expect(resetLink.status).toBe(400);
    expect((await api.client().post('/auth/email/verify/confirm', { token })).status).toBe(200);

    const before = sink.messages.length;
    expect((await client.post('/auth/email/verify')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.auth.mail.deliverDue();
    expect(sink.messages.length).toBe(before);
  });
});

describe('the pages of the mail flows', () => {
  const form = (fields: Record<string, string>) => ({ form: fields });

  it('forgot → the mailed link → a new password → sign in, without JavaScript', async () => {
    const user = await newUser();
    const browser = api.client();
    expect((await browser.get('/auth/ui/signin')).text).toContain('/auth/ui/forgot-password');
    const sent = await browser.send('POST', '/auth/ui/forgot-password', form({ email: user.email }));
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('a link is on its way');
    const link = new URL((await mailTo(user.email, /reset/i)).link ?? '');

    const page = await browser.get(`${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    const token = link.searchParams.get('token') ?? '';
    expect(page.text).toContain(`name="token" value="${token}"`);
    const weak = await browser.send(
      'POST',
      '/auth/ui/reset-password',
      form({ token, newPassword: '12345678' }),
    );
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('aria-invalid="true"');
    const done = await browser.send(
      'POST',
      '/auth/ui/reset-password',
      form({ token, newPassword: NEW_PASSWORD }),
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/auth/ui/signin?done=reset');
    const reused = await browser.send(
      'POST',
      '/auth/ui/reset-password',
      form({ token, newPassword: NEW_PASSWORD }),
    );
    expect(reused.text).toContain('/auth/ui/forgot-password');
  });

  it('opening a verification link spends nothing; the button confirms', async () => {
    const user = await newUser();
    const { token } = await api.auth.tokens.issue({
      purpose: 'email_verification',
      userId: user.id,
      email: user.email,
    });
    const browser = api.client();
    for (let i = 0; i < 2; i++) {
      expect((await browser.get(`/auth/ui/verify-email?token=${token}`)).text).toContain(
        'Confirm my email address',
      );
    }
    expect((await api.auth.users.get(user.id))?.emailVerified).toBe(false);
    const confirmed = await browser.send('POST', '/auth/ui/verify-email', form({ token }));
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Your email address is confirmed.');
    expect((await api.auth.users.get(user.id))?.emailVerified).toBe(true);
    const again = await browser.send('POST', '/auth/ui/verify-email', form({ token }));
    expect(again.status).toBe(400);
  });
});

describe('a reset link sent by staff', () => {
  it('reaches the user, works like their own request, and names the staff member in the audit', async () => {
    const staff = await api.auth.users.create({
      email: `agent${++n}@example.com`,
      password: PASSWORD,
      isStaff: true,
    });
    await api.auth.permissions.grantToUser(staff.id, ['user.change']);
    const user = await newUser();
    const agent = api.client();
    agent.cookies.set('__Host-gh_session', (await api.auth.sessions.create(staff.id)).token);
    expect((await agent.post(`/auth/admin/users/${user.id}/password-reset`)).status).toBe(202);
    const token = tokenOf(await mailTo(user.email, /reset/i));
    const done = await api
      .client()
      .post('/auth/password/reset/confirm', { token, newPassword: NEW_PASSWORD });
    expect(done.status).toBe(204);
    const [event] = await api.auth.audit.list({ userId: user.id, type: 'password_reset_requested' });
    expect(event?.actorId).toBe(staff.id);
  });
});
