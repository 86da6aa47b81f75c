/**
 * Security plan OA-04: social sign-in against a hostile OpenID Provider.
 *
 * A tiny provider on `node:http` (loopback, plain http — allowed there) that
 * answers the token request with an ID token each test crafts: wrong nonce,
 * wrong audience, wrong issuer, expired, unsigned, signed by a key that is not
 * in its JWKS. Also a provider whose discovery document names another issuer,
 * and a callback whose RFC 9207 `iss` parameter names another issuer. Every
 * one must end with no session and no user; one positive control per provider
 * proves the harness signs in when nothing is wrong, so each refusal is down
 * to the single thing the test broke.
 *
 * No browser visits `/authorize`: the test reads the authorization URL from
 * our 302, lets the provider record what it would have (nonce, PKCE challenge,
 * redirect URI) under a made-up code, and calls our callback itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWSHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logger.js';
import { type Client, createTestApi, ORIGIN, type TestApi } from '../../helpers/http.js';
import { MAIL_PUBLIC_URL, SECURE_COOKIE } from '../../helpers/mail-api.js';

const CLIENT_ID = 'app';
const CLIENT_SECRET = 'app-secret';
const TRANSACTION_COOKIE = '__Host-gh_oauth';
const CALLBACK = (id: string) => `${MAIL_PUBLIC_URL}/auth/oauth/${id}/callback`;

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
type Claims = JWTPayload & Record<string, unknown>;

/**
 * Rewrites the ID token of a token response: mutate `claims` and `header` in
 * place (the provider then signs them with its own key), or return a whole
 * token to send instead.
 */
type Craft = (
  claims: Claims,
  header: JWSHeaderParameters,
) => string | undefined | Promise<string | undefined>;

interface HostileIdp {
  /** http://127.0.0.1:port, the issuer we configure. */
  readonly origin: string;
  /** The provider's own signing key (the one its JWKS publishes, kid `idp-key`). */
  readonly key: SigningKey;
  /** Applied to every ID token until reset (after each test). */
  craft: Craft | null;
  /** Token requests answered with tokens (after all the client's checks passed). */
  readonly issued: number;
  /** Token requests received at all. */
  readonly tokenRequests: number;
  /**
   * What a browser visiting the authorization URL would get: the provider
   * records the request under a fresh code and returns our callback URL.
   */
  authorize(authorization: URL, email: string): URL;
  close(): Promise<void>;
}

interface Grant {
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
  email: string;
}

