/**
 * The pre-built UI (`/auth/ui/…`) in a real browser: the standalone server on
 * loopback, the system's Chromium driven by playwright-core. Every screen is
 * used the way a person would — mouse, keyboard only, JavaScript off, in
 * French — and checked for accessibility (axe-core), security headers, first
 * render time and shipped JavaScript. Full-page screenshots of each screen go
 * to `test-results/screenshots/`.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Locator,
  Page,
  Response,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import {
  type AxeViolation,
  axeViolations,
  CHROMIUM_PATH,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  navigating,
  type PageGlobals,
  screenshot,
} from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new horse battery staple';
const UI = '/auth/ui';
const TIMEOUT = 30_000;

const fields = { company: { type: 'string', optional: true, label: 'Company' } } as const;

const suiteName = chromiumAvailable
  ? 'the pre-built UI in Chromium'
  : `the pre-built UI in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let testAuth: TestAuth<typeof fields>;
  let server: RunningServer;
  /** An app on another origin (another loopback port) that the UI may send people back to. */
  let app: Server;
  let appOrigin: string;
  let browser: Browser;
  /** Contexts opened by the running test, closed after it. */
  let open: BrowserContext[] = [];
  /** CSP violations Chromium reported in the functional contexts (which keep the CSP). */
  const cspViolations: string[] = [];
  let userCount = 0;

  beforeAll(async () => {
    app = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>App</title><h1>The app</h1>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    testAuth = await createTestAuth({ rateLimits: false, trustedOrigins: [appOrigin], user: { fields } });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.map((context) => context.close()));
    open = [];
    cspViolations.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await testAuth?.db.drop();
    if (app) {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  const url = (path: string) => `${server.url}${path}`;
  /** The page's path and query, e.g. `/auth/ui/account?done=password`. */
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  const uniqueEmail = (tag: string) => `${tag}-${++userCount}@example.com`;

  /**
   * A fresh browser profile (its own cookie jar). Functional flows keep the
   * pages' CSP; only the axe checks ask for `bypassCSP`.
   */
  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext(options);
    open.push(context);
    const page = await context.newPage();
    if (!options.bypassCSP) {
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
    }
    return page;
  }

  async function goto(page: Page, path: string): Promise<Response> {
    const response = await page.goto(url(path));
    if (!response) throw new Error(`No response for ${path}`);
    return response;
  }

  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  /** A locator's text, trimmed. */
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
  const heading = (page: Page) => text(page.locator('h1'));

  async function signUpInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
    await goto(page, `${UI}/signup`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Company').fill('Analytical Engines Ltd');
    await navigating(page, () => button(page, 'Create account').click());
  }

  async function signInInUi(page: Page, identifier: string, password = PASSWORD, next?: string) {
    await goto(page, `${UI}/signin${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
    await page.getByLabel('Email or username').fill(identifier);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await navigating(page, () => button(page, 'Sign in').click());
  }

  const createUser = (email: string) =>
    testAuth.auth.users.create({ email, password: PASSWORD, firstName: 'Grace', lastName: 'Hopper' });

  it(
    'sign-up, change password, sign out, sign in to a same-origin next — and never to an untrusted one',
    async () => {
      const page = await newPage();
      const email = uniqueEmail('flow');
      const evilRequests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).hostname === 'evil.example') evilRequests.push(request.url());
      });
      await page.route('**://evil.example/**', (route) => route.abort());

      await signUpInUi(page, email);
      expect(where(page)).toBe(`${UI}/account`);
      expect(await heading(page)).toBe('Your account');
      const elsewhere = await newPage({ userAgent: 'E2E other device' });
      await signInInUi(elsewhere, email);
      expect(where(elsewhere)).toBe(`${UI}/account`);
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);
      expect(await page.getByLabel('Company').inputValue()).toBe('Analytical Engines Ltd');
      expect(await page.getByLabel('First name').inputValue()).toBe('Ada');

      // The stylesheet is allowed by the CSP and applied.
      const background = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
        return getComputedStyle(document.documentElement).backgroundColor;
      });
      expect(background).toBe('rgb(243, 244, 246)');

      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await navigating(page, () => button(page, 'Change password').click());
      expect(where(page)).toBe(`${UI}/account?done=password`);
      const notice = page.getByRole('status');
      expect(await text(notice)).toBe('Your password is changed. Your other sessions were signed out.');
      expect(await page.locator('.gh-sessions li').count()).toBe(1);
      // As the notice says, the other device is signed out.
      await goto(elsewhere, `${UI}/account`);
      expect(new URL(elsewhere.url()).pathname).toBe(`${UI}/signin`);

      await navigating(page, () => button(page, 'Sign out').click());
      expect(where(page)).toBe(`${UI}/signin?done=signout`);
      expect(await text(page.getByRole('status'))).toBe('You are signed out.');
      expect((await page.context().cookies()).some((c) => c.name === 'gh_session')).toBe(false);

      // The old password no longer works; the new one does, and `next` (a same-origin path) is followed.
      await signInInUi(page, email, PASSWORD);
      expect(await text(page.getByRole('alert'))).toContain('The email, username or password is not right.');
      await signInInUi(page, email, NEW_PASSWORD, `${UI}/account?x=1`);
      expect(page.url()).toBe(url(`${UI}/account?x=1`));
      expect(await heading(page)).toBe('Your account');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'gh_session');
      expect(cookie?.httpOnly).toBe(true);

      // An untrusted `next` is dropped: sign-in ends on the default page of the same origin.
      await goto(page, `${UI}/signout`);
      await navigating(page, () => button(page, 'Sign out').click());
      expect(where(page)).toBe(`${UI}/signin?done=signout`);
      await signInInUi(page, email, NEW_PASSWORD, 'https://evil.example/');
      expect(page.url()).toBe(url(`${UI}/account`));
      expect(await heading(page)).toBe('Your account');
      expect(evilRequests).toEqual([]);

      // A trusted origin (another port) is followed, through the CSP's form-action, which lists it.
      await goto(page, `${UI}/signout`);
      await navigating(page, () => button(page, 'Sign out').click());
      await signInInUi(page, email, NEW_PASSWORD, `${appOrigin}/welcome?from=signin`);
      expect(page.url()).toBe(`${appOrigin}/welcome?from=signin`);
      expect(await heading(page)).toBe('The app');
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "signs out another device's session, and all other sessions",
    async () => {
      const email = uniqueEmail('devices');
      const first = await newPage();
      await signUpInUi(first, email);
      const second = await newPage({ userAgent: 'E2E second device' });
      await signInInUi(second, email);
      expect(where(second)).toBe(`${UI}/account`);

      await goto(first, `${UI}/account`);
      expect(await first.locator('.gh-sessions li').count()).toBe(2);
      expect(await first.getByText('This device').isVisible()).toBe(true);
      await navigating(first, () => button(first, 'Sign out this session: E2E second device').click());
      expect(where(first)).toBe(`${UI}/account?done=session`);
      expect(await text(first.getByRole('status'))).toBe('That session is signed out.');
      expect(await first.locator('.gh-sessions li').count()).toBe(1);

      // The second device's next page load is sent to sign-in.
      await goto(second, `${UI}/account`);
      expect(where(second)).toBe(`${UI}/signin?next=${encodeURIComponent(`${UI}/account`)}`);
      expect(await heading(second)).toBe('Sign in');

      // "Sign out all other sessions" signs out every other device.
      const third = await newPage({ userAgent: 'E2E third device' });
      const fourth = await newPage({ userAgent: 'E2E fourth device' });
      await signInInUi(third, email);
      await signInInUi(fourth, email);
      await goto(first, `${UI}/account`);
      expect(await first.locator('.gh-sessions li').count()).toBe(3);
      await navigating(first, () => button(first, 'Sign out all other sessions').click());
      expect(where(first)).toBe(`${UI}/account?done=sessions`);
      expect(await text(first.getByRole('status'))).toBe('All your other sessions are signed out.');
      for (const other of [third, fourth]) {
        await goto(other, `${UI}/account`);
        expect(new URL(other.url()).pathname).toBe(`${UI}/signin`);
      }
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'shows field errors tied to their inputs, keeps what was typed but never a password',
    async () => {
      const page = await newPage();
      await goto(page, `${UI}/signup`);
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByLabel('Password', { exact: true }).fill('password');
      await page.getByLabel('Company').fill('Kept Inc');
      await navigating(page, () => button(page, 'Create account').click());

      const summary = page.getByRole('alert');
      expect(await summary.isVisible()).toBe(true);
      expect(await summary.getAttribute('id')).toBe('error-summary');
      expect(await text(summary.locator('h2'))).toBe('There is a problem');

      for (const name of ['email', 'password']) {
        const input = page.locator(`#field-${name}`);
        expect(await input.getAttribute('aria-invalid'), `${name} aria-invalid`).toBe('true');
        const describedBy = await input.getAttribute('aria-describedby');
        expect(describedBy, `${name} aria-describedby`).toBeTruthy();
        const error = page.locator(`#${describedBy}`);
        expect(await error.isVisible(), `${name} error visible`).toBe(true);
        expect((await text(error)).length, `${name} error text`).toBeGreaterThan(0);
        // The summary links to the field.
        expect(await summary.locator(`a[href="#field-${name}"]`).count(), `${name} summary link`).toBe(1);
      }
      // Fields without a problem are not marked.
      expect(await page.locator('#field-company').getAttribute('aria-invalid')).toBeNull();
      expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe('not-an-email');
      expect(await page.getByLabel('Company').inputValue()).toBe('Kept Inc');
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');

      // Wrong password on sign-in.
      const email = uniqueEmail('wrong');
      await createUser(email);
      await signInInUi(page, email, 'not the password at all');
      expect(where(page)).toBe(`${UI}/signin`);
      const alert = page.getByRole('alert');
      expect(await alert.isVisible()).toBe(true);
      expect(await text(alert)).toContain('The email, username or password is not right.');
      expect(await page.getByLabel('Email or username').inputValue()).toBe(email);
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
      expect(await page.content()).not.toContain('not the password at all');
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'signs in with the keyboard alone, with a visible focus ring on each control',
    async () => {
      const email = uniqueEmail('keyboard');
      await createUser(email);
      const page = await newPage();
      await goto(page, `${UI}/signin`);

      const active = () =>
        page.evaluate(() => {
          const browser = globalThis as unknown as PageGlobals;
          const element = browser.document.activeElement;
          if (!element) throw new Error('Nothing has focus.');
          const style = browser.getComputedStyle(element);
          return {
            tag: element.tagName.toLowerCase(),
            id: element.id,
            text: element.textContent?.trim() ?? '',
            focusVisible: element.matches(':focus-visible'),
            outlineStyle: style.outlineStyle,
            outlineWidth: style.outlineWidth,
            left: element.getBoundingClientRect().left,
          };
        });

      // First Tab: the skip link, shown on screen when focused.
      await page.keyboard.press('Tab');
      const skip = await active();
      expect(skip.tag).toBe('a');
      expect(skip.left).toBeGreaterThanOrEqual(0);

      await page.keyboard.press('Tab');
      const identifier = await active();
      expect(identifier.id).toBe('field-identifier');
      expect(identifier.focusVisible).toBe(true);
      expect(identifier.outlineStyle).not.toBe('none');
      expect(identifier.outlineWidth).not.toBe('0px');
      await page.keyboard.type(email);

      await page.keyboard.press('Tab');
      const password = await active();
      expect(password.id).toBe('field-password');
      expect(password.outlineStyle).not.toBe('none');
      await page.keyboard.type(PASSWORD);

      await page.keyboard.press('Tab');
      const submit = await active();
      expect(submit.tag).toBe('button');
      expect(submit.text).toBe('Sign in');
      expect(submit.outlineStyle).not.toBe('none');

      await page.keyboard.press('Shift+Tab');
      expect((await active()).id).toBe('field-password');
      await navigating(page, () => page.keyboard.press('Enter'));
      expect(where(page)).toBe(`${UI}/account`);
      expect(await heading(page)).toBe('Your account');
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'works with JavaScript disabled: sign-up, sign-out and sign-in',
    async () => {
      const page = await newPage({ javaScriptEnabled: false });
      const email = uniqueEmail('nojs');
      await signUpInUi(page, email);
      expect(where(page)).toBe(`${UI}/account`);
      expect(await heading(page)).toBe('Your account');
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);

      await page.getByLabel('First name').fill('Augusta');
      await page.getByLabel('Username').fill(`nojs${userCount}`);
      await navigating(page, () => button(page, 'Save').click());
      expect(where(page)).toBe(`${UI}/account?done=profile`);
      expect(await text(page.getByRole('status'))).toBe('Your profile is saved.');
      expect(await page.getByLabel('First name').inputValue()).toBe('Augusta');

      await goto(page, `${UI}/signout`);
      expect(await heading(page)).toBe('Sign out');
      await navigating(page, () => button(page, 'Sign out').click());
      expect(where(page)).toBe(`${UI}/signin?done=signout`);
      expect(await text(page.getByRole('status'))).toBe('You are signed out.');

      // "Email or username": this time the username.
      await signInInUi(page, `nojs${userCount}`, PASSWORD, `${UI}/account?from=nojs`);
      expect(where(page)).toBe(`${UI}/account?from=nojs`);
      expect(await heading(page)).toBe('Your account');
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'has no serious or critical axe-core violations on any screen',
    async () => {
      // axe is a script injected into the page: the UI's CSP (`default-src 'none'`, no script-src)
      // would block it, so this context alone bypasses the CSP. Functional flows never do.
      const page = await newPage({ bypassCSP: true });
      const results: Record<string, AxeViolation[]> = {};
      const check = async (name: string) => {
        results[name] = await axeViolations(page);
      };

      await goto(page, '/');
      await check('home (signed out)');
      await goto(page, `${UI}/signin`);
      await check('sign-in');
      await page.getByLabel('Email or username').fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('wrong password here');
      await navigating(page, () => button(page, 'Sign in').click());
      await check('sign-in with errors');
      await goto(page, `${UI}/signup`);
      await check('sign-up');
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByLabel('Password', { exact: true }).fill('password');
      await navigating(page, () => button(page, 'Create account').click());
      await check('sign-up with errors');
      await signUpInUi(page, uniqueEmail('axe'));
      await check('account');
      await page.getByLabel('Current password').fill('wrong current password');
      await page.getByLabel('New password').fill('short');
      await navigating(page, () => button(page, 'Change password').click());
      await check('account with password errors');
      await goto(page, `${UI}/account?done=profile`);
      await check('account with notice');
      await goto(page, `${UI}/signout`);
      await check('sign-out');
      await goto(page, '/');
      await check('home (signed in)');
      await goto(page, `${UI}/no-such-page`);
      await check('not found');

      const summary = Object.entries(results).map(
        ([name, violations]) =>
          `${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`,
      );
      console.log(`axe-core results:\n  ${summary.join('\n  ')}`);
      for (const [name, violations] of Object.entries(results)) {
        if (violations.length > 0) console.log(`axe-core on ${name}:\n${describeViolations(violations)}`);
      }
      const severe = Object.entries(results).flatMap(([name, violations]) =>
        violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${name}: ${describeViolations([v])}`),
      );
      expect(severe, severe.join('\n')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'speaks French to a French browser',
    async () => {
      const page = await newPage({ locale: 'fr-FR' });
      const response = await goto(page, `${UI}/signin`);
      expect(response.headers()['content-language']).toBe('fr');
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      expect(await heading(page)).toBe('Connexion');
      expect(await button(page, 'Se connecter').isVisible()).toBe(true);
      expect(await page.getByLabel('Mot de passe', { exact: true }).isVisible()).toBe(true);
      expect(await page.title()).toBe('Connexion · Gatehouse');

      await page.getByLabel('E-mail ou nom d’utilisateur').fill('personne@example.com');
      await page.getByLabel('Mot de passe', { exact: true }).fill('mauvais mot de passe');
      await navigating(page, () => button(page, 'Se connecter').click());
      const alert = page.getByRole('alert');
      expect(await text(alert.locator('h2'))).toBe('Il y a un problème');
      expect(await text(alert)).toContain('L’e-mail, le nom d’utilisateur ou le mot de passe est incorrect.');
    },
    TIMEOUT,
  );

  it(
    'shows field errors in French on French pages, not the English sentences',
    async () => {
      const fieldErrors = async (locale: string) => {
        const page = await newPage({ locale });
        await goto(page, `${UI}/signup`);
        await page.locator('#field-email').fill('not-an-email');
        await page.locator('#field-password').fill('password');
        await navigating(page, () => page.locator('form button[type=submit]').click());
        const signUp = await page.locator('.gh-error').allInnerTexts();
        await goto(page, `${UI}/signin`);
        await navigating(page, () => page.locator('form button[type=submit]').click());
        const signIn = await page.locator('.gh-error').allInnerTexts();
        expect(await page.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
        return [...signUp, ...signIn];
      };
      const english = await fieldErrors('en-US');
      const french = await fieldErrors('fr-FR');
      // Email, password (sign-up); email or username, password (empty sign-in).
      expect(english).toHaveLength(4);
      expect(french).toHaveLength(4);
      const untranslated = french.filter((text) => english.includes(text));
      expect(untranslated, `English sentences on French pages: ${JSON.stringify(untranslated)}`).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'names the skip link for what it does, not after the page',
    async () => {
      const page = await newPage();
      const screens: Record<string, string> = {
        home: '/',
        'sign-in': `${UI}/signin`,
        'sign-up': `${UI}/signup`,
        'sign-out': `${UI}/signout`,
        'not found': `${UI}/no-such-page`,
      };
      const clashes: string[] = [];
      for (const [name, path] of Object.entries(screens)) {
        await goto(page, path);
        const skip = page.locator('a[href="#main"]');
        expect(await skip.count(), `${name} has a skip link`).toBe(1);
        const skipText = await text(skip);
        const title = await heading(page);
        const controls = (await page.locator('main a, main button').allTextContents()).map((c) => c.trim());
        if (skipText === title || controls.includes(skipText)) {
          clashes.push(
            `${name}: skip link "${skipText}" (heading "${title}", controls ${JSON.stringify(controls)})`,
          );
        }
      }
      expect(clashes, clashes.join('\n')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'sends security headers with every page, and cannot be framed',
    async () => {
      const page = await newPage();
      const pages: Record<string, Response> = {};
      pages.home = await goto(page, '/');
      pages['sign-in'] = await goto(page, `${UI}/signin`);
      pages['sign-up'] = await goto(page, `${UI}/signup`);
      pages['sign-out'] = await goto(page, `${UI}/signout`);
      pages['not found'] = await goto(page, `${UI}/no-such-page`);
      expect(pages['not found'].status()).toBe(404);
      await goto(page, `${UI}/signin`);
      const erroring = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.getByLabel('Email or username').fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('wrong password here');
      await navigating(page, () => button(page, 'Sign in').click());
      pages['sign-in with errors'] = await erroring;
      await signUpInUi(page, uniqueEmail('headers'));
      const account = await goto(page, `${UI}/account`);
      expect(where(page)).toBe(`${UI}/account`);
      pages.account = account;

      for (const [name, response] of Object.entries(pages)) {
        const headers = response.headers();
        expect(headers['content-type'], name).toBe('text/html; charset=utf-8');
        const csp = headers['content-security-policy'] ?? '';
        expect(csp, `${name} CSP`).toContain("frame-ancestors 'none'");
        expect(csp, `${name} CSP`).toContain("default-src 'none'");
        // Scripts (the passkey ones) from this origin alone, and only where passkeys are offered.
        if (['sign-in', 'sign-in with errors', 'account'].includes(name)) {
          expect(csp, `${name} CSP`).toContain("script-src 'self'; connect-src 'self';");
        } else {
          expect(csp, `${name} CSP`).not.toContain('script-src');
        }
        expect(headers['x-frame-options'], name).toBe('DENY');
        expect(headers['referrer-policy'], name).toBeTruthy();
        expect(headers['x-content-type-options'], name).toBe('nosniff');
        expect(headers['cache-control'], name).toBe('no-store');
      }

      // A page that frames the sign-in page gets Chromium's "content is blocked" page instead.
      await page.goto('about:blank');
      await page.setContent(`<iframe src="${url(`${UI}/signin`)}" title="framed"></iframe>`);
      const framed = page.frames().find((frame) => frame !== page.mainFrame());
      expect(framed).toBeDefined();
      expect(framed?.url()).not.toBe(url(`${UI}/signin`));
      expect(await framed?.locator('#field-identifier').count()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'renders the sign-in page fast and ships JavaScript only for passkeys, to the sign-in and account pages',
    async () => {
      const page = await newPage();
      const loadSignIn = async () => {
        await goto(page, `${UI}/signin`);
        return page.evaluate(() => {
          const { performance } = globalThis as unknown as PageGlobals;
          const [entry] = performance.getEntriesByType('navigation');
          return entry ? entry.responseEnd - entry.startTime : Number.NaN;
        });
      };
      await loadSignIn(); // warm-up
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await loadSignIn());
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[2] ?? Number.NaN;
      console.log(
        `sign-in first render (navigation start → response end), ms: ${times.map((t) => t.toFixed(1)).join(', ')}; median ${median.toFixed(1)}`,
      );
      expect(median).toBeLessThan(100);

      // No JavaScript but the passkey scripts (two, from this origin), and only where passkeys are offered.
      const scripts: string[] = [];
      let scriptBytesGzipped = 0;
      page.on('response', async (response) => {
        const type = response.headers()['content-type'] ?? '';
        if (response.request().resourceType() === 'script' || /javascript|ecmascript/.test(type)) {
          scripts.push(response.url());
          scriptBytesGzipped += gzipSync(await response.body()).length;
        }
      });
      const counts: Record<string, number> = {};
      const visit = async (name: string, path: string) => {
        await goto(page, path);
        counts[name] = await page.locator('script').count();
      };
      await visit('home', '/');
      await visit('sign-in', `${UI}/signin`);
      await visit('sign-up', `${UI}/signup`);
      await signUpInUi(page, uniqueEmail('nojsshipped'));
      counts.account = await page.locator('script').count();
      await visit('sign-out', `${UI}/signout`);
      await visit('home (signed in)', '/');
      await visit('not found', `${UI}/no-such-page`);
      expect(counts).toEqual({
        home: 0,
        'sign-in': 2,
        'sign-up': 0,
        account: 2,
        'sign-out': 0,
        'home (signed in)': 0,
        'not found': 0,
      });
      expect([...new Set(scripts.map((script) => new URL(script).pathname))]).toEqual([
        expect.stringMatching(/^\/auth\/ui\/assets\/webauthn-[0-9a-f]{10}\.js$/),
        expect.stringMatching(/^\/auth\/ui\/assets\/passkeys-[0-9a-f]{10}\.js$/),
      ]);
      expect(scriptBytesGzipped).toBeLessThanOrEqual(50 * 1024);
    },
    TIMEOUT,
  );

  it(
    'saves a full-page screenshot of every screen',
    async () => {
      const page = await newPage();
      const shots: string[] = [];
      const shoot = async (name: string) => shots.push(await screenshot(page, name));

      await goto(page, '/');
      await shoot('home');
      await goto(page, `${UI}/signin`);
      await shoot('sign-in');
      await page.getByLabel('Email or username').fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('wrong password here');
      await navigating(page, () => button(page, 'Sign in').click());
      await shoot('sign-in-errors');
      await goto(page, `${UI}/signup`);
      await shoot('sign-up');
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByLabel('Password', { exact: true }).fill('password');
      await navigating(page, () => button(page, 'Create account').click());
      await shoot('sign-up-errors');
      await signUpInUi(page, uniqueEmail('screens'));
      await shoot('account');
      await goto(page, `${UI}/signout`);
      await shoot('sign-out');
      await goto(page, '/');
      await shoot('home-signed-in');
      await goto(page, `${UI}/no-such-page`);
      await shoot('not-found');
      const french = await newPage({ locale: 'fr-FR' });
      await goto(french, `${UI}/signin`);
      shots.push(await screenshot(french, 'sign-in-fr'));

      for (const path of shots) {
        const png = readFileSync(path);
        expect(png.subarray(1, 4).toString('latin1'), path).toBe('PNG');
        expect(png.length, path).toBeGreaterThan(1000);
      }
    },
    TIMEOUT,
  );
});
