/**
 * Two-step verification through the pre-built pages in a real browser: the
 * standalone server on loopback, the system's Chromium driven by
 * playwright-core, and `otpauth` as the authenticator app (it reads the key
 * the setup page shows). Enrolment from the account page, the sign-in
 * challenge (app code, recovery code, emailed code through a real SMTP
 * server), remembered browsers, step-up and turning the app off, and the MFA
 * policy sending a new user straight to enrolment. Every flow keeps the pages'
 * real CSP; axe-core is evaluated through the DevTools protocol (which the CSP
 * does not govern) on every second-factor screen, and must find nothing.
 *
 * The server's clock is the test's: codes are generated for the server's
 * time, and each use of the app moves that clock on one 30-second step, as
 * the server refuses a code from a step it already accepted.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/accounts/user.js';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import {
  type AxeViolation,
  axeViolations,
  CHROMIUM_PATH,
  chromiumAvailable,
  describeViolations,
  freePort,
  launchChromium,
  navigating,
  screenshot,
} from '../helpers/browser.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'an end-to-end server secret of at least 32 characters';
const UI = '/auth/ui';
const STEP = 30_000;
const TIMEOUT = 60_000;

const suiteName = chromiumAvailable
  ? 'two-step verification in Chromium'
  : `two-step verification in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let sink: SmtpSink;
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let browser: Browser;
  let open: BrowserContext[] = [];
  /**
   * Added to the servers' clocks. It only ever grows: an app's last accepted
   * step is remembered, so going back in time would make its next codes replays.
   */
  let clockOffsetMs = 0;
  const serverNow = () => Date.now() + clockOffsetMs;
  /** CSP violations Chromium reported (every context keeps the pages' CSP). */
  const cspViolations: string[] = [];
  /** Every screen checked, for the summary printed at the end. */
  const axeResults: Record<string, AxeViolation[]> = {};
  let n = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    testAuth = await createTestAuth({
      publicUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      rateLimits: false,
      now: () => new Date(serverNow()),
      mail: { smtpUrl: sink.url },
      mfa: { trustedDevices: { days: 30 } },
    });
    server = await startServer(testAuth.auth, { port, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.map((context) => context.close()));
    open = [];
    const seen = [...cspViolations];
    cspViolations.length = 0;
    expect(seen).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await testAuth?.db.drop();
    await sink?.stop();
    const summary = Object.entries(axeResults).map(
      ([name, violations]) =>
        `${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`,
    );
    if (summary.length > 0)
      console.log(`axe-core results (two-step verification):\n  ${summary.join('\n  ')}`);
  });

  /** The page's path and query, e.g. `/auth/ui/account?done=mfa-off`. */
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const link = (page: Page, name: string) => page.getByRole('link', { name, exact: true });
  const heading = async (page: Page) => ((await page.locator('h1').textContent()) ?? '').trim();
  const alertText = async (page: Page) => ((await page.getByRole('alert').textContent()) ?? '').trim();
  /** The account page's two-step verification section. */
  const mfaSection = (page: Page) => page.getByRole('region', { name: 'Two-step verification' });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext(options);
    open.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  async function newUser(): Promise<User> {
    n += 1;
    return testAuth.auth.users.create({ email: `two-step${n}@example.com`, password: PASSWORD });
  }

  /** The app's code for the server's next step (the clock moves on one step first). */
  function nextCode(app: OTPAuth.TOTP): string {
    clockOffsetMs += STEP;
    return app.generate({ timestamp: serverNow() });
  }

  /** Six digits the server refuses now: not the app's code for this step or either neighbour. */
  function wrongCode(app: OTPAuth.TOTP): string {
    const at = serverNow();
    const accepted = new Set([-1, 0, 1].map((d) => app.generate({ timestamp: at + d * STEP })));
    let candidate = Number(app.generate({ timestamp: at }));
    do candidate = (candidate + 1) % 1_000_000;
    while (accepted.has(String(candidate).padStart(6, '0')));
    return String(candidate).padStart(6, '0');
  }

  /** axe-core on the page as it is now (under its own CSP), with no violation of any impact allowed. */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    const violations = await axeViolations(page);
    axeResults[name] = violations;
    await screenshot(page, `mfa-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    expect(violations, `${name}:\n${describeViolations(violations)}`).toEqual([]);
  }

  async function signInWithPassword(page: Page, email: string, origin = server.url): Promise<void> {
    await page.goto(`${origin}${UI}/signin`);
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigating(page, () => button(page, 'Sign in').click());
  }

  async function signOut(page: Page): Promise<void> {
    await page.goto(`${server.url}${UI}/account`);
    await navigating(page, () => button(page, 'Sign out').click());
    expect(where(page)).toBe(`${UI}/signin?done=signout`);
  }

  /** From the setup page's first button to the recovery codes: the app that scanned the key, and the codes. */
  async function scanAndConfirm(page: Page, options: { check?: boolean } = {}) {
    await navigating(page, () => button(page, 'Set up an authenticator app').click());
    expect(await heading(page)).toBe('Set up an authenticator app');
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    expect(await qr.isVisible()).toBe(true);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    // The data: image is allowed by the page's CSP and actually drawn.
    expect(
      await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    const key = ((await page.locator('code.gh-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key) });
    if (options.check) await expectAccessible(page, 'setup: QR code');

    // A wrong first code is refused, beside the field.
    await page.getByLabel('Code from your app').fill(wrongCode(app));
    await navigating(page, () => button(page, 'Turn on').click());
    expect(await alertText(page)).toContain('That code is not right. Check the app and try the next one.');
    expect(await page.getByLabel('Code from your app').getAttribute('aria-invalid')).toBe('true');
    if (options.check) await expectAccessible(page, 'setup: wrong code');

    await page.getByLabel('Code from your app').fill(nextCode(app));
    await navigating(page, () => button(page, 'Turn on').click());
    expect(await heading(page)).toBe('Recovery codes');
    const recoveryCodes = (await page.locator('ul.gh-codes li').allTextContents()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect(new Set(recoveryCodes).size).toBe(10);
    if (options.check) await expectAccessible(page, 'recovery codes');
    return { app, recoveryCodes };
  }

  /** A new user, signed in on a new page, who turned the app on through the account page. */
  async function enrolled(options: BrowserContextOptions = {}) {
    const user = await newUser();
    const page = await newPage(options);
    await signInWithPassword(page, user.email);
    await page.goto(`${server.url}${UI}/mfa/setup`);
    const { app, recoveryCodes } = await scanAndConfirm(page);
    await navigating(page, () => link(page, 'I have saved them').click());
    expect(where(page)).toBe(`${UI}/account`);
    return { user, page, app, recoveryCodes };
  }

  /** Signs in with the password, which must lead to the challenge page. */
  async function signInToChallenge(page: Page, email: string): Promise<void> {
    await signInWithPassword(page, email);
    expect(where(page)).toBe(`${UI}/mfa`);
    expect(await heading(page)).toBe('Two-step verification');
  }

  async function answerWithApp(page: Page, code: string, remember = false): Promise<void> {
    await page.getByLabel('Code from your app').fill(code);
    if (remember) await page.getByLabel('Remember this browser').check();
    await navigating(page, () => button(page, 'Verify').click());
  }

  it(
    'enrols from the account page, then signs in with a code from the app after a wrong one',
    async () => {
      const user = await newUser();
      const page = await newPage();
      await signInWithPassword(page, user.email);
      expect(where(page)).toBe(`${UI}/account`);
      const section = mfaSection(page);
      expect(await section.getByText('Add a second step to signing in').isVisible()).toBe(true);
      await expectAccessible(page, 'account: app off');

      await navigating(page, () =>
        section.getByRole('link', { name: 'Set up an authenticator app' }).click(),
      );
      expect(where(page)).toBe(`${UI}/mfa/setup`);
      await expectAccessible(page, 'setup: start');
      const { app } = await scanAndConfirm(page, { check: true });

      await navigating(page, () => link(page, 'I have saved them').click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await section.getByText('An authenticator app is on for your account.').isVisible()).toBe(true);
      expect(await section.getByText('You have 10 unused recovery codes.').isVisible()).toBe(true);
      await expectAccessible(page, 'account: app on');

      await signOut(page);
      await signInToChallenge(page, user.email);
      const cookies = await page.context().cookies();
      expect(cookies.map((c) => c.name)).toContain('gh_mfa');
      expect(cookies.map((c) => c.name)).not.toContain('gh_session');
      expect(await page.getByLabel('Code from your app').getAttribute('autocomplete')).toBe('one-time-code');
      await expectAccessible(page, 'challenge');

      await answerWithApp(page, wrongCode(app));
      expect(where(page)).toBe(`${UI}/mfa`);
      expect(await alertText(page)).toContain('That code is not right, or it was already used.');
      expect(await page.getByLabel('Code from your app').getAttribute('aria-invalid')).toBe('true');
      await expectAccessible(page, 'challenge: wrong code');

      await answerWithApp(page, nextCode(app));
      expect(where(page)).toBe(`${UI}/account`);
      expect(await page.getByText(`Signed in as ${user.email}.`).isVisible()).toBe(true);
      const after = (await page.context().cookies()).map((c) => c.name);
      expect(after).toContain('gh_session');
      expect(after).not.toContain('gh_mfa');
      expect(after).not.toContain('gh_device');
    },
    TIMEOUT,
  );

  it(
    'signs in with a recovery code, which then counts as used',
    async () => {
      const { user, page, recoveryCodes } = await enrolled();
      await signOut(page);
      await signInToChallenge(page, user.email);
      await navigating(page, () => link(page, 'Use a recovery code').click());
      expect(where(page)).toBe(`${UI}/mfa?use=recovery`);
      expect(await page.getByLabel('Code from your app').count()).toBe(0);
      await expectAccessible(page, 'challenge: recovery code');

      // The way back to the app's code works, and so does the way here again.
      await navigating(page, () => link(page, 'Use a code from your app').click());
      expect(where(page)).toBe(`${UI}/mfa`);
      expect(await page.getByLabel('Code from your app').isVisible()).toBe(true);
      await navigating(page, () => link(page, 'Use a recovery code').click());

      await page.getByLabel('Recovery code').fill('aaaaa-bbbbb');
      await navigating(page, () => button(page, 'Verify').click());
      expect(await alertText(page)).toContain('That code is not right, or it was already used.');
      expect(await page.getByLabel('Recovery code').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('Recovery code').fill(recoveryCodes[0] ?? '');
      await navigating(page, () => button(page, 'Verify').click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await mfaSection(page).getByText('You have 9 unused recovery codes.').isVisible()).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'remembers this browser: signing in again skips the code, another browser is asked; forgetting it asks again',
    async () => {
      const { user, page, app } = await enrolled({ userAgent: 'Remembered E2E Browser' });
      await signOut(page);
      await signInToChallenge(page, user.email);
      await answerWithApp(page, nextCode(app), true);
      expect(where(page)).toBe(`${UI}/account`);
      const device = (await page.context().cookies()).find((c) => c.name === 'gh_device');
      expect(device?.httpOnly).toBe(true);

      await signOut(page);
      await signInWithPassword(page, user.email);
      expect(where(page)).toBe(`${UI}/account`);

      const elsewhere = await newPage();
      await signInToChallenge(elsewhere, user.email);

      const section = mfaSection(page);
      expect(await section.getByRole('heading', { name: 'Remembered browsers' }).isVisible()).toBe(true);
      expect(await section.getByText('(This device)').isVisible()).toBe(true);
      await expectAccessible(page, 'account: remembered browser');
      await navigating(page, () =>
        section.getByRole('button', { name: 'Forget: Remembered E2E Browser', exact: true }).click(),
      );
      expect(where(page)).toBe(`${UI}/account?done=device`);
      expect(await page.getByRole('status').textContent()).toBe(
        'That browser will ask for the second step again.',
      );
      expect(await section.getByRole('heading', { name: 'Remembered browsers' }).count()).toBe(0);

      await signOut(page);
      await signInToChallenge(page, user.email);
    },
    TIMEOUT,
  );

  it(
    'asks an old session to confirm it is you before new recovery codes and before turning the app off',
    async () => {
      const { page, app, recoveryCodes } = await enrolled();
      clockOffsetMs += 16 * 60_000;
      const section = mfaSection(page);
      await page.reload();
      await navigating(page, () => section.getByRole('button', { name: 'Make new recovery codes' }).click());
      expect(where(page)).toBe(`${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`);
      expect(await heading(page)).toBe('Confirm it is you');
      await expectAccessible(page, 'reauthenticate');

      const passwordForm = page.locator('form', { has: page.getByLabel('Password', { exact: true }) });
      await page.getByLabel('Password', { exact: true }).fill('not my password at all');
      await navigating(page, () => passwordForm.getByRole('button', { name: 'Confirm' }).click());
      expect(await alertText(page)).toContain('That is not right. Try again.');
      await expectAccessible(page, 'reauthenticate: wrong password');

      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => passwordForm.getByRole('button', { name: 'Confirm' }).click());
      expect(where(page)).toBe(`${UI}/account`);
      await navigating(page, () => section.getByRole('button', { name: 'Make new recovery codes' }).click());
      expect(await heading(page)).toBe('Recovery codes');
      const fresh = (await page.locator('ul.gh-codes li').allTextContents()).map((c) => c.trim());
      expect(fresh).toHaveLength(10);
      expect(fresh.filter((code) => recoveryCodes.includes(code))).toEqual([]);
      await navigating(page, () => link(page, 'I have saved them').click());

      // Later again: turning the app off also needs a recent sign-in; a code from the app gives one.
      clockOffsetMs += 16 * 60_000;
      await page.reload();
      await section.getByLabel('Code from your app').fill(nextCode(app));
      await navigating(page, () => button(page, 'Turn off the authenticator app').click());
      expect(where(page)).toBe(`${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`);
      const codeForm = page.locator('form', { has: page.getByLabel('Code from your app') });
      await page.getByLabel('Code from your app').fill(nextCode(app));
      await navigating(page, () => codeForm.getByRole('button', { name: 'Confirm' }).click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await section.getByText('An authenticator app is on for your account.').isVisible()).toBe(true);

      // A wrong code is refused on the account page, beside the field; a right one turns the app off.
      await section.getByLabel('Code from your app').fill(wrongCode(app));
      await navigating(page, () => button(page, 'Turn off the authenticator app').click());
      expect(await section.getByRole('alert').textContent()).toContain(
        'That code is not right, or it was already used.',
      );
      await expectAccessible(page, 'account: wrong code to turn off');
      await section.getByLabel('Code from your app').fill(nextCode(app));
      await navigating(page, () => button(page, 'Turn off the authenticator app').click());
      expect(where(page)).toBe(`${UI}/account?done=mfa-off`);
      expect(await page.getByRole('status').textContent()).toBe('The authenticator app is off.');
      expect(await section.getByText('Add a second step to signing in').isVisible()).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'finishes a sign-in with a code mailed to the account',
    async () => {
      const { user, page } = await enrolled();
      await signOut(page);
      await signInToChallenge(page, user.email);
      const masked = `${user.email.slice(0, 1)}•••@example.com`;
      await navigating(page, () => button(page, `Email a code to ${masked}`).click());
      expect(await page.getByRole('status').textContent()).toBe(`We sent a code to ${masked}.`);
      await expectAccessible(page, 'challenge: emailed code');
      const mail = await sink.waitFor((m) => m.to === user.email && /sign-in code/.test(m.subject), 15_000);
      expect(mail.code).toMatch(/^\d{6}$/);
      await page.getByLabel('Code from the email').fill(mail.code ?? '');
      await navigating(page, () => button(page, 'Verify').click());
      expect(where(page)).toBe(`${UI}/account`);
      const [session] = await testAuth.auth.sessions.list(user.id);
      expect(session?.amr).toEqual(['pwd', 'email', 'mfa']);
    },
    TIMEOUT,
  );

  it(
    'sends a user the policy covers straight from sign-in to enrolment',
    async () => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const policy = await createTestAuth({
        publicUrl: origin,
        secret: SECRET,
        rateLimits: false,
        now: () => new Date(serverNow()),
        mfa: { required: 'all' },
      });
      const policyServer = await startServer(policy.auth, { port, host: '127.0.0.1' });
      try {
        await policy.auth.users.create({ email: 'covered@example.com', password: PASSWORD });
        const page = await newPage();
        await signInWithPassword(page, 'covered@example.com', origin);
        expect(where(page)).toBe(`${UI}/mfa/setup?next=${encodeURIComponent(`${UI}/account`)}`);
        expect(await page.getByRole('status').textContent()).toBe(
          'Your organisation asks you to set up a second step for signing in.',
        );
        expect(await link(page, 'Back to your account').count()).toBe(0);
        await expectAccessible(page, 'setup: start, required');
        await scanAndConfirm(page);
        await navigating(page, () => link(page, 'I have saved them').click());
        expect(where(page)).toBe(`${UI}/account`);
        expect(
          await mfaSection(page).getByText('An authenticator app is on for your account.').isVisible(),
        ).toBe(true);
      } finally {
        // The browser's connections go first, so the server's graceful stop has nothing to wait for.
        await Promise.all(open.map((context) => context.close()));
        open = [];
        await policyServer.stop();
        await policy.db.drop();
      }
    },
    TIMEOUT,
  );
});
