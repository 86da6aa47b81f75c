/**
 * The second-factor screens of the pre-built UI, as a browser without
 * JavaScript uses them (form posts, redirects, cookies): the sign-in
 * challenge, enrolling an authenticator app, recovery codes, step-up,
 * remembered browsers, turning the app off, the MFA policy, and French.
 * `otpauth` plays the authenticator app; the server's clock is the test's.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApi, PASSWORD, type Reply, type TestApi } from '../helpers/http.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

const SECRET = 'a server secret of at least thirty-two characters';
const UI = '/auth/ui';
const STEP = 30_000;
/** The server's clock: mid-step, so one step either side is the neighbouring steps. */
let clock = Date.UTC(2026, 10, 26, 9, 0, 10);
const now = () => new Date(clock);

let api: TestApi<Record<never, never>>;
let sink: SmtpSink;
let n = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  api = await createTestApi({
    secret: SECRET,
    now,
    rateLimits: false,
    mail: { smtpUrl: sink.url },
    mfa: { trustedDevices: { days: 30 } },
  });
});
afterAll(async () => {
  await api?.close();
  await sink?.stop();
});

/** The next step's code: each use of the app waits a step, as the server refuses a code twice. */
function nextCode(app: OTPAuth.TOTP): string {
  clock += STEP;
  return app.generate({ timestamp: clock });
}

/** Six digits the server refuses now: not the code of this step or of either neighbour. */
function wrongCode(app: OTPAuth.TOTP): string {
  const accepted = new Set([-1, 0, 1].map((d) => app.generate({ timestamp: clock + d * STEP })));
  for (let i = 0; ; i++) {
    const candidate = String((Number(app.generate({ timestamp: clock })) + 1 + i) % 1_000_000).padStart(
      6,
      '0',
    );
    if (!accepted.has(candidate)) return candidate;
  }
}

/** The `Set-Cookie` line for cookie `name`, if the reply set it. */
function setCookie(reply: Reply, name: string): string | undefined {
  return reply.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** The authenticator key as the scan page shows it (in groups of four). */
function keyOnPage(html: string): string {
  const shown = /<code class="gh-secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1];
  if (!shown) throw new Error('No key on the page');
  return shown.replace(/ /g, '');
}

function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code><\/li>/g)].map((m) => m[1] ?? '');
}

/** What the reader sees: the text of the page without its tags. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

async function signedInUser(): Promise<{ email: string; userId: string; client: Client }> {
  const email = `screens${++n}@example.com`;
  const user = await api.auth.users.create({ email, password: PASSWORD });
  const client = api.client();
  const reply = await client.send('POST', `${UI}/signin`, {
    form: { identifier: email, password: PASSWORD },
  });
  expect(reply.status).toBe(303);
  expect(client.cookies.has('gh_session')).toBe(true);
  return { email, userId: user.id, client };
}

/** A user who turned the app on through the pages, and their app. */
async function enrolledUser() {
  const { email, userId, client } = await signedInUser();
  const scan = await client.send('POST', `${UI}/mfa/setup`);
  expect(scan.status).toBe(200);
  const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(scan.text)) });
  const done = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: nextCode(app) } });
  expect(done.status).toBe(200);
  const recoveryCodes = recoveryCodesOnPage(done.text);
  expect(recoveryCodes).toHaveLength(10);
  return { email, userId, client, app, recoveryCodes };
}

/** Signs in with the password through the form; the browser must be sent to the challenge page. */
async function challenged(email: string, client = api.client(), next?: string) {
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  const reply = await client.send('POST', `${UI}/signin${query}`, {
    form: { identifier: email, password: PASSWORD },
  });
  expect(reply.status).toBe(303);
  expect(reply.headers.get('location')).toBe(`${UI}/mfa${query}`);
  return { client, reply };
}

