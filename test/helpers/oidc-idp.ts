/**
 * A real OpenID Provider (`oidc-provider`) on loopback for end-to-end tests of
 * social login. There is no UI: `authorize()` walks the provider's redirects
 * like a fresh browser would and completes the login and consent interactions
 * programmatically, signing in as `idp.next`.
 *
 * @example
 * const idp = await startOidcIdp({
 *   clients: [{ client_id: 'app', client_secret: 'shh', redirect_uris: ['http://localhost:3000/cb'] }],
 * });
 * idp.accounts.set('u1', { sub: 'u1', email: 'ada@example.com', email_verified: true });
 * idp.next = { sub: 'u1' };
 * const callback = await idp.authorize(authorizationUrlFromTheApp); // .../cb?code=…&state=…&iss=…
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
// @ts-expect-error -- oidc-provider ships no type declarations (they live in @types/oidc-provider, which
// this repo does not install); the few members used here are typed by `ProviderConstructor` below.
import UntypedProvider from 'oidc-provider';

export interface IdpAccount {
  sub: string;
  email?: string;
  /** Some real providers send the string "true"/"false"; tests may do the same. */
  email_verified?: boolean | string;
  given_name?: string;
  family_name?: string;
  name?: string;
}

export interface IdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /**
   * How the client authenticates at the token endpoint. oidc-provider accepts only the registered
   * method; the default matches openid-client's default (`ClientSecretPost`).
   */
  token_endpoint_auth_method?: 'client_secret_post' | 'client_secret_basic';
}

export interface TestIdp {
  /** e.g. http://127.0.0.1:54321 — the issuer (no trailing slash) */
  readonly issuer: string;
  /** accounts by sub; tests mutate this map freely */
  readonly accounts: Map<string, IdpAccount>;
  /** who the next authorization request signs in as (sub), or an error the IdP answers with instead ({ error: 'access_denied', error_description?: string }) */
  next: { sub: string } | { error: string; error_description?: string };
  /**
   * Given the authorization URL the app redirected the browser to, follows the IdP's own redirects
   * (keeping the IdP's cookies in a private jar, completing the login interaction for `next` and
   * granting consent automatically, no HTML forms) and returns the final redirect URL that points back
   * at the client's redirect_uri (with code & state, or error & state). Does not fetch that final URL.
   * With `response_mode=form_post`, the URL is the form's target with the posted fields as its query.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/** The part of oidc-provider's API these helpers use. */
interface InteractionDetails {
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: { client_id: string };
  session?: { accountId: string };
}
interface Provider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: new (init: {
    accountId: string;
    clientId: string;
  }) => {
    addOIDCScope(scope: string[]): void;
    addOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  };
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => Provider;
const OidcProvider = UntypedProvider as ProviderConstructor;

const INTERACTION_PATH = /^\/interaction\/[\w-]+$/;

export async function startOidcIdp(options: {
  clients: IdpClient[];
  /** default true: PKCE (S256) required for every authorization request */
  pkceRequired?: boolean;
  /** seconds; default oidc-provider's */
  authorizationCodeTtl?: number;
}): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  const pkceRequired = options.pkceRequired ?? true;
  const redirectUris = new Set(
    options.clients.flatMap((client) => client.redirect_uris.map((uri) => withoutQuery(new URL(uri)))),
  );

