/**
 * TOTP second factor end to end, with `otpauth` as the authenticator app:
 * enrolment, the sign-in challenge, replay and window rules, recovery codes,
 * emailed codes, step-up, remembered browsers, the policy and the staff reset.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';
import { type SmtpSink, startSmtpSink } from '../../helpers/smtp.js';

const SECRET = 'a server secret of at least thirty-two characters';
/** A clock the tests move; starts mid-step so ±30 s lands in the neighbouring steps. */
let clock = Date.UTC(2026, 10, 26, 12, 0, 10);
const now = () => new Date(clock);
const STEP = 30_000;

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
  api.auth.mail.start();
});
afterAll(async () => {
  await api.close();
  await sink.stop();
});

interface Enrolled {
  email: string;
  userId: string;
  app: OTPAuth.TOTP;
  recoveryCodes: string[];
  client: Client;
}

async function newUser(options: { isStaff?: boolean } = {}) {
  const email = `second${++n}@example.com`;
  const user = await api.auth.users.create({ email, password: PASSWORD, ...options });
  const client = api.client();
  expect((await client.post('/auth/signin', { email, password: PASSWORD })).status).toBe(200);
  return { email, userId: user.id, client };
}

/** The next step's code: every test that signs in again waits a step, as a person would. */
function nextCode(app: OTPAuth.TOTP): string {
  clock += STEP;
  return app.generate({ timestamp: clock });
}

async function enrolled(): Promise<Enrolled> {
  const { email, userId, client } = await newUser();
  const setup = await client.post('/auth/mfa/totp/setup');
  expect(setup.status).toBe(200);
  const app = OTPAuth.URI.parse(setup.body.otpauthUrl) as OTPAuth.TOTP;
  const confirm = await client.post('/auth/mfa/totp/confirm', { code: app.generate({ timestamp: clock }) });
  expect(confirm.status).toBe(200);
  return { email, userId, app, recoveryCodes: confirm.body.recoveryCodes, client };
}

async function challenged(email: string, client = api.client()) {
  const reply = await client.post('/auth/signin', { email, password: PASSWORD });
  expect(reply.status).toBe(401);
  expect(reply.body.error.code).toBe('mfa_required');
  return { client, challenge: reply.body.challenge as string, reply };
}