describe('the challenge page', () => {
  it('sends a browser without a pending sign-in to the sign-in page, keeping next', async () => {
    const bare = await api.client().get(`${UI}/mfa`);
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe(`${UI}/signin`);
    const withNext = await api.client().get(`${UI}/mfa?next=${encodeURIComponent(`${UI}/account?tab=1`)}`);
    expect(withNext.headers.get('location')).toBe(
      `${UI}/signin?next=${encodeURIComponent(`${UI}/account?tab=1`)}`,
    );
    // A challenge cookie the server does not know is a sign-in that can no longer be finished.
    const forged = await api.client().get(`${UI}/mfa`, { headers: { cookie: 'gh_mfa=not-a-challenge' } });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe(`${UI}/signin?error=mfa_expired`);
    const posted = await api.client().send('POST', `${UI}/mfa`, { form: { code: '123456' } });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`${UI}/signin`);
  });

  it('is where a password sign-in goes: the challenge cookie is set, no session yet', async () => {
    const { email } = await enrolledUser();
    const { client, reply } = await challenged(email);
    const line = setCookie(reply, 'gh_mfa') ?? '';
    expect(line).toMatch(/^gh_mfa=[A-Za-z0-9_-]{20,}; Path=\/; Max-Age=300; HttpOnly; SameSite=Lax$/);
    expect(setCookie(reply, 'gh_session')).toBeUndefined();
    expect(client.cookies.has('gh_session')).toBe(false);
    // Only the challenge: the API does not take it for a session.
    expect((await client.get('/auth/session')).status).toBe(401);
    expect((await client.get(`${UI}/account`)).status).toBe(303);

    const page = await client.get(`${UI}/mfa`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('<h1>Two-step verification</h1>');
    expect(page.text).toMatch(
      /<input type="text" value="" id="field-code" name="code" required autocomplete="one-time-code">/,
    );
    expect(page.text).toContain('<label for="field-rememberDevice">Remember this browser</label>');
    expect(page.text).toContain(`href="${UI}/mfa?use=recovery">Use a recovery code</a>`);
    expect(page.text).not.toContain('Use a code from your app');
    // The address is masked: the owner recognises it, a thief with the password learns nothing.
    const masked = `${email.slice(0, 1)}•••@example.com`;
    expect(page.text).toContain(`Email a code to ${masked}`);
    expect(page.text).not.toContain(email);
  });

  it('refuses a wrong or empty code beside the field, then a right code signs in', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email);

    const empty = await client.send('POST', `${UI}/mfa`, { form: { code: '' } });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/id="field-code"[^>]*aria-describedby="field-code-error" aria-invalid="true"/);
    expect(empty.text).toContain('<p class="gh-error" id="field-code-error">Enter the code.</p>');

    const wrong = await client.send('POST', `${UI}/mfa`, { form: { code: wrongCode(app) } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('role="alert"');
    expect(wrong.text).toContain(
      '<p class="gh-error" id="field-code-error">That code is not right, or it was already used.</p>',
    );
    expect(wrong.text).toContain('<a href="#field-code">Code from your app: That code is not right');
    expect(client.cookies.has('gh_session')).toBe(false);
    const failures = await api.auth.audit.list({ type: 'signin_failed' });
    expect(failures.some((event) => event.details.factor === 'totp')).toBe(true);

    // Typed as the app shows it, in two groups of three.
    const right = await client.send('POST', `${UI}/mfa`, {
      form: { code: nextCode(app).replace(/^(\d{3})/, '$1 ') },
    });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(`${UI}/account`);
    expect(setCookie(right, 'gh_session')).toMatch(/^gh_session=[A-Za-z0-9_-]{43}; Path=\/; .*HttpOnly/);
    // The challenge is spent and its cookie cleared.
    expect(setCookie(right, 'gh_mfa')).toMatch(/^gh_mfa=; Path=\/; Max-Age=0;/);
    expect(setCookie(right, 'gh_device')).toBeUndefined();
    const session = await client.get('/auth/session');
    expect(session.body.user.email).toBe(email);
    expect(session.body.session.amr).toEqual(['pwd', 'otp', 'mfa']);
    const account = await client.get(`${UI}/account`);
    expect(account.status).toBe(200);
    expect(account.text).toContain('An authenticator app is on for your account.');
  });

  it('follows a safe next through the challenge, and drops an unsafe one', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email, api.client(), `${UI}/account?from=mfa`);
    const page = await client.get(`${UI}/mfa?next=${encodeURIComponent(`${UI}/account?from=mfa`)}`);
    expect(page.text).toContain(`action="${UI}/mfa?next=${encodeURIComponent(`${UI}/account?from=mfa`)}"`);
    const right = await client.send(
      'POST',
      `${UI}/mfa?next=${encodeURIComponent(`${UI}/account?from=mfa`)}`,
      {
        form: { code: nextCode(app) },
      },
    );
    expect(right.headers.get('location')).toBe(`${UI}/account?from=mfa`);

    const other = await challenged(email, api.client());
    const evil = await other.client.send(
      'POST',
      `${UI}/mfa?next=${encodeURIComponent('https://evil.example/')}`,
      {
        form: { code: nextCode(app) },
      },
    );
    expect(evil.status).toBe(303);
    expect(evil.headers.get('location')).toBe(`${UI}/account`);
  });

  it('takes a recovery code, once', async () => {
    const { email, app, recoveryCodes } = await enrolledUser();
    const { client } = await challenged(email);
    const form = await client.get(`${UI}/mfa?use=recovery`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="field-recoveryCode">Recovery code');
    expect(form.text).not.toContain('id="field-code"');
    expect(form.text).not.toContain('Use a recovery code</a>');
    // A way back to the app's code.
    expect(form.text).toContain(`<a href="${UI}/mfa">Use a code from your app</a>`);

    const wrong = await client.send('POST', `${UI}/mfa?use=recovery`, {
      form: { recoveryCode: 'aaaaa-bbbbb' },
    });
    expect(wrong.status).toBe(401);
    // Still the recovery form, with the error beside it.
    expect(wrong.text).toContain('id="field-recoveryCode-error"');
    expect(wrong.text).not.toContain('id="field-code"');

    const code = recoveryCodes[0] ?? '';
    const right = await client.send('POST', `${UI}/mfa`, { form: { recoveryCode: code.toUpperCase() } });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(`${UI}/account`);
    expect((await client.get('/auth/session')).body.session.amr).toEqual(['pwd', 'recovery', 'mfa']);
    const account = await client.get(`${UI}/account`);
    expect(account.text).toContain('You have 9 unused recovery codes.');

    const again = await challenged(email);
    const reused = await again.client.send('POST', `${UI}/mfa`, { form: { recoveryCode: code } });
    expect(reused.status).toBe(401);
    expect(again.client.cookies.has('gh_session')).toBe(false);
    // The app still works for that browser.
    const app2 = await again.client.send('POST', `${UI}/mfa`, { form: { code: nextCode(app) } });
    expect(app2.status).toBe(303);
  });

  it('mails a code to the account and takes it', async () => {
    const { email } = await enrolledUser();
    const { client } = await challenged(email);
    const sent = await client.send('POST', `${UI}/mfa/email`);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('role="status"');
    expect(sent.text).toContain(`We sent a code to ${email.slice(0, 1)}•••@example.com.`);
    expect(sent.text).toContain('<label for="field-emailCode">Code from the email');
    expect(sent.text).not.toContain('id="field-code"');
    expect(sent.text).toContain(`<a href="${UI}/mfa">Use a code from your app</a>`);
    const mail = await sink.waitFor((m) => m.to === email && /sign-in code/.test(m.subject), 10_000);
    expect(mail.code).toMatch(/^\d{6}$/);

    const wrongDigits = mail.code === '000000' ? '000001' : '000000';
    const wrong = await client.send('POST', `${UI}/mfa`, { form: { emailCode: wrongDigits } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('id="field-emailCode-error"');
    expect(wrong.text).toContain('<label for="field-emailCode">');

    const right = await client.send('POST', `${UI}/mfa`, { form: { emailCode: mail.code ?? '' } });
    expect(right.status).toBe(303);
    expect((await client.get('/auth/session')).body.session.amr).toEqual(['pwd', 'email', 'mfa']);
  });

  it('sends a browser whose challenge was used up back to the sign-in page, saying why', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email);
    for (let i = 0; i < 4; i++) {
      const wrong = await client.send('POST', `${UI}/mfa`, { form: { code: wrongCode(app) } });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('id="field-code-error"');
    }
    // The fifth wrong try uses the challenge up: nothing left to show a form for.
    const fifth = await client.send('POST', `${UI}/mfa`, { form: { code: wrongCode(app) } });
    expect(fifth.status).toBe(303);
    expect(fifth.headers.get('location')).toBe(`${UI}/signin?error=mfa_expired`);
    const signIn = await client.get(`${UI}/signin?error=mfa_expired`);
    expect(signIn.text).toContain('This sign-in expired or had too many wrong codes. Sign in again.');
    // Even the right code does not revive it.
    const right = await client.send('POST', `${UI}/mfa`, { form: { code: nextCode(app) } });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(`${UI}/signin?error=mfa_expired`);
    expect(client.cookies.has('gh_session')).toBe(false);
    expect((await client.get(`${UI}/mfa`)).headers.get('location')).toBe(`${UI}/signin?error=mfa_expired`);
    // Nor does asking for an emailed code.
    const mailed = await client.send('POST', `${UI}/mfa/email`);
    expect(mailed.headers.get('location')).toBe(`${UI}/signin?error=mfa_expired`);
  });

  it('sends a browser whose challenge expired back to sign in, keeping next', async () => {
    const { email, app } = await enrolledUser();
    const next = `${UI}/account?after=expiry`;
    const { client } = await challenged(email, api.client(), next);
    clock += 6 * 60_000;
    const late = await client.send('POST', `${UI}/mfa?next=${encodeURIComponent(next)}`, {
      form: { code: nextCode(app) },
    });
    expect(late.status).toBe(303);
    expect(late.headers.get('location')).toBe(
      `${UI}/signin?error=mfa_expired&next=${encodeURIComponent(next)}`,
    );
    expect(client.cookies.has('gh_session')).toBe(false);
    const page = await client.get(`${UI}/signin?error=mfa_expired&next=${encodeURIComponent(next)}`, {
      headers: { 'accept-language': 'fr' },
    });
    expect(page.text).toContain(
      'Cette connexion a expiré ou a reçu trop de codes erronés. Reconnectez-vous.',
    );
  });

  it('refuses the code form posted from another site', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email);
    const reply = await client.send('POST', `${UI}/mfa`, {
      form: { code: nextCode(app) },
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('This form was sent from another site.');
    expect(client.cookies.has('gh_session')).toBe(false);
  });

  it('also follows a passwordless sign-in: an emailed sign-in code leads to the challenge', async () => {
    const { email, userId, app } = await enrolledUser();
    const issued = await api.auth.tokens.issue({ purpose: 'email_otp', userId, email });
    const client = api.client();
    const reply = await client.send('POST', `${UI}/otp`, { form: { email, code: issued.token } });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(`${UI}/mfa`);
    expect(client.cookies.has('gh_mfa')).toBe(true);
    expect(client.cookies.has('gh_session')).toBe(false);
    const right = await client.send('POST', `${UI}/mfa`, { form: { code: nextCode(app) } });
    expect(right.status).toBe(303);
    expect((await client.get('/auth/session')).body.session.amr).toEqual(['otp', 'otp', 'mfa']);
  });
});

