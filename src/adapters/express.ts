/**
 * `gatehouse/express`: `app.use(gatehouse(auth))` answers the API and the
 * pages under the base path and sets `req.user` / `req.session` for every
 * other route; the guards protect routes. Express is a peer dependency: only
 * its types are imported here.
 */
import type { Request, RequestHandler } from 'express';
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
import type { Verifier } from './access-tokens.js';
import type { GuardOptions } from './guards.js';
import {
  type AuthenticatedFields,
  gatehouseMiddleware,
  requireAccessToken as nodeRequireAccessToken,
  requirePerms as nodeRequirePerms,
  requireStaff as nodeRequireStaff,
  requireSuperuser as nodeRequireSuperuser,
  requireUser as nodeRequireUser,
} from './node.js';

export type { GuardOptions } from './guards.js';

/** An Express request after `gatehouse(auth)`, typed with the app's custom user fields. */
export type GatehouseRequest<F extends CustomFields = NoCustomFields> = Request & AuthenticatedFields<F>;

export const gatehouse = <F extends CustomFields = NoCustomFields>(auth: Auth<F>) =>
  gatehouseMiddleware(auth) as unknown as RequestHandler;
export const requireUser = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  nodeRequireUser(auth, options) as unknown as RequestHandler;
export const requireStaff = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  nodeRequireStaff(auth, options) as unknown as RequestHandler;
export const requireSuperuser = <F extends CustomFields>(auth: Auth<F>, options: GuardOptions = {}) =>
  nodeRequireSuperuser(auth, options) as unknown as RequestHandler;
export const requirePerms = <F extends CustomFields>(
  auth: Auth<F>,
  codenames: readonly string[],
  options: GuardOptions = {},
) => nodeRequirePerms(auth, codenames, options) as unknown as RequestHandler;
export const requirePerm = <F extends CustomFields>(
  auth: Auth<F>,
  codename: string,
  options: GuardOptions = {},
) => requirePerms(auth, [codename], options);

/** For a resource server: only requests with a valid access token pass, its claims in `req.accessToken`. */
export const requireAccessToken = (verifier: Verifier) =>
  nodeRequireAccessToken(verifier) as unknown as RequestHandler;
