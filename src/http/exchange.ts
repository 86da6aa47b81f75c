/**
 * One request and the response being prepared for it: who the client is
 * (address, credential), what the server's own origin and cookie are, and the
 * headers the answer will carry. Built once per request and passed to the
 * route; the session lookup is done at most once.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { AuthCore } from '../core.js';
import { AuthError } from '../errors.js';
import type { AnonymousSession } from '../sessions/anonymous-sessions.js';
import type { Session } from '../sessions/sessions.js';
import { isDefaultTenant, type Tenant } from '../tenants/tenants.js';
import { clientIp } from './client-ip.js';
import { type CookiePolicy, clearedSessionCookie, cookiePolicyFor, sessionCookie } from './cookies.js';
import { resolveRedirect } from './redirects.js';
import { isBearerMode, type PresentedToken, presentedToken } from './request-auth.js';
import { type ResponseHeaders, responseHeaders } from './responses.js';
import type { TenantOfRequest } from './tenant-resolution.js';

/** Three base64url parts: what a bearer access token (JWT) looks like, unlike a session token. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** How recent an authentication sensitive actions need by default: 15 minutes. */
export const DEFAULT_REAUTH_WINDOW_SECONDS = 900;

export interface SignedIn<F extends CustomFields> {
  session: Session;
  user: User<F>;
}

export interface HttpSettings {
  basePath: string;
  /** From `publicUrl`; null: each request's own URL decides (development). */
  publicOrigin: string | null;
  /** The session cookie, fixed by the public URL; null: each request's scheme decides. */
  cookie: CookiePolicy | null;
  /** Origins besides our own that may send cookie requests (CSRF) and CORS calls. */
  trustedOrigins: ReadonlySet<string>;
  trustedProxies: number;
}

export class Exchange<F extends CustomFields> {
  readonly headers: ResponseHeaders;
  readonly cookie: CookiePolicy;
  readonly bearerMode: boolean;
  readonly presented: PresentedToken | null;
  /** The tenant this request is for (the default tenant unless it named one). */
  readonly tenant: Tenant;
  readonly #tenantPrefix: string;
  readonly #settings: HttpSettings;
  /** A session the request carried that belongs to another tenant: refused here, ended by a new sign-in. */
  #foreignSessionId: string | null = null;
  #signedIn: Promise<SignedIn<F> | null> | undefined;
  #impersonatorId: string | null = null;

  readonly #socketIp: string | null;
  #ip: string | null | undefined;

  constructor(
    readonly core: AuthCore<F>,
    readonly request: Request,
    socketIp: string | null,
    settings: HttpSettings,
    scope: TenantOfRequest,
  ) {
    this.#settings = settings;
    this.tenant = scope.tenant;
    this.#tenantPrefix = scope.prefix;
    this.#socketIp = socketIp;
    // Without a configured public URL the request's own scheme decides, as it does for the origin.
    this.cookie = settings.cookie ?? cookiePolicyFor(request.url.startsWith('https:') ? 'https:' : 'http:');
    this.headers = responseHeaders(request, {
      https: this.cookie.secure,
      corsOrigins: settings.trustedOrigins,
    });
    this.bearerMode = isBearerMode(request.headers);
    this.presented = presentedToken(request.headers, this.bearerMode ? null : this.cookie.name);
  }

