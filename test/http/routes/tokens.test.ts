/**
 * Token mode end to end: the exchange, refresh rotation with theft detection
 * and the concurrent-refresh grace, revocation, key rotation with the JWKS,
 * and every forged or misused token refused — by the server and by
 * `gatehouse/verify`, fed the server's own JWKS.
 */
import fc from 'fast-check';
import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../../src/verify/index.js';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../../helpers/http.js';

const SECRET = 'a server secret of at least thirty-two characters';
const ISSUER = `${ORIGIN}/auth`;
/** The server's clock, moved by the key-rotation test; starts at the real time, which `gatehouse/verify` reads. */
let clock = Date.now();
const now = () => new Date(clock);

let api: TestApi<Record<never, never>>;
let verifier: Verifier;
let n = 0;

beforeAll(async () => {
  api = await createTestApi({
    secret: SECRET,
    now,
    rateLimits: false,
    accessTokens: { claims: ['permissions', 'groups'] },
  });
  verifier = createVerifier({
    jwksUrl: `${ISSUER}/.well-known/jwks.json`,
    issuer: ISSUER,
    audience: ISSUER,
    fetch: (input, init) => api.auth.handler(new Request(input, init)),
  });
});
afterAll(() => api.close());

async function signedIn(): Promise<{ client: Client; userId: string; email: string }> {
  const email = `token${++n}@example.com`;
  const user = await api.auth.users.create({ email, password: PASSWORD });
  const client = api.client();
  expect((await client.post('/auth/signin', { email, password: PASSWORD })).status).toBe(200);
  return { client, userId: user.id, email };
}

async function exchanged() {
  const who = await signedIn();
  const reply = await who.client.post('/auth/token');
  expect(reply.status, reply.text).toBe(200);
  return { ...who, ...(reply.body as { accessToken: string; refreshToken: string; expiresIn: number }) };
}

/** A refresh as a mobile app sends it: no cookie, no Origin. */
function refresh(refreshToken: string, path = '/auth/token/refresh') {
  return api.client({ origin: null }).post(path, { refreshToken });
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('exchanging a session', () => {
  it('gives an EdDSA access token of at most 15 minutes, naming user, session, tenant and amr, and a refresh token', async () => {
    const { accessToken, refreshToken, expiresIn, userId, client } = await exchanged();
    expect(expiresIn).toBe(600);
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const header = decodeProtectedHeader(accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.stringMatching(/^key_/) });
    const claims = decodeJwt(accessToken);
    const session = (await client.get('/auth/session')).body.session;
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: ISSUER,
      sub: userId,
      sid: session.id,
      tenant: 'default',
    });
    expect(claims.amr).toEqual(['pwd']);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(claims.permissions).toEqual([]);
    expect(claims.groups).toEqual([]);
  });

  it('needs a session, and is refused to an impersonation session and without a server secret', async () => {
    expect((await api.client().post('/auth/token')).status).toBe(401);
    const { userId } = await signedIn();
    const root = api.client();
    const rootEmail = `root${++n}@example.com`;
    await api.auth.users.create({ email: rootEmail, password: PASSWORD, isStaff: true, isSuperuser: true });
    await root.post('/auth/signin', { email: rootEmail, password: PASSWORD });
    expect((await root.post(`/auth/admin/users/${userId}/impersonate`)).status).toBe(200);
    const impersonating = await root.post('/auth/token');
    expect(impersonating.status).toBe(403);
    const plain = await createTestApi({ rateLimits: false });
    try {
      const browser = plain.client();
      await plain.auth.users.create({ email: 'plain@example.com', password: PASSWORD });
      await browser.post('/auth/signin', { email: 'plain@example.com', password: PASSWORD });
      const reply = await browser.post('/auth/token');
      expect(reply.status).toBe(503);
      expect((await plain.client().get('/auth/.well-known/jwks.json')).status).toBe(503);
    } finally {
      await plain.close();
    }
  });

  it('carries the permissions and groups the configuration asks for', async () => {
    const group = `editors-${++n}`;
    await api.auth.permissions.createGroup(group, ['group.view']);
    const { client, userId } = await signedIn();
    await api.auth.permissions.addUserToGroup(userId, group);
    const { accessToken } = (await client.post('/auth/token')).body;
    expect(decodeJwt(accessToken)).toMatchObject({ permissions: ['group.view'], groups: [group] });
  });

  it('opens the API as a bearer token while its session lives, and no longer once it ends', async () => {
    const { accessToken, client } = await exchanged();
    const reader = api.client({ origin: null });
    const session = await reader.get('/auth/session', bearer(accessToken));
    expect(session.status).toBe(200);
    expect((await client.post('/auth/signout')).status).toBe(204);
    expect((await reader.get('/auth/session', bearer(accessToken))).status).toBe(401);
    // A resource server that verifies alone still accepts it until it expires: the documented bound.
    expect((await verifier.verify(accessToken)).sid).toBe(session.body.session.id);
  });
});