describe('remembered browsers', () => {
  it('skips the challenge for the browser that asked, and only for it, until forgotten', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email);
    const remembered = await client.send('POST', `${UI}/mfa`, {
      form: { code: nextCode(app), rememberDevice: 'on' },
      headers: { 'user-agent': 'Screens Test Browser/1.0' },
    });
    expect(remembered.status).toBe(303);
    expect(setCookie(remembered, 'gh_device')).toMatch(
      /^gh_device=[A-Za-z0-9_-]{20,}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/,
    );
    expect(setCookie(remembered, 'gh_session')).toBeDefined();

    // Signed out and in again, the same browser skips the second step…
    expect((await client.send('POST', `${UI}/signout`)).status).toBe(303);
    expect(client.cookies.has('gh_device')).toBe(true);
    const again = await client.send('POST', `${UI}/signin`, {
      form: { identifier: email, password: PASSWORD },
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${UI}/account`);
    expect(setCookie(again, 'gh_mfa')).toBeUndefined();
    expect(client.cookies.has('gh_session')).toBe(true);
    // …another browser does not.
    await challenged(email);

    const account = await client.get(`${UI}/account`);
    expect(account.text).toContain('<h3>Remembered browsers</h3>');
    expect(account.text).toContain('(This device)');
    // Each Forget button names the browser it forgets, as the sessions' Revoke buttons do.
    expect(account.text).toContain('aria-label="Forget: Screens Test Browser/1.0">Forget</button>');
    const deviceId =
      /action="\/auth\/ui\/account\/devices\/forget"><input type="hidden" name="id" value="(dev_[^"]+)"/.exec(
        account.text,
      )?.[1] ?? '';
    expect(deviceId).not.toBe('');

    const unknown = await client.send('POST', `${UI}/account/devices/forget`, { form: { id: 'nope' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('There is no such device.');

    const forgotten = await client.send('POST', `${UI}/account/devices/forget`, { form: { id: deviceId } });
    expect(forgotten.status).toBe(303);
    expect(forgotten.headers.get('location')).toBe(`${UI}/account?done=device`);
    const after = await client.get(`${UI}/account?done=device`);
    expect(after.text).toContain('That browser will ask for the second step again.');
    expect(after.text).not.toContain('Remembered browsers');

    await client.send('POST', `${UI}/signout`);
    await challenged(email, client);
  });

  it('is not offered when remembered browsers are off, and a posted rememberDevice sets no cookie', async () => {
    const other = await createTestApi({ secret: SECRET, now, rateLimits: false });
    try {
      const email = 'no-devices@example.com';
      await other.auth.users.create({ email, password: PASSWORD });
      const client = other.client();
      await client.send('POST', `${UI}/signin`, { form: { identifier: email, password: PASSWORD } });
      const scan = await client.send('POST', `${UI}/mfa/setup`);
      const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(scan.text)) });
      await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: nextCode(app) } });
      await client.send('POST', `${UI}/signout`);
      const browser = other.client();
      const first = await browser.send('POST', `${UI}/signin`, {
        form: { identifier: email, password: PASSWORD },
      });
      expect(first.headers.get('location')).toBe(`${UI}/mfa`);
      const page = await browser.get(`${UI}/mfa`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('rememberDevice');
      const reply = await browser.send('POST', `${UI}/mfa`, {
        form: { code: nextCode(app), rememberDevice: 'on' },
      });
      expect(reply.status).toBe(303);
      expect(setCookie(reply, 'gh_device')).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('enrolment', () => {
  it('asks a signed-out browser to sign in first, and comes back', async () => {
    const reply = await api.client().get(`${UI}/mfa/setup`);
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(`${UI}/signin?next=${encodeURIComponent(`${UI}/mfa/setup`)}`);
    const posted = await api.client().send('POST', `${UI}/mfa/setup`);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`${UI}/signin?next=${encodeURIComponent(`${UI}/mfa/setup`)}`);
  });

  it('keeps next through the sign-in it asks for', async () => {
    const next = `${UI}/account?after=setup`;
    const reply = await api.client().get(`${UI}/mfa/setup?next=${encodeURIComponent(next)}`);
    expect(reply.status).toBe(303);
    const back = `${UI}/mfa/setup?next=${encodeURIComponent(next)}`;
    expect(reply.headers.get('location')).toBe(`${UI}/signin?next=${encodeURIComponent(back)}`);
  });

  it('says why a key cannot be made when the server has no secret', async () => {
    const saved = process.env.GATEHOUSE_SECRET;
    delete process.env.GATEHOUSE_SECRET;
    const bare = await createTestApi({ rateLimits: false });
    try {
      await bare.auth.users.create({ email: 'nosecret@example.com', password: PASSWORD });
      const client = bare.client();
      await client.send('POST', `${UI}/signin`, {
        form: { identifier: 'nosecret@example.com', password: PASSWORD },
      });
      const reply = await client.send('POST', `${UI}/mfa/setup`);
      expect(reply.status).toBe(503);
      expect(reply.text).toContain('role="alert"');
      expect(reply.text).toContain('needs a server secret');
      expect(reply.text).toContain(`<form method="post" action="${UI}/mfa/setup">`);
    } finally {
      await bare.close();
      if (saved !== undefined) process.env.GATEHOUSE_SECRET = saved;
    }
  });

  it('refuses a setup form posted from another site, saying so', async () => {
    const { client } = await signedInUser();
    const reply = await client.send('POST', `${UI}/mfa/setup`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('This form was sent from another site.');
    expect(reply.text).not.toContain('gh-secret');
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(false);
  });

  it('says so when too many first codes were wrong, instead of leaving the page', async () => {
    const limited = await createTestApi({
      secret: SECRET,
      now,
      rateLimits: { signIn: { perAccountAndIp: { max: 3, windowSeconds: 600 } } },
    });
    try {
      await limited.auth.users.create({ email: 'limited@example.com', password: PASSWORD });
      const client = limited.client();
      await client.send('POST', `${UI}/signin`, {
        form: { identifier: 'limited@example.com', password: PASSWORD },
      });
      const scan = await client.send('POST', `${UI}/mfa/setup`);
      const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(scan.text)) });
      const statuses: number[] = [];
      let last: Reply | null = null;
      for (let i = 0; i < 5 && last?.status !== 429; i++) {
        last = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: wrongCode(app) } });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
      expect(last?.status).toBe(429);
      expect(last?.text).toContain('Too many attempts. Try again in');
      // Still the page to enter a code on.
      expect(last?.text).toContain(`action="${UI}/mfa/setup/confirm"`);
    } finally {
      await limited.close();
    }
  });

  it('shows the QR code and the key, refuses a wrong first code, turns on with a right one', async () => {
    const { client, userId } = await signedInUser();
    const account = await client.get(`${UI}/account`);
    expect(account.text).toContain('Add a second step to signing in');
    expect(account.text).toContain(
      `<a class="gh-button" href="${UI}/mfa/setup">Set up an authenticator app</a>`,
    );
    expect(account.text).not.toContain('Make new recovery codes');

    const start = await client.get(`${UI}/mfa/setup`);
    expect(start.status).toBe(200);
    expect(start.text).toContain(`<form method="post" action="${UI}/mfa/setup">`);
    expect(start.text).toContain(`href="${UI}/account"`);
    expect(start.text).not.toContain('Your organisation asks');

    const scan = await client.send('POST', `${UI}/mfa/setup`);
    expect(scan.status).toBe(200);
    expect(scan.headers.get('cache-control')).toBe('no-store');
    const img =
      /<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)" width="200" height="200">/.exec(
        scan.text,
      );
    expect(img?.[2]).toBe('QR code for your authenticator app');
    expect(Buffer.from(img?.[1] ?? '', 'base64').toString('utf8')).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    const key = keyOnPage(scan.text);
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(scan.text).toMatch(/<code class="gh-secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<\/code>/);
    // The page's CSP lets the data: image load.
    expect(scan.headers.get('content-security-policy')).toContain("img-src 'self' data:");
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key) });
    // Not on until confirmed.
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(false);

    const wrong = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: wrongCode(app) } });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('id="field-code-error"');
    expect(wrong.text).toContain('That code is not right. Check the app and try the next one.');
    expect(wrong.text).toContain('Enter the code your app shows for the key you scanned');
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(false);

    const right = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: nextCode(app) } });
    expect(right.status).toBe(200);
    expect(right.headers.get('cache-control')).toBe('no-store');
    expect(right.text).toContain('<h1>Recovery codes</h1>');
    const codes = recoveryCodesOnPage(right.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(right.text).toContain(`<a class="gh-button" href="${UI}/account">I have saved them</a>`);
    expect((await api.auth.audit.list({ userId, type: 'mfa_enabled' })).length).toBe(1);

    const after = await client.get(`${UI}/account`);
    expect(after.text).toContain('An authenticator app is on for your account.');
    expect(after.text).toContain('You have 10 unused recovery codes.');
    expect(after.text).toContain('Turn off the authenticator app');
    // Already on: the setup page sends the browser back.
    const again = await client.get(`${UI}/mfa/setup`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${UI}/account`);
  });

  it('starts over with a new key, and the old key no longer turns it on', async () => {
    const { client } = await signedInUser();
    const first = await client.send('POST', `${UI}/mfa/setup`);
    const oldApp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(first.text)) });
    const second = await client.send('POST', `${UI}/mfa/setup`);
    const newKey = keyOnPage(second.text);
    expect(newKey).not.toBe(keyOnPage(first.text));
    const stale = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: nextCode(oldApp) } });
    expect(stale.status).toBe(400);
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(newKey) });
    const right = await client.send('POST', `${UI}/mfa/setup/confirm`, { form: { code: nextCode(app) } });
    expect(right.status).toBe(200);
  });

  it('sends an old session to the re-authentication page before a new key', async () => {
    const { client } = await signedInUser();
    clock += 16 * 60_000;
    const reply = await client.send('POST', `${UI}/mfa/setup`);
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(
      `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/mfa/setup`)}`,
    );
    const back = await client.send(
      'POST',
      `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/mfa/setup`)}`,
      {
        form: { password: PASSWORD },
      },
    );
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${UI}/mfa/setup`);
    expect((await client.send('POST', `${UI}/mfa/setup`)).status).toBe(200);
  });
});

describe('step-up and the account actions', () => {
  it('sends an old session through re-authentication for new recovery codes', async () => {
    const { client, recoveryCodes, userId } = await enrolledUser();
    const before = client.cookies.get('gh_session');
    clock += 16 * 60_000;
    const refused = await client.send('POST', `${UI}/account/mfa/recovery-codes`);
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(
      `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`,
    );

    const prompt = await client.get(`${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`);
    expect(prompt.status).toBe(200);
    expect(prompt.text).toContain('<h1>Confirm it is you</h1>');
    expect(prompt.text).toContain('autocomplete="current-password"');
    // The app is on: a code is offered too.
    expect(prompt.text).toContain('id="field-code"');

    const action = `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`;
    const empty = await client.send('POST', action, { form: { password: '' } });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="field-password-error"');
    const wrong = await client.send('POST', action, { form: { password: 'not my password at all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That is not right. Try again.');
    expect(client.cookies.get('gh_session')).toBe(before);

    const right = await client.send('POST', action, { form: { password: PASSWORD } });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(`${UI}/account`);
    const renewed = client.cookies.get('gh_session');
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(before);
    expect((await api.auth.audit.list({ userId, type: 'reauthenticated' })).length).toBe(1);

    const fresh = await client.send('POST', `${UI}/account/mfa/recovery-codes`);
    expect(fresh.status).toBe(200);
    const codes = recoveryCodesOnPage(fresh.text);
    expect(codes).toHaveLength(10);
    expect(codes.some((code) => recoveryCodes.includes(code))).toBe(false);
    expect(fresh.text).toContain(`href="${UI}/account">I have saved them</a>`);
  });

  it('takes a code from the app to re-authenticate', async () => {
    const { client, app } = await enrolledUser();
    clock += 16 * 60_000;
    const action = `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`;
    const wrong = await client.send('POST', action, { form: { code: wrongCode(app) } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That is not right. Try again.');
    const right = await client.send('POST', action, { form: { code: nextCode(app) } });
    expect(right.status).toBe(303);
    expect((await client.send('POST', `${UI}/account/mfa/recovery-codes`)).status).toBe(200);
  });

  it('sends a signed-out browser from the re-authentication page to sign in', async () => {
    const reply = await api.client().get(`${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(`${UI}/signin?next=${encodeURIComponent(`${UI}/account`)}`);
  });

  it('turns the app off with a code from it, refusing a wrong one', async () => {
    const { client, app, email, userId } = await enrolledUser();
    const empty = await client.send('POST', `${UI}/account/mfa/disable`, { form: { code: '' } });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="field-code-error"');
    const wrong = await client.send('POST', `${UI}/account/mfa/disable`, { form: { code: wrongCode(app) } });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/id="field-code"[^>]*aria-invalid="true"/);
    expect(wrong.text).toContain('That code is not right, or it was already used.');
    expect(wrong.text).toContain('An authenticator app is on for your account.');

    // Typed as the app shows it, in two groups of three.
    const spaced = nextCode(app).replace(/^(\d{3})/, '$1 ');
    const off = await client.send('POST', `${UI}/account/mfa/disable`, { form: { code: spaced } });
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe(`${UI}/account?done=mfa-off`);
    const account = await client.get(`${UI}/account?done=mfa-off`);
    expect(account.text).toContain('The authenticator app is off.');
    expect(account.text).toContain('Add a second step to signing in');
    expect((await api.auth.audit.list({ userId, type: 'mfa_disabled' })).length).toBe(1);
    // The password alone signs in again.
    const again = await api
      .client()
      .send('POST', `${UI}/signin`, { form: { identifier: email, password: PASSWORD } });
    expect(again.headers.get('location')).toBe(`${UI}/account`);
  });

  it('turns the app off with a recovery code in the same field', async () => {
    const { client, recoveryCodes } = await enrolledUser();
    const wrong = await client.send('POST', `${UI}/account/mfa/disable`, { form: { code: 'zzzzz-zzzzz' } });
    expect(wrong.status).toBe(400);
    // The error sits beside the one field the form has.
    expect(wrong.text).toContain('id="field-code-error"');
    const off = await client.send('POST', `${UI}/account/mfa/disable`, {
      form: { code: recoveryCodes[3] ?? '' },
    });
    expect(off.headers.get('location')).toBe(`${UI}/account?done=mfa-off`);
  });

  it('asks an old session to re-authenticate before turning the app off', async () => {
    const { client, app } = await enrolledUser();
    clock += 16 * 60_000;
    const reply = await client.send('POST', `${UI}/account/mfa/disable`, { form: { code: nextCode(app) } });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(
      `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`,
    );
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(true);
  });
});