  /** The client's address (worked out on first use: most requests never need it). */
  get ip(): string | null {
    if (this.#ip === undefined) {
      this.#ip = clientIp(
        this.#socketIp ?? undefined,
        this.request.headers.get('x-forwarded-for'),
        this.#settings.trustedProxies,
      );
    }
    return this.#ip;
  }

  /** The server's own origin: the public URL's, else this request's. */
  get origin(): string {
    return this.#settings.publicOrigin ?? new URL(this.request.url).origin;
  }

  get userAgent(): string | null {
    return this.request.headers.get('user-agent')?.slice(0, 512) ?? null;
  }

  /**
   * The signed-in session and user of this request, or null. A session opened
   * in another tenant is no session here.
   */
  signedIn(): Promise<SignedIn<F> | null> {
    this.#signedIn ??= this.presented
      ? this.#lookUp(this.presented).then((found) => {
          if (found && found.session.tenantId !== this.tenant.id) {
            this.#foreignSessionId = found.session.id;
            return null;
          }
          this.#impersonatorId = found?.session.impersonator?.userId ?? null;
          return found;
        })
      : Promise.resolve(null);
    return this.#signedIn;
  }

  /** A session token (cookie or bearer) opens its session; a bearer access token (JWT), the session it was issued from. */
  #lookUp(presented: PresentedToken): Promise<SignedIn<F> | null> {
    if (presented.via === 'bearer' && JWT_SHAPE.test(presented.token))
      return this.#fromAccessToken(presented.token);
    return this.core.sessions.validate(presented.token);
  }

  async #fromAccessToken(token: string): Promise<SignedIn<F> | null> {
    const mode = this.core.tokenMode;
    if (!mode) return null;
    const claims = await mode.verify(token, this.tokenAudience).catch(() => null);
    if (!claims) return null;
    // The session must still live: revoking it stops the token here at once (elsewhere, at its expiry).
    const found = await this.core.sessions.get(claims.sid);
    return found && found.user.id === claims.sub && found.session.tenantId === claims.tenant ? found : null;
  }

  /** Who access tokens are from and for: `accessTokens.issuer` (default the public URL and base path) and `.audience` (default the issuer). */
  get tokenAudience(): { issuer: string; audience: string } {
    const configured = this.core.config.accessTokens;
    const issuer = configured?.issuer ?? `${this.origin}${this.#settings.basePath}`;
    return { issuer, audience: configured?.audience ?? issuer };
  }

  /**
   * This request as another tenant's (by id): for a flow that began in one
   * tenant and comes back through a URL shared by all (a social sign-in's
   * callback). Links made from it use the tenant's path prefix.
   */
  async inTenant(tenantId: string): Promise<Exchange<F>> {
    if (tenantId === this.tenant.id) return this;
    const tenant = await this.core.tenants.get(tenantId);
    if (!tenant?.isActive) throw new AuthError('tenant_disabled', 'This organisation is disabled.');
    const prefix = isDefaultTenant(tenant) ? '' : `/t/${tenant.slug}`;
    return new Exchange(this.core, this.request, this.#socketIp, this.#settings, { tenant, prefix });
  }

  /** The id of a session of another tenant that this request carried (known once `signedIn` has run). */
  get foreignSessionId(): string | null {
    return this.#foreignSessionId;
  }

  /** Lookups by email or username search this tenant's user pool. */
  get pool(): { pool: string } {
    return { pool: this.tenant.poolId };
  }

  /** One-time tokens are issued in, and only work in, this tenant. */
  get tokenScope(): { tenantId: string } {
    return { tenantId: this.tenant.id };
  }

  /**
   * A path on this server as this tenant reaches it: `/auth/ui/x` becomes
   * `/auth/t/acme/ui/x` when the request named its tenant in the path. Other
   * paths (an app's own pages) are returned as they are.
   */
  tenantPath(path: string): string {
    const base = this.#settings.basePath;
    if (this.#tenantPrefix === '' || !(path === base || path.startsWith(`${base}/`))) return path;
    return base + this.#tenantPrefix + path.slice(base.length);
  }

  /** The signed-in session and user, or a 401 `unauthenticated`. */
  async requireSignedIn(): Promise<SignedIn<F>> {
    const found = await this.signedIn();
    if (!found) throw new AuthError('unauthenticated', 'Sign in first.');
    return found;
  }

  /**
   * The signed-in session and user, if the session began recently enough for
   * a sensitive action (`mfa.reauthWindowSeconds`, default 15 minutes); else
   * 401 `reauthentication_required` (or `unauthenticated`). Every sign-in and
   * re-authentication starts a new session, so a session's creation is when
   * its user last proved who they are. A staff member acting as the user never
   * passes: impersonation does not reach the account's credentials.
   */
  async requireRecentAuthentication(): Promise<SignedIn<F>> {
    const found = await this.requireSignedIn();
    const windowMs = (this.core.config.mfa?.reauthWindowSeconds ?? DEFAULT_REAUTH_WINDOW_SECONDS) * 1000;
    const age = this.core.now().getTime() - found.session.createdAt.getTime();
    if (found.session.impersonator || age > windowMs) {
      throw new AuthError('reauthentication_required', 'Confirm it is you: sign in again to do this.');
    }
    return found;
  }

  /**
   * The signed-in staff user, if they hold `permission` (superusers hold
   * every one): else 401 `unauthenticated` or 403 `forbidden`. Staff status
   * is required as in Django's admin: a permission alone opens no admin route.
   */
  async requirePermission(permission: string): Promise<SignedIn<F>> {
    const found = await this.requireSignedIn();
    const { user } = found;
    // The installation's staff work in the default tenant; a tenant's admins use its tenant routes.
    if (
      !isDefaultTenant(this.tenant) ||
      !(user.isStaff || user.isSuperuser) ||
      !(await this.core.permissions.hasPerm(user, permission))
    ) {
      throw new AuthError('forbidden', 'You do not have permission to do this.');
    }
    return found;
  }

  /**
   * The signed-in user, if they may do this to the tenant `tenantId`: the
   * installation's staff with the permission (from the default tenant), or a
   * member of that tenant who holds it there, signed in to it. From another
   * tenant, any tenant but its own is 404; anything else refused is 403.
   */
  async requireTenantPermission(tenantId: string, permission: string): Promise<SignedIn<F>> {
    const found = await this.requireSignedIn();
    const { user } = found;
    const { permissions } = this.core;
    const forbidden = new AuthError('forbidden', 'You do not have permission to do this.');
    if (isDefaultTenant(this.tenant)) {
      if ((user.isStaff || user.isSuperuser) && (await permissions.hasPerm(user, permission))) return found;
      throw forbidden;
    }
    if (tenantId !== this.tenant.id) throw new AuthError('not_found', 'There is no such tenant.');
    if (await permissions.hasPerm(user, permission, { tenant: tenantId })) return found;
    throw forbidden;
  }

  /** The visitor's anonymous session, when anonymous sessions are on and the request has one. */
  async anonymousSession(): Promise<AnonymousSession | null> {
    if (!this.core.sessions.policy.anonymous || !this.presented) return null;
    return this.core.sessions.anonymous.validate(this.presented.token);
  }

  /** Hands a new session token to a cookie client (bearer clients get it in the body instead). */
  setSessionCookie(token: string): void {
    if (this.bearerMode) return;
    // One cookie per response: a later call (a new session after clearing) replaces an earlier one.
    this.headers['set-cookie'] = sessionCookie(
      this.cookie,
      token,
      this.core.sessions.policy.absoluteTtlSeconds,
    );
  }

  clearSessionCookie(): void {
    if (this.bearerMode) return;
    this.headers['set-cookie'] = clearedSessionCookie(this.cookie);
  }

  /**
   * The normalised redirect target (API.md "Redirects"): a path on this
   * server or a URL on a trusted origin; anything else is 400 `invalid_redirect`.
   */
  redirectTarget(target: string | undefined): string | null {
    if (target === undefined) return null;
    const resolved = resolveRedirect(target, {
      publicUrl: this.origin,
      trustedOrigins: [...this.#settings.trustedOrigins],
    });
    if (resolved === null) throw new AuthError('invalid_redirect', 'That redirect target is not allowed.');
    return resolved;
  }

  /**
   * A `redirectTo` kept from an earlier request (in a token's or challenge's
   * data), if it is still allowed — the trusted origins may have changed since.
   */
  storedRedirect(data: Record<string, unknown>): string | null {
    if (typeof data.redirectTo !== 'string') return null;
    try {
      return this.redirectTarget(data.redirectTo);
    } catch {
      return null;
    }
  }

  /**
   * What audit events record of the client, the staff member behind the
   * session when it is an impersonation (known once `signedIn` has run), and
   * the tenant unless it is the default one (sessions made with it belong there).
   */
  get client(): { ip: string | null; userAgent: string | null; impersonatorId?: string; tenantId?: string } {
    return {
      ip: this.ip,
      userAgent: this.userAgent,
      ...(this.#impersonatorId ? { impersonatorId: this.#impersonatorId } : {}),
      ...(isDefaultTenant(this.tenant) ? {} : { tenantId: this.tenant.id }),
    };
  }
}
