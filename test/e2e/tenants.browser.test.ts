/**
 * Organisations through the pre-built pages in a real browser: the standalone
 * server on loopback, the system's Chromium driven by playwright-core, a real
 * SMTP server for the invitation mail. An invitation sent through the admin
 * API is opened from the mail and accepted (a new account, signed in in the
 * organisation) or joined by an existing account; an organisation without
 * passwords shows no password field; the tenant picker switches between two
 * organisations. Every page keeps its real CSP (a violation fails the test);
 * axe-core, evaluated through the DevTools protocol, must find nothing on the
 * new screens.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/http/server.js';
import type { TenantPolicyInput } from '../../src/tenants/policy.js';
import type { Tenant } from '../../src/tenants/tenants.js';
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
const TIMEOUT = 60_000;

const suiteName = chromiumAvailable
  ? 'organisations in Chromium'
  : `organisations in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let sink: SmtpSink;
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let browser: Browser;
  let open: BrowserContext[] = [];
  const cspViolations: string[] = [];
  const axeResults: Record<string, AxeViolation[]> = {};
  let n = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    testAuth = await createTestAuth({
      publicUrl: `http://127.0.0.1:${port}`,
      rateLimits: false,
      mail: { smtpUrl: sink.url },
    });
    await testAuth.auth.permissions.createGroup('Editors', []);
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
    if (summary.length > 0) console.log(`axe-core results (organisations):\n  ${summary.join('\n  ')}`);
  });

  const unique = (prefix: string) => `${prefix}-${++n}`;
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const heading = async (page: Page) => ((await page.locator('h1').textContent()) ?? '').trim();
  const brand = async (page: Page) => ((await page.locator('header.gh-brand').textContent()) ?? '').trim();

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    open.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    const violations = await axeViolations(page);
    axeResults[name] = violations;
    await screenshot(page, `tenants-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    expect(violations, `${name}:\n${describeViolations(violations)}`).toEqual([]);
  }

  function organisation(name: string, policy: TenantPolicyInput = {}): Promise<Tenant> {
    return testAuth.auth.tenants.create({ slug: unique('org'), name, policy });
  }

  /** A request to the server's API as a browser on its origin would send it. */
  async function apiCall(path: string, body: unknown, cookie?: string): Promise<Response> {
    return fetch(`${server.url}/auth${path}`, {
      method: 'POST',
      headers: {
        origin: server.url,
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  /** Invites `email` through the admin API, as a superuser; the link goes by mail. */
  async function inviteByAdmin(org: Tenant, email: string, groups: string[]): Promise<void> {
    const admin = `${unique('admin')}@example.com`;
    await testAuth.auth.users.create({ email: admin, password: PASSWORD, isStaff: true, isSuperuser: true });
    const signedIn = await apiCall('/signin', { email: admin, password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0];
    const invited = await apiCall(`/admin/tenants/${org.id}/invitations`, { email, groups }, cookie);
    expect(invited.status, await invited.clone().text()).toBe(201);
  }

  async function signIn(page: Page, base: string, email: string): Promise<void> {
    await page.goto(`${server.url}${base}/signin`);
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigating(page, () => button(page, 'Sign in').click());
  }

  it(
    'opens a mailed invitation, creates the account and lands signed in in the organisation',
    async () => {
      const org = await organisation('Northwind Traders');
      const email = `${unique('invitee')}@example.com`;
      await inviteByAdmin(org, email, ['Editors']);
      const mail = await sink.waitFor((m) => m.to === email, 15_000);
      expect(mail.link).toBe(
        `${server.url}/auth/t/${org.slug}/ui/invitation?token=${new URL(mail.link ?? '').searchParams.get('token')}`,
      );

      const page = await newPage();
      await page.goto(mail.link ?? '');
      expect(await heading(page)).toBe('Join Northwind Traders');
      expect(await brand(page)).toBe('Northwind Traders');
      expect(await page.getByText(`This invitation is for ${email}.`).isVisible()).toBe(true);
      expect(await page.getByText('You will join with these roles: Editors.').isVisible()).toBe(true);
      await expectAccessible(page, 'invitation: new account');

      await page.getByLabel('First name').fill('Grace');
      await page.getByLabel('Last name').fill('Hopper');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => button(page, 'Create my account and join').click());
      expect(where(page)).toBe(`/auth/t/${org.slug}/ui/account`);
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);
      expect(await brand(page)).toBe('Northwind Traders');
      const session = (await page.context().cookies()).find((c) => c.name === 'gh_session');
      const found = await testAuth.auth.sessions.validate(session?.value ?? '');
      expect(found?.session.tenantId).toBe(org.id);

      // The link worked once.
      await page.goto(mail.link ?? '');
      expect(await heading(page)).toBe('This invitation cannot be used');
      expect(await page.getByRole('alert').textContent()).toContain('This invitation link is not valid');
      await expectAccessible(page, 'invitation: used link');
    },
    TIMEOUT,
  );

  it(
    'lets an existing account join with one button, then sign in with its address filled in',
    async () => {
      const org = await organisation('Contoso');
      const email = `${unique('existing')}@example.com`;
      await testAuth.auth.users.create({ email, password: PASSWORD });
      const { token } = await testAuth.auth.invitations.invite(org, { email });

      const page = await newPage();
      await page.goto(`${server.url}/auth/t/${org.slug}/ui/invitation?token=${encodeURIComponent(token)}`);
      expect(await page.locator('input[type=password]').count()).toBe(0);
      await expectAccessible(page, 'invitation: existing account');
      await navigating(page, () => button(page, 'Accept the invitation').click());

      expect(new URL(page.url()).pathname).toBe(`/auth/t/${org.slug}/ui/signin`);
      expect(await page.getByRole('status').textContent()).toBe(
        'You joined the organisation. Sign in to continue.',
      );
      expect(await page.getByLabel('Email or username').inputValue()).toBe(email);
      await expectAccessible(page, 'sign-in after joining');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`/auth/t/${org.slug}/ui/account`);
      expect(await brand(page)).toBe('Contoso');
    },
    TIMEOUT,
  );

  it(
    'shows no password field on the sign-in page of an organisation that turned passwords off',
    async () => {
      const org = await organisation('Fabrikam', {
        methods: { password: false, magicLink: true, emailCode: false, passkey: false },
        signUp: false,
      });
      const page = await newPage();
      await page.goto(`${server.url}/auth/t/${org.slug}/ui/signin`);
      expect(await heading(page)).toBe('Sign in');
      expect(await brand(page)).toBe('Fabrikam');
      expect(await page.getByText('Sign in to Fabrikam.').isVisible()).toBe(true);
      expect(await page.locator('input[type=password]').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Email me a sign-in code' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Create an account' }).count()).toBe(0);
      await expectAccessible(page, 'sign-in without passwords');

      await navigating(page, () => page.getByRole('link', { name: 'Email me a sign-in link' }).click());
      expect(where(page)).toBe(`/auth/t/${org.slug}/ui/magic-link`);
      expect(await brand(page)).toBe('Fabrikam');
    },
    TIMEOUT,
  );

  it(
    'switches between two organisations from the tenant picker',
    async () => {
      const acme = await organisation('Acme');
      const globex = await organisation('Globex');
      const email = `${unique('member')}@example.com`;
      const user = await testAuth.auth.users.create({ email, password: PASSWORD });
      await testAuth.auth.tenants.addMember(acme.id, user.id, { groups: ['Editors'] });
      await testAuth.auth.tenants.addMember(globex.id, user.id);

      const page = await newPage();
      await signIn(page, `/auth/t/${acme.slug}/ui`, email);
      expect(where(page)).toBe(`/auth/t/${acme.slug}/ui/account`);
      await navigating(page, () => page.getByRole('link', { name: 'Switch organisation' }).click());
      expect(where(page)).toBe(`/auth/t/${acme.slug}/ui/tenants`);
      expect(await heading(page)).toBe('Your organisations');
      expect(await page.getByText('Your roles: Editors').isVisible()).toBe(true);
      await expectAccessible(page, 'tenant picker');

      await navigating(page, () => button(page, 'Switch: Globex').click());
      expect(where(page)).toBe(`/auth/t/${globex.slug}/ui/account`);
      expect(await brand(page)).toBe('Globex');
      expect(await page.getByText(`Signed in as ${email}.`).isVisible()).toBe(true);

      await navigating(page, () => page.getByRole('link', { name: 'Switch organisation' }).click());
      await navigating(page, () => button(page, 'Switch: Acme').click());
      expect(where(page)).toBe(`/auth/t/${acme.slug}/ui/account`);
      expect(await brand(page)).toBe('Acme');
      // One session at a time: Globex's ended with the switch.
      await page.goto(`${server.url}/auth/t/${globex.slug}/ui/account`);
      expect(new URL(page.url()).pathname).toBe(`/auth/t/${globex.slug}/ui/signin`);
    },
    TIMEOUT,
  );
});
