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
  | 'tenant_disabled'
  | 'method_disabled'
  | 'not_a_member'
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

/** One of the signed-in user's passkeys (never its key or credential id). */
export interface Passkey {
  id: string;
  name: string;
  createdAt: IsoDate;
  lastUsedAt: IsoDate | null;
  /** `multiDevice`: the passkey may be synced to the user's other devices. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** The WebAuthn options the server sends, handed as they are to the browser half. */
export interface PublicKeyOptionsJSON {
  challenge: string;
}

/**
 * The browser half of WebAuthn: `@simplewebauthn/browser`'s two functions.
 * The client has no dependency, so the passkey methods take them from here:
 * `createClient({ webauthn: { startRegistration, startAuthentication } })`.
 */
export interface WebAuthnBrowser {
  startRegistration(options: { optionsJSON: PublicKeyOptionsJSON }): Promise<unknown>;
  startAuthentication(options: { optionsJSON: PublicKeyOptionsJSON }): Promise<unknown>;
}

/** A sign-in waiting for its second factor: what `mfa_required` carries (`GatehouseError.mfa`). */
export interface MfaChallenge {
  /** Send it back to `verifyMfa` (browsers also hold it in an `HttpOnly` cookie). */
  challenge: string;
  /** `totp`, `passkey`, `recovery_code`, `email`. */
  methods: string[];
  expiresAt: IsoDate;
}

/** The signed-in user's second factors (`GET /mfa`). */
export interface MfaStatus {
  totp: { enabled: boolean };
  passkeys: number;
  recoveryCodes: { remaining: number };
  trustedDevices: number;
  /** The MFA policy asks this user to have a second factor. */
  required: boolean;
}

/** A browser that skips the second factor ("remember this browser"). */
export interface TrustedDevice {
  id: string;
  /** True for the browser making the request. */
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: IsoDate;
  lastUsedAt: IsoDate;
  expiresAt: IsoDate;
}

/** One answer to a sign-in's challenge. */
export type MfaAnswer = { code: string } | { recoveryCode: string } | { emailCode: string };

export interface SignedIn<Custom extends object = Record<never, never>> {
  user: User<Custom>;
  session: Session;
}

export interface SignInResult<Custom extends object = Record<never, never>> extends SignedIn<Custom> {
  /** The normalised `redirectTo` when one was sent: navigate there. */
  redirectTo?: string;
  /** Bearer mode only (already stored by the client). */
  token?: string;
  /** The MFA policy asks this user to add a second factor now: lead them to enrolment. */
  mfaEnrollmentRequired?: true;
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

/**
 * A tenant (organisation) as anyone may see it (`GET /tenant`): its brand and
 * the ways in it offers, for drawing its sign-in page.
 */
export interface Tenant {
  slug: string;
  name: string;
  logoUrl: string | null;
  /** `shared`: one account, many organisations. `isolated`: its own accounts (the same address is another account there). */
  pool: 'shared' | 'isolated';
  methods: {
    password: boolean;
    magicLink: boolean;
    emailCode: boolean;
    passkey: boolean;
    /** Ids of the social providers offered (`socialProviders()` has their names). */
    social: string[];
  };
  /** Whether a visitor may create an account (or join) without an invitation. */
  signUp: boolean;
  /** Every member signs in with a second factor. */
  mfaRequired: boolean;
  /** Where its API lives: `/auth` for the default tenant, `/auth/t/{slug}` for the others. */
  basePath: string;
}

/** One of the signed-in user's tenants (`tenants()`). */
export interface TenantMembership extends Tenant {
  /** Names of the groups the user holds there. */
  groups: string[];
  /** True for the tenant the session is in. */
  current: boolean;
}

export interface TenantSwitch {
  tenant: Tenant;
  /** The new session, bound to `tenant`; the previous one has ended. */
  session: Session;
  /** Bearer mode only (already stored by the client). */
  token?: string;
}

/** What an invitation link is for (`peekInvitation`), nothing spent. */
export interface InvitationPreview {
  invitation: { email: string; groups: string[]; expiresAt: IsoDate };
  tenant: Tenant;
  /** The address has an account already: accepting makes it a member, then it signs in as usual. */
  accountExists: boolean;
}

export interface AcceptInvitationInput {
  token: string;
  /** For a new account; without one it signs in by email (magic link, code) or a provider. */
  password?: string;
  firstName?: string;
  lastName?: string;
  redirectTo?: string;
}

/**
 * An existing account joined (`joined: true`: sign in to the tenant as usual),
 * or a new one was made and signed in.
 */
export type InvitationAccepted<Custom extends object = Record<never, never>> =
  | { joined: true; signInRequired: true }
  | (SignInResult<Custom> & { joined?: never });

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
   * The tenant (organisation) to talk to, by slug: every call goes to
   * `{basePath}/t/{slug}/…`. Default: none, the tenant the server picks (the
   * default one, or the one a configured header or subdomain names).
   */
  tenant?: string;
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
  /** For the passkey methods that talk to an authenticator (`registerPasskey`, `signInWithPasskey`). */
  webauthn?: WebAuthnBrowser;
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
  /**
   * Creates a passkey on this device for the signed-in account (needs `webauthn`
   * and a recent sign-in: `reauthentication_required` otherwise).
   */
  registerPasskey(name?: string): Promise<Passkey>;
  /** Signs in with a passkey the browser offers: no email or password (needs `webauthn`). */
  signInWithPasskey(options?: { redirectTo?: string }): Promise<SignInResult<Custom>>;
  listPasskeys(): Promise<Passkey[]>;
  renamePasskey(id: string, name: string): Promise<Passkey>;
  /** Needs a recent sign-in; refused (`conflict`) when it is the account's only way to sign in. */
  removePasskey(id: string): Promise<void>;
  /**
   * Finishes a sign-in that failed with `mfa_required` (`error.mfa.challenge`;
   * in a browser the challenge cookie is enough).
   */
  verifyMfa(
    answer: MfaAnswer & { challenge?: string; rememberDevice?: boolean; redirectTo?: string },
  ): Promise<SignInResult<Custom>>;
  /** Finishes it with one of the user's passkeys (needs `webauthn`). */
  verifyMfaWithPasskey(options?: { challenge?: string }): Promise<SignInResult<Custom>>;
  /** Mails a code for the pending challenge to the account's address. */
  sendMfaEmailCode(options?: { challenge?: string }): Promise<void>;
  mfaStatus(): Promise<MfaStatus>;
  /** Starts adding an authenticator app (needs a recent sign-in); nothing is on until `confirmTotp`. */
  setupTotp(): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }>;
  /** Turns the app on with its first code; resolves to the ten recovery codes, shown this once. */
  confirmTotp(code: string): Promise<string[]>;
  /** Turns the app off (needs a recent sign-in and one of its codes, or a recovery code). */
  disableTotp(answer: { code: string } | { recoveryCode: string }): Promise<void>;
  /** A new set of recovery codes; the old ones stop working. */
  regenerateRecoveryCodes(): Promise<string[]>;
  /** Step-up after `reauthentication_required`: the session gets a new id. */
  reauthenticate(
    answer: { password: string } | { code: string } | { recoveryCode: string },
  ): Promise<Session>;
  reauthenticateWithPasskey(): Promise<Session>;
  listTrustedDevices(): Promise<TrustedDevice[]>;
  forgetTrustedDevice(id: string): Promise<void>;
  forgetAllTrustedDevices(): Promise<void>;
  /** Deletes the signed-in account for good (needs a recent sign-in). */
  deleteAccount(): Promise<void>;
  /**
   * A client for a tenant's API (`{basePath}/t/{slug}/…`) with this one's
   * options and token store. A session belongs to one tenant: elsewhere it is
   * no session (`getSession()` is null).
   */
  forTenant(slug: string): GatehouseClient<Custom>;
  /** The tenant this client talks to: its brand and the ways in it offers. */
  tenant(): Promise<Tenant>;
  /** The signed-in user's tenants (a tenant picker), the current one marked. */
  tenants(): Promise<TenantMembership[]>;
  /**
   * Moves the session to another of the user's tenants (`not_found` if not a
   * member; `reauthentication_required` if the sign-in does not meet its
   * policy, e.g. its MFA). The session is then the new tenant's: go on with
   * `forTenant(slug)`, not with this client.
   */
  switchTenant(slug: string): Promise<TenantSwitch>;
  /** What an invitation link's token is for (the address, the tenant), without using it. */
  peekInvitation(token: string): Promise<InvitationPreview>;
  /** Uses the invitation (in the tenant it was issued in); may fail with `mfa_required` like `signIn`. */
  acceptInvitation(input: AcceptInvitationInput): Promise<InvitationAccepted<Custom>>;
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
    /** For `mfa_required`: the challenge to finish the sign-in with (`verifyMfa`). */
    readonly mfa?: MfaChallenge,
  ) {
    super(message);
  }
}