describe('the MFA policy', () => {
  it('sends a user it covers straight to enrolment after sign-in, and keeps next', async () => {
    const policy = await createTestApi({ secret: SECRET, now, rateLimits: false, mfa: { required: 'all' } });
    try {
      await policy.auth.users.create({ email: 'covered@example.com', password: PASSWORD });
      const client = policy.client();
      const reply = await client.send('POST', `${UI}/signin`, {
        form: { identifier: 'covered@example.com', password: PASSWORD },
      });
      expect(reply.status).toBe(303);
      expect(reply.headers.get('location')).toBe(
        `${UI}/mfa/setup?next=${encodeURIComponent(`${UI}/account`)}`,
      );
      expect(client.cookies.has('gh_session')).toBe(true);

      const start = await client.get(`${UI}/mfa/setup?next=${encodeURIComponent(`${UI}/account`)}`);
      expect(start.status).toBe(200);
      expect(start.text).toContain('Your organisation asks you to set up a second step for signing in.');
      // No way around it from here.
      expect(start.text).not.toContain('Back to your account');
      expect(start.text).toContain(`action="${UI}/mfa/setup?next=${encodeURIComponent(`${UI}/account`)}"`);

      const scan = await client.send('POST', `${UI}/mfa/setup?next=${encodeURIComponent(`${UI}/account`)}`);
      const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(scan.text)) });
      const done = await client.send(
        'POST',
        `${UI}/mfa/setup/confirm?next=${encodeURIComponent(`${UI}/account`)}`,
        {
          form: { code: nextCode(app) },
        },
      );
      expect(done.status).toBe(200);
      expect(done.text).toContain(`href="${UI}/account">I have saved them</a>`);

      // Enrolled: the next sign-in is challenged instead.
      const next = policy.client();
      const again = await next.send('POST', `${UI}/signin`, {
        form: { identifier: 'covered@example.com', password: PASSWORD },
      });
      expect(again.headers.get('location')).toBe(`${UI}/mfa`);
    } finally {
      await policy.close();
    }
  });
});

