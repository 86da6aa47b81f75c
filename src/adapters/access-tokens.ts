/**
 * What the adapters' access-token guards share: a resource server that
 * verifies Gatehouse access tokens alone (`gatehouse/verify`) lets a request
 * through with the token's claims, or answers 401 with `WWW-Authenticate:
 * Bearer` (RFC 6750) — no call to the auth server but for its JWKS.
 */
import type { AccessTokenClaims, Verifier } from '../verify/index.js';

export type { AccessTokenClaims, Verifier } from '../verify/index.js';

/** The refusal every adapter answers with. */
export function accessTokenRefusal(): Response {
  return new Response(
    JSON.stringify({ error: { code: 'unauthenticated', message: 'A valid access token is required.' } }),
    {
      status: 401,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer error="invalid_token"',
      },
    },
  );
}

/** The claims of the request's bearer access token, or the refusal. */
export async function checkAccessToken(
  verifier: Verifier,
  request: { headers: { get(name: string): string | null } },
): Promise<{ ok: true; claims: AccessTokenClaims } | { ok: false; response: Response }> {
  const claims = await verifier.verifyRequest(request);
  return claims ? { ok: true, claims } : { ok: false, response: accessTokenRefusal() };
}