describe('refreshing', () => {
  it('spends the refresh token and returns a new pair; the old one presented later ends the session and its family', async () => {
    const { refreshToken, client } = await exchanged();
    const first = await refresh(refreshToken);
    expect(first.status, first.text).toBe(200);
    expect(first.body.refreshToken).not.toBe(refreshToken);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    clock += 11_000;
    const replay = await refresh(refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_token');
    // Theft detected: the newest token of the family and the session are dead too.
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
    expect((await client.get('/auth/session')).status).toBe(401);
    const [event] = await api.auth.audit.list({ type: 'refresh_token_reused' });
    expect(event?.details).toMatchObject({ family: expect.any(String) });
  });

  it('answers 20 concurrent refreshes with one token with the same successor, which then works once', async () => {
    const { refreshToken, client } = await exchanged();
    const replies = await Promise.all(Array.from({ length: 20 }, () => refresh(refreshToken)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const successors = new Set(replies.map((r) => r.body.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    const next = await refresh(successor);
    expect(next.status).toBe(200);
    expect((await client.get('/auth/session')).status).toBe(200);
    // Its successor is used: the grandparent, even inside the window, is now reuse.
    expect((await refresh(refreshToken)).status).toBe(401);
    expect((await client.get('/auth/session')).status).toBe(401);
  });

  it('refuses a token once its session is revoked or the password changed', async () => {
    const revoked = await exchanged();
    const sessions = (await revoked.client.get('/auth/session')).body.session;
    await api.auth.sessions.revoke(sessions.id);
    expect((await refresh(revoked.refreshToken)).status).toBe(401);
    const changed = await exchanged();
    await api.auth.users.setPassword(changed.userId, 'an entirely new passphrase');
    expect((await refresh(changed.refreshToken)).status).toBe(401);
  });

  it('refuses garbage, unknown and access tokens as refresh tokens without a 500', async () => {
    const { accessToken } = await exchanged();
    for (const refreshToken of ['', 'x', 'A'.repeat(43), accessToken.slice(0, 200), '../../etc/passwd']) {
      const reply = await refresh(refreshToken);
      expect([400, 401], refreshToken).toContain(reply.status);
    }
    expect((await api.client({ origin: null }).post('/auth/token/refresh', { refreshToken: 1 })).status).toBe(
      400,
    );
  });

  it("stays in its tenant: another tenant's refresh refuses it without spending it", async () => {
    const org = await api.auth.tenants.create({ slug: `tokens-${++n}`, name: 'T', pool: 'isolated' });
    const client = api.client();
    expect(
      (await client.post(`/auth/t/${org.slug}/signup`, { email: `t${n}@example.com`, password: PASSWORD }))
        .status,
    ).toBe(201);
    const { accessToken, refreshToken } = (await client.post(`/auth/t/${org.slug}/token`)).body;
    expect(decodeJwt(accessToken).tenant).toBe(org.id);
    expect((await refresh(refreshToken)).status).toBe(401);
    expect((await refresh(refreshToken, `/auth/t/${org.slug}/token/refresh`)).status).toBe(200);
    // Nor does its access token open the default tenant's routes.
    expect((await api.client({ origin: null }).get('/auth/session', bearer(accessToken))).status).toBe(401);
  });
});

describe('forged and misused tokens', () => {
  async function attackerKey() {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'evil', alg: 'EdDSA' } };
  }

  async function refused(token: string) {
    await expect(verifier.verify(token)).rejects.toThrow();
    const reply = await api.client({ origin: null }).get('/auth/session', bearer(token));
    expect(reply.status).toBe(401);
  }

  it('refuses alg none, an attacker key (embedded, by jku or x5u), HMAC with the public key, and altered claims', async () => {
    const { accessToken } = await exchanged();
    const claims = decodeJwt(accessToken);
    const header = decodeProtectedHeader(accessToken);
    await refused(new UnsecuredJWT(claims).encode());
    const evil = await attackerKey();
    for (const extra of [
      { jwk: evil.jwk },
      { jku: 'https://evil.test/jwks.json' },
      { x5u: 'https://evil.test/c' },
    ]) {
      await refused(
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid, ...extra })
          .sign(evil.privateKey),
      );
    }
    const jwks = (await api.client().get('/auth/.well-known/jwks.json')).body.keys as JWK[];
    const confused = new TextEncoder().encode(JSON.stringify(jwks[0]));
    await refused(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid })
        .sign(confused),
    );
    const [h, , s] = accessToken.split('.');
    const altered = base64url.encode(JSON.stringify({ ...claims, sub: 'usr_someone_else' }));
    await refused(`${h}.${altered}.${s}`);
  });

  it('refuses the wrong issuer, audience or type, and expired or not-yet-valid tokens', async () => {
    const mode = api.auth.tokenMode;
    if (!mode) throw new Error('token mode is on in this suite');
    const { privateKey, key } = await mode.keys.signingKey();
    const base = decodeJwt((await exchanged()).accessToken);
    const sign = (claims: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT({ ...base, ...claims })
        .setProtectedHeader({ alg: 'EdDSA', typ, kid: key.kid })
        .sign(privateKey);
    const seconds = Math.floor(clock / 1000);
    await refused(await sign({ iss: 'https://evil.test' }));
    await refused(await sign({ aud: 'https://another-api.example' }));
    await refused(await sign({}, 'JWT'));
    await refused(await sign({ iat: seconds - 7200, exp: seconds - 3600 }));
    await refused(await sign({ nbf: seconds + 3600 }));
    // A well-signed token of the right shape passes: the refusals above are about their one change each.
    expect((await verifier.verify(await sign({ iat: seconds, exp: seconds + 300 }))).sub).toBe(base.sub);
  });

  it('never accepts a mangled token (fast-check)', async () => {
    const { accessToken } = await exchanged();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: accessToken.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        async (at, replacement) => {
          fc.pre(accessToken[at] !== replacement);
          const mangled = accessToken.slice(0, at) + replacement + accessToken.slice(at + 1);
          const claims = await verifier.verify(mangled).catch(() => null);
          // A base64url character can differ only in bits the decoder drops at the very end of a part.
          if (claims) expect(claims).toEqual(decodeJwt(accessToken));
        },
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (junk) => {
        expect(await verifier.verify(junk).catch(() => null)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

/** Last: these move the server's clock days ahead of the real one that `gatehouse/verify` reads. */
describe('signing keys and the JWKS', () => {
  it('publishes public members only, cacheable', async () => {
    const reply = await api.client().get('/auth/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('public, max-age=300');
    expect(reply.body.keys.length).toBeGreaterThan(0);
    for (const key of reply.body.keys as JWK[]) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
    }
    const row = await api.auth.database.db
      .selectFrom('signing_keys')
      .select('private_key')
      .executeTakeFirstOrThrow();
    expect(row.private_key).toMatch(/^v1\./);
    expect(row.private_key).not.toContain('"d"');
  });

  it('keeps a rotated-out key published until its tokens have expired; new tokens use the new key', async () => {
    const mode = api.auth.tokenMode;
    if (!mode) throw new Error('token mode is on in this suite');
    const before = await exchanged();
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const rotated = await mode.keys.rotate();
    const after = await exchanged();
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(rotated.kid);
    const kids = async () =>
      ((await api.client().get('/auth/.well-known/jwks.json')).body.keys as JWK[]).map((k) => k.kid);
    expect(await kids()).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
    const audience = { issuer: ISSUER, audience: ISSUER };
    expect((await mode.verify(before.accessToken, audience)).sub).toBe(before.userId);
    clock += (600 + 60 + 1) * 1000;
    expect(await kids()).not.toContain(oldKid);
    await expect(mode.verify(before.accessToken, audience)).rejects.toThrow();
    expect((await exchanged()).accessToken).toBeTruthy();
  });

  it('publishes a scheduled key an hour before it signs, then hands over', async () => {
    const mode = api.auth.tokenMode;
    if (!mode) throw new Error('token mode is on in this suite');
    const { key } = await mode.keys.signingKey();
    // 30 minutes before the key is due to be replaced (30 days by default).
    clock = key.activatesAt.getTime() + 30 * 86_400_000 - 30 * 60_000;
    const before = await exchanged();
    expect(decodeProtectedHeader(before.accessToken).kid).toBe(key.kid);
    const published = await mode.keys.published();
    const next = published.find((candidate) => candidate.kid !== key.kid && candidate.retiredAt === null);
    expect(next?.activatesAt.getTime()).toBe(clock + 3600_000);
    clock += 3600_000 + 1000;
    const after = await exchanged();
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(next?.kid);
    // The handed-over key stays published while its last tokens live.
    expect((await mode.keys.published()).map((k) => k.kid)).toContain(key.kid);
  });
});

describe('other algorithms', () => {
  it('signs with ES256 or RS256 when configured, and publishes the matching key type', async () => {
    for (const [algorithm, kty] of [
      ['ES256', 'EC'],
      ['RS256', 'RSA'],
    ] as const) {
      const other = await createTestApi({ secret: SECRET, rateLimits: false, accessTokens: { algorithm } });
      try {
        await other.auth.users.create({ email: 'alg@example.com', password: PASSWORD });
        const client = other.client();
        await client.post('/auth/signin', { email: 'alg@example.com', password: PASSWORD });
        const { accessToken } = (await client.post('/auth/token')).body;
        expect(decodeProtectedHeader(accessToken).alg).toBe(algorithm);
        const { keys } = (await other.client().get('/auth/.well-known/jwks.json')).body as { keys: JWK[] };
        expect(keys[0]).toMatchObject({ kty, alg: algorithm });
        expect(keys[0]).not.toHaveProperty('d');
        expect((await other.client({ origin: null }).get('/auth/session', bearer(accessToken))).status).toBe(
          200,
        );
      } finally {
        await other.close();
      }
    }
  });
});
