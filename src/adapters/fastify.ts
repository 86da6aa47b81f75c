/**
 * `gatehouse/fastify`: a plugin that answers the API and the pages under the
 * base path (before Fastify parses any body) and decorates every other
 * request with `request.user` / `request.session`; guards are preHandler
 * hooks. Fastify is a peer dependency: only its types are imported here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
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
import { type AuthenticatedFields, sendResponse, sessionSource, toRequest } from './node.js';

export type { GuardOptions } from './guards.js';

/** A Fastify request after the plugin, typed with the app's custom user fields. */
export type GatehouseRequest<F extends CustomFields = NoCustomFields> = FastifyRequest &
  AuthenticatedFields<F>;

/**
 * Register with `app.register(gatehouse(auth))`. The plugin is not
 * encapsulated (like `fastify-plugin`), so its decorations reach every route.
 */
export function gatehouse<F extends CustomFields = NoCustomFields>(auth: Auth<F>) {
  const base = auth.config.basePath ?? '/auth';
  const plugin = async (app: FastifyInstance) => {
    app.decorateRequest('user', null);
    app.decorateRequest('session', null);
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (path === base || path.startsWith(`${base}/`)) {
        reply.hijack();
        const response = await auth.handler(toRequest(request.raw), {
          ip: request.raw.socket.remoteAddress ?? null,
        });
        await sendResponse(reply.raw, response);
        return;
      }
      const current = await auth.getSession(sessionSource(request.raw));
      const target = request as GatehouseRequest<F>;
      target.user = current?.user ?? null;
      target.session = current?.session ?? null;
    });
  };
  // What `fastify-plugin` sets: the decorations and hook apply to the parent instance.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}

function guard<F extends CustomFields>(
  auth: Auth<F>,
  requirement: Requirement<CustomFields>,
  options: GuardOptions,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const target = request as GatehouseRequest<F>;
    const known = knownSession(target.user, target.session);
    const outcome = await checkGuard(auth, sessionSource(request.raw), requirement, options, known);
    if (!outcome.ok) {
      reply.hijack();
      await sendResponse(reply.raw, outcome.response);
      return;
    }
    target.user = outcome.signedIn.user;
    target.session = outcome.signedIn.session;
  };
}

/** A preHandler: `app.get('/me', { preHandler: requireUser(auth) }, handler)`. */
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

/** A preHandler for a resource server: only requests with a valid access token pass, its claims in `request.accessToken`. */
export function requireAccessToken(verifier: Verifier) {
  return async (request: FastifyRequest & { accessToken?: AccessTokenClaims }, reply: FastifyReply) => {
    const outcome = await checkAccessToken(verifier, {
      headers: { get: (name) => firstHeader(request, name) },
    });
    if (!outcome.ok) {
      reply.hijack();
      await sendResponse(reply.raw, outcome.response);
      return;
    }
    request.accessToken = outcome.claims;
  };
}

function firstHeader(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
