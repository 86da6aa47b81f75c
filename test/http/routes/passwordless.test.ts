/**
 * Magic-link and email-code sign-in end to end: the API answers, the message
 * goes through the mail queue to a real SMTP server on loopback, and the link
 * or code in the received mail signs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../helpers/smtp.js';

const PUBLIC_URL = 'https://auth.example.com';
const COOKIE = '__Host-gh_session';

let api: TestApi<Record<never, never>>;
let open: TestApi<Record<never, never>>;
let sink: SmtpSink;
let n = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  const config = {
    publicUrl: PUBLIC_URL,
    trustedOrigins: [ORIGIN],
    mail: { smtpUrl: sink.url },
    rateLimits: {
      mail: {
        perIp: { max: 1000, windowSeconds: 3600 },
        perEmail: { max: 3, windowSeconds: 3600 },
      },
    },
  } as const;
  api = await createTestApi(config);
  open = await createTestApi({ ...config, passwordless: { signUp: true } });
  api.auth.mail.start();
  open.auth.mail.start();
});
afterAll(async () => {
  await api.close();
  await open.close();
  await sink.stop();
});

function newUser(on = api) {
  n += 1;
  return on.auth.users.create({ email: `walker${n}@example.com`, password: PASSWORD });
}

const linkMail = (email: string) =>
  sink.waitFor((m) => m.to === email && /^Sign in to/.test(m.subject), 10_000);
const codeMail = (email: string) =>
  sink.waitFor((m) => m.to === email && /sign-in code/.test(m.subject), 10_000);
const tokenOf = (mail: ReceivedMail) => new URL(mail.link ?? '').searchParams.get('token') ?? '';
/** Lets the work done after the answer finish, and the worker send what it queued. */
async function settle(on = api) {
  await new Promise((resolve) => setTimeout(resolve, 300));
  await on.auth.mail.deliverDue();
}

