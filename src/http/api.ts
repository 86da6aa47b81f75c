/**
 * The JSON API as one web-standard function, `(Request) => Promise<Response>`,
 * built once: the router, the schemas and the route table are made when the
 * API is created, never per request.
 *
 * Around every route: CORS (exact trusted origins), the CSRF origin check on
 * state-changing requests that may carry a cookie, and the mapping of errors
 * to API.md's shape — an `AuthError` keeps its code; anything else is logged
 * and answered with a bare `internal_error`, never a stack trace.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { GatehouseConfig } from '../config.js';
import type { AuthCore } from '../core.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AuthError, isAuthError } from '../errors.js';
import type { Logger } from '../logger.js';
import { adminAuditRoutes } from './admin-audit-routes.js';
import { adminRoutes } from './admin-routes.js';
import { adminSessionRoutes } from './admin-session-routes.js';
import { adminTenantRoutes } from './admin-tenant-routes.js';
import { adminWebhookRoutes } from './admin-webhook-routes.js';
import { cookiePolicyFor } from './cookies.js';
import { preflight } from './cors.js';
import { checkRequestOrigin } from './csrf.js';
import { Exchange, type HttpSettings, type SignedIn } from './exchange.js';
import type { Metrics } from './metrics.js';
import { mfaRoutes } from './mfa-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { openApiDocument } from './openapi.js';
import { passkeyRoutes } from './passkey-routes.js';
import { passwordlessRoutes } from './passwordless-routes.js';
import { DatabaseRateLimitStore, type RateLimitStore } from './rate-limits/rate-limit-store.js';
import { RedisRateLimitStore } from './rate-limits/redis-rate-limit-store.js';
import { defaultRateLimits, type RateLimitSettings, Throttle } from './rate-limits/throttle.js';
import { reauthenticateRoutes } from './reauthenticate-routes.js';
import { recoveryRoutes } from './recovery-routes.js';
import { isBearerMode, presentedToken, type SessionSource } from './request-auth.js';
import { errorResponse, json, type ResponseHeaders, responseHeaders } from './responses.js';
import { pathOf, RouteTable } from './route-table.js';
import { accountRoutes, type RouteSpec } from './routes.js';
import { type ResolvedRequest, type TenantOfRequest, tenantResolver } from './tenant-resolution.js';
import { tenantRoutes } from './tenant-routes.js';
import { tokenRoutes } from './token-routes.js';
import { trustedDeviceRoutes } from './trusted-device-routes.js';

/** What the server adapter knows that a `Request` does not: the peer address. */
export interface ConnectionInfo {
  ip?: string | null;
  /**
   * The request's tenant, when the caller has resolved it already (the
   * handler does, before choosing between pages and API; the pages pass it on
   * to their API calls). Otherwise the API resolves it from the request.
   */
  tenant?: TenantOfRequest;
}

export interface Api<F extends CustomFields> {
  fetch(request: Request, connection?: ConnectionInfo): Promise<Response>;
  /** The signed-in session of a request (or anything with its URL and headers), or null. */
  getSession(source: SessionSource): Promise<SignedIn<F> | null>;
  readonly settings: HttpSettings;
  /** Which tenant a request is for, and the request with any tenant prefix taken off its path. */
  resolveTenant(request: Request): Promise<ResolvedRequest>;
  /** `resolveTenant` answered at once when it can be (no tenant named, default tenant cached); else null. */
  resolveTenantNow(request: Request): ResolvedRequest | null;
}