  // The issuer must contain the port, so listen first and build the provider afterwards.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Our own signing key, so that oidc-provider does not fall back to its (warned about) shared dev keys.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const provider = new OidcProvider(issuer, {
    clients: options.clients.map(({ token_endpoint_auth_method = 'client_secret_post', ...client }) => ({
      ...client,
      token_endpoint_auth_method,
    })),
    jwks: { keys: [signingKey] },
    scopes: ['openid'],
    // Scopes named here are added to the supported scopes.
    claims: { email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'name'] },
    // By default, scope-requested claims go only to userinfo when an access token is issued; real
    // providers (Google, Microsoft) also put them in the ID token, which is what apps read.
    conformIdTokenClaims: false,
    pkce: { required: () => pkceRequired },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      if (!accounts.has(sub)) return undefined;
      return {
        accountId: sub,
        // Read at the time of each token/userinfo request, so tests can change an account between logins.
        claims: async () => ({ ...accounts.get(sub), sub }),
      };
    },
    // Every TTL is set explicitly: for each default one oidc-provider prints a notice asking to change it.
    ttl: {
      AccessToken: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      ...(options.authorizationCodeTtl === undefined
        ? {}
        : { AuthorizationCode: options.authorizationCodeTtl }),
    },
    // The default is an HTML page; JSON makes an unexpected error readable in a failing test.
    async renderError(ctx: { type: string; body: unknown }, out: Record<string, string>) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  const providerCallback = provider.callback();
  handle = (req, res) => {
    if (req.method === 'GET' && INTERACTION_PATH.test(new URL(req.url ?? '/', issuer).pathname)) {
      interact(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    } else {
      providerCallback(req, res);
    }
  };

  const idp: TestIdp = {
    issuer,
    accounts,
    next: { error: 'access_denied', error_description: 'idp.next was not set by the test' },
    async authorize(authorizationUrl) {
      // A fresh jar per call: every authorization starts like a new browser, so it always goes through
      // the login interaction (for the current `next`) instead of reusing an earlier IdP session.
      const jar = new CookieJar();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        if (url.origin !== issuer) throw new Error(`authorize() was led away from the IdP, to ${url.href}`);
        const cookie = jar.header(url);
        const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        jar.store(url, response.headers.getSetCookie());
        const location = response.headers.get('location');
        const body = await response.text();
        // `response_mode=form_post`: the answer is a page whose form posts the fields to the redirect URI.
        const posted = response.status === 200 ? formPost(body) : null;
        if (posted && redirectUris.has(withoutQuery(posted))) return posted;
        if (response.status < 300 || response.status >= 400 || !location) {
          throw new Error(`IdP answered ${response.status} to ${url.pathname}: ${body}`);
        }
        url = new URL(location, url);
        if (redirectUris.has(withoutQuery(url))) return url;
      }
      throw new Error('authorize(): too many redirects at the IdP');
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };

  /** Stands in for the login and consent pages: answers each prompt as the test decided. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { prompt, params, session } = await provider.interactionDetails(req, res);
    const finish = (result: Record<string, unknown>) =>
      provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });

    const next = idp.next;
    if ('error' in next) return finish({ error: next.error, error_description: next.error_description });

    if (prompt.name === 'login') {
      if (!accounts.has(next.sub)) throw new Error(`idp.next.sub ${next.sub} is not in idp.accounts`);
      return finish({ login: { accountId: next.sub } });
    }
    if (prompt.name === 'consent' && session) {
      const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      grant.addOIDCScope(prompt.details.missingOIDCScope ?? []);
      grant.addOIDCClaims(prompt.details.missingOIDCClaims ?? []);
      return finish({ consent: { grantId: await grant.save() } });
    }
    throw new Error(`unexpected interaction prompt: ${prompt.name}`);
  }

  return idp;
}

function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Just enough of a browser cookie jar for one origin: oidc-provider scopes its interaction cookies
 * to per-interaction paths and clears them by setting them again expired, so paths and expiry matter.
 */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(requestUrl: URL, setCookieLines: string[]): void {
    for (const line of setCookieLines) {
      const [pair = '', ...attributeParts] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const attributes = new Map(
        attributeParts.map((part) => {
          const [key = '', ...rest] = part.split('=');
          return [key.trim().toLowerCase(), rest.join('=').trim()] as const;
        }),
      );
      const path = attributes.get('path') || defaultPath(requestUrl);
      const expires = attributes.get('expires');
      const maxAge = attributes.get('max-age');
      const expired =
        value === '' ||
        (maxAge !== undefined && Number(maxAge) <= 0) ||
        (maxAge === undefined && expires !== undefined && Date.parse(expires) <= Date.now());
      const key = `${name};${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(requestUrl: URL): string {
    const requestPath = requestUrl.pathname;
    return [...this.cookies.values()]
      .filter(
        ({ path }) =>
          requestPath === path ||
          (requestPath.startsWith(path) && (path.endsWith('/') || requestPath[path.length] === '/')),
      )
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
  }
}

/** RFC 6265 §5.1.4: the request path up to, not including, its last slash ("/" at least). */
function defaultPath(url: URL): string {
  const lastSlash = url.pathname.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : url.pathname.slice(0, lastSlash);
}

/** The target of an auto-submitting form page, its hidden fields as the query (null: no such form). */
function formPost(html: string): URL | null {
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html)?.[1];
  if (!action) return null;
  const url = new URL(unescapeHtml(action));
  for (const input of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) {
    url.searchParams.set(unescapeHtml(input[1] ?? ''), unescapeHtml(input[2] ?? ''));
  }
  return url;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
