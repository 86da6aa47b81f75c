/**
 * `gatehouse/verify`: checks Gatehouse access tokens in a resource server —
 * any JavaScript runtime with WebCrypto (Node, Deno, Bun, edge workers) — with
 * no call to the auth server but for its JWKS, fetched on first use, cached,
 * and fetched again when a token names a key it does not know (a rotation).
 *
 * ```ts
 * const verifier = createVerifier({
 *   jwksUrl: 'https://auth.example.com/auth/.well-known/jwks.json',
 *   issuer: 'https://auth.example.com/auth',
 *   audience: 'https://auth.example.com/auth',
 * });
 * const claims = await verifier.verifyRequest(request); // null: no or bad token
 * ```
 *
 * Only this package's imports: `jose`.
 */
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  aud: string | string[];
  /** The user's id. */
  sub: string;
  /** The session the token was issued from. */
  sid: string;
  /** The tenant the session belongs to (`default` unless the app has tenants). */
  tenant: string;
  /** How the user authenticated (`pwd`, `otp`, `mfa`, `passkey`, …). */
  amr: string[];
  exp: number;
  iat: number;
  jti: string;
  /** Present when the server is configured to include them. */
  permissions?: string[];
  groups?: string[];
}

export interface VerifierOptions {
  /** The server's `…/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** `iss` the tokens must carry (the server's `accessTokens.issuer`). */
  issuer: string;
  /** `aud` the tokens must carry (the server's `accessTokens.audience`). */
  audience: string;
  /** Algorithms accepted; default the server's default, `EdDSA`. Never `none` or an HMAC. */
  algorithms?: readonly ('EdDSA' | 'ES256' | 'RS256')[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`; default 60 s. */
  clockToleranceSeconds?: number;
  /** Passed to the JWKS fetch; for tests and custom runtimes. */
  fetch?: typeof globalThis.fetch;
}

export interface Verifier {
  /** The token's claims if it verifies; throws `TokenVerificationError` otherwise. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The claims of the request's `Authorization: Bearer` access token, or null when there is none or it fails. */
  verifyRequest(request: {
    headers: { get(name: string): string | null };
  }): Promise<AccessTokenClaims | null>;
}

export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
}

export function createVerifier(options: VerifierOptions): Verifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  const algorithms = [...(options.algorithms ?? ['EdDSA'])];
  const clockTolerance = options.clockToleranceSeconds ?? 60;

  async function verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        typ: 'at+jwt',
        clockTolerance,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      if (
        typeof payload.sid !== 'string' ||
        typeof payload.tenant !== 'string' ||
        !Array.isArray(payload.amr)
      )
        throw new TokenVerificationError('The token is not a Gatehouse access token.');
      return payload as AccessTokenClaims;
    } catch (error) {
      if (error instanceof TokenVerificationError) throw error;
      throw new TokenVerificationError(
        error instanceof Error ? error.message : 'The token does not verify.',
        {
          cause: error,
        },
      );
    }
  }

  return {
    verify,
    async verifyRequest(request) {
      const match = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(request.headers.get('authorization') ?? '');
      if (!match?.[1]) return null;
      return verify(match[1]).catch(() => null);
    },
  };
}
