/**
 * Passkeys in a real browser: Chromium's virtual authenticator (CDP
 * `WebAuthn.*`, SECURITY.md §5.3: CTAP2, internal, resident keys, user
 * verification) against the standalone server on http://localhost — a secure
 * context, and RP ID `localhost`. Adding, signing in with, renaming and
 * removing passkeys through the pre-built pages under their real CSP; then
 * MF-06: a replayed assertion, a reused registration challenge, the wrong
 * origin (in the browser and at the server), no user verification, a cloned
 * credential whose counter is behind, a credential presented with another
 * user's handle, a deleted passkey; the step-up window; axe-core on every
 * passkey screen.
 *
 * Without Chromium at /usr/bin/chromium the whole suite is skipped, never failed.
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
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

const PASSWORD = 'correct horse battery staple';
const UI = '/auth/ui';
const TIMEOUT = 60_000;

const suiteName = chromiumAvailable
  ? 'passkeys in Chromium with a virtual authenticator'
  : `passkeys in Chromium with a virtual authenticator — SKIPPED: Chromium is missing at ${CHROMIUM_PATH}`;

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the API's JSON field by field.
  body: any;
}

/** The outcome of a WebAuthn call in the page: the JSON it resolved to, or the error's name and code. */
type Ceremony = { ok: true; value: Record<string, unknown> } | { ok: false; name: string; code: string };

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

