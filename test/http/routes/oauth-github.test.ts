/**
 * Social sign-in with an OAuth 2.0 provider that is not OpenID Connect: the
 * `github` preset pointed at a small GitHub-style server on loopback (no ID
 * token; the user and their verified address come from its API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';
import { MAIL_PUBLIC_URL } from '../../helpers/mail-api.js';
import { startOAuth2Server, type TestOAuth2Server } from '../../helpers/oauth2-server.js';

const CALLBACK = `${MAIL_PUBLIC_URL}/auth/oauth/github/callback`;

let github: TestOAuth2Server;
let api: TestApi<Record<never, never>>;
let n = 0;

beforeAll(async () => {
  github = await startOAuth2Server({
    clients: [{ client_id: 'gh-app', client_secret: 'gh-secret', redirect_uris: [CALLBACK] }],
  });
  api = await createTestApi({
    publicUrl: MAIL_PUBLIC_URL,
    trustedOrigins: [ORIGIN],
    rateLimits: false,
    oauth: {
      providers: {
        github: {
          clientId: 'gh-app',
          clientSecret: 'gh-secret',
          authorizationUrl: `${github.url}/login/oauth/authorize`,
          tokenUrl: `${github.url}/login/oauth/access_token`,
          userInfoUrl: `${github.url}/user`,
        },
      },
    },
  });
});
afterAll(async () => {
  await api?.close();
  await github?.close();
});

function githubUser(options: { verified?: boolean; email?: string } = {}) {
  n += 1;
  const login = `octo${n}`;
  const email = options.email ?? `octo${n}@example.com`;
  github.users.set(login, {
    id: 9000 + n,
    login,
    name: `Mona Octo${n}`,
    email: null,
    emails: [
      { email: `old${n}@example.com`, primary: false, verified: true },
      { email, primary: true, verified: options.verified ?? true },
    ],
  });
  github.next = { login };
  return { id: 9000 + n, login, email };
}

async function start(browser: Client) {
  const started = await browser.get('/auth/oauth/github');
  expect(started.status).toBe(302);
  return new URL(started.headers.get('location') ?? '');
}

async function signInWith(browser: Client, tamper: (url: URL) => void = () => {}) {
  const authorization = await start(browser);
  tamper(authorization);
  const back = await github.authorize(authorization.href);
  return browser.get(`${back.pathname}${back.search}`);
}

function errorOf(reply: { status: number; headers: Headers }) {
  expect(reply.status).toBe(303);
  return new URL(reply.headers.get('location') ?? '', MAIL_PUBLIC_URL).searchParams.get('error');
}

describe('a GitHub-style provider', () => {
  it('asks for the scopes with state and S256 PKCE, and no nonce', async () => {
    const url = await start(api.client());
    expect(url.origin + url.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it('creates a user from the primary verified address, keyed by the numeric user id', async () => {
    const { id, email } = githubUser();
    const browser = api.client();
    const tokenCalls = github.hits.get('/login/oauth/access_token') ?? 0;
    const back = await signInWith(browser);
    expect(back.status).toBe(303);
    expect(github.hits.get('/login/oauth/access_token')).toBe(tokenCalls + 1);
    const session = (await browser.get('/auth/session')).body;
    expect(session.user).toMatchObject({
      email,
      emailVerified: true,
      firstName: 'Mona',
      lastName: `Octo${n}`,
    });
    const linked = await api.auth.accounts.find('github', String(id));
    expect(linked?.userId).toBe(session.user.id);
  });

  it('signs a returning user in to the same account', async () => {
    const { login, email } = githubUser();
    await signInWith(api.client());
    github.next = { login };
    const again = api.client();
    expect((await signInWith(again)).status).toBe(303);
    expect((await again.get('/auth/session')).body.user.id).toBe(
      (await api.auth.users.getByEmail(email))?.id,
    );
  });

  it('links to an existing verified account only when GitHub verified the address', async () => {
    n += 1;
    const owner = await api.auth.users.create({
      email: `shared${n}@example.com`,
      password: PASSWORD,
      emailVerified: true,
    });
    githubUser({ email: owner.email, verified: false });
    const refused = api.client();
    expect(errorOf(await signInWith(refused))).toBe('conflict');
    expect((await refused.get('/auth/session')).status).toBe(401);
    githubUser({ email: owner.email, verified: true });
    const linked = api.client();
    expect((await signInWith(linked)).status).toBe(303);
    expect((await linked.get('/auth/session')).body.user.id).toBe(owner.id);
  });

  it("refuses the provider's error", async () => {
    github.next = { error: 'access_denied', error_description: 'The user said no' };
    const browser = api.client();
    expect(errorOf(await signInWith(browser))).toBe('oauth_failed');
    expect((await browser.get('/auth/session')).status).toBe(401);
  });

  it('refuses when the PKCE challenge was stripped on the way: the verifier no longer matches anything', async () => {
    const { email } = githubUser();
    const browser = api.client();
    const reply = await signInWith(browser, (url) => {
      url.searchParams.delete('code_challenge');
      url.searchParams.delete('code_challenge_method');
    });
    expect(errorOf(reply)).toBe('oauth_failed');
    expect(await api.auth.users.getByEmail(email)).toBeNull();
  });

  it('refuses a replayed callback', async () => {
    githubUser();
    const browser = api.client();
    const authorization = await start(browser);
    const secret = browser.cookies.get('__Host-gh_oauth') ?? '';
    const back = await github.authorize(authorization.href);
    expect((await browser.get(`${back.pathname}${back.search}`)).status).toBe(303);
    const replay = api.client();
    replay.cookies.set('__Host-gh_oauth', secret);
    expect(errorOf(await replay.get(`${back.pathname}${back.search}`))).toBe('oauth_failed');
    expect((await replay.get('/auth/session')).status).toBe(401);
  });
});
