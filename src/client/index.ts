/**
 * `gatehouse/client`: a typed client for the Gatehouse JSON API, for browsers
 * and Node alike. No runtime dependency and no import from the rest of the
 * package (it is bundled for browsers as is; `scripts/check-layers.mjs`
 * keeps it that way).
 *
 * Dates stay the ISO 8601 strings the JSON carries (`'2025-01-31T12:00:00.000Z'`):
 * the client hands back exactly what the server sent, so what you see in the
 * network tab is what you get, values survive `JSON.stringify` and state
 * stores unchanged, and no field is silently a `Date` in one place and a
 * string in another. Call `new Date(user.createdAt)` where you need one.
 */

/** An ISO 8601 timestamp as sent by the server. */
export type IsoDate = string;

/** The codes of API.md, plus `unexpected_response` for an answer that is not the API's (a proxy's 502 page). */
export type GatehouseErrorCode =
  | 'invalid_request'
  | 'password_invalid'
  | 'invalid_redirect'
  | 'oauth_failed'
  | 'invalid_credentials'
  | 'unauthenticated'
  | 'mfa_required'
  | 'reauthentication_required'
  | 'forbidden'
  | 'email_not_verified'
  | 'csrf_failed'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'internal_error'
  | 'unavailable'
  | 'unexpected_response';

/**
 * A user as the API shows it. `Custom` is the app's custom fields as they
 * appear in JSON (a `timestamp` field is an `IsoDate`, an optional one may be null).
 */
export type User<Custom extends object = Record<never, never>> = {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string | null;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  createdAt: IsoDate;
  lastLoginAt: IsoDate | null;
} & Custom;

export type SessionData = Record<string, unknown>;

/** The current session (`GET /session`). */
export interface Session {
  id: string;
  createdAt: IsoDate;
  expiresAt: IsoDate;
  /** How the user authenticated (RFC 8176: `pwd`, `otp`, …); empty for an anonymous session. */
  amr: string[];
  data: SessionData;
}

/** One of the user's sessions (`GET /sessions`). */
export interface SessionListItem {
  id: string;
  /** True for the session making the request. */
  current: boolean;
  createdAt: IsoDate;
  lastSeenAt: IsoDate;
  expiresAt: IsoDate;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

/** A social sign-in provider the server offers. */
export interface SocialProvider {
  id: string;
  name: string;
  /** The API path that starts a sign-in with it (add `?redirectTo=`). */
  url: string;
}

/** An identity at a provider, linked to the signed-in user. */
export interface LinkedAccount {
  id: string;
  provider: string;
  providerName: string;
  email: string | null;
  createdAt: IsoDate;
  lastUsedAt: IsoDate;
}

export interface SignedIn<Custom extends object = Record<never, never>> {
  user: User<Custom>;
  session: Session;
}

export interface SignInResult<Custom extends object = Record<never, never>> extends SignedIn<Custom> {
  /** The normalised `redirectTo` when one was sent: navigate there. */
  redirectTo?: string;
  /** Bearer mode only (already stored by the client). */
  token?: string;
}

export type SignUpInput<Custom extends object = Record<never, never>> = {
  email: string;
  password: string;
  username?: string;
  firstName?: string;
  lastName?: string;
  redirectTo?: string;
} & Partial<Custom>;

export type SignInInput =
  | { email: string; username?: never; password: string; redirectTo?: string }
  | { username: string; email?: never; password: string; redirectTo?: string };

export type ProfileUpdate<Custom extends object = Record<never, never>> = Partial<
  { username: string | null; firstName: string; lastName: string } & Custom
>;

/** Where bearer mode keeps its token. Each method may be async (e.g. React Native's AsyncStorage). */
export interface TokenStore {
  get(): string | null | undefined | Promise<string | null | undefined>;
  set(token: string): unknown;
  remove(): unknown;
}

/** The part of `fetch` the client uses: the global `fetch` of browsers and Node, or any stand-in. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; credentials: 'include' | 'omit' },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface ClientOptions {
  /** The server's origin, e.g. `https://auth.example.com`. Default `''`: the page's own origin. */
  baseUrl?: string;
  /** Where the API is mounted. Default `/auth`. */
  basePath?: string;
  /**
   * `cookie` (default): the browser keeps the HttpOnly session cookie; requests
   * go with `credentials: 'include'`. `bearer`: for apps that cannot use the
   * cookie (other sites, mobile, CLIs); the token lives in `tokenStore`.
   */
  mode?: 'cookie' | 'bearer';
  /** Default: the global `fetch`, looked up at each call. */
  fetch?: FetchLike;
  /** Bearer mode: where the token is kept. Default: in memory, gone on reload. */
  tokenStore?: TokenStore;
}