describe('magic link', () => {
  it('mails a link whose GET spends nothing and whose POST signs in, in another browser too', async () => {
    const user = await newUser();
    const asking = api.client();
    const asked = await asking.post('/auth/magic-link', { email: user.email.toUpperCase() });
    expect(asked.status).toBe(202);
    const mail = await linkMail(user.email);
    expect(mail.link?.startsWith(`${PUBLIC_URL}/auth/magic-link/verify?token=`)).toBe(true);
    const token = tokenOf(mail);

    // A mail scanner (or the browser) opening the link: a redirect to the button page, nothing spent.
    const link = new URL(mail.link ?? '');
    for (let i = 0; i < 2; i++) {
      const opened = await api.client().get(`${link.pathname}${link.search}`);
      expect(opened.status).toBe(303);
      expect(opened.headers.get('location')).toBe(`/auth/ui/magic-link?token=${token}`);
    }
    expect(await api.auth.tokens.peek('magic_link', token)).not.toBeNull();

    // Another browser than the one that asked: the token is the proof, so it signs that browser in.
    const other = api.client();
    const done = await other.post('/auth/magic-link/verify', { token });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(user.id);
    expect(done.body.session.amr).toEqual(['email']);
    expect(other.cookies.has(COOKIE)).toBe(true);
    expect((await other.get('/auth/session')).status).toBe(200);
    expect(asking.cookies.has(COOKIE)).toBe(false);

    const again = await api.client().post('/auth/magic-link/verify', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.fields).toHaveProperty('token');
    const events = await api.auth.audit.list({ type: 'signin_succeeded' });
    expect(events.some((e) => e.userId === user.id && e.details.method === 'magic_link')).toBe(true);
  });

  it('answers an unknown address exactly like a known one, and mails nothing (sign-up off)', async () => {
    const user = await newUser();
    const unknown = await api.client().post('/auth/magic-link', { email: 'nobody-ml@example.com' });
    const known = await api.client().post('/auth/magic-link', { email: user.email });
    expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
    await linkMail(user.email);
    await settle();
    expect(sink.messages.some((m) => m.to === 'nobody-ml@example.com')).toBe(false);
  });

  it('refuses expired, wrong-purpose, tampered and malformed tokens', async () => {
    const user = await newUser();
    const expired = await api.auth.tokens.issue({
      purpose: 'magic_link',
      userId: user.id,
      email: user.email,
      ttlSeconds: 0.05,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const reset = await api.auth.tokens.issue({
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
    });
    const live = await api.auth.tokens.issue({ purpose: 'magic_link', userId: user.id, email: user.email });
    const tampered = `${live.token.slice(0, -2)}${live.token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [expired.token, reset.token, tampered, 'x'.repeat(43), '']) {
      const reply = await api.client().post('/auth/magic-link/verify', { token });
      expect(reply.status, token).toBe(400);
    }
    // The untampered link still works: the failures spent nothing.
    expect((await api.client().post('/auth/magic-link/verify', { token: live.token })).status).toBe(200);
  });

  it('refuses an open redirect when the link is asked for, and keeps a trusted one in the token', async () => {
    const user = await newUser();
    const evil = await api.client().post('/auth/magic-link', {
      email: user.email,
      redirectTo: 'https://evil.example/steal',
    });
    expect(evil.status).toBe(400);
    expect(evil.body.error.code).toBe('invalid_redirect');
    for (const target of ['//evil.example/x', 'javascript:alert(1)']) {
      const reply = await api.client().post('/auth/magic-link', { email: user.email, redirectTo: target });
      expect(reply.status, target).toBe(400);
    }

    const asked = await api
      .client()
      .post('/auth/magic-link', { email: user.email, redirectTo: `${ORIGIN}/welcome` });
    expect(asked.status).toBe(202);
    const token = tokenOf(await linkMail(user.email));
    const form = await api.client().send('POST', '/auth/magic-link/verify', { form: { token } });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`${ORIGIN}/welcome`);
  });

  it('never lets an inactive user in', async () => {
    const user = await newUser();
    const { token } = await api.auth.tokens.issue({
      purpose: 'magic_link',
      userId: user.id,
      email: user.email,
    });
    await api.auth.users.deactivate(user.id);
    const reply = await api.client().post('/auth/magic-link/verify', { token });
    expect(reply.status).toBe(400);
    expect(await api.auth.sessions.list(user.id)).toHaveLength(0);

    expect((await api.client().post('/auth/magic-link', { email: user.email })).status).toBe(202);
    expect((await api.client().post('/auth/otp', { email: user.email })).status).toBe(202);
    await settle();
    expect(sink.messages.some((m) => m.to === user.email)).toBe(false);
  });

  it('stops mailing one address after its limit but answers the same', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) {
      expect((await api.client().post('/auth/magic-link', { email: user.email })).status).toBe(202);
    }
    await linkMail(user.email);
    await settle();
    expect(sink.messages.filter((m) => m.to === user.email)).toHaveLength(3);
  });
});

describe('email code', () => {
  it('mails a 6-digit code that signs in once', async () => {
    const user = await newUser();
    expect((await api.client().post('/auth/otp', { email: user.email })).status).toBe(202);
    const code = (await codeMail(user.email)).code ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const browser = api.client();
    const done = await browser.post('/auth/otp/verify', { email: user.email, code });
    expect(done.status).toBe(200);
    expect(done.body.session.amr).toEqual(['otp']);
    expect(browser.cookies.has(COOKIE)).toBe(true);
    const again = await api.client().post('/auth/otp/verify', { email: user.email, code });
    expect(again.status).toBe(400);
    expect(again.body.error.fields).toHaveProperty('code');
  });

  it('dies after 5 tries: the right code then fails too', async () => {
    const user = await newUser();
    await api.client().post('/auth/otp', { email: user.email });
    const code = (await codeMail(user.email)).code ?? '';
    const wrong = code === '000000' ? '111111' : '000000';
    const ip = '198.51.100.20';
    for (let i = 0; i < 5; i++) {
      const reply = await api.client({ ip }).post('/auth/otp/verify', { email: user.email, code: wrong });
      expect(reply.status).toBe(400);
    }
    const right = await api.client({ ip }).post('/auth/otp/verify', { email: user.email, code });
    expect(right.status).toBe(400);
    expect(await api.auth.sessions.list(user.id)).toHaveLength(0);
  });

  it('limits guesses per address across codes and accounts', async () => {
    const ip = '198.51.100.30';
    let limited = false;
    for (let i = 0; i < 70 && !limited; i++) {
      const reply = await api
        .client({ ip })
        .post('/auth/otp/verify', { email: `guess${i}@example.com`, code: '123456' });
      if (reply.status === 429) limited = true;
      else expect(reply.status).toBe(400);
    }
    expect(limited).toBe(true);
  });

  it('answers an unknown address like a known one and mails it nothing', async () => {
    const user = await newUser();
    const unknown = await api.client().post('/auth/otp', { email: 'nobody-otp@example.com' });
    const known = await api.client().post('/auth/otp', { email: user.email });
    expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
    await codeMail(user.email);
    await settle();
    expect(sink.messages.some((m) => m.to === 'nobody-otp@example.com')).toBe(false);
    const guess = await api
      .client()
      .post('/auth/otp/verify', { email: 'nobody-otp@example.com', code: '123456' });
    expect(guess.status).toBe(400);
  });
});

describe('sign-up through passwordless (passwordless.signUp)', () => {
  it('mails an unknown address a link that creates a verified account without a password', async () => {
    const email = `newcomer${++n}@example.com`;
    expect((await open.client().post('/auth/magic-link', { email })).status).toBe(202);
    const token = tokenOf(await linkMail(email));
    expect(await open.auth.users.getByEmail(email)).toBeNull();
    const done = await open.client().post('/auth/magic-link/verify', { token });
    expect(done.status).toBe(200);
    expect(done.body.user.email).toBe(email);
    expect(done.body.user.emailVerified).toBe(true);
    const user = await open.auth.users.getByEmail(email);
    expect(user?.hasUsablePassword).toBe(false);
    expect((await open.auth.audit.list({ type: 'signup' })).some((e) => e.userId === user?.id)).toBe(true);
  });

  it('creates the account with a code too, and signs an existing one in', async () => {
    const email = `coder${++n}@example.com`;
    await open.client().post('/auth/otp', { email });
    const code = (await codeMail(email)).code ?? '';
    const done = await open.client().post('/auth/otp/verify', { email, code });
    expect(done.status).toBe(200);
    expect(done.body.session.amr).toEqual(['otp']);

    await open.client().post('/auth/magic-link', { email });
    const token = tokenOf(await linkMail(email));
    const again = await open.client().post('/auth/magic-link/verify', { token });
    expect(again.body.user.id).toBe(done.body.user.id);
  });

  it('is off by default: a token issued to an address without an account is refused', async () => {
    const email = `stranger${++n}@example.com`;
    const { token } = await api.auth.tokens.issue({ purpose: 'magic_link', email });
    expect((await api.client().post('/auth/magic-link/verify', { token })).status).toBe(400);
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });
});

describe('the passwordless pages', () => {
  const form = (fields: Record<string, string>) => ({ form: fields });

  it('sign-in page → ask for a link → the mailed link → the button → signed in, without JavaScript', async () => {
    const user = await newUser();
    const browser = api.client();
    const signIn = await browser.get('/auth/ui/signin');
    expect(signIn.text).toContain('/auth/ui/magic-link');
    expect(signIn.text).toContain('/auth/ui/otp');
    expect((await browser.get('/auth/ui/magic-link')).status).toBe(200);
    const sent = await browser.send('POST', '/auth/ui/magic-link/send', form({ email: user.email }));
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('a link is on its way');
    const mail = await linkMail(user.email);
    const link = new URL(mail.link ?? '');
    const opened = await browser.get(`${link.pathname}${link.search}`);
    const landing = await browser.get(opened.headers.get('location') ?? '');
    expect(landing.status).toBe(200);
    const token = tokenOf(mail);
    expect(landing.text).toContain(`name="token" value="${token}"`);
    const done = await browser.send('POST', '/auth/ui/magic-link', form({ token }));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/auth/ui/account');
    expect((await browser.get('/auth/ui/account')).text).toContain(user.email);
    const reused = await api.client().send('POST', '/auth/ui/magic-link', form({ token }));
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('Ask for a new link');
  });

  it('asks for a code and signs in with it; a wrong code is shown beside its field', async () => {
    const user = await newUser();
    const browser = api.client();
    expect((await browser.get('/auth/ui/otp')).status).toBe(200);
    const sent = await browser.send('POST', '/auth/ui/otp/send', form({ email: user.email }));
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('name="code"');
    const code = (await codeMail(user.email)).code ?? '';
    const wrong = await browser.send(
      'POST',
      '/auth/ui/otp',
      form({ email: user.email, code: code === '000000' ? '111111' : '000000' }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('aria-invalid="true"');
    const done = await browser.send('POST', '/auth/ui/otp', form({ email: user.email, code }));
    expect(done.status).toBe(303);
    expect(browser.cookies.has(COOKIE)).toBe(true);
  });

  it('speaks French', async () => {
    const page = await api.client().get('/auth/ui/magic-link', { headers: { 'accept-language': 'fr' } });
    expect(page.text).toContain('Se connecter avec un lien');
  });
});
