/**
 * Social sign-in through the pre-built UI in a real browser: the standalone
 * server on loopback is the client of a real OpenID Provider (`oidc-provider`,
 * also on loopback), and Chromium follows every redirect between them — the
 * "Continue with …" link, the provider's login interaction (completed by the
 * test helper for `idp.next`), the callback and the page it lands on. Sign-up
 * by a first sign-in, a returning user, the refusals shown in words, linking
 * and unlinking from the account page. Every screen on the way is checked with
 * axe-core (no serious or critical violation) and ships no JavaScript but the passkey scripts.
 *
 * The provider registers the callback at the server's own URL, so the
 * server's port is chosen first and `publicUrl` set to it.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
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
import { type IdpAccount, startOidcIdp, type TestIdp } from '../helpers/oidc-idp.js';

const PASSWORD = 'correct horse battery staple';
const UI = '/auth/ui';
const PROVIDER = 'Acme ID';
const CLIENT_ID = 'gatehouse-e2e';
const CLIENT_SECRET = 'a client secret for the browser suite';
const TIMEOUT = 60_000;

const suiteName = chromiumAvailable
  ? 'social sign-in through the pre-built UI in Chromium'
  : `social sign-in through the pre-built UI in Chromium — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let idp: TestIdp;
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let browser: Browser;
  let open: BrowserContext[] = [];
  /** Per screen: axe-core's violations and how much JavaScript it had. */
  const axeResults: Record<string, AxeViolation[]> = {};
  const scriptCounts: Record<string, number> = {};
  const scriptResponses: string[] = [];
  let n = 0;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcIdp({
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${publicUrl}/auth/oauth/idp/callback`],
        },
      ],
    });
    testAuth = await createTestAuth({
      publicUrl,
      rateLimits: false,
      oauth: {
        providers: {
          idp: {
            preset: 'oidc',
            name: PROVIDER,
            issuer: idp.issuer,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
          },
        },
      },
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
    await idp?.close();
    const summary = Object.entries(axeResults).map(
      ([name, violations]) =>
        `${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`,
    );
    if (summary.length > 0) console.log(`axe-core results (social sign-in):\n  ${summary.join('\n  ')}`);
  });

  const url = (path: string) => `${server.url}${path}`;
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  /** The Unlink button of the provider's identity (its name also carries the address). */
  const unlinkButton = (page: Page) =>
    page.getByRole('button', { name: new RegExp(`^Unlink: ${PROVIDER}( \\(|$)`) });
  const continueLink = (page: Page) =>
    page.getByRole('link', { name: `Continue with ${PROVIDER}`, exact: true });
  const linkedSection = (page: Page) => page.getByRole('region', { name: 'Linked accounts' });

  /** A fresh account at the provider, which the next authorization signs in as. */
  function idpAccount(claims: Partial<IdpAccount> = {}): { sub: string; email: string } {
    n += 1;
    const sub = `acme-${n}`;
    const email = claims.email ?? `social${n}@example.com`;
    idp.accounts.set(sub, {
      sub,
      email,
      email_verified: true,
      given_name: 'Ada',
      family_name: `Social${n}`,
      ...claims,
    });
    idp.next = { sub };
    return { sub, email };
  }

  /**
   * A fresh profile (the provider's cookies too: every sign-in goes through
   * its login). axe-core is a script injected into the page, which the UI's
   * CSP (no script-src) would block: these contexts bypass the CSP — except
   * with `enforceCsp`, for a flow that must work under the page's real policy.
   */
  async function newPage(options: { enforceCsp?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: !options.enforceCsp });
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
   * Does what leads to the provider and waits until the browser shows a page
   * of the UI again: the provider and the callback answer with redirects only,
   * so the next document the browser commits is the page it lands on.
   * Returns the documents the browser asked for on the way (origin and path).
   */
  async function throughProvider(page: Page, action: () => Promise<void>): Promise<string[]> {
    const hops: string[] = [];
    const record = (request: Request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        const at = new URL(request.url());
        hops.push(`${at.origin}${at.pathname}`);
      }
    };
    page.on('request', record);
    try {
      const landed = page.waitForEvent('framenavigated', {
        predicate: (frame) => frame === page.mainFrame() && frame.url().startsWith(url(`${UI}/`)),
        timeout: 15_000,
      });
      await action();
      await landed;
      await page.waitForLoadState('load');
      return hops;
    } finally {
      page.off('request', record);
    }
  }

  /** The session of the page's browser, as the API answers it (its cookies), or null. */
  async function sessionOf(page: Page): Promise<{ user: { id: string; email: string } } | null> {
    const reply = await page.context().request.get(url('/auth/session'));
    return reply.status() === 200 ? await reply.json() : null;
  }

  /**
   * Records the screen's `<script>` count (before axe adds its own; the passkey
   * scripts of the sign-in and account pages aside) and its axe-core violations.
   */
  async function check(page: Page, name: string): Promise<void> {
    scriptCounts[name] = await page.locator(NON_PASSKEY_SCRIPTS).count();
    axeResults[name] = await axeViolations(page);
    await screenshot(page, `oauth-${name.replace(/[^a-z0-9]+/gi, '-')}`);
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

  /** From the sign-in page, "Continue with Acme ID" all the way back to the UI. */
  async function continueFromSignIn(page: Page): Promise<void> {
    await page.goto(url(`${UI}/signin`));
    await throughProvider(page, () => continueLink(page).click());
  }

  /** The linked accounts the account page lists: each item's provider name. */
  async function listedProviders(page: Page): Promise<string[]> {
    return linkedSection(page).locator('li strong').allTextContents();
  }

  async function signInWithPassword(page: Page, email: string): Promise<void> {
    await page.goto(url(`${UI}/signin`));
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigating(page, () => button(page, 'Sign in').click());
    expect(where(page)).toBe(`${UI}/account`);
  }

  it(
    'a first sign-in: "Continue with Acme ID" → the provider → the account page, signed in as the provider\'s address, the provider linked',
    async () => {
      const { email } = idpAccount();
      const page = await newPage();
      await page.goto(url(`${UI}/signin`));
      const start = continueLink(page);
      expect(await start.isVisible()).toBe(true);
      expect(await start.getAttribute('href')).toBe(
        `/auth/oauth/idp?redirectTo=${encodeURIComponent(`${UI}/account`)}`,
      );
      await check(page, 'sign in with a provider');

      const hops = await throughProvider(page, () => start.click());
      // Really through the provider: its authorization endpoint, its login, then the callback.
      expect(hops[0]).toBe(url('/auth/oauth/idp'));
      expect(hops.filter((hop) => hop.startsWith(`${idp.issuer}/`)).length).toBeGreaterThan(1);
      expect(hops.some((hop) => hop.startsWith(`${idp.issuer}/interaction/`))).toBe(true);
      expect(hops.slice(-2)).toEqual([url('/auth/oauth/idp/callback'), url(`${UI}/account`)]);
      expect(where(page)).toBe(`${UI}/account`);
      expect(await page.content()).toContain(`Signed in as ${email}.`);
      expect(await listedProviders(page)).toEqual([PROVIDER]);
      expect(await linkedSection(page).textContent()).toContain(email);
      expect(await unlinkButton(page).count()).toBe(1);
      await check(page, 'account after a first sign-in');

      const session = await sessionOf(page);
      expect(session?.user.email).toBe(email);
      const user = await testAuth.auth.users.getByEmail(email);
      expect(user).toMatchObject({ id: session?.user.id, emailVerified: true, firstName: 'Ada' });
      expect(user?.hasUsablePassword).toBe(false);
      const accounts = await testAuth.auth.accounts.list(user?.id ?? '');
      expect(accounts.map((a) => a.provider)).toEqual(['idp']);
      // The transaction's cookie is spent and gone.
      const cookies = await page.context().cookies(server.url);
      expect(cookies.map((c) => c.name)).not.toContain('gh_oauth');
      expectCleanScreens(['sign in with a provider', 'account after a first sign-in']);
    },
    TIMEOUT,
  );

  it(
    'a returning user, in another browser, signs in to the same account without a second one',
    async () => {
      const { sub, email } = idpAccount();
      const first = await newPage();
      await continueFromSignIn(first);
      expect(where(first)).toBe(`${UI}/account`);
      const userId = (await sessionOf(first))?.user.id;
      expect(userId).toBeDefined();

      const users = await testAuth.auth.users.count();
      idp.next = { sub };
      const again = await newPage();
      expect(await sessionOf(again)).toBeNull();
      await continueFromSignIn(again);
      expect(where(again)).toBe(`${UI}/account`);
      expect(await again.content()).toContain(`Signed in as ${email}.`);
      expect((await sessionOf(again))?.user.id).toBe(userId);
      expect(await listedProviders(again)).toEqual([PROVIDER]);
      expect(await testAuth.auth.accounts.list(userId ?? '')).toHaveLength(1);
      expect(await testAuth.auth.users.count()).toBe(users);
    },
    TIMEOUT,
  );

  it(
    'refuses to link to an account of the same address the provider did not verify, and says why on the sign-in page',
    async () => {
      n += 1;
      const existing = await testAuth.auth.users.create({
        email: `holder${n}@example.com`,
        password: PASSWORD,
        emailVerified: true,
      });
      idpAccount({ email: existing.email, email_verified: false });
      const page = await newPage();
      await continueFromSignIn(page);
      // Where the sign-in was headed comes along, for signing in another way.
      expect(where(page)).toBe(`${UI}/signin?error=conflict&next=${encodeURIComponent(`${UI}/account`)}`);
      const alert = page.getByRole('alert');
      expect(await alert.textContent()).toContain(
        'An account already uses this email address. Sign in another way, then link the provider from your account page.',
      );
      // Still a sign-in page to sign in from, with the provider offered again.
      expect(await button(page, 'Sign in').count()).toBe(1);
      expect(await continueLink(page).count()).toBe(1);
      await check(page, 'sign-in refused: address taken');

      expect(await sessionOf(page)).toBeNull();
      expect(await testAuth.auth.accounts.list(existing.id)).toEqual([]);
      const cookies = await page.context().cookies(server.url);
      expect(cookies.map((c) => c.name)).not.toContain('gh_oauth');
      expectCleanScreens(['sign-in refused: address taken']);
    },
    TIMEOUT,
  );

  it(
    "the provider's refusal lands on the sign-in page with a plain message",
    async () => {
      idp.next = { error: 'access_denied' };
      const page = await newPage();
      await continueFromSignIn(page);
      expect(where(page)).toBe(`${UI}/signin?error=oauth_failed&next=${encodeURIComponent(`${UI}/account`)}`);
      expect(await page.getByRole('alert').textContent()).toContain(
        'Signing in with that provider did not work. Try again.',
      );
      await check(page, 'sign-in refused by the provider');
      expect(await sessionOf(page)).toBeNull();
      expectCleanScreens(['sign-in refused by the provider']);
    },
    TIMEOUT,
  );

  /** A password user signed in through the form, with a provider account of another (unverified) address. */
  async function passwordUserReadyToLink(page: Page) {
    n += 1;
    const user = await testAuth.auth.users.create({ email: `linker${n}@example.com`, password: PASSWORD });
    const identity = idpAccount({ email: `elsewhere${n}@example.com`, email_verified: false });
    await signInWithPassword(page, user.email);
    expect(await page.getByText('No account is linked yet.').count()).toBe(1);
    return { user, identity };
  }

  it(
    '"Link Acme ID" on the account page → the provider → back with the notice and the provider listed; Unlink removes it',
    async () => {
      const page = await newPage();
      const { user, identity } = await passwordUserReadyToLink(page);
      await check(page, 'account before linking');

      await throughProvider(page, () => button(page, `Link ${PROVIDER}`).click());
      expect(where(page)).toBe(`${UI}/account?done=linked`);
      expect(await page.getByRole('status').textContent()).toBe(
        'The account is linked: you can sign in with it now.',
      );
      expect(await listedProviders(page)).toEqual([PROVIDER]);
      expect(await linkedSection(page).textContent()).toContain(identity.email);
      await check(page, 'account linked');
      const [account, ...others] = await testAuth.auth.accounts.list(user.id);
      expect(others).toEqual([]);
      expect(account?.provider).toBe('idp');
      // Still the same user's session, and the same address.
      expect((await sessionOf(page))?.user).toMatchObject({ id: user.id, email: user.email });

      await navigating(page, () => unlinkButton(page).click());
      expect(where(page)).toBe(`${UI}/account?done=unlinked`);
      expect(await page.getByRole('status').textContent()).toBe('The account is unlinked.');
      expect(await listedProviders(page)).toEqual([]);
      expect(await page.getByText('No account is linked yet.').count()).toBe(1);
      await check(page, 'account unlinked');
      expect(await testAuth.auth.accounts.list(user.id)).toEqual([]);
      expectCleanScreens(['account before linking', 'account linked', 'account unlinked']);
    },
    TIMEOUT,
  );

  it(
    '"Link Acme ID" works under the page\'s own Content-Security-Policy (form-action), as in a real browser',
    async () => {
      // The other flows bypass the CSP for axe-core. Chromium checks `form-action` against every
      // redirect a form submission follows: the link form posts to the API (same origin), whose 303
      // goes to the provider's origin, which the account page's policy must therefore allow.
      const page = await newPage({ enforceCsp: true });
      const { user } = await passwordUserReadyToLink(page);
      const failed: string[] = [];
      page.on('requestfailed', (request) => {
        failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`);
      });
      // Either the browser lands back on the UI, or the CSP refuses the redirect (reported on the console).
      const refused = page
        .waitForEvent('console', {
          predicate: (message) => /Content Security Policy/i.test(message.text()),
          timeout: 20_000,
        })
        .then(
          (message) => message.text(),
          () => 'no page and no refusal',
        );
      const landed = throughProvider(page, () => button(page, `Link ${PROVIDER}`).click()).then(
        () => null,
        (error: unknown) => `did not land back on the UI: ${String(error)}`,
      );
      const blocked = await Promise.race([landed, refused]);
      expect(blocked, failed.join('\n')).toBeNull();
      expect(where(page)).toBe(`${UI}/account?done=linked`);
      expect(await testAuth.auth.accounts.list(user.id)).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    'Unlink is refused for the only way to sign in: the page says so and the provider stays linked',
    async () => {
      const { email } = idpAccount();
      const page = await newPage();
      await continueFromSignIn(page);
      expect(where(page)).toBe(`${UI}/account`);
      const user = await testAuth.auth.users.getByEmail(email);

      const answer = page.waitForResponse((r) => r.url() === url(`${UI}/account/linked-accounts/unlink`));
      await navigating(page, () => unlinkButton(page).click());
      expect((await answer).status()).toBe(409);
      const alert = linkedSection(page).getByRole('alert');
      expect(await alert.textContent()).toContain(
        'This is your only way to sign in. Link another account first, or set a password with “Forgot your password?” on the sign-in page.',
      );
      expect(await listedProviders(page)).toEqual([PROVIDER]);
      await check(page, 'unlink refused');
      expect(await testAuth.auth.accounts.list(user?.id ?? '')).toHaveLength(1);
      expect((await sessionOf(page))?.user.id).toBe(user?.id);
      expectCleanScreens(['unlink refused']);
    },
    TIMEOUT,
  );

  it(
    'the sign-up page offers the provider too',
    async () => {
      const page = await newPage();
      await page.goto(url(`${UI}/signup`));
      const start = continueLink(page);
      expect(await start.isVisible()).toBe(true);
      expect(await start.getAttribute('href')).toBe(
        `/auth/oauth/idp?redirectTo=${encodeURIComponent(`${UI}/account`)}`,
      );
      await check(page, 'sign up with a provider');
      expectCleanScreens(['sign up with a provider']);
    },
    TIMEOUT,
  );
});