export interface GatehouseClient<Custom extends object = Record<never, never>> {
  signUp(input: SignUpInput<Custom>): Promise<SignInResult<Custom>>;
  signIn(input: SignInInput): Promise<SignInResult<Custom>>;
  /** Ends the session server-side (and forgets the token in bearer mode). Succeeds when signed out already. */
  signOut(): Promise<void>;
  /** The signed-in user and session, or null when signed out. */
  getSession(): Promise<SignedIn<Custom> | null>;
  /** Replaces the session's data. */
  setSessionData(data: SessionData): Promise<Session>;
  listSessions(): Promise<SessionListItem[]>;
  revokeSession(id: string): Promise<void>;
  /** Ends every session but the current one. */
  revokeOtherSessions(): Promise<void>;
  /** Other sessions end; the current one gets a new token (stored by the client in bearer mode). */
  changePassword(input: { currentPassword: string; newPassword: string }): Promise<void>;
  updateProfile(changes: ProfileUpdate<Custom>): Promise<User<Custom>>;
  /** The social sign-in providers the server offers. */
  socialProviders(): Promise<SocialProvider[]>;
  /** Where to send the browser (`location.assign`) to sign in with a provider; it comes back to `redirectTo`. */
  socialSignInUrl(provider: string, options?: { redirectTo?: string }): string;
  /** Starts linking a provider to the signed-in account: send the browser to the returned URL. */
  linkAccount(provider: string, options?: { redirectTo?: string }): Promise<{ url: string }>;
  listLinkedAccounts(): Promise<LinkedAccount[]>;
  /** Refused (`conflict`) when it is the account's only way to sign in. */
  unlinkAccount(id: string): Promise<void>;
}

/** A refusal from the API: `{error: {code, message, fields?}}` and its status. */
export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';

  constructor(
    readonly code: GatehouseErrorCode,
    message: string,
    readonly status: number,
    /** Field name → why it was refused (`invalid_request`). */
    readonly fields?: Record<string, string>,
    /** Seconds to wait before trying again (`rate_limited`), from `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export function createClient<Custom extends object = Record<never, never>>(
  options: ClientOptions = {},
): GatehouseClient<Custom> {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '') + (options.basePath ?? '/auth');
  const bearer = options.mode === 'bearer';
  let memory: string | null | undefined;
  const store: TokenStore = options.tokenStore ?? {
    get: () => memory,
    set: (token) => {
      memory = token;
    },
    remove: () => {
      memory = null;
    },
  };

  // biome-ignore lint/suspicious/noExplicitAny: each method below states the shape it returns.
  async function call(method: string, path: string, body?: object): Promise<any> {
    const headers: Record<string, string> = {};
    if (body) headers['content-type'] = 'application/json';
    if (bearer) {
      // Also on requests without a token: the server then answers with one and ignores cookies.
      headers['x-auth-mode'] = 'bearer';
      const token = await store.get();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    const response = await (options.fetch ?? fetch)(base + path, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
      credentials: bearer ? 'omit' : 'include',
    });
    const text = await response.text();
    let json:
      | {
          token?: unknown;
          error?: { code?: GatehouseErrorCode; message?: string; fields?: Record<string, string> };
        }
      | undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {}
    const error = json?.error;
    if (!response.ok || (text && !json)) {
      throw new GatehouseError(
        error?.code ?? 'unexpected_response',
        error?.message ?? `Unexpected answer from ${method} ${base + path} (HTTP ${response.status}).`,
        response.status,
        error?.fields,
        seconds(response.headers.get('retry-after')),
      );
    }
    if (bearer && typeof json?.token === 'string') await store.set(json.token);
    return json;
  }

  return {
    signUp: (input) => call('POST', '/signup', input),
    signIn: (input) => call('POST', '/signin', input),
    async signOut() {
      await call('POST', '/signout');
      if (bearer) await store.remove();
    },
    async getSession() {
      try {
        return await call('GET', '/session');
      } catch (error) {
        if (error instanceof GatehouseError && error.code === 'unauthenticated') return null;
        throw error;
      }
    },
    setSessionData: async (data) => (await call('PUT', '/session/data', { data })).session,
    listSessions: async () => (await call('GET', '/sessions')).sessions,
    revokeSession: (id) => call('DELETE', `/sessions/${encodeURIComponent(id)}`),
    revokeOtherSessions: () => call('DELETE', '/sessions'),
    async changePassword(input) {
      await call('POST', '/password/change', input);
    },
    updateProfile: async (changes) => (await call('PATCH', '/user', changes)).user,
    socialProviders: async () => (await call('GET', '/oauth')).providers,
    socialSignInUrl(provider, { redirectTo } = {}) {
      const query = redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : '';
      return `${base}/oauth/${encodeURIComponent(provider)}${query}`;
    },
    linkAccount: (provider, { redirectTo } = {}) =>
      call('POST', `/oauth/${encodeURIComponent(provider)}/link`, redirectTo ? { redirectTo } : {}),
    listLinkedAccounts: async () => (await call('GET', '/linked-accounts')).accounts,
    async unlinkAccount(id) {
      await call('DELETE', `/linked-accounts/${encodeURIComponent(id)}`);
    },
  };
}

/** `Retry-After` in seconds: the server sends seconds; a proxy may send an HTTP date. */
function seconds(header: string | null): number | undefined {
  if (!header) return undefined;
  const value = /^\d+$/.test(header) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
  return Number.isNaN(value) ? undefined : Math.max(0, value);
}
