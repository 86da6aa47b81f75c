/**
 * `emailVerification.required`: password sign-in to an unverified address is
 * refused with 403 `email_not_verified` (only once the password checked out)
 * and a fresh link is mailed; sign-up creates the account without a session.
 * Off (the default), an unverified address signs in as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../helpers/smtp.js';

const PUBLIC_URL = 'https://auth.example.com';

let sink: SmtpSink;
let n = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.stop());

const mailTo = (email: string) =>
  sink.waitFor((m) => m.to === email && /confirm your email/i.test(m.subject), 10_000);
const tokenOf = (mail: ReceivedMail) => new URL(mail.link ?? '').searchParams.get('token') ?? '';

describe('with emailVerification.required', () => {
  let api: TestApi<Record<never, never>>;
  beforeAll(async () => {
    api = await createTestApi({
      publicUrl: PUBLIC_URL,
      trustedOrigins: [ORIGIN],
      mail: { smtpUrl: sink.url },
      emailVerification: { required: true },
      rateLimits: { mail: { perEmail: { max: 2, windowSeconds: 3600 } } },
    });
    api.auth.mail.start();
  });
  afterAll(() => api.close());

  it('signs up without a session; the mailed link verifies, then sign-in works', async () => {
    const email = `required${++n}@example.com`;
    const client = api.client();
    const signup = await client.post('/auth/signup', { email, password: PASSWORD });
    expect(signup.status).toBe(201);
    expect(Object.keys(signup.body)).toEqual(['user']);
    expect(signup.body.user.emailVerified).toBe(false);
    expect(signup.headers.getSetCookie()).toEqual([]);
    expect((await client.get('/auth/session')).status).toBe(401);

    const token = tokenOf(await mailTo(email));
    expect((await api.client().post('/auth/email/verify/confirm', { token })).status).toBe(200);
    const signin = await client.post('/auth/signin', { email, password: PASSWORD });
    expect(signin.status).toBe(200);
    expect((await client.get('/auth/session')).body.user.email).toBe(email);
  });

  it('refuses a right password for an unverified address with 403 email_not_verified and mails a fresh link', async () => {
    const user = await api.auth.users.create({ email: `pending${++n}@example.com`, password: PASSWORD });
    const client = api.client();
    const refused = await client.post('/auth/signin', { email: user.email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('email_not_verified');
    expect(client.cookies.size).toBe(0);
    const token = tokenOf(await mailTo(user.email));
    expect((await api.client().post('/auth/email/verify/confirm', { token })).status).toBe(200);
    expect((await client.post('/auth/signin', { email: user.email, password: PASSWORD })).status).toBe(200);
    const failures = await api.auth.audit.list({ type: 'signin_failed' });
    expect(failures.find((e) => e.userId === user.id)?.details).toEqual({ reason: 'email_not_verified' });
  });

  it('says nothing about verification to someone without the password', async () => {
    const user = await api.auth.users.create({ email: `guarded${++n}@example.com`, password: PASSWORD });
    const wrong = await api
      .client()
      .post('/auth/signin', { email: user.email, password: 'not the password' });
    const unknown = await api
      .client()
      .post('/auth/signin', { email: 'nobody-at-all@example.com', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect([unknown.status, unknown.text]).toEqual([wrong.status, wrong.text]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.auth.mail.deliverDue();
    expect(sink.messages.some((m) => m.to === user.email)).toBe(false);
  });

  it('keeps refusing past the mail limit, without mailing more', async () => {
    const user = await api.auth.users.create({ email: `eager${++n}@example.com`, password: PASSWORD });
    for (let i = 0; i < 4; i++) {
      const reply = await api.client().post('/auth/signin', { email: user.email, password: PASSWORD });
      expect(reply.body.error.code).toBe('email_not_verified');
    }
    await mailTo(user.email);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.auth.mail.deliverDue();
    expect(sink.messages.filter((m) => m.to === user.email)).toHaveLength(2);
  });

  it('lets a verified address in, and lists email_not_verified for sign-in in the OpenAPI document', async () => {
    const user = await api.auth.users.create({
      email: `ready${++n}@example.com`,
      password: PASSWORD,
      emailVerified: true,
    });
    expect((await api.client().post('/auth/signin', { email: user.email, password: PASSWORD })).status).toBe(
      200,
    );
    const doc = (await api.client().get('/auth/openapi.json')).body;
    expect(Object.keys(doc.paths['/auth/signin'].post.responses)).toContain('403');
    expect(JSON.stringify(doc.paths['/auth/signin'].post.responses['403'])).toContain('email_not_verified');
  });

  it('the pages: sign-up says to check the inbox, sign-in explains the refusal', async () => {
    const email = `paged${++n}@example.com`;
    const browser = api.client();
    const signup = await browser.send('POST', '/auth/ui/signup', { form: { email, password: PASSWORD } });
    expect(signup.status).toBe(303);
    expect(signup.headers.get('location')).toBe('/auth/ui/signin?done=verify');
    expect((await browser.get('/auth/ui/signin?done=verify')).text).toContain(
      'Confirm your email address with the link we sent to it',
    );
    const signin = await browser.send('POST', '/auth/ui/signin', {
      form: { identifier: email, password: PASSWORD },
    });
    expect(signin.status).toBe(403);
    expect(signin.text).toContain('Confirm your email address before signing in.');
    expect(browser.cookies.size).toBe(0);
  });
});

describe('without it (the default)', () => {
  let api: TestApi<Record<never, never>>;
  beforeAll(async () => {
    api = await createTestApi({
      publicUrl: PUBLIC_URL,
      trustedOrigins: [ORIGIN],
      mail: { smtpUrl: sink.url },
    });
    api.auth.mail.start();
  });
  afterAll(() => api.close());

  it('signs up into a session and signs an unverified address in', async () => {
    const email = `relaxed${++n}@example.com`;
    const signup = await api.client().post('/auth/signup', { email, password: PASSWORD });
    expect(signup.status).toBe(201);
    expect(signup.body).toHaveProperty('session');
    await mailTo(email);
    const signin = await api.client().post('/auth/signin', { email, password: PASSWORD });
    expect(signin.status).toBe(200);
    expect(signin.body.user.emailVerified).toBe(false);
  });
});