export function createApi<F extends CustomFields>(
  core: AuthCore<F>,
  options: { metrics?: Metrics; rateLimitStore?: RateLimitStore } = {},
): Api<F> {
  const settings = httpSettings(core.config as GatehouseConfig<CustomFields>);
  const tenants = tenantResolver(core, settings.basePath, core.config.tenants);
  const throttle = createThrottle(core, options.rateLimitStore);
  const fields = (core.config.user?.fields ?? {}) as F;
  const pages = mailPages(core.config, settings.basePath);
  const uiOn = core.config.ui?.enabled !== false;
  const routes = [
    ...accountRoutes<F>({
      throttle,
      signUpEnabled: core.config.signUp?.enabled !== false,
      fields,
      verifyEmailPage: core.config.emailVerification?.onSignUp === false ? null : pages.verifyEmail,
      verificationRequired: core.config.emailVerification?.required === true ? pages.verifyEmail : null,
    }),
    ...recoveryRoutes<F>({ throttle, fields, pages }),
    ...passwordlessRoutes<F>({
      throttle,
      fields,
      signUpEnabled: core.config.signUp?.enabled !== false && core.config.passwordless?.signUp === true,
      verifyPath: `${settings.basePath}/magic-link/verify`,
      landingPage: `${settings.basePath}/ui/magic-link`,
    }),
    ...oauthRoutes<F>({
      throttle,
      fields,
      basePath: settings.basePath,
      signUpEnabled: core.config.signUp?.enabled !== false,
      afterSignIn: core.config.ui?.defaultRedirect ?? (uiOn ? `${settings.basePath}/ui/account` : '/'),
      afterLink: uiOn ? `${settings.basePath}/ui/account` : (core.config.ui?.defaultRedirect ?? '/'),
      errorPages: {
        signIn: core.config.links?.oauthError ?? (uiOn ? `${settings.basePath}/ui/signin` : null),
        link: core.config.links?.oauthError ?? (uiOn ? `${settings.basePath}/ui/account` : null),
      },
      verifyEmailPage: core.config.emailVerification?.onSignUp === false ? null : pages.verifyEmail,
      verificationRequired: core.config.emailVerification?.required === true ? pages.verifyEmail : null,
    }),
    ...mfaRoutes<F>({ throttle }),
    ...reauthenticateRoutes<F>({ throttle }),
    ...trustedDeviceRoutes<F>(),
    ...(core.config.passkeys?.enabled === false
      ? []
      : passkeyRoutes<F>({
          throttle,
          verificationRequired: core.config.emailVerification?.required === true ? pages.verifyEmail : null,
        })),
    ...adminRoutes<F>({ fields, resetPasswordPage: pages.resetPassword }),
    ...adminWebhookRoutes<F>(),
    ...adminSessionRoutes<F>({ fields }),
    ...adminAuditRoutes<F>(),
    ...tenantRoutes<F>({ fields, basePath: settings.basePath }),
    ...tokenRoutes<F>(),
    ...adminTenantRoutes<F>({ fields, basePath: settings.basePath, invitationPage: pages.invitation }),
  ];
  const { metrics } = options;
  const table = new RouteTable<
    (
      request: Request,
      connection: ConnectionInfo | undefined,
      params: Record<string, string>,
      tenant: TenantOfRequest,
    ) => Promise<Response>
  >();
  for (const route of routes) {
    table.add(route.method, settings.basePath + route.path, (request, connection, params, tenant) =>
      run(route, request, connection, params, tenant),
    );
  }
  const openApi = JSON.stringify(openApiDocument(routes, settings.basePath));
  table.add('GET', `${settings.basePath}/openapi.json`, async (request) => {
    const headers = headersFor(request);
    headers['cache-control'] = 'public, max-age=300';
    return json(200, openApi, headers);
  });

  /** Headers for answers given outside a route (no exchange). */
  function headersFor(request: Request) {
    const https = (settings.cookie ?? cookiePolicyFor(request.url)).secure;
    return responseHeaders(request, { https, corsOrigins: settings.trustedOrigins });
  }

  async function run(
    route: RouteSpec<F>,
    request: Request,
    connection: ConnectionInfo | undefined,
    params: Record<string, string>,
    tenant: TenantOfRequest,
  ): Promise<Response> {
    const started = metrics ? performance.now() : 0;
    const x = new Exchange(core, request, connection?.ip ?? null, settings, tenant);
    let response: Response;
    try {
      if (!x.bearerMode && route.method !== 'GET' && !route.crossSite) {
        const verdict = checkRequestOrigin(request.method, request.headers, csrfOrigins(x.origin));
        if (!verdict.ok) {
          core.logger.info({ reason: verdict.reason, path: route.path }, 'Refused a cross-site request.');
          throw new AuthError('csrf_failed', 'This request did not come from a trusted origin.');
        }
      }
      if (route.permission) await x.requirePermission(route.permission);
      response = await route.handle(x, params);
    } catch (error) {
      response = isAuthError(error)
        ? errorResponse(error, x.headers)
        : isDatabaseUnavailable(error)
          ? unavailable(core.logger, error, x.headers)
          : internalError(core.logger, error, x.headers);
    }
    metrics?.observe(route.method, route.path, response.status, performance.now() - started);
    return response;
  }

  function csrfOrigins(own: string): ReadonlySet<string> {
    if (settings.trustedOrigins.has(own)) return settings.trustedOrigins;
    return new Set([own, ...settings.trustedOrigins]);
  }

  return {
    settings,
    resolveTenant: tenants.resolve,
    resolveTenantNow: tenants.resolveNow,
    async fetch(incoming, connection) {
      try {
        if (incoming.method === 'OPTIONS') {
          return preflight(incoming.headers.get('origin'), settings.trustedOrigins, headersFor(incoming));
        }
        let request = incoming;
        let tenant = connection?.tenant;
        if (!tenant) {
          const resolved = tenants.resolveNow(incoming) ?? (await tenants.resolve(incoming));
          request = resolved.request;
          tenant = resolved;
        }
        const found = table.match(request.method, pathOf(request.url));
        if (!found)
          return errorResponse(new AuthError('not_found', 'There is no such route.'), headersFor(request));
        return await found.value(request, connection, found.params, tenant);
      } catch (error) {
        if (isAuthError(error)) return errorResponse(error, headersFor(incoming));
        return internalError(core.logger, error, headersFor(incoming));
      }
    },
    async getSession(source) {
      const cookie = settings.cookie ?? cookiePolicyFor(source.url.startsWith('https:') ? 'https:' : 'http:');
      const presented = presentedToken(source.headers, isBearerMode(source.headers) ? null : cookie.name);
      const found = presented ? await core.sessions.validate(presented.token) : null;
      // A request that names a tenant (header, subdomain) gets that tenant's session or none.
      const slug = found && tenants.named(source.url, source.headers);
      if (found && slug) {
        const tenant = await core.tenants.resolve(slug);
        if (tenant?.id !== found.session.tenantId) return null;
      }
      return found;
    },
  };
}

