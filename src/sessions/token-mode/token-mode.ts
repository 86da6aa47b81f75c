/**
 * Token mode: a session exchanged for a short-lived access token (a JWT a
 * resource server verifies alone, with the JWKS) and a rotating refresh
 * token. The session stays the source of truth: a refresh works only while
 * the session lives, and ending the session ends its refresh tokens; an
 * access token already issued lives until it expires (`accessTokenTtlSeconds`,
 * at most 15 minutes) — the bound on how late a verifier learns of a revocation.
 */
import type { JWTPayload } from 'jose';
import { createId, deriveToken, type Sealer } from '../../crypto.js';
import type { Database } from '../../db/database.js';
import { RefreshTokens } from './refresh-tokens.js';
import { type SigningAlgorithm, SigningKeys } from './signing-keys.js';

/** Clock skew a verifier allows on `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 60;
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 900;

export interface TokenModeSettings {
  algorithm: SigningAlgorithm;
  accessTokenTtlSeconds: number;
  /** How long a spent refresh token still returns its (unused) successor. */
  refreshGraceSeconds: number;
  rotateKeysAfterDays: number;
}

export const defaultTokenModeSettings: TokenModeSettings = {
  algorithm: 'EdDSA',
  accessTokenTtlSeconds: 600,
  refreshGraceSeconds: 10,
  rotateKeysAfterDays: 30,
};

/** What an access token says. `permissions` and `groups` only when configured. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  aud: string;
  sub: string;
  /** The session it was issued from. */
  sid: string;
  /** The tenant the session belongs to. */
  tenant: string;
  amr: string[];
  iat: number;
  exp: number;
  jti: string;
  permissions?: string[];
  groups?: string[];
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  tenantId: string;
  amr: readonly string[];
  permissions?: readonly string[];
  groups?: readonly string[];
}

/** Who the token is from and for: checked on every verification. */
export interface TokenAudience {
  issuer: string;
  audience: string;
}

export class TokenMode {
  readonly keys: SigningKeys;
  readonly refreshTokens: RefreshTokens;
  readonly settings: TokenModeSettings;
  readonly #now: () => Date;

  constructor(options: {
    database: Database;
    secret: string;
    sealer: Sealer;
    now: () => Date;
    settings?: Partial<TokenModeSettings>;
  }) {
    this.settings = { ...defaultTokenModeSettings, ...options.settings };
    this.#now = options.now;
    this.keys = new SigningKeys({
      database: options.database,
      sealer: options.sealer,
      now: options.now,
      algorithm: this.settings.algorithm,
      rotateAfterSeconds: this.settings.rotateKeysAfterDays * 86_400,
      publishRetiredForSeconds: this.settings.accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS,
    });
    this.refreshTokens = new RefreshTokens({
      database: options.database,
      now: options.now,
      successorKey: Buffer.from(deriveToken(options.secret, 'refresh token successors'), 'base64url'),
      graceSeconds: this.settings.refreshGraceSeconds,
    });
  }

  /** Signs an access token for the subject; returns it with its lifetime in seconds. */
  async sign(
    subject: AccessTokenSubject,
    to: TokenAudience,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const { key, privateKey } = await this.keys.signingKey();
    const { SignJWT } = await import('jose');
    const now = this.#now();
    const iat = Math.floor(now.getTime() / 1000);
    const ttl = this.settings.accessTokenTtlSeconds;
    const accessToken = await new SignJWT({
      sid: subject.sessionId,
      tenant: subject.tenantId,
      amr: [...subject.amr],
      ...(subject.permissions ? { permissions: [...subject.permissions] } : {}),
      ...(subject.groups ? { groups: [...subject.groups] } : {}),
    })
      // RFC 9068's `at+jwt`: a verifier can tell an access token from any other JWT of ours or a provider's.
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(to.issuer)
      .setAudience(to.audience)
      .setSubject(subject.userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(createId('atk', now))
      .sign(privateKey);
    return { accessToken, expiresIn: ttl };
  }

  /**
   * The claims of an access token this server signed, if it verifies: a
   * published key by `kid` (never a key the token brings: `jku`, `x5u` and
   * `jwk` are ignored), the configured algorithm only, `typ: at+jwt`, the
   * issuer and audience, and the expiry (60 s of skew). Throws otherwise.
   */
  async verify(token: string, from: TokenAudience): Promise<AccessTokenClaims> {
    const published = await this.keys.published();
    const { jwtVerify } = await import('jose');
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = published.find((candidate) => candidate.kid === header.kid);
        if (!key) throw new Error('No published key has this kid.');
        return key.publicJwk;
      },
      {
        issuer: from.issuer,
        audience: from.audience,
        algorithms: [this.settings.algorithm],
        typ: 'at+jwt',
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.#now(),
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      },
    );
    if (typeof payload.sid !== 'string' || typeof payload.tenant !== 'string')
      throw new Error('An access token names its session and tenant.');
    return payload as AccessTokenClaims;
  }
}
