/**
 * `gatehouse/next`: Next.js App Router. The API and pages come from one
 * catch-all route handler; server components, route handlers and the proxy
 * read the session from the request's own headers every time they are
 * called, so a page that reads it is rendered per request, never prerendered
 * with an empty session. Next is a peer dependency, loaded only by
 * `getSession` (for `next/headers`).
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
import type { SignedIn } from '../http/exchange.js';
import { type AccessTokenClaims, checkAccessToken, type Verifier } from './access-tokens.js';
import {
  checkGuard,
  type GuardOptions,
  permissionsRequirement,
  type Requirement,
  signedIn,
  staff,
  superuser,
} from './guards.js';

export type { GuardOptions } from './guards.js';

type RouteHandler = (request: Request) => Promise<Response>;

/**
 * The catch-all route handler's exports:
 * `export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = routeHandlers(auth);`
 * in `app/auth/[...gatehouse]/route.ts`. Under `next start` the client's
 * address reaches Gatehouse through `X-Forwarded-For`: set `trustedProxies: 1`.
 */
export function routeHandlers<F extends CustomFields>(
  auth: Auth<F>,
): Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS', RouteHandler> {
  const handle: RouteHandler = (request) => auth.handler(request);
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}

/** The signed-in user and session in a server component, route handler or server action; null when signed out. */
export async function getSession<F extends CustomFields = NoCustomFields>(
  auth: Auth<F>,
): Promise<SignedIn<F> | null> {
  const { headers } = await import('next/headers.js');
  const incoming = await headers();
  // Only the headers matter; the scheme is decided by `publicUrl`.
  return auth.getSession({ url: auth.config.publicUrl ?? 'http://next.invalid/', headers: incoming });
}

/**
 * A proxy (`proxy.ts`) that guards the paths it is matched on: it answers
 * with the refusal (401 JSON, or a redirect to sign-in for browsers with
 * `loginRequired`), or returns nothing so the request goes on. `require`
 * asks for more than a session: staff, a superuser, or every permission in
 * `{ permissions: ['post.change'] }` (403 `forbidden` otherwise).
 */
export function guardProxy<F extends CustomFields>(
  auth: Auth<F>,
  options: GuardOptions & {
    require?: 'user' | 'staff' | 'superuser' | { permissions: readonly string[] };
  } = {},
): (request: Request) => Promise<Response | undefined> {
  const wanted = options.require ?? 'user';
  const requirement: Requirement<CustomFields> =
    typeof wanted === 'object'
      ? permissionsRequirement(auth, wanted.permissions)
      : { user: signedIn, staff, superuser }[wanted];
  return async (request) => {
    const outcome = await checkGuard(auth, request, requirement, options);
    if (outcome.ok) return undefined;
    const location = outcome.response.headers.get('location');
    // Next's proxy accepts only absolute redirect targets; its request URL names its own host, not the public one.
    if (location === null) return outcome.response;
    return new Response(null, {
      status: outcome.response.status,
      headers: {
        location: new URL(location, auth.config.publicUrl ?? request.url).href,
        'cache-control': 'no-store',
      },
    });
  };
}

/**
 * For a route handler of a resource server: the access token's claims, or
 * the 401 to return. `const got = await accessTokenOf(verifier, request); if (got instanceof Response) return got;`
 */
export async function accessTokenOf(
  verifier: Verifier,
  request: Request,
): Promise<AccessTokenClaims | Response> {
  const outcome = await checkAccessToken(verifier, request);
  return outcome.ok ? outcome.claims : outcome.response;
}