describe('in French', () => {
  const fr = { 'accept-language': 'fr-FR,fr;q=0.9' };

  it('asks for the code, refuses a wrong one and explains enrolment in French', async () => {
    const { email, app } = await enrolledUser();
    const { client } = await challenged(email);
    const page = await client.get(`${UI}/mfa`, { headers: fr });
    expect(page.text).toContain('<html lang="fr">');
    expect(page.headers.get('content-language')).toBe('fr');
    expect(page.text).toContain('<h1>Vérification en deux étapes</h1>');
    expect(page.text).toContain('Code de votre application');
    expect(page.text).toContain('Se souvenir de ce navigateur');
    expect(page.text).toContain('Utiliser un code de récupération');

    const empty = await client.send('POST', `${UI}/mfa`, { form: { code: '' }, headers: fr });
    expect(empty.status).toBe(400);
    expect(visibleText(empty.text)).not.toContain('Enter the code.');
    const wrong = await client.send('POST', `${UI}/mfa`, { form: { code: wrongCode(app) }, headers: fr });
    expect(wrong.text).toContain('Ce code n&#39;est pas bon, ou il a déjà servi.');

    const other = await signedInUser();
    const start = await other.client.get(`${UI}/mfa/setup`, { headers: fr });
    expect(start.text).toContain(
      "<h1>Configurer une application d'authentification</h1>".replace("'", '&#39;'),
    );
    const scan = await other.client.send('POST', `${UI}/mfa/setup`, { headers: fr });
    expect(scan.text).toContain('QR code pour votre application d&#39;authentification');
    const scanned = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(keyOnPage(scan.text)) });
    const refused = await other.client.send('POST', `${UI}/mfa/setup/confirm`, {
      form: { code: wrongCode(scanned) },
      headers: fr,
    });
    expect(refused.status).toBe(400);
    // The API's English sentence does not leak into the French page.
    expect(visibleText(refused.text)).not.toMatch(/That code is not right/);
    const done = await other.client.send('POST', `${UI}/mfa/setup/confirm`, {
      form: { code: nextCode(scanned) },
      headers: fr,
    });
    expect(done.text).toContain('<h1>Codes de récupération</h1>');
    expect(done.text).toContain('Je les ai conservés');
  });

  it('asks for the password again in French', async () => {
    const { client } = await enrolledUser();
    clock += 16 * 60_000;
    const prompt = await client.get(`${UI}/reauthenticate`, { headers: fr });
    expect(prompt.text).toContain('<h1>Confirmez qu&#39;il s&#39;agit de vous</h1>');
    const wrong = await client.send('POST', `${UI}/reauthenticate`, {
      form: { password: 'not my password at all' },
      headers: fr,
    });
    expect(wrong.text).toContain('Ce n&#39;est pas correct. Réessayez.');
    const empty = await client.send('POST', `${UI}/reauthenticate`, { form: { password: '' }, headers: fr });
    expect(visibleText(empty.text)).not.toContain('Enter your password.');
    const account = await client.get(`${UI}/account`, { headers: fr });
    expect(account.text).toContain('Une application d&#39;authentification est activée pour votre compte.');
    expect(account.text).toContain('Il vous reste 10 codes de récupération.');
  });
});