describe('TOTP enrolment', () => {
  it('hands out a 160-bit secret, its otpauth URL and a QR code, and is off until a first code', async () => {
    const { client } = await newUser();
    const setup = await client.post('/auth/mfa/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const app = OTPAuth.URI.parse(setup.body.otpauthUrl) as OTPAuth.TOTP;
    expect(app.secret.base32).toBe(setup.body.secret);
    expect(app.digits).toBe(6);
    expect(app.period).toBe(30);
    expect(setup.body.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(false);

    const wrong = await client.post('/auth/mfa/totp/confirm', {
      code: app.generate({ timestamp: clock + 10 * STEP }),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields.code).toBeDefined();
    expect((await client.get('/auth/mfa')).body.totp.enabled).toBe(false);

    const confirm = await client.post('/auth/mfa/totp/confirm', { code: app.generate({ timestamp: clock }) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    for (const code of confirm.body.recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    const status = await client.get('/auth/mfa');
    expect(status.body).toMatchObject({ totp: { enabled: true }, recoveryCodes: { remaining: 10 } });
  });

  it('keeps the secret sealed and the recovery codes hashed at rest', async () => {
    const { userId, app, recoveryCodes } = await enrolled();
    const db = api.auth.database.db;
    const factor = await db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    expect(factor?.secret).toMatch(/^v1\./);
    expect(factor?.secret).not.toContain(app.secret.base32);
    const rows = await db.selectFrom('recovery_codes').selectAll().where('user_id', '=', userId).execute();
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
  });

  it('mails the owner when the app is turned on and off, and says whether they have a password', async () => {
    const { email, app, client } = await enrolled();
    const on = await sink.waitFor((m) => m.to === email && /security change/.test(m.subject), 10_000);
    expect(on.text).toContain('An authenticator app was set up');
    expect((await client.get('/auth/mfa')).body.password).toBe(true);
    expect((await client.send('DELETE', '/auth/mfa/totp', { body: { code: nextCode(app) } })).status).toBe(
      204,
    );
    const off = await sink.waitFor((m) => m.to === email && /turned off/.test(m.text), 10_000);
    expect(off.subject).toMatch(/security change/);
  });

  it('refuses a second setup while the app is on (409) and never answers secrets in /mfa', async () => {
    const { client, app } = await enrolled();
    expect((await client.post('/auth/mfa/totp/setup')).status).toBe(409);
    const status = await client.get('/auth/mfa');
    expect(status.text).not.toContain(app.secret.base32);
  });
});

describe('signing in with a second factor', () => {
  it('answers the password with a challenge, not a session; the challenge opens nothing else', async () => {
    const { email, app } = await enrolled();
    const { client, challenge, reply } = await challenged(email);
    expect(reply.body.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code', 'email']));
    expect(client.cookies.has('gh_session')).toBe(false);
    expect(client.cookies.get('gh_mfa')).toBe(challenge);
    expect((await client.get('/auth/session')).status).toBe(401);
    expect((await client.post('/auth/mfa/totp/setup')).status).toBe(401);
    expect((await client.post('/auth/email/change', { newEmail: 'x@example.com' })).status).toBe(401);
    const bearer = await api
      .client()
      .get('/auth/session', { headers: { authorization: `Bearer ${challenge}` } });
    expect(bearer.status).toBe(401);

    const verify = await client.post('/auth/mfa/verify', { code: nextCode(app) });
    expect(verify.status).toBe(200);
    expect(verify.body.session.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(client.cookies.has('gh_mfa')).toBe(false);
    expect((await client.get('/auth/session')).body.user.email).toBe(email);
  });

  it('accepts the challenge from the body (another client, bearer mode)', async () => {
    const { email, app } = await enrolled();
    const { challenge } = await challenged(email);
    const app2 = api.client();
    const verify = await app2.post(
      '/auth/mfa/verify',
      { challenge, code: nextCode(app) },
      { headers: { 'x-auth-mode': 'bearer' } },
    );
    expect(verify.status).toBe(200);
    expect(verify.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts a code once: the same code, or an older one, is refused afterwards', async () => {
    const { email, app } = await enrolled();
    const code = nextCode(app);
    const first = await challenged(email);
    expect((await first.client.post('/auth/mfa/verify', { code })).status).toBe(200);
    const second = await challenged(email);
    const replay = await second.client.post('/auth/mfa/verify', { code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_credentials');
    const older = app.generate({ timestamp: clock - STEP });
    expect((await second.client.post('/auth/mfa/verify', { code: older })).status).toBe(401);
  });

  it('accepts a replayed code in only one of two racing requests', async () => {
    const { email, app } = await enrolled();
    const code = nextCode(app);
    const [a, b] = await Promise.all([challenged(email), challenged(email)]);
    const replies = await Promise.all([
      a.client.post('/auth/mfa/verify', { code }),
      b.client.post('/auth/mfa/verify', { code }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it.each([
    [-2, 401],
    [-1, 200],
    [0, 200],
    [1, 200],
    [2, 401],
  ])('takes codes from one step either side of now: step %i → %i', async (offset, status) => {
    const { email, app } = await enrolled();
    clock += 3 * STEP;
    const { client } = await challenged(email);
    const code = app.generate({ timestamp: clock + offset * STEP });
    expect((await client.post('/auth/mfa/verify', { code })).status).toBe(status);
  });

  it('counts wrong codes: five end the challenge, even for the right code after', async () => {
    const { email, userId, app } = await enrolled();
    const { client } = await challenged(email);
    const right = nextCode(app);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const reply = await client.post('/auth/mfa/verify', { code: wrong });
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('invalid_credentials');
    }
    const late = await client.post('/auth/mfa/verify', { code: right });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('unauthenticated');
    const failures = await api.auth.audit.list({ userId, type: 'signin_failed' });
    expect(failures.filter((e) => e.details.factor === 'totp')).toHaveLength(5);
  });

  it('lets a challenge expire after five minutes', async () => {
    const { email, app } = await enrolled();
    const { client } = await challenged(email);
    clock += 5 * 60_000 + 1000;
    const reply = await client.post('/auth/mfa/verify', { code: app.generate({ timestamp: clock }) });
    expect(reply.body.error.code).toBe('unauthenticated');
  });

  it('keeps a challenge to its own user', async () => {
    const one = await enrolled();
    const other = await enrolled();
    const { challenge } = await challenged(one.email);
    const reply = await api.client().post('/auth/mfa/verify', { challenge, code: nextCode(other.app) });
    expect(reply.status).toBe(401);
  });

  it('leads the magic-link sign-in of an MFA user to the same challenge', async () => {
    const { email, userId, app } = await enrolled();
    const { token } = await api.auth.tokens.issue({ purpose: 'magic_link', userId, email });
    const client = api.client();
    const reply = await client.post('/auth/magic-link/verify', { token });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('mfa_required');
    expect(client.cookies.has('gh_session')).toBe(false);
    const verify = await client.post('/auth/mfa/verify', { code: nextCode(app) });
    expect(verify.status).toBe(200);
    expect(verify.body.session.amr).toEqual(['email', 'otp', 'mfa']);
  });

  it('leads the email-code sign-in of an MFA user to the same challenge', async () => {
    const { email, userId } = await enrolled();
    const { token } = await api.auth.tokens.issue({ purpose: 'email_otp', userId, email });
    const reply = await api.client().post('/auth/otp/verify', { email, code: token });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('mfa_required');
    expect(reply.body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('still asks for the second factor after a password reset (RC-06)', async () => {
    const { email, userId } = await enrolled();
    const { token } = await api.auth.tokens.issue({ purpose: 'password_reset', userId, email });
    const client = api.client();
    const reset = await client.post('/auth/password/reset/confirm', {
      token,
      newPassword: 'a fresh passphrase 77',
    });
    expect(reset.status).toBe(204);
    expect(client.cookies.has('gh_session')).toBe(false);
    const reply = await client.post('/auth/signin', { email, password: 'a fresh passphrase 77' });
    expect(reply.body.error.code).toBe('mfa_required');
  });

  it('sends a browser that posted a form to the challenge page, the challenge in a cookie', async () => {
    const { email } = await enrolled();
    const client = api.client();
    const reply = await client.send('POST', '/auth/signin', {
      form: { email, password: PASSWORD, redirectTo: '/somewhere' },
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/auth/ui/mfa');
    expect(client.cookies.get('gh_mfa')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pending = await client.get('/auth/mfa/challenge');
    expect(pending.body.methods).toContain('totp');
    expect(pending.body.email).toMatch(/^s•••@example\.com$/);
  });

  it('keeps where the sign-in was headed through the challenge', async () => {
    const { email, app } = await enrolled();
    const client = api.client();
    await client.post('/auth/signin', { email, password: PASSWORD, redirectTo: '/after' });
    const verify = await client.post('/auth/mfa/verify', { code: nextCode(app) });
    expect(verify.body.redirectTo).toBe('/after');
  });
});

describe('recovery codes', () => {
  it('each work once', async () => {
    const { email, recoveryCodes, client: owner } = await enrolled();
    const [code] = recoveryCodes as [string];
    const first = await challenged(email);
    const used = await first.client.post('/auth/mfa/verify', { recoveryCode: code.toUpperCase() });
    expect(used.status).toBe(200);
    expect(used.body.session.amr).toEqual(['pwd', 'recovery', 'mfa']);
    const again = await challenged(email);
    expect((await again.client.post('/auth/mfa/verify', { recoveryCode: code })).status).toBe(401);
    expect((await owner.get('/auth/mfa')).body.recoveryCodes.remaining).toBe(9);
  });

  it('let exactly one of twenty parallel uses of one code through', async () => {
    const { email, recoveryCodes } = await enrolled();
    const challenges = await Promise.all(Array.from({ length: 20 }, () => challenged(email)));
    const replies = await Promise.all(
      challenges.map(({ client }) => client.post('/auth/mfa/verify', { recoveryCode: recoveryCodes[1] })),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 401)).toHaveLength(19);
  });

  it('die when a new set is made', async () => {
    const { email, recoveryCodes, client } = await enrolled();
    const regenerated = await client.post('/auth/mfa/recovery-codes');
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    const { client: browser } = await challenged(email);
    expect((await browser.post('/auth/mfa/verify', { recoveryCode: recoveryCodes[0] })).status).toBe(401);
    expect(
      (await browser.post('/auth/mfa/verify', { recoveryCode: regenerated.body.recoveryCodes[0] })).status,
    ).toBe(200);
  });
});

describe('emailed codes', () => {
  it('mails a code for a pending challenge that finishes it, once', async () => {
    const { email } = await enrolled();
    const { client } = await challenged(email);
    expect((await client.post('/auth/mfa/email')).status).toBe(202);
    const mail = await sink.waitFor((m) => m.to === email && /sign-in code/.test(m.subject), 10_000);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1] ?? '';
    const verify = await client.post('/auth/mfa/verify', { emailCode: code });
    expect(verify.status).toBe(200);
    expect(verify.body.session.amr).toEqual(['pwd', 'email', 'mfa']);
  });

  it('never turns an MFA code into a first factor', async () => {
    const { email, userId } = await enrolled();
    const { token } = await api.auth.tokens.issue({ purpose: 'mfa_email', userId, email });
    const reply = await api.client().post('/auth/otp/verify', { email, code: token });
    expect(reply.status).toBe(400);
  });

  it('needs a live challenge', async () => {
    expect((await api.client().post('/auth/mfa/email', { challenge: 'x'.repeat(43) })).status).toBe(401);
  });
});

describe('step-up', () => {
  it('turning TOTP off needs a recent sign-in, then a code; sign-in is one step again after', async () => {
    const { email, app, client } = await enrolled();
    clock += 16 * 60_000;
    const stale = await client.send('DELETE', '/auth/mfa/totp', { body: { code: nextCode(app) } });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('reauthentication_required');

    const before = (await client.get('/auth/session')).body.session.id;
    const wrong = await client.post('/auth/reauthenticate', { password: 'not the password' });
    expect(wrong.status).toBe(401);
    const again = await client.post('/auth/reauthenticate', { password: PASSWORD });
    expect(again.status).toBe(200);
    expect(again.body.session.id).not.toBe(before);

    const wrongCode = await client.send('DELETE', '/auth/mfa/totp', { body: { code: '000000' } });
    expect(wrongCode.status).toBe(400);
    const off = await client.send('DELETE', '/auth/mfa/totp', { body: { code: nextCode(app) } });
    expect(off.status).toBe(204);
    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(200);
    expect((await client.get('/auth/mfa')).body.recoveryCodes.remaining).toBe(0);
  });

  it('re-authenticates with a code from the app too, keeping the session data', async () => {
    const { app, client } = await enrolled();
    await client.send('PUT', '/auth/session/data', { body: { data: { cart: 3 } } });
    clock += 16 * 60_000;
    expect((await client.post('/auth/mfa/recovery-codes')).status).toBe(401);
    const again = await client.post('/auth/reauthenticate', { code: nextCode(app) });
    expect(again.status).toBe(200);
    expect(again.body.session.data).toEqual({ cart: 3 });
    expect((await client.post('/auth/mfa/recovery-codes')).status).toBe(200);
  });

  it.each([
    ['POST', '/auth/email/change', { newEmail: 'elsewhere@example.com' }],
    ['POST', '/auth/mfa/totp/setup', undefined],
    ['DELETE', '/auth/user', undefined],
  ])('%s %s needs a recent sign-in', async (method, path, body) => {
    const { client } = await newUser();
    clock += 16 * 60_000;
    const reply = await client.send(method, path, body === undefined ? {} : { body });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('reauthentication_required');
  });

  it('deletes your own account after a recent sign-in', async () => {
    const { email, client } = await newUser();
    expect((await client.send('DELETE', '/auth/user')).status).toBe(204);
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });
});

describe('remembered browsers', () => {
  it('skip the second factor for that browser and user only, until forgotten', async () => {
    const { email, app, client: owner } = await enrolled();
    const { client } = await challenged(email);
    const verify = await client.post('/auth/mfa/verify', { code: nextCode(app), rememberDevice: true });
    expect(verify.status).toBe(200);
    const device = client.cookies.get('gh_device');
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);

    client.cookies.delete('gh_session');
    const skipped = await client.post('/auth/signin', { email, password: PASSWORD });
    expect(skipped.status).toBe(200);
    expect(skipped.body.session.amr).toEqual(['pwd']);
    await challenged(email);

    const other = await enrolled();
    const elsewhere = api.client();
    elsewhere.cookies.set('gh_device', device ?? '');
    await challenged(other.email, elsewhere);

    const list = await owner.get('/auth/trusted-devices');
    expect(list.body.devices).toHaveLength(1);
    expect((await owner.delete(`/auth/trusted-devices/${list.body.devices[0].id}`)).status).toBe(204);
    client.cookies.delete('gh_session');
    await challenged(email, client);
  });

  it("are never someone else's to forget", async () => {
    const { email, app } = await enrolled();
    const { client } = await challenged(email);
    await client.post('/auth/mfa/verify', { code: nextCode(app), rememberDevice: true });
    const [device] = (await client.get('/auth/trusted-devices')).body.devices;
    const stranger = await newUser();
    expect((await stranger.client.delete(`/auth/trusted-devices/${device.id}`)).status).toBe(404);
  });
});

describe('staff reset', () => {
  it('removes every factor of the user, audited with the staff member as actor', async () => {
    const { email, userId } = await enrolled();
    const staff = await newUser({ isStaff: true });
    expect((await staff.client.delete(`/auth/admin/users/${userId}/mfa`)).status).toBe(403);
    await api.auth.permissions.grantToUser(staff.userId, ['user.change']);
    expect((await staff.client.delete(`/auth/admin/users/${userId}/mfa`)).status).toBe(204);
    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(200);
    const [event] = await api.auth.audit.list({ userId, type: 'mfa_reset' });
    expect(event?.actorId).toBe(staff.userId);
    expect(event?.details).toMatchObject({ totp: true, recoveryCodes: 10 });
  });
});

describe('bad input', () => {
  it.each([
    ['/auth/mfa/verify', {}],
    ['/auth/mfa/verify', { code: '123456', recoveryCode: 'abcde-fghij' }],
    ['/auth/mfa/verify', { code: 123456 }],
    ['/auth/mfa/verify', { code: '1'.repeat(100) }],
    ['/auth/mfa/verify', { challenge: ['x'], code: '123456' }],
    ['/auth/reauthenticate', { password: 'x', code: '123456' }],
  ])('POST %s %j is a 400 or 401, never a 500', async (path, body) => {
    const { client } = await newUser();
    const reply = await client.post(path, body);
    expect([400, 401]).toContain(reply.status);
    expect(reply.body.error.code).toMatch(/invalid_request|unauthenticated/);
  });
});

describe('the MFA policy', () => {
  it('asks a user it covers, who has no second factor, to enrol', async () => {
    const policy = await createTestApi({ secret: SECRET, rateLimits: false, mfa: { required: 'staff' } });
    try {
      await policy.auth.users.create({ email: 'boss@example.com', password: PASSWORD, isStaff: true });
      await policy.auth.users.create({ email: 'crew@example.com', password: PASSWORD });
      const boss = await policy
        .client()
        .post('/auth/signin', { email: 'boss@example.com', password: PASSWORD });
      expect(boss.body.mfaEnrollmentRequired).toBe(true);
      const crew = await policy
        .client()
        .post('/auth/signin', { email: 'crew@example.com', password: PASSWORD });
      expect(crew.body.mfaEnrollmentRequired).toBeUndefined();
      const form = await policy.client().send('POST', '/auth/signin', {
        form: { email: 'boss@example.com', password: PASSWORD, redirectTo: '/app' },
      });
      expect(form.headers.get('location')).toBe('/auth/ui/mfa/setup?next=%2Fapp');
    } finally {
      await policy.close();
    }
  });

  it('covers the members of the named groups', async () => {
    const policy = await createTestApi({
      secret: SECRET,
      rateLimits: false,
      mfa: { required: { groups: ['finance'] } },
    });
    try {
      await policy.auth.permissions.createGroup('finance');
      const user = await policy.auth.users.create({ email: 'ledger@example.com', password: PASSWORD });
      const before = await policy
        .client()
        .post('/auth/signin', { email: 'ledger@example.com', password: PASSWORD });
      expect(before.body.mfaEnrollmentRequired).toBeUndefined();
      await policy.auth.permissions.addUserToGroup(user.id, 'finance');
      const after = await policy
        .client()
        .post('/auth/signin', { email: 'ledger@example.com', password: PASSWORD });
      expect(after.body.mfaEnrollmentRequired).toBe(true);
    } finally {
      await policy.close();
    }
  });

  it('answers 503 for TOTP setup without a server secret', async () => {
    const bare = await createTestApi({ rateLimits: false });
    try {
      await bare.auth.users.create({ email: 'nosecret@example.com', password: PASSWORD });
      const client = bare.client();
      await client.post('/auth/signin', { email: 'nosecret@example.com', password: PASSWORD });
      expect((await client.post('/auth/mfa/totp/setup')).status).toBe(503);
    } finally {
      await bare.close();
    }
  });
});
