/**
 * A small GitHub-style OAuth 2.0 server on loopback (plain OAuth: no ID token, no discovery), for
 * end-to-end tests of social login with providers like GitHub. Its endpoints and response shapes
 * mimic GitHub's; it is stricter where GitHub is lax, so that a client that passes here is correct:
 * failures answer HTTP 400 (GitHub answers 200 with an error body), PKCE is verified, and
 * `redirect_uri` must be repeated at the token endpoint when it was sent to the authorization one.
 *
 * @example
 * const github = await startOAuth2Server({
 *   clients: [{ client_id: 'app', client_secret: 'shh', redirect_uris: ['http://localhost:3000/cb'] }],
 * });
 * github.users.set('ada', { id: 1, login: 'ada', emails: [{ email: 'ada@example.com', primary: true, verified: true }] });
 * github.next = { login: 'ada' };
 * const callback = await github.authorize(authorizationUrlFromTheApp); // .../cb?code=…&state=…
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubUser {
  id: number;
  login: string;
  name?: string | null;
  /** The public profile email returned by GET /user; may be unset like on GitHub. */
  email?: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface OAuth2Client {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface TestOAuth2Server {
  readonly url: string; // http://127.0.0.1:port
  readonly users: Map<string, GithubUser>; // by login
  next: { login: string } | { error: string; error_description?: string };
  /** counts of requests per path, for assertions (e.g. token endpoint called once) */
  readonly hits: Map<string, number>;
  /** like TestIdp.authorize: fetches the authorization URL (redirect: manual) and returns the Location URL pointing at the client's redirect_uri */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  /** Whether the authorization request named the redirect_uri (RFC 6749 §4.1.3: then the token request must too). */
  redirectUriSent: boolean;
  login: string;
  scope: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

export async function startOAuth2Server(options: { clients: OAuth2Client[] }): Promise<TestOAuth2Server> {
  const clients = new Map(options.clients.map((client) => [client.client_id, client]));
  const users = new Map<string, GithubUser>();
  const hits = new Map<string, number>();
  const codes = new Map<string, IssuedCode>();
  /** access token → login */
  const tokens = new Map<string, string>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const oauth: TestOAuth2Server = {
    url,
    users,
    hits,
    next: { error: 'access_denied', error_description: 'server.next was not set by the test' },
    async authorize(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      const body = await response.text();
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) {
        throw new Error(`OAuth2 server answered ${response.status} to the authorization request: ${body}`);
      }
      return new URL(location);
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    const path = requestUrl.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = `${req.method} ${path}`;
    if (route === 'GET /login/oauth/authorize') return authorizeEndpoint(requestUrl.searchParams, res);
    if (route === 'POST /login/oauth/access_token') return tokenEndpoint(req, res);
    if (route === 'GET /user' || route === 'GET /user/emails') {
      const user = authenticatedUser(req);
      if (!user) {
        return sendJson(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
      return path === '/user' ? sendJson(res, 200, profile(user)) : sendJson(res, 200, emails(user));
    }
    sendJson(res, 404, { message: 'Not Found' });
  }

  function authorizeEndpoint(params: URLSearchParams, res: ServerResponse) {
    const client = clients.get(params.get('client_id') ?? '');
    if (!client) return sendText(res, 400, 'unknown client_id');
    // Like GitHub, an omitted redirect_uri means the registered callback URL.
    const redirectUriParam = params.get('redirect_uri');
    const redirectUri = redirectUriParam ?? client.redirect_uris[0];
    if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
      return sendText(res, 400, 'redirect_uri is not registered for this client');
    }

    const redirect = (result: Record<string, string | undefined>) => {
      const location = new URL(redirectUri);
      for (const [key, value] of Object.entries({ ...result, state: params.get('state') ?? undefined })) {
        if (value !== undefined) location.searchParams.set(key, value);
      }
      res.writeHead(302, { location: location.href }).end();
    };

    const codeChallenge = params.get('code_challenge') ?? undefined;
    if (codeChallenge !== undefined && params.get('code_challenge_method') !== 'S256') {
      return redirect({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    }
    const next = oauth.next;
    if ('error' in next) return redirect({ error: next.error, error_description: next.error_description });
    if (!users.has(next.login)) {
      return sendText(res, 500, `server.next.login ${next.login} is not in server.users`);
    }

    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      clientId: client.client_id,
      redirectUri,
      redirectUriSent: redirectUriParam !== null,
      login: next.login,
      scope: params.get('scope') ?? '',
      codeChallenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    redirect({ code });
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // GitHub answers form-encoded unless the client asks for JSON.
    const json = (req.headers.accept ?? '').includes('application/json');
    const reply = (status: number, body: Record<string, string>) =>
      json ? sendJson(res, status, body) : sendForm(res, status, body);
    const fail = (error: string, error_description: string) => reply(400, { error, error_description });

    const body = new URLSearchParams(await readBody(req));
    const credentials = clientCredentials(req.headers.authorization, body);
    const client = credentials && clients.get(credentials.clientId);
    if (!client || !credentials || !safeEqual(credentials.clientSecret, client.client_secret)) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const grantType = body.get('grant_type');
    if (grantType !== null && grantType !== 'authorization_code') {
      return fail('unsupported_grant_type', `grant_type ${grantType} is not supported`);
    }

    const codeParam = body.get('code') ?? '';
    const code = codes.get(codeParam);
    // Single use: whatever happens next, this code is spent.
    codes.delete(codeParam);
    if (!code || code.clientId !== client.client_id || code.expiresAt <= Date.now()) {
      return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    }
    const redirectUri = body.get('redirect_uri');
    if ((code.redirectUriSent || redirectUri !== null) && redirectUri !== code.redirectUri) {
      return fail(
        'redirect_uri_mismatch',
        'The redirect_uri does not match the one of the authorization request.',
      );
    }
    const verifier = body.get('code_verifier');
    if (code.codeChallenge !== undefined) {
      if (verifier === null) return fail('bad_verification_code', 'code_verifier is required.');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!safeEqual(challenge, code.codeChallenge)) {
        return fail('bad_verification_code', 'The code_verifier does not match the code_challenge.');
      }
    } else if (verifier !== null) {
      return fail(
        'bad_verification_code',
        'code_verifier sent but the authorization request had no code_challenge.',
      );
    }

    const accessToken = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(accessToken, code.login);
    // GitHub lists granted scopes comma-separated.
    reply(200, {
      access_token: accessToken,
      token_type: 'bearer',
      scope: code.scope.split(/[\s,]+/).join(','),
    });
  }

  function authenticatedUser(req: IncomingMessage): GithubUser | undefined {
    const match = /^(?:bearer|token) (\S+)$/i.exec(req.headers.authorization ?? '');
    const login = match?.[1] && tokens.get(match[1]);
    return login ? users.get(login) : undefined;
  }

  function profile(user: GithubUser) {
    return {
      id: user.id,
      login: user.login,
      name: user.name ?? null,
      email: user.email ?? null,
      avatar_url: `${url}/avatars/u/${user.id}`,
    };
  }

  return oauth;
}

function emails(user: GithubUser) {
  return user.emails.map(({ email, primary, verified }) => ({
    email,
    primary,
    verified,
    // GitHub reports visibility for the primary address only.
    visibility: primary ? (email === user.email ? 'public' : 'private') : null,
  }));
}

/** From HTTP Basic (RFC 6749 §2.3.1: form-url-encoded id and secret) or from the body. */
function clientCredentials(
  authorization: string | undefined,
  body: URLSearchParams,
): { clientId: string; clientSecret: string } | undefined {
  const basic = /^basic (\S+)$/i.exec(authorization ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const formDecode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  }
  const clientId = body.get('client_id');
  const clientSecret = body.get('client_secret');
  return clientId !== null && clientSecret !== null ? { clientId, clientSecret } : undefined;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function sendForm(res: ServerResponse, status: number, body: Record<string, string>): void {
  res
    .writeHead(status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })
    .end(new URLSearchParams(body).toString());
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