export function createClient<Custom extends object = Record<never, never>>(
  options: ClientOptions = {},
): GatehouseClient<Custom> {
  const base =
    (options.baseUrl ?? '').replace(/\/+$/, '') +
    (options.basePath ?? '/auth') +
    (options.tenant === undefined ? '' : `/t/${encodeURIComponent(options.tenant)}`);
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

  function webauthn(): WebAuthnBrowser {
    if (options.webauthn) return options.webauthn;
    throw new TypeError(
      "Passkeys need `webauthn` in createClient's options: startRegistration and startAuthentication of @simplewebauthn/browser.",
    );
  }

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
          challenge?: string;
          methods?: string[];
          expiresAt?: string;
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
        error?.code === 'mfa_required' && json?.challenge
          ? { challenge: json.challenge, methods: json.methods ?? [], expiresAt: json.expiresAt ?? '' }
          : undefined,
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
    async registerPasskey(name) {
      const browser = webauthn();
      const optionsJSON = await call('POST', '/passkeys/register/options');
      const response = await browser.startRegistration({ optionsJSON });
      return (
        await call(
          'POST',
          '/passkeys/register/verify',
          name === undefined ? { response } : { response, name },
        )
      ).passkey;
    },
    async signInWithPasskey({ redirectTo } = {}) {
      const browser = webauthn();
      const optionsJSON = await call('POST', '/passkeys/signin/options');
      const response = await browser.startAuthentication({ optionsJSON });
      return call('POST', '/passkeys/signin/verify', redirectTo ? { response, redirectTo } : { response });
    },
    listPasskeys: async () => (await call('GET', '/passkeys')).passkeys,
    renamePasskey: async (id, name) =>
      (await call('PATCH', `/passkeys/${encodeURIComponent(id)}`, { name })).passkey,
    async removePasskey(id) {
      await call('DELETE', `/passkeys/${encodeURIComponent(id)}`);
    },
    verifyMfa: (answer) => call('POST', '/mfa/verify', answer),
    async verifyMfaWithPasskey({ challenge } = {}) {
      const browser = webauthn();
      const body = challenge ? { challenge } : {};
      const optionsJSON = await call('POST', '/mfa/passkey/options', body);
      const passkey = await browser.startAuthentication({ optionsJSON });
      return call('POST', '/mfa/verify', { ...body, passkey });
    },
    async sendMfaEmailCode({ challenge } = {}) {
      await call('POST', '/mfa/email', challenge ? { challenge } : {});
    },
    mfaStatus: () => call('GET', '/mfa'),
    setupTotp: () => call('POST', '/mfa/totp/setup'),
    confirmTotp: async (code) => (await call('POST', '/mfa/totp/confirm', { code })).recoveryCodes,
    async disableTotp(answer) {
      await call('DELETE', '/mfa/totp', answer);
    },
    regenerateRecoveryCodes: async () => (await call('POST', '/mfa/recovery-codes')).recoveryCodes,
    reauthenticate: async (answer) => (await call('POST', '/reauthenticate', answer)).session,
    async reauthenticateWithPasskey() {
      const browser = webauthn();
      const optionsJSON = await call('POST', '/reauthenticate/passkey/options');
      const passkey = await browser.startAuthentication({ optionsJSON });
      return (await call('POST', '/reauthenticate', { passkey })).session;
    },
    listTrustedDevices: async () => (await call('GET', '/trusted-devices')).devices,
    async forgetTrustedDevice(id) {
      await call('DELETE', `/trusted-devices/${encodeURIComponent(id)}`);
    },
    async forgetAllTrustedDevices() {
      await call('DELETE', '/trusted-devices');
    },
    async deleteAccount() {
      await call('DELETE', '/user');
      if (bearer) await store.remove();
    },
    forTenant: (slug) => createClient<Custom>({ ...options, tenant: slug, tokenStore: store }),
    tenant: async () => (await call('GET', '/tenant')).tenant,
    tenants: async () => (await call('GET', '/tenants')).tenants,
    switchTenant: (slug) => call('POST', '/tenants/switch', { tenant: slug }),
    peekInvitation: (token) => call('POST', '/invitations/peek', { token }),
    acceptInvitation: (input) => call('POST', '/invitations/accept', input),
  };
}

/** `Retry-After` in seconds: the server sends seconds; a proxy may send an HTTP date. */
function seconds(header: string | null): number | undefined {
  if (!header) return undefined;
  const value = /^\d+$/.test(header) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
  return Number.isNaN(value) ? undefined : Math.max(0, value);
}
