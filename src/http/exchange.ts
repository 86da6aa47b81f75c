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
import { clientIp } from './client-ip.js';
import { type CookiePolicy, clearedSessionCookie, cookiePolicyFor, sessionCookie } from './cookies.js';
import { resolveRedirect } from './redirects.js';
import { isBearerMode, type PresentedToken, presentedToken } from './request-auth.js';
import { type ResponseHeaders, responseHeaders } from './responses.js';

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
  readonly #settings: HttpSettings;
  #signedIn: Promise<SignedIn<F> | null> | undefined;
  #impersonatorId: string | null = null;

  readonly #socketIp: string | null;
  #ip: string | null | undefined;

  constructor(
    readonly core: AuthCore<F>,
    readonly request: Request,
    socketIp: string | null,
    settings: HttpSettings,
  ) {
    this.#settings = settings;
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

  /** The signed-in session and user of this request, or null. */
  signedIn(): Promise<SignedIn<F> | null> {
    this.#signedIn ??= this.presented
      ? this.core.sessions.validate(this.presented.token).then((found) => {
          this.#impersonatorId = found?.session.impersonator?.userId ?? null;
          return found;
        })
      : Promise.resolve(null);
    return this.#signedIn;
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
    if (!(user.isStaff || user.isSuperuser) || !(await this.core.permissions.hasPerm(user, permission))) {
      throw new AuthError('forbidden', 'You do not have permission to do this.');
    }
    return found;
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
   * What audit events record of the client, and the staff member behind the
   * session when it is an impersonation (known once `signedIn` has run).
   */
  get client(): { ip: string | null; userAgent: string | null; impersonatorId?: string } {
    return {
      ip: this.ip,
      userAgent: this.userAgent,
      ...(this.#impersonatorId ? { impersonatorId: this.#impersonatorId } : {}),
    };
  }
}
