/**
 * The mail flows of the pre-built UI in a real browser: the standalone server
 * on loopback sends through a real SMTP server on loopback (`smtp-server`,
 * parsed with `mailparser`), and the link in each received message is opened
 * in Chromium to finish the flow — password reset, email verification, email
 * change and passwordless sign-in (a magic link opened in another browser, a
 * mailed 6-digit code). Every screen on the way is checked with axe-core (no serious
 * or critical violation) and ships no JavaScript but the passkey scripts.
 *
 * Links are built from `publicUrl`, so the server's port is chosen first and
 * `publicUrl` set to the server's own URL.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import {
  type AxeViolation,
  axeViolations,
  CHROMIUM_PATH,
  chromiumAvailable,
  describeViolations,
  freePort,
  isPasskeyScript,
  launchChromium,
  NON_PASSKEY_SCRIPTS,
  navigating,
  screenshot,
} from '../helpers/browser.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new horse battery staple';
const UI = '/auth/ui';
const TIMEOUT = 60_000;

const suiteName = chromiumAvailable
  ? 'the mail flows of the pre-built UI in Chromium'
  : `the mail flows of the pre-built UI in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let sink: SmtpSink;
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let browser: Browser;
  let open: BrowserContext[] = [];
  /** Per screen: axe-core's violations and how much JavaScript it had. */
  const axeResults: Record<string, AxeViolation[]> = {};
  const scriptCounts: Record<string, number> = {};
  const scriptResponses: string[] = [];
  let userCount = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    testAuth = await createTestAuth({
      publicUrl: `http://127.0.0.1:${port}`,
      rateLimits: false,
      mail: { smtpUrl: sink.url },
    });
    server = await startServer(testAuth.auth, { port, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.map((context) => context.close()));
    open = [];
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
    if (summary.length > 0) console.log(`axe-core results (mail flows):\n  ${summary.join('\n  ')}`);
  });

  const url = (path: string) => `${server.url}${path}`;
  const uniqueEmail = (tag: string) => `${tag}-${++userCount}@example.com`;
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const mailTo = (email: string, subject: RegExp) =>
    sink.waitFor((m) => m.to === email && subject.test(m.subject), 15_000);

  /**
   * A fresh profile. axe-core is a script injected into the page, which the
   * UI's CSP (no script-src) would block: these contexts bypass the CSP.
   */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true });
    open.push(context);
    const page = await context.newPage();
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      const script = response.request().resourceType() === 'script' || /javascript|ecmascript/.test(type);
      if (script && !isPasskeyScript(response.url())) {
        scriptResponses.push(response.url());
      }
    });
    return page;
  }

  /** The page's path and query. */
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };

  /**
   * Records the screen's `<script>` count (before axe adds its own; the passkey
   * scripts of the sign-in and account pages aside) and its axe-core violations.
   */
  async function check(page: Page, name: string): Promise<void> {
    scriptCounts[name] = await page.locator(NON_PASSKEY_SCRIPTS).count();
    axeResults[name] = await axeViolations(page);
    await screenshot(page, `mail-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  }

  function expectCleanScreens(names: string[]): void {
    expect(Object.fromEntries(names.map((name) => [name, scriptCounts[name]]))).toEqual(
      Object.fromEntries(names.map((name) => [name, 0])),
    );
    expect(scriptResponses).toEqual([]);
    const severe = names.flatMap((name) =>
      (axeResults[name] ?? [])
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${name}: ${describeViolations([v])}`),
    );
    expect(severe, severe.join('\n')).toEqual([]);
  }

  /** Opens the link from a received mail, which must point at this server (built from publicUrl). */
  async function openLink(page: Page, link: string | undefined): Promise<void> {
    expect(link?.startsWith(`${server.url}${UI}/`), link).toBe(true);
    await page.goto(link ?? '');
  }

  it(
    'forgot password → the mailed link → a new password → sign in with it',
    async () => {
      const email = uniqueEmail('forgot');
      await testAuth.auth.users.create({ email, password: PASSWORD });
      const page = await newPage();
      await page.goto(url(`${UI}/signin`));
      await navigating(page, () => page.getByRole('link', { name: 'Forgot your password?' }).click());
      expect(where(page)).toBe(`${UI}/forgot-password`);
      await check(page, 'forgot password');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await navigating(page, () => button(page, 'Send the link').click());
      expect(await page.content()).toContain('a link is on its way');
      await check(page, 'reset link sent');

      const mail = await mailTo(email, /reset/i);
      await openLink(page, mail.link);
      await check(page, 'choose a new password');
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await navigating(page, () => button(page, 'Change password').click());
      expect(where(page)).toBe(`${UI}/signin?done=reset`);
      await check(page, 'sign in after reset');

      await page.getByLabel('Email or username').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await page.content()).toContain(`Signed in as ${email}.`);
      expectCleanScreens([
        'forgot password',
        'reset link sent',
        'choose a new password',
        'sign in after reset',
      ]);
    },
    TIMEOUT,
  );

  it(
    'sign-up → the verification mail → the link page → the button → verified',
    async () => {
      const email = uniqueEmail('verify');
      const page = await newPage();
      await page.goto(url(`${UI}/signup`));
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => button(page, 'Create account').click());
      expect(where(page)).toBe(`${UI}/account`);

      const mail = await mailTo(email, /confirm your email/i);
      await openLink(page, mail.link);
      await check(page, 'verify email');
      const user = await testAuth.auth.users.getByEmail(email);
      expect(user?.emailVerified).toBe(false);
      await navigating(page, () => button(page, 'Confirm my email address').click());
      expect(await page.content()).toContain('Your email address is confirmed.');
      await check(page, 'email verified');
      expect((await testAuth.auth.users.getByEmail(email))?.emailVerified).toBe(true);
      expectCleanScreens(['verify email', 'email verified']);
    },
    TIMEOUT,
  );

  it(
    'email change from the account page → the mail to the new address → confirm → the new address shows',
    async () => {
      const email = uniqueEmail('mover');
      const newEmail = uniqueEmail('moved');
      await testAuth.auth.users.create({ email, password: PASSWORD });
      const page = await newPage();
      await page.goto(url(`${UI}/signin`));
      await page.getByLabel('Email or username').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`${UI}/account`);
      await check(page, 'account');

      await page.getByLabel('New email address').fill('not an address');
      await navigating(page, () => button(page, 'Change email').click());
      expect(await page.locator('#field-newEmail').getAttribute('aria-invalid')).toBe('true');
      await check(page, 'account with email errors');

      await page.getByLabel('New email address').fill(newEmail);
      await navigating(page, () => button(page, 'Change email').click());
      expect(where(page)).toBe(`${UI}/account?done=email`);
      expect(await page.content()).toContain('Check the new address');
      await check(page, 'email change sent');

      const notice = await mailTo(email, /about to change/i);
      expect(notice.text).toContain(newEmail);
      const mail = await mailTo(newEmail, /confirm your new email/i);
      await openLink(page, mail.link);
      await check(page, 'confirm new email');
      expect((await testAuth.auth.users.getByEmail(email))?.email).toBe(email);
      await navigating(page, () => button(page, 'Confirm my new address').click());
      expect(await page.content()).toContain(`Your email address is changed to ${newEmail}.`);
      await check(page, 'email changed');

      await navigating(page, () => page.getByRole('link', { name: 'Your account' }).click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await page.content()).toContain(`Your address is ${newEmail}.`);
      expect(await page.content()).toContain(`Signed in as ${newEmail}.`);
      expectCleanScreens([
        'account',
        'account with email errors',
        'email change sent',
        'confirm new email',
        'email changed',
      ]);
    },
    TIMEOUT,
  );

  /** Whether the page's browser has a session: the account page answers, or it sends to sign-in. */
  async function signedInAs(page: Page): Promise<string | null> {
    const probe = await page.context().newPage();
    try {
      await probe.goto(url(`${UI}/account`));
      const match = /Signed in as ([^<]+)\.<\/p>/.exec(await probe.content());
      return match?.[1] ?? null;
    } finally {
      await probe.close();
    }
  }

  it(
    'magic link from the sign-in page → the mail → the link in another browser → the button → signed in there',
    async () => {
      const email = uniqueEmail('magic');
      await testAuth.auth.users.create({ email, password: PASSWORD });
      const asker = await newPage();
      await asker.goto(url(`${UI}/signin`));
      await navigating(asker, () => asker.getByRole('link', { name: 'Email me a sign-in link' }).click());
      expect(where(asker)).toBe(`${UI}/magic-link`);
      await check(asker, 'magic link request');
      await asker.getByLabel('Email', { exact: true }).fill(email);
      await navigating(asker, () => button(asker, 'Send me a link').click());
      expect(where(asker)).toBe(`${UI}/magic-link/send`);
      expect(await asker.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
      expect(await asker.content()).toContain('a link is on its way');
      expect(await asker.getByLabel('Email', { exact: true }).inputValue()).toBe(email);
      await check(asker, 'magic link sent');

      const mail = await mailTo(email, /^Sign in to /);
      // The mailed link is the API's GET (built from publicUrl), which leads to the landing page.
      expect(mail.link?.startsWith(`${server.url}/auth/magic-link/verify?token=`), mail.link).toBe(true);

      // Another browser — a fresh profile that never asked — opens the link.
      const other = await newPage();
      await other.goto(mail.link ?? '');
      expect(where(other)).toMatch(new RegExp(`^${UI}/magic-link\\?token=.+`));
      await check(other, 'magic link landing');
      // Opening the link spent nothing: it is the button that signs in.
      expect(await signedInAs(other)).toBeNull();
      await navigating(other, () => button(other, 'Sign in').click());
      expect(where(other)).toBe(`${UI}/account`);
      expect(await other.content()).toContain(`Signed in as ${email}.`);
      expect(await signedInAs(other)).toBe(email);
      // The browser that asked is still signed out: the token, not a cookie, is the proof.
      expect(await signedInAs(asker)).toBeNull();

      // The link works once: pressing its button again (in the first browser) explains why not.
      await asker.goto(mail.link ?? '');
      await navigating(asker, () => button(asker, 'Sign in').click());
      expect(await asker.content()).toContain('This link is not valid any more');
      expect(await asker.getByRole('link', { name: 'Ask for a new link' }).count()).toBe(1);
      await check(asker, 'magic link used');
      expect(await signedInAs(asker)).toBeNull();
      expectCleanScreens(['magic link request', 'magic link sent', 'magic link landing', 'magic link used']);
    },
    TIMEOUT,
  );

  it(
    'sign-in code from the sign-in page → the mail → a wrong code is refused beside the field → the right one signs in',
    async () => {
      const email = uniqueEmail('otp');
      await testAuth.auth.users.create({ email, password: PASSWORD });
      const page = await newPage();
      await page.goto(url(`${UI}/signin`));
      await navigating(page, () => page.getByRole('link', { name: 'Email me a sign-in code' }).click());
      expect(where(page)).toBe(`${UI}/otp`);
      await check(page, 'code request');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await navigating(page, () => button(page, 'Send me a code').click());
      expect(where(page)).toBe(`${UI}/otp/send`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
      expect(await page.content()).toContain(`If ${email} can sign in, a 6-digit code is on its way.`);
      await check(page, 'code sent');

      const mail = await mailTo(email, /sign-in code/i);
      const code = mail.code ?? '';
      expect(code).toMatch(/^\d{6}$/);
      expect(mail.subject).toContain(code);

      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      await page.getByLabel('Code', { exact: true }).fill(wrong);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`${UI}/otp`);
      const codeField = page.locator('#field-code');
      expect(await codeField.getAttribute('aria-invalid')).toBe('true');
      expect(await codeField.getAttribute('aria-describedby')).toBe('field-code-error');
      expect(await page.locator('#field-code-error').textContent()).toContain('This code is not right');
      expect(await signedInAs(page)).toBeNull();
      await check(page, 'code with error');

      await page.getByLabel('Code', { exact: true }).fill(code);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await page.content()).toContain(`Signed in as ${email}.`);
      expectCleanScreens(['code request', 'code sent', 'code with error']);
    },
    TIMEOUT,
  );
});