async function startHostileIdp(
  options: { documentIssuer?: string; metadata?: Record<string, unknown> } = {},
): Promise<HostileIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-key', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  let origin = '';
  let tokenRequests = 0;
  let issued = 0;

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  async function form(req: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  /** A strict token endpoint: any mistake of the client is a 400, so the positive control proves the client is right. */
  async function token(req: IncomingMessage, res: ServerResponse) {
    tokenRequests += 1;
    const body = await form(req);
    const basic = req.headers.authorization?.startsWith('Basic ')
      ? Buffer.from(req.headers.authorization.slice(6), 'base64')
          .toString()
          .split(':')
          .map(decodeURIComponent)
      : null;
    const [clientId, secret] = basic ?? [body.get('client_id'), body.get('client_secret')];
    if (clientId !== CLIENT_ID || secret !== CLIENT_SECRET)
      return send(res, 401, { error: 'invalid_client' });
    if (body.get('grant_type') !== 'authorization_code')
      return send(res, 400, { error: 'unsupported_grant_type' });
    const code = body.get('code') ?? '';
    const grant = grants.get(code);
    grants.delete(code);
    const verifier = body.get('code_verifier') ?? '';
    if (
      !grant ||
      body.get('redirect_uri') !== grant.redirectUri ||
      createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge
    ) {
      return send(res, 400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: Claims = {
      iss: origin,
      sub: `hostile|${grant.email}`,
      aud: CLIENT_ID,
      iat: now,
      exp: now + 300,
      nonce: grant.nonce,
      email: grant.email,
      email_verified: true,
      given_name: 'Mallory',
    };
    const header: JWSHeaderParameters = { alg: 'RS256', kid: 'idp-key', typ: 'JWT' };
    const crafted = await idp.craft?.(claims, header);
    const idToken = crafted ?? (await signed(privateKey, header, claims));
    issued += 1;
    send(res, 200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer: options.documentIssuer ?? origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        jwks_uri: `${origin}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        ...options.metadata,
      });
    }
    if (req.method === 'GET' && path === '/jwks') return send(res, 200, { keys: [jwk] });
    // Never visited: `authorize()` stands in for the browser's round trip.
    if (path === '/authorize') return send(res, 400, { error: 'invalid_request' });
    if (req.method === 'POST' && path === '/token') {
      token(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
      return;
    }
    send(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: HostileIdp = {
    get origin() {
      return origin;
    },
    key: privateKey,
    craft: null,
    get issued() {
      return issued;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    authorize(authorization, email) {
      const params = authorization.searchParams;
      expect(`${authorization.origin}${authorization.pathname}`).toBe(`${origin}/authorize`);
      expect(params.get('client_id')).toBe(CLIENT_ID);
      expect(params.get('code_challenge_method')).toBe('S256');
      const code = randomBytes(16).toString('base64url');
      const redirectUri = params.get('redirect_uri') ?? '';
      grants.set(code, {
        nonce: params.get('nonce') ?? '',
        codeChallenge: params.get('code_challenge') ?? '',
        redirectUri,
        email,
      });
      const callback = new URL(redirectUri);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', params.get('state') ?? '');
      return callback;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return idp;
}

function signed(key: SigningKey, header: JWSHeaderParameters, claims: Claims): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as JWSHeaderParameters & { alg: string }).sign(key);
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

let idp: HostileIdp;
/** Discovery names another issuer than the one configured. */
let liar: HostileIdp;
/** Advertises RFC 9207: its authorization responses carry `iss`. */
let announcer: HostileIdp;
let api: TestApi<Record<never, never>>;
/** What the API logged as the reason for each refused callback, or unreachable provider. */
const warnings: { message: string; reason: string }[] = [];
let n = 0;

/** The messages of an error and its causes, innermost included: which check fired. */
function reasonOf(error: unknown): string {
  const messages: string[] = [];
  for (let e = error; e instanceof Error && messages.length < 5; e = e.cause) messages.push(e.message);
  return messages.join(' <- ');
}

const logger: Logger = {
  error: () => {},
  info: () => {},
  debug: () => {},
  warn: (object, message) => void warnings.push({ message: message ?? '', reason: reasonOf(object.err) }),
};

function provider(issuer: string) {
  return { preset: 'oidc' as const, issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
}

beforeAll(async () => {
  idp = await startHostileIdp();
  liar = await startHostileIdp({ documentIssuer: 'https://idp.example.com' });
  announcer = await startHostileIdp({ metadata: { authorization_response_iss_parameter_supported: true } });
  api = await createTestApi({
    publicUrl: MAIL_PUBLIC_URL,
    trustedOrigins: [ORIGIN],
    rateLimits: false,
    logger,
    oauth: {
      providers: {
        hostile: provider(idp.origin),
        liar: provider(liar.origin),
        announcer: provider(announcer.origin),
      },
    },
  });
});
afterEach(() => {
  for (const server of [idp, liar, announcer]) server.craft = null;
  warnings.length = 0;
});
afterAll(async () => {
  await api?.close();
  await Promise.all([idp?.close(), liar?.close(), announcer?.close()]);
});

function freshEmail() {
  n += 1;
  return `mallory${n}@example.com`;
}

async function start(browser: Client, id: string) {
  const started = await browser.get(`/auth/oauth/${id}`);
  expect(started.status).toBe(302);
  return new URL(started.headers.get('location') ?? '');
}

/** GET on the API for a callback URL (the public URL's path and query). */
function follow(browser: Client, url: URL) {
  return browser.get(`${url.pathname}${url.search}`);
}

/** Start at the API, "visit" the provider, come back; `tamper` edits the callback URL first. */
async function signIn(
  browser: Client,
  email: string,
  {
    id = 'hostile',
    server = idp,
    tamper,
  }: { id?: string; server?: HostileIdp; tamper?: (callback: URL) => void } = {},
) {
  const authorization = await start(browser, id);
  const callback = server.authorize(authorization, email);
  expect(callback.href.startsWith(CALLBACK(id))).toBe(true);
  tamper?.(callback);
  return follow(browser, callback);
}

async function expectSignedIn(browser: Client, reply: { status: number; headers: Headers }, email: string) {
  expect(reply.status).toBe(303);
  expect(reply.headers.get('location')).toBe('/auth/ui/account');
  expect(browser.cookies.has(SECURE_COOKIE)).toBe(true);
  const session = await browser.get('/auth/session');
  expect(session.status).toBe(200);
  expect(session.body.user.email).toBe(email);
}

/** The refusal every hostile answer must end in: the error page, no session, nobody created. */
async function expectRefused(browser: Client, reply: { status: number; headers: Headers }, email: string) {
  expect(reply.status).toBe(303);
  expect(reply.headers.get('location')).toBe('/auth/ui/signin?error=oauth_failed');
  expect(browser.cookies.has(SECURE_COOKIE)).toBe(false);
  expect((await browser.get('/auth/session')).status).toBe(401);
  expect(await api.auth.users.getByEmail(email)).toBeNull();
}

/** The callback was refused while checking the provider's answer, for a reason matching `pattern`. */
function expectRefusedFor(pattern: RegExp) {
  const refused = warnings.filter((w) => w.message === 'A social sign-in callback was refused.');
  expect(refused).toHaveLength(1);
  expect(refused[0]?.reason).toMatch(pattern);
}

describe('the positive control', () => {
  it('signs in with an honest ID token from the hostile provider', async () => {
    const email = freshEmail();
    const browser = api.client();
    const before = idp.issued;
    await expectSignedIn(browser, await signIn(browser, email), email);
    expect(idp.issued).toBe(before + 1);
    expect(warnings).toEqual([]);
  });

  it('accepts an audience array that includes us, naming us as the authorized party', async () => {
    // Shows the array case below is refused for leaving us out, not for being an array.
    idp.craft = (claims) => {
      claims.aud = [CLIENT_ID, 'other-app'];
      claims.azp = CLIENT_ID;
      return undefined;
    };
    const email = freshEmail();
    const browser = api.client();
    await expectSignedIn(browser, await signIn(browser, email), email);
  });
});

describe('an ID token is refused when', () => {
  /**
   * Each case reaches the token endpoint and gets a token (so the refusal is
   * the ID token's check, not anything earlier), then must be refused.
   */
  async function refusedToken(craft: Craft, reason: RegExp) {
    idp.craft = craft;
    const email = freshEmail();
    const browser = api.client();
    const before = idp.issued;
    const reply = await signIn(browser, email);
    expect(idp.issued).toBe(before + 1);
    await expectRefused(browser, reply, email);
    expectRefusedFor(reason);
  }

  it('its nonce is not the one we sent', async () => {
    await refusedToken((claims) => {
      claims.nonce = randomBytes(32).toString('base64url');
      return undefined;
    }, /"nonce"/);
  });

  it('it has no nonce at all', async () => {
    await refusedToken((claims) => {
      delete claims.nonce;
      return undefined;
    }, /"nonce"/);
  });

  it('its audience is another client', async () => {
    await refusedToken((claims) => {
      claims.aud = 'other-app';
      return undefined;
    }, /unexpected JWT "aud"/);
  });

  it('its audience is an array without us (even naming us as the authorized party)', async () => {
    // With `azp` set to us, only the audience check itself stands between this token and a session.
    await refusedToken((claims) => {
      claims.aud = ['other-app', 'third-app'];
      claims.azp = CLIENT_ID;
      return undefined;
    }, /unexpected JWT "aud"/);
  });

  it('its audience includes us among others but names no authorized party', async () => {
    await refusedToken((claims) => {
      claims.aud = [CLIENT_ID, 'other-app'];
      return undefined;
    }, /additional untrusted audiences/);
  });

  it('its issuer is not the provider', async () => {
    await refusedToken((claims) => {
      claims.iss = 'http://evil.example';
      return undefined;
    }, /unexpected JWT "iss"/);
  });

  it('it expired', async () => {
    await refusedToken((claims) => {
      // Well past the default clock tolerance (30 s).
      claims.iat = Math.floor(Date.now() / 1000) - 3600;
      claims.exp = Math.floor(Date.now() / 1000) - 600;
      return undefined;
    }, /"exp"/);
  });

  it('it is unsigned (alg: none)', async () => {
    await refusedToken(
      (claims) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
      /"alg"|signature/i,
    );
  });

  it('it is signed by a key the provider does not publish (unknown kid)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refusedToken(
      (claims, header) => signed(privateKey, { ...header, kid: 'stranger' }, claims),
      /key|signature/i,
    );
  });

  it("it is signed by another key under the provider's own kid", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refusedToken((claims, header) => signed(privateKey, header, claims), /signature/i);
  });

  it("its signature is the provider's, but over other claims", async () => {
    // A genuine signature spliced onto an edited payload: only checking the signature catches this.
    await refusedToken(async (claims, header) => {
      const [head, , signature] = (await signed(idp.key, header, claims)).split('.');
      return `${head}.${b64url({ ...claims, given_name: 'Eve' })}.${signature}`;
    }, /signature/i);
  });
});

describe('a discovery document naming another issuer', () => {
  it('makes the provider unavailable: no transaction, no redirect, no session', async () => {
    const browser = api.client();
    const started = await browser.get('/auth/oauth/liar');
    // Discovery fails (oauth4webapi compares the document's issuer with the configured one),
    // so the start route answers 503 before storing anything or sending the browser anywhere.
    expect(started.status).toBe(503);
    expect(started.body.error.code).toBe('unavailable');
    expect(started.headers.get('location')).toBeNull();
    expect(browser.cookies.has(TRANSACTION_COOKIE)).toBe(false);
    expect(warnings.map((w) => w.reason).join('\n')).toMatch(/issuer/);
    const stored = await api.auth.database.db
      .selectFrom('oauth_transactions')
      .select('id')
      .where('provider', '=', 'liar')
      .execute();
    expect(stored).toEqual([]);
    // Still refused on the next try: a failed discovery is not remembered as a success.
    expect((await browser.get('/auth/oauth/liar')).status).toBe(503);
    // And a callback forged for it goes nowhere: nothing was started, nothing reaches the token endpoint.
    const forged = new URL(CALLBACK('liar'));
    forged.searchParams.set('code', 'made-up');
    forged.searchParams.set('state', 'A'.repeat(43));
    const reply = await follow(browser, forged);
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/auth/ui/signin?error=oauth_failed');
    expect((await browser.get('/auth/session')).status).toBe(401);
    expect(liar.tokenRequests).toBe(0);
  });
});

describe('the authorization response `iss` parameter (RFC 9207)', () => {
  it('is accepted when it names the provider (positive control)', async () => {
    const email = freshEmail();
    const browser = api.client();
    const reply = await signIn(browser, email, {
      id: 'announcer',
      server: announcer,
      tamper: (callback) => callback.searchParams.set('iss', announcer.origin),
    });
    await expectSignedIn(browser, reply, email);
  });

  it('refuses another issuer, before the code is sent to the token endpoint', async () => {
    const email = freshEmail();
    const browser = api.client();
    const before = announcer.tokenRequests;
    const reply = await signIn(browser, email, {
      id: 'announcer',
      server: announcer,
      tamper: (callback) => callback.searchParams.set('iss', 'http://evil'),
    });
    await expectRefused(browser, reply, email);
    // The mix-up defence: a code meant for another provider must not be redeemed here.
    expect(announcer.tokenRequests).toBe(before);
    expectRefusedFor(/unexpected "iss" \(issuer\) response parameter/);
  });

  it('refuses a missing one when the provider says it always sends it', async () => {
    const email = freshEmail();
    const browser = api.client();
    const before = announcer.tokenRequests;
    const reply = await signIn(browser, email, { id: 'announcer', server: announcer });
    await expectRefused(browser, reply, email);
    expect(announcer.tokenRequests).toBe(before);
    expectRefusedFor(/response parameter "iss" \(issuer\) missing/);
  });
});
