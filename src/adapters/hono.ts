/**
 * `gatehouse/hono`: middleware that answers the API and the pages under the
 * base path and sets `c.var.user` / `c.var.session` for every other route,
 * and guards that protect routes. Translation only: the rules are Gatehouse's.
 */
import type { MiddlewareHandler } from 'hono';
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
import type { SignedIn } from '../http/exchange.js';
import { type AccessTokenClaims, checkAccessToken, type Verifier } from './access-tokens.js';
import {
  checkGuard,
  type GuardOptions,
  knownSession,
  permissionsRequirement,
  type Requirement,
  signedIn,
  staff,
  superuser,
} from './guards.js';

export type { GuardOptions } from './guards.js';

export interface GatehouseVariables<F extends CustomFields = NoCustomFields> {
  user: SignedIn<F>['user'] | null;
  session: SignedIn<F>['session'] | null;
}

export type GatehouseEnv<F extends CustomFields = NoCustomFields> = { Variables: GatehouseVariables<F> };

/** The peer address when the app runs on `@hono/node-server`; other runtimes pass their own. */
function peerAddress(env: unknown): string | null {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

export function gatehouse<F extends CustomFields = NoCustomFields>(
  auth: Auth<F>,
): MiddlewareHandler<GatehouseEnv<F>> {
  const base = auth.config.basePath ?? '/auth';
  return async (c, next) => {
    const path = c.req.path;
    if (path === base || path.startsWith(`${base}/`))
      return auth.handler(c.req.raw, { ip: peerAddress(c.env) });
    const current = await auth.getSession(c.req.raw);
    c.set('user', current?.user ?? null);
    c.set('session', current?.session ?? null);
    await next();
  };
}

function guard<F extends CustomFields>(
  auth: Auth<F>,
  requirement: Requirement<CustomFields>,
  options: GuardOptions,
): MiddlewareHandler<GatehouseEnv<F>> {
  return async (c, next) => {
    const known = knownSession(c.get('user'), c.get('session'));
    const outcome = await checkGuard(auth, c.req.raw, requirement, options, known);
    if (!outcome.ok) return outcome.response;
    c.set('user', outcome.signedIn.user);
    c.set('session', outcome.signedIn.session);
    await next();
  };
}

export const requireUser = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  guard(auth, signedIn, options);
export const requireStaff = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  guard(auth, staff, options);
export const requireSuperuser = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  guard(auth, superuser, options);
/** Lets through only users holding every one of these permissions (403 otherwise). */
export const requirePerms = <F extends CustomFields>(
  auth: Auth<F>,
  codenames: readonly string[],
  options: GuardOptions = {},
) => guard(auth, permissionsRequirement(auth, codenames), options);
/** Lets through only users holding this permission, e.g. `requirePerm(auth, 'post.change')`. */
export const requirePerm = <F extends CustomFields>(
  auth: Auth<F>,
  codename: string,
  options: GuardOptions = {},
) => requirePerms(auth, [codename], options);

/** For a resource server: only requests with a valid access token pass, its claims in `c.var.accessToken`. */
export function requireAccessToken(
  verifier: Verifier,
): MiddlewareHandler<{ Variables: { accessToken: AccessTokenClaims } }> {
  return async (c, next) => {
    const outcome = await checkAccessToken(verifier, c.req.raw);
    if (!outcome.ok) return outcome.response;
    c.set('accessToken', outcome.claims);
    await next();
  };
}