function httpSettings(config: GatehouseConfig<CustomFields>): HttpSettings {
  const publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : null;
  return {
    basePath: config.basePath ?? '/auth',
    publicOrigin,
    cookie: publicOrigin ? cookiePolicyFor(publicOrigin) : null,
    trustedOrigins: new Set((config.trustedOrigins ?? []).map((origin) => new URL(origin).origin)),
    trustedProxies: config.trustedProxies ?? 0,
  };
}

/** Where links in mail lead: the app's pages if configured, else the pre-built ones. */
function mailPages(config: Pick<GatehouseConfig<CustomFields>, 'links'>, basePath: string) {
  return {
    resetPassword: config.links?.resetPassword ?? `${basePath}/ui/reset-password`,
    verifyEmail: config.links?.verifyEmail ?? `${basePath}/ui/verify-email`,
    confirmEmailChange: config.links?.confirmEmailChange ?? `${basePath}/ui/confirm-email-change`,
    invitation: config.links?.invitation ?? `${basePath}/ui/invitation`,
  };
}

function createThrottle<F extends CustomFields>(core: AuthCore<F>, store?: RateLimitStore): Throttle | null {
  const configured = core.config.rateLimits;
  if (configured === false) return null;
  const limits: RateLimitSettings = {
    signIn: { ...defaultRateLimits.signIn, ...configured?.signIn },
    signUp: { ...defaultRateLimits.signUp, ...configured?.signUp },
    mail: { ...defaultRateLimits.mail, ...configured?.mail },
  };
  // With Redis, every instance counts in Redis; else in the database (shared by instances on one PostgreSQL).
  const chosen =
    store ??
    (core.redis
      ? new RedisRateLimitStore(core.redis.commands, core.redis.prefix)
      : new DatabaseRateLimitStore(core.database));
  return new Throttle({ store: chosen, limits, now: core.now });
}

/** The database is down or slow: 503 with `Retry-After`, so clients and load balancers try again. */
function unavailable(logger: Logger, error: unknown, headers: ResponseHeaders): Response {
  logger.warn({ err: error }, 'The database cannot be reached; answered 503.');
  return errorResponse(
    new AuthError('unavailable', 'The service is briefly unavailable. Try again in a few seconds.', {
      retryAfterSeconds: 5,
    }),
    headers,
  );
}

function internalError(logger: Logger, error: unknown, headers: ResponseHeaders): Response {
  logger.error({ err: error }, 'Request failed.');
  return json(500, new AuthError('internal_error', 'Something went wrong on our side. Try again.'), headers);
}
