/**
 * The staff dashboard (`/auth/dashboard/…`) in a real browser: the standalone
 * server on loopback, the system's Chromium driven by playwright-core. Staff
 * sign in through the real sign-in page (the dashboard sends them there with
 * `next`) and use every screen the way a person would: users (search,
 * filters, pages, create, edit, flags, password, groups, permissions,
 * sessions, history, delete), groups (with the permission picker's filter),
 * permissions, the audit log (filters, pages, CSV) and impersonation. Each
 * screen is checked for accessibility (axe-core), security headers, shipped
 * JavaScript and a 375px-wide viewport, and a staff member whose permissions
 * are few sees only what they may use — and is refused by the API when they
 * post the forms anyway. Full-page screenshots go to `test-results/screenshots/`.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import { readFileSync } from 'node:fs';
import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Locator,
  Page,
  Response,
} from 'playwright-core';
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
  launchChromium,
  navigating,
  type PageGlobals,
  screenshot,
  widthReport,
} from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new horse battery staple';
const UI = '/auth/ui';
const DASH = '/auth/dashboard';
const TIMEOUT = 30_000;
const ROOT_EMAIL = 'root@example.com';
const REFUSED = 'Your account does not have the permission this needs.';
const API_REFUSED = 'You do not have permission to do this.';

const suiteName = chromiumAvailable
  ? 'the staff dashboard in Chromium'
  : `the staff dashboard in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

type AnyUser = User<Record<never, never>>;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let browser: Browser;
  /** Contexts opened by the running test, closed after it. */
  let open: BrowserContext[] = [];
  /** CSP violations Chromium reported in the functional contexts (which keep the CSP). */
  const cspViolations: string[] = [];
  let counter = 0;
  /** What the screen checks look at: a user with a bit of everything, a group, a permission. */
  let showcase: { user: AnyUser; groupId: string };
  /** The superuser's cookie, from one sign-in through the real sign-in page (see {@link asRoot}). */
  let rootState: Awaited<ReturnType<BrowserContext['storageState']>>;

  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: false });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    const { auth } = testAuth;
    await auth.users.createSuperuser({ email: ROOT_EMAIL, password: PASSWORD, firstName: 'Root' });
    const user = await auth.users.create({
      email: 'grace.brewster.murray.hopper.of.the.navy@showcase.example',
      password: PASSWORD,
      firstName: 'Grace',
      lastName: 'Hopper',
      username: 'amazing_grace',
    });
    const group = await auth.permissions.createGroup('Showcase support', ['user.view', 'user.change']);
    await auth.permissions.addUserToGroup(user.id, 'Showcase support');
    await auth.permissions.grantToUser(user.id, ['audit.view']);
    const longAgent =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ShowcaseBrowser/123.0.0.0 Safari/537.36';
    await auth.sessions.create(user.id, { userAgent: longAgent, ip: '203.0.113.7' });
    await auth.sessions.create(user.id, { userAgent: 'E2E showcase phone', ip: '2001:db8::1' });
    await auth.audit.record({
      type: 'signin_failed',
      userId: user.id,
      ip: '203.0.113.7',
      userAgent: longAgent,
    });
    await auth.permissions.create('report.export', 'Can export reports');
    showcase = { user, groupId: group.id };

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}${DASH}/users`);
    expect(new URL(page.url()).pathname).toBe(`${UI}/signin`);
    await fillSignIn(page, ROOT_EMAIL);
    expect(new URL(page.url()).pathname).toBe(`${DASH}/users`);
    rootState = await context.storageState();
    await context.close();
  });
  afterEach(async () => {
    await Promise.all(open.map((context) => context.close()));
    open = [];
    cspViolations.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await testAuth?.close();
  });

  const url = (path: string) => `${server.url}${path}`;
  /** The page's path and query, e.g. `/auth/dashboard/users?done=deleted`. */
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  const pathOf = (page: Page) => new URL(page.url()).pathname;
  const uniqueEmail = (tag: string) => `${tag}-${++counter}@example.com`;
  const auth = () => testAuth.auth;

  /** A fresh browser profile (its own cookie jar); only the axe checks bypass the pages' CSP. */
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

  /** Like {@link navigating}, returning the response to the request the action made (a form post's answer). */
  async function submitting(page: Page, action: () => Promise<void>): Promise<Response> {
    const answered = page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
    );
    await navigating(page, action);
    return answered;
  }

  async function goto(page: Page, path: string): Promise<Response> {
    const response = await page.goto(url(path));
    if (!response) throw new Error(`No response for ${path}`);
    return response;
  }

  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const link = (page: Page, name: string) => page.getByRole('link', { name, exact: true });
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
  const heading = (page: Page) => text(page.locator('h1'));
  const notice = (page: Page) => text(page.getByRole('status'));
  const rows = (page: Page, table: string) => page.locator(`.gh-table[aria-label="${table}"] tbody tr`);
  const navLinks = (page: Page) => page.locator('nav.gh-nav ul a').allTextContents();

  /** Fills and submits the real sign-in page the browser is on. */
  async function fillSignIn(page: Page, identifier: string, password = PASSWORD): Promise<void> {
    await page.getByLabel('Email or username').fill(identifier);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await navigating(page, () => button(page, 'Sign in').click());
  }

  /**
   * A new browser profile opening `path` in the dashboard: sent to the sign-in
   * page with `next`, signed in there as `email`, and back on `path`.
   */
  async function dashboardAs(
    email: string,
    path = '/users',
    options: BrowserContextOptions = {},
  ): Promise<Page> {
    const page = await newPage(options);
    await goto(page, `${DASH}${path}`);
    expect(where(page)).toBe(`${UI}/signin?next=${encodeURIComponent(`${DASH}${path}`)}`);
    await fillSignIn(page, email);
    expect(where(page)).toBe(`${DASH}${path}`);
    return page;
  }

  /**
   * A new browser profile of the superuser (the cookie of the sign-in made
   * once, in `beforeAll`) on `path`. Flows that end or replace that session
   * (impersonation, signing out) sign in afresh with {@link dashboardAs}.
   */
  async function asRoot(path: string, options: BrowserContextOptions = {}): Promise<Page> {
    const page = await newPage({ ...options, storageState: rootState });
    await goto(page, `${DASH}${path}`);
    expect(where(page)).toBe(`${DASH}${path}`);
    return page;
  }

  /** A user signed in to the account page in a profile of their own (another device). */
  async function signedInElsewhere(email: string, userAgent: string, password = PASSWORD): Promise<Page> {
    const page = await newPage({ userAgent });
    await goto(page, `${UI}/signin`);
    await fillSignIn(page, email, password);
    expect(where(page)).toBe(`${UI}/account`);
    return page;
  }

  /** Whether `page`, reloading the account page, is still signed in. */
  async function stillSignedIn(page: Page): Promise<boolean> {
    await goto(page, `${UI}/account`);
    return pathOf(page) === `${UI}/account`;
  }

  const createUser = (tag: string, extra: Record<string, unknown> = {}) =>
    auth().users.create({ email: uniqueEmail(tag), password: PASSWORD, firstName: 'Ada', ...extra });

  /** A staff member holding exactly `permissions` (direct grants). */
  async function staffWith(tag: string, permissions: string[]): Promise<AnyUser> {
    const staff = await createUser(tag, { isStaff: true });
    await auth().permissions.grantToUser(staff.id, permissions);
    return staff;
  }

  /** Posts a form straight to `path` with the page's cookies and the server's origin, as a forged form would. */
  const postForm = (page: Page, path: string, form: Record<string, string> = {}) =>
    page.request.post(url(path), { form, headers: { origin: server.url }, maxRedirects: 0 });

  // ---------------------------------------------------------------------------------------------
  // Every screen: accessibility, headers, no JavaScript, narrow viewport, screenshots.

  /** The dashboard's screens for a superuser, each reached as a person would (POSTs by submitting the form). */
  function screens(): {
    name: string;
    heading: string;
    status: number;
    /** False for a variant of a screen already checked (the same template with other data). */
    axe?: false;
    open(page: Page): Promise<Response>;
  }[] {
    const id = showcase.user.id;
    return [
      { name: 'users', heading: 'Users', status: 200, open: (p) => goto(p, `${DASH}/users`) },
      {
        name: 'users-filtered',
        axe: false,
        heading: 'Users',
        status: 200,
        open: (p) => goto(p, `${DASH}/users?q=showcase&active=true&staff=false`),
      },
      { name: 'user-new', heading: 'Add user', status: 200, open: (p) => goto(p, `${DASH}/users/new`) },
      {
        name: 'user-new-errors',
        heading: 'Add user',
        status: 400,
        open: async (p) => {
          await goto(p, `${DASH}/users/new`);
          await p.locator('#field-email').fill('not-an-email');
          return submitting(p, () => button(p, 'Create user').click());
        },
      },
      {
        name: 'user-detail',
        heading: showcase.user.email,
        status: 200,
        open: (p) => goto(p, `${DASH}/users/${id}`),
      },
      {
        name: 'user-detail-errors',
        heading: showcase.user.email,
        status: 400,
        open: async (p) => {
          await goto(p, `${DASH}/users/${id}`);
          await p.locator('#field-password').fill('password');
          return submitting(p, () => button(p, 'Set password').click());
        },
      },
      {
        name: 'user-delete-confirm',
        heading: 'Delete user',
        status: 200,
        open: (p) => goto(p, `${DASH}/users/${id}/delete`),
      },
      { name: 'groups', heading: 'Groups', status: 200, open: (p) => goto(p, `${DASH}/groups`) },
      {
        name: 'group-detail',
        heading: 'Showcase support',
        status: 200,
        open: (p) => goto(p, `${DASH}/groups/${showcase.groupId}`),
      },
      {
        name: 'group-detail-filtered',
        axe: false,
        heading: 'Showcase support',
        status: 200,
        open: (p) => goto(p, `${DASH}/groups/${showcase.groupId}?filter=audit`),
      },
      {
        name: 'group-delete-confirm',
        heading: 'Delete group',
        status: 200,
        open: (p) => goto(p, `${DASH}/groups/${showcase.groupId}/delete`),
      },
      {
        name: 'permissions',
        heading: 'Permissions',
        status: 200,
        open: (p) => goto(p, `${DASH}/permissions`),
      },
      {
        name: 'permissions-errors',
        heading: 'Permissions',
        status: 400,
        open: async (p) => {
          await goto(p, `${DASH}/permissions`);
          await p.locator('#field-codename').fill('Not A Codename');
          return submitting(p, () => button(p, 'Create permission').click());
        },
      },
      {
        name: 'permission-delete-confirm',
        heading: 'Delete permission',
        status: 200,
        open: (p) => goto(p, `${DASH}/permissions/report.export/delete`),
      },
      { name: 'audit', heading: 'Audit log', status: 200, open: (p) => goto(p, `${DASH}/audit`) },
      {
        name: 'audit-filtered',
        axe: false,
        heading: 'Audit log',
        status: 200,
        open: (p) => goto(p, `${DASH}/audit?type=signin_failed&user=${id}`),
      },
      {
        name: 'audit-errors',
        heading: 'Audit log',
        status: 400,
        open: (p) => goto(p, `${DASH}/audit?type=Not%20a%20type`),
      },
      { name: 'not-found', heading: 'Not found', status: 404, open: (p) => goto(p, `${DASH}/no-such-page`) },
    ];
  }

  it(
    'renders every screen for a superuser with security headers, no JavaScript and no serious axe violations',
    async () => {
      // axe is a script injected into the page: the dashboard's CSP (no script-src) would block it,
      // so this context alone bypasses the CSP. The functional flows below never do.
      const page = await asRoot('/users', {
        bypassCSP: true,
        viewport: { width: 1280, height: 900 },
      });
      const scripts: string[] = [];
      page.on('response', (response) => {
        const type = response.headers()['content-type'] ?? '';
        if (response.request().resourceType() === 'script' || /javascript|ecmascript/.test(type)) {
          scripts.push(response.url());
        }
      });
      const results: Record<string, AxeViolation[]> = {};
      const problems: string[] = [];
      for (const screen of screens()) {
        const response = await screen.open(page);
        expect(response.status(), screen.name).toBe(screen.status);
        expect(await heading(page), screen.name).toBe(screen.heading);
        expect(await page.title(), screen.name).toMatch(/ · Gatehouse dashboard$/);
        const headers = response.headers();
        const csp = headers['content-security-policy'] ?? '';
        if (!csp.includes("frame-ancestors 'none'")) problems.push(`${screen.name}: CSP ${csp}`);
        if (!csp.includes("default-src 'none'") || csp.includes('script-src'))
          problems.push(`${screen.name}: CSP allows scripts: ${csp}`);
        if (headers['cache-control'] !== 'no-store')
          problems.push(`${screen.name}: cache-control ${headers['cache-control']}`);
        if (headers['x-content-type-options'] !== 'nosniff')
          problems.push(`${screen.name}: x-content-type-options ${headers['x-content-type-options']}`);
        if (headers['x-frame-options'] !== 'DENY') problems.push(`${screen.name}: x-frame-options`);
        if (headers['content-type'] !== 'text/html; charset=utf-8')
          problems.push(`${screen.name}: content-type`);
        const scriptElements = await page.locator('script').count();
        if (scriptElements > 0) problems.push(`${screen.name}: ${scriptElements} <script> element(s)`);
        await screenshot(page, `dashboard-${screen.name}`);
        if (screen.axe !== false) results[screen.name] = await axeViolations(page);
      }
      expect(problems, problems.join('\n')).toEqual([]);
      expect(scripts).toEqual([]);

      const summary = Object.entries(results).map(
        ([name, violations]) =>
          `${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`,
      );
      console.log(`axe-core results (dashboard):\n  ${summary.join('\n  ')}`);
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
    'fits a 375px-wide phone: no sideways page scroll, the tables scroll inside their box',
    async () => {
      const page = await asRoot('/users', { viewport: { width: 375, height: 800 } });
      const problems: string[] = [];
      const tableScrolls: Record<string, boolean> = {};
      for (const screen of screens()) {
        await screen.open(page);
        expect(await heading(page), screen.name).toBe(screen.heading);
        // The stylesheet is let in by the CSP (this context keeps it) and applied.
        const background = await page.evaluate(() => {
          const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
          return getComputedStyle(document.documentElement).backgroundColor;
        });
        expect(background, screen.name).toBe('rgb(243, 244, 246)');
        const report = await widthReport(page, '.gh-table');
        expect(report.viewport).toBe(375);
        if (report.pageOverflow > 0 || report.offenders.length > 0) {
          problems.push(
            `${screen.name}: the page scrolls ${report.pageOverflow}px sideways; sticking out: ${report.offenders.join(', ')}`,
          );
        }
        tableScrolls[screen.name] = report.scrollBoxes.some((box) => box.scrollWidth > box.clientWidth);
        await screenshot(page, `dashboard-375-${screen.name}`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
      // The wide tables do not fit 375px: they scroll in their own box, which is why the page does not.
      expect(tableScrolls.users).toBe(true);
      expect(tableScrolls['user-detail']).toBe(true);
      expect(tableScrolls.audit).toBe(true);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'can be used with the keyboard alone: skip link, then search users with Tab and Enter',
    async () => {
      const needle = `kbd${Date.now().toString(36)}`;
      for (const name of ['Alpha', 'Beta']) {
        await auth().users.create({ email: `${needle}-${name.toLowerCase()}@example.com`, password: null });
      }
      const page = await asRoot('/users');
      const active = () =>
        page.evaluate(() => {
          const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
          const element = document.activeElement;
          return {
            id: element?.id ?? '',
            tag: element?.tagName.toLowerCase() ?? '',
            text: element?.textContent?.trim() ?? '',
            outlineStyle: element ? getComputedStyle(element).outlineStyle : 'none',
          };
        });
      await page.keyboard.press('Tab');
      const skip = await active();
      expect(skip).toMatchObject({ tag: 'a', text: 'Skip to content' });
      expect(skip.outlineStyle).not.toBe('none');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const add = await active();
      expect(add).toMatchObject({ tag: 'a', text: 'Add user' });
      expect(add.outlineStyle).not.toBe('none');
      await page.keyboard.press('Tab');
      const search = await active();
      expect(search.id).toBe('filter-q');
      expect(search.outlineStyle).not.toBe('none');
      await page.keyboard.type(needle);
      await navigating(page, () => page.keyboard.press('Enter'));
      expect(where(page).startsWith(`${DASH}/users?q=${needle}&`)).toBe(true);
      const found = await rows(page, 'Users').locator('td:first-child').allTextContents();
      expect(found.map((cell) => cell.trim()).sort()).toEqual([
        `${needle}-alpha@example.com`,
        `${needle}-beta@example.com`,
      ]);
      expect(await page.locator('#filter-q').inputValue()).toBe(needle);

      // On to a user, still by keyboard: Tab along to the row's link, and Enter opens it.
      const target = `${needle}-beta@example.com`;
      let presses = 0;
      while ((await active()).text !== target && presses < 30) {
        await page.keyboard.press('Tab');
        presses++;
      }
      expect((await active()).tag).toBe('a');
      await navigating(page, () => page.keyboard.press('Enter'));
      expect(await heading(page)).toBe(target);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Users.

  it(
    'lists users: search narrows, the active and staff filters apply, and the next-page link pages on',
    async () => {
      const tag = `pager${Date.now().toString(36)}`;
      const created = await Promise.all(
        Array.from({ length: 53 }, (_, i) =>
          auth().users.create({
            email: `${tag}-${String(i).padStart(2, '0')}@paging.example`,
            password: null,
            lastName: 'Pager',
            ...(i === 1 || i === 2 ? { isActive: false } : {}),
            ...(i === 3 ? { isStaff: true } : {}),
          }),
        ),
      );
      const page = await asRoot('/users');
      // All users, oldest first: the superuser is among them, and more than a page: a next-page link.
      expect(await rows(page, 'Users').count()).toBe(50);
      expect(await rows(page, 'Users').first().locator('td').first().textContent()).toBe(ROOT_EMAIL);
      expect(await link(page, 'Next page').count()).toBe(1);

      await page.getByLabel('Search').fill(tag);
      await navigating(page, () => button(page, 'Search').click());
      expect(await rows(page, 'Users').count()).toBe(50);
      const firstPage = (await rows(page, 'Users').locator('td:first-child').allTextContents()).map((t) =>
        t.trim(),
      );
      expect(firstPage.every((email) => email.startsWith(tag))).toBe(true);
      expect(await rows(page, 'Users').filter({ hasText: 'Inactive' }).count()).toBe(2);
      const next = link(page, 'Next page');
      expect(new URL((await next.getAttribute('href')) ?? '', server.url).searchParams.get('q')).toBe(tag);
      await navigating(page, () => next.click());
      expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
      const secondPage = (await rows(page, 'Users').locator('td:first-child').allTextContents()).map((t) =>
        t.trim(),
      );
      // Every one of the 53, once, across the two pages.
      expect([...firstPage, ...secondPage].sort()).toEqual(created.map((user) => user.email).sort());
      expect(await link(page, 'Next page').count()).toBe(0);
      expect(await page.locator('#filter-q').inputValue()).toBe(tag);

      // A narrower search: one user.
      await page.getByLabel('Search').fill(`${tag}-07`);
      await navigating(page, () => button(page, 'Search').click());
      expect(await rows(page, 'Users').count()).toBe(1);

      // Active: no — just the two deactivated ones.
      await page.getByLabel('Search').fill(tag);
      await page.getByLabel('Active').selectOption('false');
      await navigating(page, () => button(page, 'Search').click());
      expect(new URL(page.url()).searchParams.get('active')).toBe('false');
      const inactive = (await rows(page, 'Users').locator('td:first-child').allTextContents()).map((t) =>
        t.trim(),
      );
      expect(inactive.sort()).toEqual([created[1]?.email, created[2]?.email].sort());
      expect(await page.getByLabel('Active').inputValue()).toBe('false');

      // Staff: yes (and active: either) — the one staff member.
      await page.getByLabel('Active').selectOption('');
      await page.getByLabel('Staff').selectOption('true');
      await navigating(page, () => button(page, 'Search').click());
      const staffRows = rows(page, 'Users');
      expect(await staffRows.count()).toBe(1);
      expect(await text(staffRows.locator('td').first())).toBe(created[3]?.email);
      expect(await text(staffRows.locator('td').nth(2))).toContain('Staff');

      // Nothing matches: said so.
      await goto(page, `${DASH}/users?q=no-such-user-anywhere`);
      expect(await page.getByText('No users match.').isVisible()).toBe(true);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'creates a user: errors beside the fields, then the new user’s page',
    async () => {
      const page = await asRoot('/users');
      await navigating(page, () => link(page, 'Add user').click());
      expect(where(page)).toBe(`${DASH}/users/new`);
      expect(await heading(page)).toBe('Add user');

      await page.locator('#field-email').fill('not-an-email');
      await page.locator('#field-firstName').fill('Katherine');
      await page.locator('#field-password').fill(PASSWORD);
      const refused = await submitting(page, () => button(page, 'Create user').click());
      expect(refused.status()).toBe(400);
      const email = page.locator('#field-email');
      expect(await email.getAttribute('aria-invalid')).toBe('true');
      expect(await email.getAttribute('aria-describedby')).toBe('field-email-error');
      expect(await text(page.locator('#field-email-error'))).not.toBe('');
      expect(await page.getByRole('alert').getByRole('link').first().getAttribute('href')).toBe(
        '#field-email',
      );
      // What was typed stays, except the password.
      expect(await email.inputValue()).toBe('not-an-email');
      expect(await page.locator('#field-firstName').inputValue()).toBe('Katherine');
      expect(await page.locator('#field-password').inputValue()).toBe('');

      // A password the validators refuse is shown beside the password.
      const address = uniqueEmail('katherine');
      await email.fill(address);
      await page.locator('#field-password').fill('password');
      expect((await submitting(page, () => button(page, 'Create user').click())).status()).toBe(400);
      expect(await text(page.locator('#field-password-error'))).not.toBe('');
      expect(await auth().users.getByEmail(address)).toBeNull();

      await page.locator('#field-password').fill(PASSWORD);
      await page.locator('#field-lastName').fill('Johnson');
      await page.getByLabel('Staff (may open this dashboard)').check();
      await navigating(page, () => button(page, 'Create user').click());
      const user = await auth().users.getByEmail(address);
      expect(user).not.toBeNull();
      expect(where(page)).toBe(`${DASH}/users/${user?.id}?done=created`);
      expect(await heading(page)).toBe(address);
      expect(await notice(page)).toBe('Created.');
      expect(user).toMatchObject({
        firstName: 'Katherine',
        lastName: 'Johnson',
        isStaff: true,
        isSuperuser: false,
      });
      expect(await auth().users.checkPassword(user?.id ?? '', PASSWORD)).toBe(true);
      const [event] = await auth().audit.list({ userId: user?.id ?? '', type: 'user_created' });
      expect(event?.actorId).toBe((await auth().users.getByEmail(ROOT_EMAIL))?.id);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'edits a user’s profile and flags; deactivating signs their browser out',
    async () => {
      const user = await createUser('edited');
      const theirs = await signedInElsewhere(user.email, 'E2E edited laptop');
      const page = await asRoot(`/users/${user.id}`);
      expect(await page.locator('#field-email').inputValue()).toBe(user.email);
      expect(await page.getByLabel('Active (may sign in)').isChecked()).toBe(true);

      // A taken email is refused beside the field.
      await page.locator('#field-email').fill(ROOT_EMAIL);
      expect((await submitting(page, () => button(page, 'Save profile').click())).status()).toBe(409);
      expect(await text(page.getByRole('alert'))).not.toBe('');
      expect((await auth().users.get(user.id))?.email).toBe(user.email);

      await page.locator('#field-email').fill(user.email);
      await page.locator('#field-firstName').fill('Adele');
      await page.locator('#field-lastName').fill('Goldberg');
      await page.locator('#field-username').fill(`adele${counter}`);
      await page.getByLabel('Email verified').check();
      await navigating(page, () => button(page, 'Save profile').click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}?done=saved`);
      expect(await notice(page)).toBe('Saved.');
      expect(await page.locator('#field-firstName').inputValue()).toBe('Adele');
      expect(await auth().users.get(user.id)).toMatchObject({
        firstName: 'Adele',
        lastName: 'Goldberg',
        username: `adele${counter}`,
        emailVerified: true,
        isActive: true,
      });
      expect(await stillSignedIn(theirs)).toBe(true);

      await page.getByLabel('Active (may sign in)').uncheck();
      await page.getByLabel('Staff (may open this dashboard)').check();
      await navigating(page, () => button(page, 'Save profile').click());
      expect(await notice(page)).toBe('Saved.');
      expect(await page.locator('.gh-heading .gh-badge').allTextContents()).toEqual(
        expect.arrayContaining(['Inactive', 'Staff']),
      );
      expect(await auth().users.get(user.id)).toMatchObject({ isActive: false, isStaff: true });
      // Their browser is signed out, and their session is gone from the list.
      expect(await stillSignedIn(theirs)).toBe(false);
      expect(pathOf(theirs)).toBe(`${UI}/signin`);
      await goto(page, `${DASH}/users/${user.id}`);
      expect(await page.getByText('Not signed in anywhere.').isVisible()).toBe(true);
      expect(await page.getByLabel('Active (may sign in)').isChecked()).toBe(false);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'sets a user’s password: a weak one is refused beside the field, a good one ends their sessions',
    async () => {
      const user = await createUser('password');
      const theirs = await signedInElsewhere(user.email, 'E2E password tablet');
      const page = await asRoot(`/users/${user.id}`);

      await page.getByLabel('New password').fill('password');
      expect((await submitting(page, () => button(page, 'Set password').click())).status()).toBe(400);
      const field = page.getByLabel('New password');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await text(page.locator('#field-password-error'))).not.toBe('');
      expect(await field.inputValue()).toBe('');
      expect(await auth().users.checkPassword(user.id, PASSWORD)).toBe(true);
      expect(await stillSignedIn(theirs)).toBe(true);

      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await navigating(page, () => button(page, 'Set password').click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}?done=password`);
      expect(await notice(page)).toBe('Password set; the user’s sessions have ended.');
      expect(await auth().users.checkPassword(user.id, NEW_PASSWORD)).toBe(true);
      expect(await auth().users.checkPassword(user.id, PASSWORD)).toBe(false);
      expect(await stillSignedIn(theirs)).toBe(false);
      await fillSignIn(theirs, user.email, NEW_PASSWORD);
      expect(where(theirs)).toBe(`${UI}/account`);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'saves a user’s groups and direct permissions, and shows them in the user’s history',
    async () => {
      const user = await createUser('access');
      const groupName = `Editors ${counter}`;
      await auth().permissions.createGroup(groupName, ['report.export']);
      const page = await asRoot(`/users/${user.id}`);
      const groups = page.getByRole('group', { name: 'Groups' });
      const permissions = page.getByRole('group', { name: 'Direct permissions' });

      await groups.getByLabel(groupName).check();
      await navigating(page, () => button(page, 'Save groups').click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}?done=groups`);
      expect(await notice(page)).toBe('Groups saved.');
      expect(await auth().permissions.groupsOf(user.id)).toEqual([groupName]);
      expect(await page.getByRole('group', { name: 'Groups' }).getByLabel(groupName).isChecked()).toBe(true);

      await permissions.locator('input[value="audit.view"]').check();
      await permissions.locator('input[value="user.view"]').check();
      await navigating(page, () => button(page, 'Save permissions').click());
      expect(await notice(page)).toBe('Permissions saved.');
      expect((await auth().permissions.directPermissionsOf(user.id)).sort()).toEqual([
        'audit.view',
        'user.view',
      ]);
      const held = page.getByRole('group', { name: 'Direct permissions' });
      expect(await held.locator('input:checked').evaluateAll((inputs) => inputs.length)).toBe(2);

      // Unchecking removes.
      await held.locator('input[value="user.view"]').uncheck();
      await page.getByRole('group', { name: 'Groups' }).getByLabel(groupName).uncheck();
      await navigating(page, () => button(page, 'Save permissions').click());
      expect(await auth().permissions.directPermissionsOf(user.id)).toEqual(['audit.view']);
      await page.getByRole('group', { name: 'Groups' }).getByLabel(groupName).uncheck();
      await navigating(page, () => button(page, 'Save groups').click());
      expect(await auth().permissions.groupsOf(user.id)).toEqual([]);

      // The history section lists what happened to this user, newest first.
      const history = (await rows(page, 'Recorded events').locator('td:nth-child(2)').allTextContents()).map(
        (t) => t.trim(),
      );
      expect(history.slice(0, 4)).toEqual([
        'user_groups_set',
        'user_permissions_set',
        'user_permissions_set',
        'user_groups_set',
      ]);
      const rootId = (await auth().users.getByEmail(ROOT_EMAIL))?.id;
      expect(await rows(page, 'Recorded events').first().getByRole('link').getAttribute('href')).toBe(
        `${DASH}/users/${rootId}`,
      );
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'lists a user’s sessions and signs out one, then all of them',
    async () => {
      const user = await createUser('sessions');
      const first = await signedInElsewhere(user.email, 'E2E device one');
      const second = await signedInElsewhere(user.email, 'E2E device two');
      const page = await asRoot(`/users/${user.id}`);
      const sessions = rows(page, 'Live sessions');
      expect(await sessions.count()).toBe(2);
      expect((await sessions.locator('td:first-child').allTextContents()).sort()).toEqual([
        'E2E device one',
        'E2E device two',
      ]);

      const one = page.getByRole('button', { name: /^Sign out the session from E2E device one started / });
      await navigating(page, () => one.click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}?done=sessions`);
      expect(await notice(page)).toBe('Signed out.');
      expect(await rows(page, 'Live sessions').count()).toBe(1);
      expect(await text(rows(page, 'Live sessions').locator('td').first())).toBe('E2E device two');
      expect(await stillSignedIn(first)).toBe(false);
      expect(await stillSignedIn(second)).toBe(true);

      await navigating(page, () => button(page, 'Sign out everywhere').click());
      expect(await notice(page)).toBe('Signed out.');
      expect(await page.getByText('Not signed in anywhere.').isVisible()).toBe(true);
      expect(await button(page, 'Sign out everywhere').count()).toBe(0);
      expect(await stillSignedIn(second)).toBe(false);
      expect(await auth().sessions.list(user.id)).toEqual([]);
      // The staff member's own session is untouched.
      await goto(page, `${DASH}/users`);
      expect(await heading(page)).toBe('Users');
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'deletes a user after a confirmation page',
    async () => {
      const user = await createUser('deleted');
      const page = await asRoot(`/users/${user.id}`);
      await navigating(page, () => link(page, 'Delete this user…').click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}/delete`);
      expect(await heading(page)).toBe('Delete user');
      expect(await page.getByText(`Delete ${user.email}?`).isVisible()).toBe(true);

      // Cancel goes back, and nothing is deleted.
      await navigating(page, () => link(page, 'Cancel').click());
      expect(where(page)).toBe(`${DASH}/users/${user.id}`);
      expect(await auth().users.get(user.id)).not.toBeNull();

      await navigating(page, () => link(page, 'Delete this user…').click());
      await navigating(page, () => button(page, 'Delete user').click());
      expect(where(page)).toBe(`${DASH}/users?done=deleted`);
      expect(await notice(page)).toBe('Deleted.');
      expect(await auth().users.get(user.id)).toBeNull();
      const [event] = await auth().audit.list({ type: 'user_deleted', userId: user.id });
      expect(event?.details).toEqual({ email: user.email });

      const gone = await goto(page, `${DASH}/users/${user.id}`);
      expect(gone.status()).toBe(404);
      expect(await heading(page)).toBe('Not found');

      // Nobody deletes themselves here: no delete section on one's own page.
      const rootId = (await auth().users.getByEmail(ROOT_EMAIL))?.id;
      await goto(page, `${DASH}/users/${rootId}`);
      expect(await link(page, 'Delete this user…').count()).toBe(0);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Groups and permissions.

  it(
    'groups: create, pick permissions (the filter keeps hidden ones), rename, delete after confirming',
    async () => {
      const page = await asRoot('/groups');
      expect(await rows(page, 'Groups').filter({ hasText: 'Showcase support' }).count()).toBe(1);

      // An empty name is refused beside the field.
      expect((await submitting(page, () => button(page, 'Create group').click())).status()).toBe(400);
      expect(await page.locator('#field-name').getAttribute('aria-invalid')).toBe('true');
      expect(await text(page.locator('#field-name-error'))).not.toBe('');

      const name = `Auditors ${++counter}`;
      await page.getByLabel('Name').fill(name);
      await navigating(page, () => button(page, 'Create group').click());
      const group = await auth().permissions.getGroup(name);
      expect(group).not.toBeNull();
      const id = group?.id ?? '';
      expect(where(page)).toBe(`${DASH}/groups/${id}?done=created`);
      expect(await notice(page)).toBe('Created.');
      expect(await heading(page)).toBe(name);

      // The same name again is refused.
      await goto(page, `${DASH}/groups`);
      await page.getByLabel('Name').fill(name);
      expect((await submitting(page, () => button(page, 'Create group').click())).status()).toBe(409);
      expect(await page.getByLabel('Name').inputValue()).toBe(name);

      await goto(page, `${DASH}/groups/${id}`);
      const picker = () => page.getByRole('group', { name: /^Permissions/ });
      await picker().locator('input[value="audit.view"]').check();
      await picker().locator('input[value="user.view"]').check();
      await navigating(page, () => button(page, 'Save group').click());
      expect(where(page)).toBe(`${DASH}/groups/${id}?done=saved`);
      expect(await notice(page)).toBe('Saved.');
      expect((await auth().permissions.getGroupById(id))?.permissions.sort()).toEqual([
        'audit.view',
        'user.view',
      ]);

      // Filter the picker: only group.* is listed; the two held permissions it hides are kept on saving.
      await page.getByLabel('Find a permission').fill('group.');
      await navigating(page, () => button(page, 'Filter').click());
      expect(where(page)).toBe(`${DASH}/groups/${id}?filter=group.`);
      const listed = await picker()
        .locator('input[type=checkbox]')
        .evaluateAll((inputs) => inputs.map((input) => (input as unknown as { value: string }).value));
      expect(listed.sort()).toEqual(['group.add', 'group.change', 'group.delete', 'group.view']);
      expect(
        await page.getByText('2 more permission(s) held, hidden by the filter, are kept.').isVisible(),
      ).toBe(true);
      await picker().locator('input[value="group.view"]').check();
      await navigating(page, () => button(page, 'Save group').click());
      expect((await auth().permissions.getGroupById(id))?.permissions.sort()).toEqual([
        'audit.view',
        'group.view',
        'user.view',
      ]);
      // "Show all" lists every permission again, the saved ones checked.
      await goto(page, `${DASH}/groups/${id}?filter=nothing-matches-this`);
      expect(await picker().locator('input[type=checkbox]').count()).toBe(0);
      await navigating(page, () => link(page, 'Show all').click());
      expect(await picker().locator('input:checked').count()).toBe(3);

      // Rename, keeping the permissions.
      const renamed = `${name} (renamed)`;
      await page.getByLabel('Name', { exact: true }).fill(renamed);
      await navigating(page, () => button(page, 'Save group').click());
      expect(await heading(page)).toBe(renamed);
      expect(await auth().permissions.getGroupById(id)).toMatchObject({ name: renamed });
      expect((await auth().permissions.getGroupById(id))?.permissions).toHaveLength(3);

      await navigating(page, () => link(page, 'Delete this group…').click());
      expect(await heading(page)).toBe('Delete group');
      expect(await page.getByText(`Delete the group ${renamed}?`).isVisible()).toBe(true);
      await navigating(page, () => button(page, 'Delete group').click());
      expect(where(page)).toBe(`${DASH}/groups?done=deleted`);
      expect(await notice(page)).toBe('Deleted.');
      expect(await auth().permissions.getGroupById(id)).toBeNull();
      expect(await rows(page, 'Groups').filter({ hasText: renamed }).count()).toBe(0);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'permissions: list, create (a bad codename refused beside the field), delete after confirming',
    async () => {
      const page = await asRoot('/permissions');
      const codenames = (await rows(page, 'Permissions').locator('td:first-child').allTextContents()).map(
        (t) => t.trim(),
      );
      expect(codenames).toEqual(
        expect.arrayContaining(['user.view', 'group.change', 'audit.view', 'report.export']),
      );

      await page.getByLabel('Codename (resource.action)').fill('Not A Codename');
      await page.getByLabel('Name (optional)').fill('Broken');
      expect((await submitting(page, () => button(page, 'Create permission').click())).status()).toBe(400);
      const codename = page.locator('#field-codename');
      expect(await codename.getAttribute('aria-invalid')).toBe('true');
      expect(await text(page.locator('#field-codename-error'))).not.toBe('');
      expect(await codename.inputValue()).toBe('Not A Codename');

      // One that exists already is refused too.
      await codename.fill('user.view');
      expect((await submitting(page, () => button(page, 'Create permission').click())).status()).toBe(409);
      expect(await text(page.locator('#field-codename-error'))).toBe('This permission exists already.');

      const fresh = `invoice${++counter}.approve`;
      await codename.fill(fresh);
      await page.getByLabel('Name (optional)').fill('Can approve invoices');
      await navigating(page, () => button(page, 'Create permission').click());
      expect(where(page)).toBe(`${DASH}/permissions?done=created`);
      expect(await notice(page)).toBe('Created.');
      expect(await auth().permissions.get(fresh)).toMatchObject({
        codename: fresh,
        name: 'Can approve invoices',
      });
      const row = rows(page, 'Permissions').filter({ has: page.locator('code', { hasText: fresh }) });
      expect(await text(row.locator('td').nth(1))).toBe('Can approve invoices');

      await navigating(page, () => row.getByRole('link', { name: `Delete ${fresh}` }).click());
      expect(where(page)).toBe(`${DASH}/permissions/${fresh}/delete`);
      expect(await heading(page)).toBe('Delete permission');
      await navigating(page, () => button(page, 'Delete permission').click());
      expect(where(page)).toBe(`${DASH}/permissions?done=deleted`);
      expect(await notice(page)).toBe('Deleted.');
      expect(await auth().permissions.get(fresh)).toBeNull();
      expect(await page.locator('code', { hasText: fresh }).count()).toBe(0);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Audit log.

  it(
    'audit log: filters by type and user, pages to older events, downloads the selection as CSV',
    async () => {
      const subject = await createUser('audited');
      await Promise.all(
        Array.from({ length: 55 }, () =>
          auth().audit.record({ type: 'signin_failed', userId: subject.id, ip: '198.51.100.9' }),
        ),
      );
      // Later than all of those (events within one millisecond have no order among themselves).
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all(
        Array.from({ length: 3 }, () =>
          auth().audit.record({ type: 'password_changed', userId: subject.id }),
        ),
      );
      const page = await asRoot('/audit');
      expect(await rows(page, 'Audit events').count()).toBe(50);

      await page.getByLabel('Event type').fill('password_changed');
      await page.getByLabel('User id').fill(subject.id);
      await navigating(page, () => button(page, 'Filter').click());
      const types = (await rows(page, 'Audit events').locator('td:nth-child(2)').allTextContents()).map((t) =>
        t.trim(),
      );
      expect(types).toEqual(['password_changed', 'password_changed', 'password_changed']);
      expect(
        await rows(page, 'Audit events').first().locator('td').nth(2).getByRole('link').textContent(),
      ).toBe(subject.id);
      expect(await link(page, 'Older events').count()).toBe(0);

      // All of this user's events: 58, so a second page.
      await page.getByLabel('Event type').fill('');
      await navigating(page, () => button(page, 'Filter').click());
      expect(await rows(page, 'Audit events').count()).toBe(50);
      const newest = await rows(page, 'Audit events').locator('td:nth-child(2)').allTextContents();
      expect(newest.slice(0, 3).map((t) => t.trim())).toEqual([
        'password_changed',
        'password_changed',
        'password_changed',
      ]);
      await navigating(page, () => link(page, 'Older events').click());
      expect(new URL(page.url()).searchParams.get('user')).toBe(subject.id);
      expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
      expect(await rows(page, 'Audit events').count()).toBe(8);
      expect(await link(page, 'Older events').count()).toBe(0);
      expect(await page.getByLabel('User id').inputValue()).toBe(subject.id);

      // A type the API cannot take: the reason, shown as an alert, and a 400.
      await page.getByLabel('Event type').fill('Signin Failed!');
      const refused = await submitting(page, () => button(page, 'Filter').click());
      expect(refused.status()).toBe(400);
      expect(await text(page.getByRole('alert'))).toBe('Enter an event type such as signin_failed.');

      // The CSV link downloads the filtered selection (not just the page on screen).
      await page.getByLabel('Event type').fill('signin_failed');
      await navigating(page, () => button(page, 'Filter').click());
      const csvLink = link(page, 'Download these events as CSV');
      expect(await csvLink.getAttribute('href')).toBe(
        `/auth/admin/audit.csv?${new URLSearchParams({ type: 'signin_failed', user: subject.id })}`,
      );
      const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
      expect(download.suggestedFilename()).toBe('audit-events.csv');
      const csv = readFileSync(await download.path(), 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(csv[0]).toBe('id,at,type,userId,actorId,tenantId,ip,userAgent,details');
      expect(csv).toHaveLength(56);
      expect(csv.slice(1).every((line) => line.includes(`,signin_failed,${subject.id},`))).toBe(true);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Impersonation.

  it(
    'acts as a user and returns to the dashboard; the audit log shows both',
    async () => {
      const user = await createUser('actedas');
      const rootId = (await auth().users.getByEmail(ROOT_EMAIL))?.id;
      // A sign-in of its own: returning from the impersonation reissues (and so ends) the session it began from.
      const page = await dashboardAs(ROOT_EMAIL, `/users/${user.id}`);
      await navigating(page, () => button(page, 'Act as this user').click());
      expect(where(page)).toBe(`${UI}/account`);
      expect(await heading(page)).toBe('Your account');
      const banner = page.getByRole('region', { name: `You are acting as ${user.email}.` });
      expect(await banner.isVisible()).toBe(true);
      expect(await page.getByText(`Signed in as ${user.email}.`).isVisible()).toBe(true);

      // While acting as a non-staff user, the dashboard is closed: it is their account now.
      const closed = await goto(page, `${DASH}/users`);
      expect(closed.status()).toBe(403);
      expect(await page.getByText('This dashboard is for staff.', { exact: false }).isVisible()).toBe(true);
      expect(await page.getByRole('region', { name: `You are acting as ${user.email}.` }).isVisible()).toBe(
        true,
      );
      await page.setViewportSize({ width: 375, height: 800 });
      expect((await widthReport(page, '.gh-table')).pageOverflow).toBe(0);
      await screenshot(page, 'dashboard-375-acting-as');

      await goto(page, `${UI}/account`);
      await navigating(page, () => button(page, 'Return to your account').click());
      expect(where(page)).toBe(`${DASH}/users`);
      expect(await heading(page)).toBe('Users');
      expect(await text(page.locator('nav.gh-nav .gh-muted'))).toBe(ROOT_EMAIL);
      expect(await page.getByRole('region', { name: /You are acting as/ }).count()).toBe(0);

      const events = await auth().audit.list({ userId: user.id });
      expect(events.map((e) => e.type).slice(0, 2)).toEqual(['impersonation_ended', 'impersonation_started']);
      expect(events.find((e) => e.type === 'impersonation_started')?.actorId).toBe(rootId);

      await goto(page, `${DASH}/audit?user=${user.id}`);
      const types = (await rows(page, 'Audit events').locator('td:nth-child(2)').allTextContents()).map((t) =>
        t.trim(),
      );
      expect(types).toEqual(expect.arrayContaining(['impersonation_started', 'impersonation_ended']));
      expect(await auth().sessions.list(user.id)).toEqual([]);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Staff whose permissions are few, non-staff, signed-out visitors.

  it(
    'shows a staff member with only user.view a read-only dashboard, and the API refuses their forged posts',
    async () => {
      const viewer = await staffWith('viewer', ['user.view']);
      const target = await createUser('viewed', { lastName: 'Target' });
      const group = await auth().permissions.createGroup(`Viewed group ${counter}`);
      await auth().permissions.addUserToGroup(target.id, group.name);
      await auth().sessions.create(target.id, { userAgent: 'E2E viewed device' });
      const targetSession = (await auth().sessions.list(target.id))[0];

      const page = await dashboardAs(viewer.email, '/users');
      expect(await navLinks(page)).toEqual(['Users']);
      expect(await link(page, 'Add user').count()).toBe(0);
      expect(await rows(page, 'Users').count()).toBeGreaterThan(0);
      await page.getByLabel('Search').fill(target.email);
      await navigating(page, () => button(page, 'Search').click());
      await navigating(page, () => rows(page, 'Users').getByRole('link', { name: target.email }).click());
      expect(where(page)).toBe(`${DASH}/users/${target.id}`);
      expect(await heading(page)).toBe(target.email);

      // Read-only: facts, not inputs; no button anywhere in the page's main part.
      expect(await page.locator('main input, main select, main textarea').count()).toBe(0);
      expect(await page.locator('main button').allTextContents()).toEqual([]);
      expect(await page.locator('.gh-facts').getByText(target.email).isVisible()).toBe(true);
      expect(await page.getByRole('list').getByText(group.name).isVisible()).toBe(true);
      expect(await text(rows(page, 'Live sessions').locator('td').first())).toBe('E2E viewed device');
      for (const name of [
        'Save profile',
        'Save groups',
        'Save permissions',
        'Set password',
        'Sign out everywhere',
        'Act as this user',
      ]) {
        expect(await button(page, name).count(), name).toBe(0);
      }
      expect(await page.getByRole('button', { name: /^Sign out the session/ }).count()).toBe(0);
      expect(await link(page, 'Delete this user…').count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'History' }).count()).toBe(0);
      await screenshot(page, 'dashboard-read-only-user');
      // The read-only facts (a long email among them) fit a phone too.
      await page.setViewportSize({ width: 375, height: 800 });
      const narrow = await widthReport(page, '.gh-table');
      expect(narrow.pageOverflow, narrow.offenders.join(', ')).toBe(0);
      await page.setViewportSize({ width: 1280, height: 720 });

      // Sections they may not open: refused, with the same read-only nav.
      for (const path of ['/groups', '/permissions', '/audit', '/users/new']) {
        const response = await goto(page, `${DASH}${path}`);
        expect(response.status(), path).toBe(403);
        expect(await heading(page), path).toBe('Not allowed');
      }

      // The forms' actions, posted directly with their cookie: refused (403), and nothing changes.
      const id = target.id;
      const before = await auth().users.get(id);
      const forged: [string, Record<string, string>][] = [
        ['/users/new', { email: uniqueEmail('forged'), password: PASSWORD }],
        [`/users/${id}/profile`, { email: target.email, firstName: 'Forged', flags: 'shown', isStaff: 'on' }],
        [`/users/${id}/password`, { password: NEW_PASSWORD }],
        [`/users/${id}/groups`, { groups: '' }],
        [`/users/${id}/permissions`, { permissions: 'user.view' }],
        [`/users/${id}/sessions/revoke`, { id: targetSession?.id ?? '' }],
        [`/users/${id}/sessions/revoke-all`, {}],
        [`/users/${id}/impersonate`, {}],
        [`/users/${id}/delete`, {}],
        ['/groups/new', { name: 'Forged group' }],
        [`/groups/${group.id}`, { name: 'Forged rename', picker: 'shown', permissions: 'user.view' }],
        [`/groups/${group.id}/delete`, {}],
        ['/permissions/new', { codename: 'forged.thing' }],
        ['/permissions/report.export/delete', {}],
      ];
      const answers: Record<string, number> = {};
      for (const [path, form] of forged) {
        const response = await postForm(page, `${DASH}${path}`, form);
        answers[path] = response.status();
        expect(await response.text(), path).toMatch(new RegExp(`${REFUSED}|${API_REFUSED}`));
      }
      expect(answers).toEqual(Object.fromEntries(forged.map(([path]) => [path, 403])));
      expect(await auth().users.get(id)).toEqual(before);
      expect(await auth().users.checkPassword(id, PASSWORD)).toBe(true);
      expect(await auth().permissions.groupsOf(id)).toEqual([group.name]);
      expect(await auth().permissions.directPermissionsOf(id)).toEqual([]);
      expect(await auth().sessions.list(id)).toHaveLength(1);
      expect(await auth().permissions.getGroupById(group.id)).toMatchObject({
        name: group.name,
        permissions: [],
      });
      expect(await auth().permissions.getGroup('Forged group')).toBeNull();
      expect(await auth().permissions.get('forged.thing')).toBeNull();
      expect(await auth().permissions.get('report.export')).not.toBeNull();
      expect(await auth().users.getByEmail(forged[0]?.[1].email ?? '')).toBeNull();
      // Still themselves, not acting as anyone.
      await goto(page, `${DASH}/users`);
      expect(await text(page.locator('nav.gh-nav .gh-muted'))).toBe(viewer.email);

      // And the JSON API itself refuses them, the same cookie and origin.
      const patch = await page.request.fetch(url(`/auth/admin/users/${id}`), {
        method: 'PATCH',
        data: { firstName: 'Forged' },
        headers: { origin: server.url },
      });
      expect(patch.status()).toBe(403);
      expect(((await patch.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await auth().users.get(id))?.firstName).toBe('Ada');
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'refuses a staff member with user.view and user.change on a user holding permissions they lack, and on superusers',
    async () => {
      const editor = await staffWith('editor', ['user.view', 'user.change']);
      const stronger = await createUser('stronger');
      await auth().permissions.grantToUser(stronger.id, ['audit.view']);
      const weaker = await createUser('weaker');
      const root = await auth().users.getByEmail(ROOT_EMAIL);

      // A user whose permissions they all hold: changed.
      const page = await dashboardAs(editor.email, `/users/${weaker.id}`);
      expect(await navLinks(page)).toEqual(['Users']);
      await page.locator('#field-firstName').fill('Changed');
      await navigating(page, () => button(page, 'Save profile').click());
      expect(await notice(page)).toBe('Saved.');
      expect((await auth().users.get(weaker.id))?.firstName).toBe('Changed');
      // Not a permission they lack, though: staff grant only what they hold.
      const grant = await postForm(page, `${DASH}/users/${weaker.id}/permissions`, {
        permissions: 'audit.view',
      });
      expect(grant.status()).toBe(403);
      expect(await grant.text()).toContain('You cannot grant permissions you do not hold: audit.view.');
      expect(await auth().permissions.directPermissionsOf(weaker.id)).toEqual([]);

      // A user holding audit.view, which the editor lacks: shown read-only, and every forged change refused.
      await goto(page, `${DASH}/users/${stronger.id}`);
      expect(await button(page, 'Save profile').count()).toBe(0);
      expect(await button(page, 'Set password').count()).toBe(0);
      const hijack = await postForm(page, `${DASH}/users/${stronger.id}/profile`, {
        email: stronger.email,
        firstName: 'Hijacked',
      });
      expect(hijack.status()).toBe(403);
      expect(await hijack.text()).toContain(
        'This user holds permissions you do not; ask someone who holds them.',
      );
      for (const path of ['password', 'sessions/revoke-all', 'groups']) {
        const fields: Record<string, string> = path === 'password' ? { password: NEW_PASSWORD } : {};
        expect((await postForm(page, `${DASH}/users/${stronger.id}/${path}`, fields)).status(), path).toBe(
          403,
        );
      }
      expect(await auth().users.get(stronger.id)).toMatchObject({ firstName: 'Ada' });
      expect(await auth().users.checkPassword(stronger.id, PASSWORD)).toBe(true);

      // A superuser: shown read-only, and refused when posted to anyway.
      await goto(page, `${DASH}/users/${root?.id}`);
      expect(await button(page, 'Save profile').count()).toBe(0);
      const superPost = await postForm(page, `${DASH}/users/${root?.id}/profile`, {
        email: ROOT_EMAIL,
        firstName: 'Demoted',
      });
      expect(superPost.status()).toBe(403);
      expect(await superPost.text()).toContain('Only a superuser can change a superuser.');
      expect((await auth().users.get(root?.id ?? ''))?.firstName).toBe('Root');
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'turns away a signed-in user who is not staff, and a staff member with no dashboard permission',
    async () => {
      const plain = await createUser('plain');
      const page = await newPage();
      await goto(page, `${UI}/signin`);
      await fillSignIn(page, plain.email);
      const response = await goto(page, `${DASH}/users`);
      expect(response.status()).toBe(403);
      expect(await heading(page)).toBe('Not allowed');
      expect(
        await page.getByText('This dashboard is for staff. Ask an administrator for access.').isVisible(),
      ).toBe(true);
      expect(await navLinks(page)).toEqual([]);
      expect(await page.locator('main a, main form').count()).toBe(0);
      expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await screenshot(page, 'dashboard-for-staff-only');
      // A non-staff user holding user.view still gets nothing (a permission alone opens nothing).
      await auth().permissions.grantToUser(plain.id, ['user.view']);
      expect((await goto(page, `${DASH}/users/${plain.id}`)).status()).toBe(403);
      expect((await goto(page, `${DASH}/`)).status()).toBe(403);

      const bare = await staffWith('bare', []);
      const stafferPage = await newPage();
      await goto(stafferPage, `${UI}/signin`);
      await fillSignIn(stafferPage, bare.email);
      expect((await goto(stafferPage, `${DASH}/`)).status()).toBe(403);
      expect(await stafferPage.getByText('This dashboard is for staff.', { exact: false }).isVisible()).toBe(
        true,
      );
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'sends a signed-out visitor to sign in, then back to the dashboard page they asked for',
    async () => {
      const asked = `${DASH}/users?q=showcase&staff=false`;
      const page = await newPage();
      const first = await goto(page, asked);
      expect(first.request().redirectedFrom()?.url()).toBe(url(asked));
      expect(where(page)).toBe(`${UI}/signin?next=${encodeURIComponent(asked)}`);
      expect(await heading(page)).toBe('Sign in');
      await fillSignIn(page, ROOT_EMAIL);
      expect(where(page)).toBe(asked);
      expect(await page.locator('#filter-q').inputValue()).toBe('showcase');
      expect(await rows(page, 'Users').locator('td:first-child').allTextContents()).toEqual([
        showcase.user.email,
      ]);

      // The dashboard's root goes to the first section the staff member may open.
      await goto(page, `${DASH}/`);
      expect(where(page)).toBe(`${DASH}/users`);
      const viewer = await staffWith('auditor', ['audit.view']);
      const auditor = await newPage();
      await goto(auditor, DASH);
      expect(where(auditor)).toBe(`${UI}/signin?next=${encodeURIComponent(DASH)}`);
      await fillSignIn(auditor, viewer.email);
      expect(where(auditor)).toBe(`${DASH}/audit`);
      expect(await navLinks(auditor)).toEqual(['Audit log']);

      // Signing out from the dashboard's own button ends the session: the dashboard asks for sign-in again.
      await navigating(page, () => button(page, 'Sign out').click());
      expect(where(page)).toBe(`${UI}/signin?done=signout`);
      await goto(page, `${DASH}/groups`);
      expect(where(page)).toBe(`${UI}/signin?next=${encodeURIComponent(`${DASH}/groups`)}`);
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  // ---------------------------------------------------------------------------------------------
  // Tenants.

  describe('tenants', () => {
    /** The serious and critical axe violations of the page, described. */
    async function severeViolations(page: Page): Promise<string[]> {
      return (await axeViolations(page))
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => describeViolations([v]));
    }

    it(
      'creates a tenant, sets its login policy and adds a member, on pages without serious axe violations',
      async () => {
        await auth().permissions.createGroup('Tenant browsers', ['user.view']);
        const page = await asRoot('/tenants');
        expect(await navLinks(page)).toContain('Tenants');
        await page.locator('#field-slug').fill('browser-org');
        await page.locator('#field-name').fill('Browser Org');
        await page.getByLabel('User pool').selectOption('isolated');
        await navigating(page, () => button(page, 'Create tenant').click());
        const tenant = await auth().tenants.find('browser-org');
        expect(tenant).toMatchObject({ name: 'Browser Org', pool: 'isolated' });
        expect(where(page)).toBe(`${DASH}/tenants/${tenant?.id}?done=created`);
        expect(await heading(page)).toBe('Browser Org');

        await page.getByLabel('Link by email').uncheck();
        await page.getByLabel('Require two-step verification of every member').check();
        await page.getByLabel('Allowed email domains').fill('example.com\ncorp.example');
        await navigating(page, () => button(page, 'Save login policy').click());
        expect(await notice(page)).toBe('Login policy saved.');
        expect((await auth().tenants.find('browser-org'))?.policy).toMatchObject({
          methods: { password: true, magicLink: false, emailCode: true, passkey: true },
          mfaRequired: true,
          allowedEmailDomains: ['example.com', 'corp.example'],
        });
        expect(await page.getByLabel('Link by email').isChecked()).toBe(false);

        // An isolated tenant's members are accounts of its own pool.
        const member = await auth().users.create(
          { email: uniqueEmail('tenant-member'), password: PASSWORD, firstName: 'Ada' },
          { pool: tenant?.id ?? '' },
        );
        const addForm = page.locator(`form[action="${DASH}/tenants/${tenant?.id}/members/new"]`);
        await addForm.getByLabel('Email').fill(member.email);
        await addForm.getByLabel('Tenant browsers').check();
        await navigating(page, () => button(page, 'Add member').click());
        expect(await notice(page)).toBe('Member added.');
        const cells = (await rows(page, 'Members').first().locator('td').allTextContents()).map((c) =>
          c.trim(),
        );
        expect(cells.slice(0, 3)).toEqual([member.email, 'Ada', 'Tenant browsers']);
        expect((await auth().tenants.member(tenant?.id ?? '', member.id))?.groups).toEqual([
          'Tenant browsers',
        ]);
        await screenshot(page, 'dashboard-tenant-detail');
        expect(cspViolations).toEqual([]);

        // axe runs as an injected script: this context alone bypasses the CSP (see the screens' check).
        const checked = await asRoot('/tenants', { bypassCSP: true });
        const problems = [...(await severeViolations(checked)).map((v) => `list: ${v}`)];
        await goto(checked, `${DASH}/tenants/${tenant?.id}`);
        problems.push(...(await severeViolations(checked)).map((v) => `detail: ${v}`));
        await checked.getByLabel('Allowed email domains').fill('not a domain');
        const refused = await submitting(checked, () => button(checked, 'Save login policy').click());
        expect(refused.status()).toBe(400);
        expect(await checked.getByLabel('Allowed email domains').getAttribute('aria-invalid')).toBe('true');
        problems.push(...(await severeViolations(checked)).map((v) => `policy errors: ${v}`));
        expect(problems, problems.join('\n')).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'is not offered to staff without tenant.view',
      async () => {
        const staffer = await staffWith('no-tenants', ['user.view']);
        const page = await dashboardAs(staffer.email, '/users');
        expect(await navLinks(page)).toEqual(['Users']);
        const response = await goto(page, `${DASH}/tenants`);
        expect(response.status()).toBe(403);
        expect(await heading(page)).toBe('Not allowed');
      },
      TIMEOUT,
    );
  });
});