describe.skipIf(!chromiumAvailable)(suiteName, () => {
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  let origin: string;
  let browser: Browser;
  let open: BrowserContext[] = [];
  /** Added to the server's clock: moves sessions out of the step-up window. */
  let clockOffsetMs = 0;
  /** CSP violations Chromium reported in contexts that keep the pages' CSP. */
  const cspViolations: string[] = [];
  const axeResults: Record<string, AxeViolation[]> = {};
  let n = 0;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    testAuth = await createTestAuth({
      publicUrl: origin,
      rateLimits: false,
      now: () => new Date(Date.now() + clockOffsetMs),
    });
    server = await startServer(testAuth.auth, { port, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.map((context) => context.close()));
    open = [];
    clockOffsetMs = 0;
    expect(cspViolations).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await testAuth?.db.drop();
    const summary = Object.entries(axeResults).map(
      ([name, violations]) =>
        `${name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`,
    );
    if (summary.length > 0) console.log(`axe-core results (passkeys):\n  ${summary.join('\n  ')}`);
  });

  const url = (path: string) => `${origin}${path}`;
  const where = (page: Page) => {
    const current = new URL(page.url());
    return `${current.pathname}${current.search}`;
  };
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const passkeysSection = (page: Page) => page.getByRole('region', { name: 'Passkeys' });

  async function newUser(): Promise<User> {
    n += 1;
    return testAuth.auth.users.create({ email: `passkey${n}@example.com`, password: PASSWORD });
  }

  /**
   * A fresh profile with its own virtual authenticator. Functional flows keep
   * the pages' CSP (so the passkey scripts must pass it); the axe checks,
   * which inject a script, bypass it.
   */
  async function newBrowser(options: { bypassCSP?: boolean; javaScriptEnabled?: boolean } = {}) {
    const context = await browser.newContext(options);
    open.push(context);
    const page = await context.newPage();
    if (!options.bypassCSP) {
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
    }
    const authenticator = await virtualAuthenticator(page);
    return { context, page, ...authenticator };
  }

  async function virtualAuthenticator(page: Page) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { cdp, authenticatorId };
  }

  async function credentials(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
    return (await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
      .credentials as VirtualCredential[];
  }

  async function signInWithPassword(page: Page, email: string): Promise<void> {
    await page.goto(url(`${UI}/signin`));
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigating(page, () => button(page, 'Sign in').click());
    expect(where(page)).toBe(`${UI}/account`);
  }

  /**
   * Signs the page's browser in with a fresh session, as a sign-in would. A
   * user with a passkey signing in with a password is asked for a second
   * factor (the MFA policy's business, not this suite's).
   */
  async function signInAs(page: Page, user: User): Promise<void> {
    const { token } = await testAuth.auth.sessions.create(user.id);
    await page.context().addCookies([{ name: 'gh_session', value: token, url: origin }]);
  }

  /** Adds a passkey through the account page's form. */
  async function addPasskeyInUi(page: Page, name?: string): Promise<void> {
    await page.goto(url(`${UI}/account`));
    if (name !== undefined) await page.getByLabel('Name of the new passkey').fill(name);
    await navigating(page, () => button(page, 'Add a passkey').click());
    expect(where(page)).toBe(`${UI}/account?done=passkey_added`);
  }

  /** POST to the API from the page (its cookie, its origin), as the passkey script does. */
  function post(page: Page, path: string, body?: unknown): Promise<Reply> {
    return page.evaluate(
      async ({ path, body }) => {
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: await response.json().catch(() => null) };
      },
      { path, body },
    );
  }

  /** `startRegistration` / `startAuthentication` of @simplewebauthn/browser, as loaded by the page. */
  function ceremony(page: Page, method: 'startRegistration' | 'startAuthentication', optionsJSON: unknown) {
    return page.evaluate(
      async ({ method, optionsJSON }): Promise<Ceremony> => {
        type Start = (options: { optionsJSON: unknown }) => Promise<Record<string, unknown>>;
        const { SimpleWebAuthnBrowser } = globalThis as unknown as {
          SimpleWebAuthnBrowser: { startRegistration: Start; startAuthentication: Start };
        };
        try {
          return { ok: true, value: await SimpleWebAuthnBrowser[method]({ optionsJSON }) };
        } catch (error) {
          const { name, code } = error as { name: string; code?: string };
          return { ok: false, name, code: code ?? '' };
        }
      },
      { method, optionsJSON },
    );
  }

  function value(outcome: Ceremony): Record<string, unknown> {
    if (!outcome.ok) throw new Error(`The ceremony failed: ${outcome.name} ${outcome.code}`);
    return outcome.value;
  }

  /** A signed-in page (password) with one passkey, added through the API with the page's own WebAuthn bundle. */
  async function withPasskey(settings: { bypassCSP?: boolean } = {}) {
    const user = await newUser();
    const session = await newBrowser(settings);
    await signInWithPassword(session.page, user.email);
    const options = await post(session.page, '/auth/passkeys/register/options');
    expect(options.status).toBe(200);
    const response = value(await ceremony(session.page, 'startRegistration', options.body));
    const added = await post(session.page, '/auth/passkeys/register/verify', { response });
    expect(added.status).toBe(201);
    return { user, ...session };
  }

  /** An assertion for a fresh sign-in challenge, not yet sent to the server. */
  async function assertion(page: Page): Promise<Record<string, unknown>> {
    const options = await post(page, '/auth/passkeys/signin/options');
    expect(options.status).toBe(200);
    return value(await ceremony(page, 'startAuthentication', options.body));
  }

  async function lastSignInFailure() {
    const [event] = await testAuth.auth.audit.list({ type: 'signin_failed' });
    return { userId: event?.userId, details: event?.details };
  }

  const signInVerify = (page: Page, response: Record<string, unknown>) =>
    post(page, '/auth/passkeys/signin/verify', { response });

  /** Replaces the page's virtual authenticator with a fresh, empty one (another device). */
  async function swapAuthenticator(session: { page: Page; cdp: CDPSession; authenticatorId: string }) {
    await session.cdp.send('WebAuthn.removeVirtualAuthenticator', {
      authenticatorId: session.authenticatorId,
    });
    const fresh = await virtualAuthenticator(session.page);
    session.cdp = fresh.cdp;
    session.authenticatorId = fresh.authenticatorId;
  }

  async function check(page: Page, name: string): Promise<void> {
    axeResults[name] = await axeViolations(page);
    await screenshot(page, `passkeys-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  }

  it(
    'adds a passkey from the account page, then signs in with it from the sign-in page: no email, no password',
    async () => {
      const user = await newUser();
      const { page, cdp, authenticatorId } = await newBrowser();
      await signInWithPassword(page, user.email);
      const section = passkeysSection(page);
      expect(await section.getByText('You have no passkey yet.').isVisible()).toBe(true);
      // The script ran: the form is shown and the note for browsers without passkeys is not.
      expect(await button(page, 'Add a passkey').isVisible()).toBe(true);
      expect(await section.getByText('To add a passkey, open this page').isVisible()).toBe(false);

      await addPasskeyInUi(page, '  Work laptop ');
      expect(await page.getByRole('status').textContent()).toBe(
        'The passkey is added: you can sign in with it now.',
      );
      expect(await section.locator('li strong').allTextContents()).toEqual(['Work laptop']);
      const [credential] = await credentials(cdp, authenticatorId);
      expect(credential).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
      expect(Buffer.from(credential?.userHandle ?? '', 'base64').toString()).toBe(user.id);

      await page.goto(url(`${UI}/signout`));
      await navigating(page, () => button(page, 'Sign out').click());
      await page.goto(url(`${UI}/signin?next=${encodeURIComponent(`${UI}/account?from=passkey`)}`));
      await navigating(page, () => button(page, 'Sign in with a passkey').click());
      expect(where(page)).toBe(`${UI}/account?from=passkey`);
      const session = await page.context().request.get(url('/auth/session'));
      expect((await session.json()).session.amr).toEqual(['passkey']);
      expect((await session.json()).user.id).toBe(user.id);
      expect(await section.getByText(/last used on \d{4}-\d{2}-\d{2}/).isVisible()).toBe(true);
      await screenshot(page, 'passkeys-account');
    },
    TIMEOUT,
  );

  it(
    'finishes a password sign-in with the passkey as the second factor, on the challenge page',
    async () => {
      const { user, page } = await withPasskey();
      await page.goto(url(`${UI}/signout`));
      await navigating(page, () => button(page, 'Sign out').click());
      await page.goto(url(`${UI}/signin`));
      await page.getByLabel('Email or username').fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigating(page, () => button(page, 'Sign in').click());
      expect(where(page)).toBe(`${UI}/mfa`);
      expect((await page.context().request.get(url('/auth/session'))).status()).toBe(401);
      await navigating(page, () => button(page, 'Use a passkey').click());
      expect(where(page)).toBe(`${UI}/account`);
      const session = await (await page.context().request.get(url('/auth/session'))).json();
      expect(session.user.id).toBe(user.id);
      expect(session.session.amr).toEqual(['pwd', 'passkey', 'mfa']);
    },
    TIMEOUT,
  );

  it(
    'renames and removes a passkey with plain forms; the removed passkey no longer signs in',
    async () => {
      const user = await newUser();
      const { page } = await newBrowser();
      await signInWithPassword(page, user.email);
      await addPasskeyInUi(page, 'Phone');
      const section = passkeysSection(page);

      await section.getByText('Rename', { exact: true }).click();
      await page.getByLabel('New name for “Phone”').fill('Old phone');
      await navigating(page, () => button(page, 'Save the name').click());
      expect(where(page)).toBe(`${UI}/account?done=passkey_renamed`);
      expect(await section.locator('li strong').allTextContents()).toEqual(['Old phone']);

      await section.getByText('Rename', { exact: true }).click();
      await page.getByLabel('New name for “Old phone”').fill('   ');
      await navigating(page, () => button(page, 'Save the name').click());
      expect(await section.getByRole('alert').first().textContent()).toContain(
        'Enter a name for the passkey.',
      );
      expect(await section.locator('li strong').allTextContents()).toEqual(['Old phone']);

      await navigating(page, () => page.getByRole('button', { name: 'Remove: Old phone' }).click());
      expect(where(page)).toBe(`${UI}/account?done=passkey_removed`);
      expect(await page.getByRole('status').textContent()).toBe(
        'The passkey is removed: it no longer signs you in.',
      );
      expect(await section.getByText('You have no passkey yet.').isVisible()).toBe(true);
      const [removed] = await testAuth.auth.audit.list({ type: 'passkey_removed', userId: user.id });
      expect(removed?.details.name).toBe('Old phone');

      // The authenticator still holds the credential; the server no longer knows it.
      await page.goto(url(`${UI}/signout`));
      await navigating(page, () => button(page, 'Sign out').click());
      await page.goto(url(`${UI}/signin`));
      await button(page, 'Sign in with a passkey').click();
      const problem = page.getByText(
        'Signing in with a passkey did not work. Try again, or sign in another way.',
      );
      await problem.waitFor();
      expect(where(page)).toBe(`${UI}/signin`);
      expect(await lastSignInFailure()).toEqual({
        userId: null,
        details: { method: 'passkey', reason: 'unknown_credential' },
      });
      expect((await page.context().request.get(url('/auth/session'))).status()).toBe(401);
    },
    TIMEOUT,
  );

  it(
    'MF-06: refuses a replayed assertion, and a reused registration challenge',
    async () => {
      const session = await withPasskey();
      const { page } = session;
      const response = await assertion(page);
      expect((await signInVerify(page, response)).status).toBe(200);
      const replayed = await signInVerify(page, response);
      expect(replayed.status).toBe(401);
      expect(replayed.body.error.code).toBe('invalid_credentials');
      expect((await lastSignInFailure()).details).toEqual({ method: 'passkey', reason: 'challenge' });

      const options = (await post(page, '/auth/passkeys/register/options')).body;
      // The authenticator that holds a passkey for the account is excluded.
      expect(await ceremony(page, 'startRegistration', options)).toMatchObject({
        ok: false,
        code: 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED',
      });
      await swapAuthenticator(session);
      const first = value(await ceremony(page, 'startRegistration', options));
      expect((await post(page, '/auth/passkeys/register/verify', { response: first })).status).toBe(201);
      await swapAuthenticator(session);
      const second = value(await ceremony(page, 'startRegistration', options));
      const reused = await post(page, '/auth/passkeys/register/verify', { response: second });
      expect(reused.status).toBe(400);
      expect(reused.body.error.code).toBe('invalid_request');
      expect(await testAuth.auth.passkeys.count(session.user.id)).toBe(2);
    },
    TIMEOUT,
  );

  it(
    'MF-06: another origin cannot use the passkeys — the browser refuses the RP ID, the server the origin and RP ID',
    async () => {
      const { page, user } = await withPasskey();
      const registerOptions = (await post(page, '/auth/passkeys/register/options')).body;
      const signInOptions = (await post(page, '/auth/passkeys/signin/options')).body;

      // The same server on 127.0.0.1 is another origin: RP ID localhost is not its to use.
      const other = await newBrowser();
      await other.page.goto(url(`${UI}/signin`).replace('//localhost:', '//127.0.0.1:'));
      expect(await ceremony(other.page, 'startRegistration', registerOptions)).toMatchObject({
        ok: false,
        name: 'SecurityError',
      });
      expect(await ceremony(other.page, 'startAuthentication', signInOptions)).toMatchObject({
        ok: false,
        name: 'SecurityError',
      });

      // An assertion made on this origin, checked by servers (same database) expecting another origin or RP ID.
      for (const passkeys of [{ origins: ['https://app.example.com'] }, { rpId: 'example.com' }]) {
        const elsewhere = await createTestAuth(
          { publicUrl: origin, rateLimits: false, passkeys },
          testAuth.db,
        );
        try {
          const response = await assertion(page);
          const reply = await elsewhere.auth.handler(
            new Request(url('/auth/passkeys/signin/verify'), {
              method: 'POST',
              headers: { origin, 'content-type': 'application/json' },
              body: JSON.stringify({ response }),
            }),
          );
          expect(reply.status, JSON.stringify(passkeys)).toBe(401);
          expect(await lastSignInFailure()).toEqual({
            userId: user.id,
            details: { method: 'passkey', reason: 'verification' },
          });
        } finally {
          await elsewhere.close();
        }
      }
      // Checked by the server it was made for, the same kind of assertion signs in.
      expect((await signInVerify(page, await assertion(page))).status).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'MF-06: refuses an assertion made without user verification',
    async () => {
      const { page, cdp, authenticatorId, user } = await withPasskey();
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      // The browser honours the server's `userVerification: 'required'`…
      const required = (await post(page, '/auth/passkeys/signin/options')).body;
      expect(required.userVerification).toBe('required');
      expect(await ceremony(page, 'startAuthentication', required)).toMatchObject({
        ok: false,
        name: 'NotAllowedError',
      });
      // …and a client that asks for less gets an assertion without the UV flag, which the server refuses.
      const weakened = {
        ...(await post(page, '/auth/passkeys/signin/options')).body,
        userVerification: 'discouraged',
      };
      const response = value(await ceremony(page, 'startAuthentication', weakened));
      const flags = Buffer.from(
        (response.response as { authenticatorData: string }).authenticatorData,
        'base64url',
      )[32] as number;
      expect(flags & 0x04).toBe(0);
      expect((await signInVerify(page, response)).status).toBe(401);
      expect(await lastSignInFailure()).toEqual({
        userId: user.id,
        details: { method: 'passkey', reason: 'verification' },
      });
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
      expect((await signInVerify(page, await assertion(page))).status).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'MF-06: refuses a cloned credential whose signature counter is behind, and keeps the genuine one working',
    async () => {
      const { page, cdp, authenticatorId, user } = await withPasskey();
      const [exported] = await credentials(cdp, authenticatorId);
      if (!exported) throw new Error('No credential to export.');
      expect(exported.privateKey).toBeTruthy();
      for (let i = 0; i < 2; i++) expect((await signInVerify(page, await assertion(page))).status).toBe(200);
      expect((await credentials(cdp, authenticatorId))[0]?.signCount).toBe(exported.signCount + 2);

      // The copy, on another device: its next count (exported + 1) is not above the server's (exported + 2).
      const thief = await newBrowser();
      await thief.cdp.send('WebAuthn.addCredential', {
        authenticatorId: thief.authenticatorId,
        credential: exported,
      });
      await thief.page.goto(url(`${UI}/signin`));
      const cloned = await signInVerify(thief.page, await assertion(thief.page));
      expect(cloned.status).toBe(401);
      expect(await lastSignInFailure()).toEqual({
        userId: user.id,
        details: { method: 'passkey', reason: 'counter_regression' },
      });
      expect((await thief.page.context().request.get(url('/auth/session'))).status()).toBe(401);
      expect((await signInVerify(page, await assertion(page))).status).toBe(200);
    },
    TIMEOUT,
  );

  it(
    "MF-06: refuses user A's credential presented with user B's user handle",
    async () => {
      const a = await withPasskey();
      const b = await withPasskey();
      const [credential] = await credentials(a.cdp, a.authenticatorId);
      if (!credential) throw new Error('No credential to export.');
      await a.cdp.send('WebAuthn.removeCredential', {
        authenticatorId: a.authenticatorId,
        credentialId: credential.credentialId,
      });
      await a.cdp.send('WebAuthn.addCredential', {
        authenticatorId: a.authenticatorId,
        credential: { ...credential, userHandle: Buffer.from(b.user.id).toString('base64') },
      });
      const response = await assertion(a.page);
      expect(
        Buffer.from(String((response.response as { userHandle: string }).userHandle), 'base64url').toString(),
      ).toBe(b.user.id);
      const reply = await signInVerify(a.page, response);
      expect(reply.status).toBe(401);
      expect(await lastSignInFailure()).toEqual({
        userId: a.user.id,
        details: { method: 'passkey', reason: 'user_handle' },
      });
      const session = await (await a.page.context().request.get(url('/auth/session'))).json();
      expect(session.user.id).toBe(a.user.id); // still A's own password session, never B's
    },
    TIMEOUT,
  );

  it(
    'asks for a recent sign-in before adding or removing a passkey, and sends the browser to confirm who it is',
    async () => {
      const { page, user } = await withPasskey();
      clockOffsetMs = 16 * 60 * 1000;
      const options = await post(page, '/auth/passkeys/register/options');
      expect(options.status).toBe(401);
      expect(options.body.error.code).toBe('reauthentication_required');
      const reauthenticate = `${UI}/reauthenticate?next=${encodeURIComponent(`${UI}/account`)}`;

      await page.goto(url(`${UI}/account`));
      await navigating(page, () => button(page, 'Add a passkey').click());
      expect(where(page)).toBe(reauthenticate);

      await page.goto(url(`${UI}/account`));
      await navigating(page, () => page.getByRole('button', { name: /^Remove: / }).click());
      expect(where(page)).toBe(reauthenticate);
      expect(await testAuth.auth.passkeys.count(user.id)).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'offers passkeys only where the browser can use them: no button or form without WebAuthn or without JavaScript',
    async () => {
      const { user, page: withKey } = await withPasskey();
      await withKey.close();
      for (const variant of ['no WebAuthn', 'no JavaScript'] as const) {
        const { page } = await newBrowser({
          javaScriptEnabled: variant === 'no JavaScript' ? false : undefined,
        });
        if (variant === 'no WebAuthn') {
          await page.addInitScript(() => {
            Reflect.deleteProperty(globalThis, 'PublicKeyCredential');
          });
        }
        await page.goto(url(`${UI}/signin`));
        expect(await button(page, 'Sign in with a passkey').isVisible(), variant).toBe(false);
        await signInAs(page, user);
        await page.goto(url(`${UI}/account`));
        const section = passkeysSection(page);
        expect(await section.locator('li strong').count(), variant).toBe(1);
        expect(await button(page, 'Add a passkey').isVisible(), variant).toBe(false);
        expect(await section.getByText('To add a passkey, open this page').isVisible(), variant).toBe(true);
        // Renaming needs no script.
        await section.getByText('Rename', { exact: true }).click();
        await page.getByLabel(/^New name for/).fill(`Renamed (${variant})`);
        await navigating(page, () => button(page, 'Save the name').click());
        expect(await section.locator('li strong').allTextContents(), variant).toEqual([
          `Renamed (${variant})`,
        ]);
      }
    },
    TIMEOUT,
  );

  it(
    'loads scripts on the sign-in and account pages only, from this origin, allowed by a CSP that allows nothing else',
    async () => {
      const user = await newUser();
      const { page } = await newBrowser();
      const scripts = new Set<string>();
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script') scripts.add(new URL(response.url()).pathname);
      });
      const visit = async (path: string) => {
        const response = await page.goto(url(path));
        return {
          csp: response?.headers()['content-security-policy'] ?? '',
          elements: await page
            .locator('script')
            .evaluateAll((list) =>
              list.map((element) => (element as unknown as { src: string; text: string }).src),
            ),
        };
      };
      const signIn = await visit(`${UI}/signin`);
      expect(signIn.csp).toContain(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'",
      );
      expect(signIn.elements.map((src) => new URL(src).pathname)).toEqual([
        expect.stringMatching(/^\/auth\/ui\/assets\/webauthn-[0-9a-f]{10}\.js$/),
        expect.stringMatching(/^\/auth\/ui\/assets\/passkeys-[0-9a-f]{10}\.js$/),
      ]);
      for (const path of [`${UI}/signup`, `${UI}/forgot-password`, `${UI}/magic-link`, `${UI}/signout`]) {
        const other = await visit(path);
        expect(other.elements, path).toEqual([]);
        expect(other.csp, path).not.toContain('script-src');
      }
      await signInWithPassword(page, user.email);
      const account = await visit(`${UI}/account`);
      expect(account.csp).toContain("script-src 'self'");
      expect(account.elements).toEqual(signIn.elements);
      expect([...scripts].sort()).toEqual(signIn.elements.map((src) => new URL(src).pathname).sort());

      for (const src of signIn.elements) {
        const asset = await page.context().request.get(src);
        expect(asset.headers()['content-type']).toBe('text/javascript; charset=utf-8');
        expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(asset.headers()['x-content-type-options']).toBe('nosniff');
      }
    },
    TIMEOUT,
  );

  it(
    'has no serious or critical axe-core violations on the passkey screens',
    async () => {
      const session = await withPasskey({ bypassCSP: true });
      const { page } = session;
      await swapAuthenticator(session);
      await addPasskeyInUi(page, 'Tablet');
      await check(page, 'account with passkeys');
      await passkeysSection(page).getByText('Rename', { exact: true }).first().click();
      await page
        .getByLabel(/^New name for/)
        .first()
        .fill(' ');
      await navigating(page, () => button(page, 'Save the name').first().click());
      await check(page, 'account, rename refused');
      await page.context().clearCookies();
      await page.goto(url(`${UI}/signin`));
      expect(await button(page, 'Sign in with a passkey').isVisible()).toBe(true);
      await check(page, 'sign in with a passkey');
      await testAuth.auth.passkeys.removeAll(session.user.id); // the server no longer knows the credential
      await button(page, 'Sign in with a passkey').click();
      await page
        .getByText('Signing in with a passkey did not work. Try again, or sign in another way.')
        .waitFor({ timeout: 20_000 });
      await check(page, 'sign in with a passkey refused');

      const severe = Object.entries(axeResults).flatMap(([name, violations]) =>
        violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${name}: ${describeViolations([v])}`),
      );
      expect(severe, severe.join('\n')).toEqual([]);
    },
    TIMEOUT,
  );
});
