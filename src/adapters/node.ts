/**
 * `gatehouse/node`: Gatehouse for plain `node:http` servers, and the
 * translation between Node's request/response and the web-standard ones that
 * the Express adapter reuses. No rule lives here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
import type { SignedIn } from '../http/exchange.js';
import type { SessionSource } from '../http/request-auth.js';
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

/** A web `Request` for a Node request; the body streams through untouched, read only if someone reads it. */
export function toRequest(req: IncomingMessage & { originalUrl?: string }): Request {
  const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted);
  const url = `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${requestUrl(req)}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
}

/** What finding the session needs of a Node request, without copying its headers into a `Headers`. */
export function sessionSource(req: IncomingMessage & { originalUrl?: string }): SessionSource {
  const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted);
  return {
    url: `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${requestUrl(req)}`,
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : value;
      },
    },
  };
}

/** Writes a web `Response` to a Node response, each `Set-Cookie` as its own header. */
export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** A Node request after `gatehouseMiddleware`: who is signed in (both null when nobody is). */
export interface AuthenticatedFields<F extends CustomFields = NoCustomFields> {
  user?: SignedIn<F>['user'] | null;
  session?: SignedIn<F>['session'] | null;
}

type NodeRequest<F extends CustomFields> = IncomingMessage &
  AuthenticatedFields<F> & { originalUrl?: string };

/** The path and query as the client sent them (Express rewrites `url` inside mounted routers). */
function requestUrl(req: NodeRequest<CustomFields>): string {
  return req.originalUrl ?? req.url ?? '/';
}

/**
 * A `(req, res, next)` middleware: requests under the API's base path (the
 * JSON API and the pages) are answered by Gatehouse; any other request gets
 * `req.user` and `req.session` (null when signed out) and goes on to `next`.
 * Mount it before any body parser: Gatehouse reads its own bodies.
 */
export function gatehouseMiddleware<F extends CustomFields = NoCustomFields>(auth: Auth<F>) {
  const base = auth.config.basePath ?? '/auth';
  return async (req: NodeRequest<F>, res: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    try {
      const path = requestUrl(req).split('?')[0] ?? '/';
      if (path === base || path.startsWith(`${base}/`)) {
        await sendResponse(res, await auth.handler(toRequest(req), { ip: req.socket.remoteAddress ?? null }));
        return;
      }
      const current = await auth.getSession(sessionSource(req));
      req.user = current?.user ?? null;
      req.session = current?.session ?? null;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function guard<F extends CustomFields>(
  auth: Auth<F>,
  requirement: Requirement<CustomFields>,
  options: GuardOptions,
) {
  return async (req: NodeRequest<F>, res: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    try {
      const known = knownSession(req.user, req.session);
      const outcome = await checkGuard(auth, sessionSource(req), requirement, options, known);
      if (!outcome.ok) {
        await sendResponse(res, outcome.response);
        return;
      }
      req.user = outcome.signedIn.user;
      req.session = outcome.signedIn.session;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Lets only signed-in users through (Django's `login_required`). */
export const requireUser = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  guard(auth, signedIn, options);
/** Lets only staff through. */
export const requireStaff = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  guard(auth, staff, options);
/** Lets only superusers through. */
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

/**
 * For a resource server: lets through requests carrying a valid Gatehouse
 * access token (`Authorization: Bearer …`), with its claims in
 * `req.accessToken`; 401 otherwise. Needs no `auth`, only a verifier.
 */
export function requireAccessToken(verifier: Verifier) {
  return async (
    req: IncomingMessage & { accessToken?: AccessTokenClaims },
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): Promise<void> => {
    try {
      const outcome = await checkAccessToken(verifier, { headers: { get: (name) => headerOf(req, name) } });
      if (!outcome.ok) return await sendResponse(res, outcome.response);
      req.accessToken = outcome.claims;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
