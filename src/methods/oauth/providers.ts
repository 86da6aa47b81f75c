/**
 * Social sign-in providers: what the configuration says (`oauth.providers`)
 * and the presets it can name.
 *
 * Two kinds of provider:
 * - **OpenID Connect** (`google`, `microsoft`, `apple`, `gitlab`, or any issuer with
 *   `preset: 'oidc'`): endpoints come from the issuer's discovery document,
 *   and the user is read from the signed ID token.
 * - **OAuth 2.0** (`github`, `discord`, or `preset: 'oauth2'` with your own
 *   `identity` function): the user is read from the provider's API with the
 *   access token, the verified address looked up where the provider offers it.
 */

import { appleClientSecret, isApplePrivateKey } from './apple.js';

/** The provider's user, as a sign-in needs it. */
export interface ProviderIdentity {
  /** The provider's stable id for its user. */
  subject: string;
  email: string | null;
  /** True only when the provider asserts it verified the address (a boolean `true`, nothing else). */
  emailVerified: boolean;
  /** Everything the provider said (ID token claims and user info, or its API's answer), for `mapProfile`. */
  profile: Record<string, unknown>;
}

export type PresetName = 'google' | 'microsoft' | 'apple' | 'gitlab' | 'github' | 'discord';

export interface OAuthProviderConfig {
  /**
   * Which kind of provider this is: a preset, `oidc` (any OpenID Connect
   * issuer) or `oauth2` (give the endpoints and `identity`). Default: the
   * provider's id when it names a preset (`providers: { github: {...} }`).
   */
  preset?: PresetName | 'oidc' | 'oauth2';
  /** Shown on the sign-in button. Default: the preset's name, or the id. */
  name?: string;
  clientId: string;
  clientSecret?: string;
  /** The OpenID Connect issuer (`https://accounts.google.com`); presets know theirs. */
  issuer?: string;
  /** Microsoft: the directory (tenant) id the app is registered in. */
  tenant?: string;
  /** Apple: the team id, and the id and PEM text of the key Apple issued (they make the client secret). */
  teamId?: string;
  keyId?: string;
  privateKey?: string;
  /**
   * How the provider returns to the callback: `query` (a redirect, the
   * default) or `form_post` (a cross-site form post; Apple's way when asking
   * for the name and address).
   */
  responseMode?: 'query' | 'form_post';
  /** OAuth 2.0 endpoints; presets know theirs (set them to point a preset at a test server). */
  authorizationUrl?: string;
  tokenUrl?: string;
  /** The API answering who the token's user is (`https://api.github.com/user`). */
  userInfoUrl?: string;
  /** Replaces the preset's scopes. */
  scopes?: readonly string[];
  /** Added to the authorization request (`{ prompt: 'select_account' }`). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** `preset: 'oauth2'`: reads the user from the user-info answer. */
  identity?: (userInfo: Record<string, unknown>) => Omit<ProviderIdentity, 'profile'>;
  /**
   * The fields of a user created by a first sign-in (names, username, custom
   * fields), from the provider's profile. Default: first and last name.
   */
  mapProfile?: (profile: Record<string, unknown>) => Record<string, unknown>;
  /** Whether a first sign-in may create an account (when sign-up is open). Default true. */
  signUp?: boolean;
  /**
   * Whether a first sign-in may link to the existing account of the same
   * address — only ever when the provider verified the address and the
   * account's address is verified too. Default true.
   */
  linkByEmail?: boolean;
  /** Keep the provider's access and refresh tokens (sealed; needs `secret`). Default false. */
  storeTokens?: boolean;
}

/** A provider ready to use: the configuration with its preset applied. */
export interface ProviderDefinition {
  id: string;
  name: string;
  kind: 'oidc' | 'oauth2';
  clientId: string;
  /** A fixed secret, or one minted per use (Apple's signed JWT). */
  clientSecret: string | (() => string) | undefined;
  issuer: string | undefined;
  responseMode: 'query' | 'form_post';
  authorizationUrl: string | undefined;
  tokenUrl: string | undefined;
  userInfoUrl: string | undefined;
  scopes: readonly string[];
  authorizationParams: Readonly<Record<string, string>>;
  /** OAuth 2.0: who the access token's user is. */
  fetchIdentity?: (accessToken: string, api: ProviderApi) => Promise<ProviderIdentity>;
  mapProfile: (profile: Record<string, unknown>) => Record<string, unknown>;
  /** OpenID Connect: whether the claims say the provider verified the address. */
  emailVerified: (profile: Record<string, unknown>) => boolean;
  signUp: boolean;
  linkByEmail: boolean;
  storeTokens: boolean;
}

/** GETs JSON from a provider's API with a bearer token (timeouts and errors handled by the caller's client). */
export type ProviderApi = (url: string, accessToken: string) => Promise<unknown>;

const OIDC_SCOPES = ['openid', 'email', 'profile'] as const;

/** A user's name fields from a provider's values, where they are text (cut to the fields' length). */
function names(first: unknown, last: unknown): Record<string, unknown> {
  return {
    ...(typeof first === 'string' ? { firstName: first.slice(0, 150) } : {}),
    ...(typeof last === 'string' ? { lastName: last.slice(0, 150) } : {}),
  };
}

/** Names from OpenID Connect's standard claims. */
function standardNames(profile: Record<string, unknown>): Record<string, unknown> {
  return names(profile.given_name, profile.family_name);
}

/** Names from a single display name: everything up to the last space is the first name. */
function splitName(name: unknown): Record<string, unknown> {
  if (typeof name !== 'string' || name.trim() === '') return {};
  const parts = name.trim().split(/\s+/);
  const last = parts.length > 1 ? (parts.pop() as string) : '';
  return names(parts.join(' '), last);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`The provider's ${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function subjectOf(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  throw new Error("The provider's answer has no user id.");
}

/** GitHub: the public profile, then the primary address and whether GitHub verified it. */
async function githubIdentity(
  userInfoUrl: string,
  accessToken: string,
  api: ProviderApi,
): Promise<ProviderIdentity> {
  const profile = record(await api(userInfoUrl, accessToken), 'user');
  const emails = await api(`${userInfoUrl}/emails`, accessToken);
  const primary = Array.isArray(emails)
    ? (emails as Array<Record<string, unknown>>).find((entry) => entry?.primary === true)
    : undefined;
  const email = typeof primary?.email === 'string' ? primary.email : null;
  return {
    subject: subjectOf(profile.id),
    email,
    emailVerified: email !== null && primary?.verified === true,
    profile: { ...profile, email },
  };
}

async function discordIdentity(
  userInfoUrl: string,
  accessToken: string,
  api: ProviderApi,
): Promise<ProviderIdentity> {
  const profile = record(await api(userInfoUrl, accessToken), 'user');
  const email = typeof profile.email === 'string' ? profile.email : null;
  return {
    subject: subjectOf(profile.id),
    email,
    emailVerified: email !== null && profile.verified === true,
    profile,
  };
}

interface Preset {
  name: string;
  kind: 'oidc' | 'oauth2';
  responseMode?: 'form_post';
  emailVerified?: (profile: Record<string, unknown>) => boolean;
  issuer?: (config: OAuthProviderConfig) => string;
  authorizationUrl?: string;
  tokenUrl?: string;
  userInfoUrl?: string;
  scopes: readonly string[];
  identity?: (userInfoUrl: string, accessToken: string, api: ProviderApi) => Promise<ProviderIdentity>;
  names: (profile: Record<string, unknown>) => Record<string, unknown>;
}

const PRESETS: Record<PresetName, Preset> = {
  google: {
    name: 'Google',
    kind: 'oidc',
    issuer: () => 'https://accounts.google.com',
    scopes: OIDC_SCOPES,
    names: standardNames,
  },
  microsoft: {
    name: 'Microsoft',
    kind: 'oidc',
    // One directory's issuer: the multi-tenant endpoints' discovery names no single issuer to check tokens against.
    issuer: (config) => `https://login.microsoftonline.com/${config.tenant}/v2.0`,
    scopes: OIDC_SCOPES,
    names: standardNames,
  },
  apple: {
    name: 'Apple',
    kind: 'oidc',
    issuer: () => 'https://appleid.apple.com',
    scopes: ['openid', 'email', 'name'],
    // Apple posts the answer back when the name or address is asked for.
    responseMode: 'form_post',
    // Apple's ID tokens have carried `email_verified` as the string "true".
    emailVerified: (profile) => profile.email_verified === true || profile.email_verified === 'true',
    // The name comes once, at the first sign-in, in the posted `user` field (unsigned: names only).
    names: (profile) => {
      const user = profile.user as { name?: { firstName?: unknown; lastName?: unknown } } | undefined;
      return names(user?.name?.firstName, user?.name?.lastName);
    },
  },
  gitlab: {
    name: 'GitLab',
    kind: 'oidc',
    issuer: () => 'https://gitlab.com',
    scopes: OIDC_SCOPES,
    names: standardNames,
  },
  github: {
    name: 'GitHub',
    kind: 'oauth2',
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    userInfoUrl: 'https://api.github.com/user',
    scopes: ['read:user', 'user:email'],
    identity: githubIdentity,
    names: (profile) => splitName(profile.name),
  },
  discord: {
    name: 'Discord',
    kind: 'oauth2',
    authorizationUrl: 'https://discord.com/oauth2/authorize',
    tokenUrl: 'https://discord.com/api/oauth2/token',
    userInfoUrl: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'],
    identity: discordIdentity,
    names: (profile) => splitName(profile.global_name ?? profile.username),
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

function isPresetName(value: string): value is PresetName {
  return Object.hasOwn(PRESETS, value);
}

/** Which preset (or generic kind) a provider uses. */
export function presetOf(id: string, config: OAuthProviderConfig): PresetName | 'oidc' | 'oauth2' {
  return config.preset ?? (isPresetName(id) ? id : config.issuer ? 'oidc' : 'oauth2');
}

/** What is wrong with a provider's configuration, field by field (empty: nothing). */
export function providerProblems(id: string, config: OAuthProviderConfig): string[] {
  const problems: string[] = [];
  const preset = presetOf(id, config);
  if (preset === 'microsoft' && !config.tenant)
    problems.push('tenant: Microsoft needs the directory (tenant) id');
  if (preset === 'apple') {
    if (!config.teamId) problems.push('teamId: Apple needs the team id');
    if (!config.keyId) problems.push('keyId: Apple needs the id of its key');
    if (!config.privateKey || !isApplePrivateKey(config.privateKey))
      problems.push('privateKey: Apple needs the PEM text of the key it issued (an EC P-256 private key)');
    if (config.clientSecret) problems.push('clientSecret: Apple signs one from privateKey; leave it out');
  }
  if (preset === 'oidc' && !config.issuer)
    problems.push('issuer: an OpenID Connect provider needs its issuer');
  if (preset === 'oauth2') {
    for (const key of ['authorizationUrl', 'tokenUrl', 'userInfoUrl', 'identity'] as const) {
      if (!config[key]) problems.push(`${key}: an OAuth 2.0 provider without a preset needs it`);
    }
  }
  for (const key of ['issuer', 'authorizationUrl', 'tokenUrl', 'userInfoUrl'] as const) {
    const value = config[key];
    if (value !== undefined && !isSecureUrl(value))
      problems.push(`${key}: must be an https URL (plain http only on a loopback address)`);
  }
  return problems;
}

/** https, or http on a loopback address (a provider run on this machine, in development or tests). */
export function isSecureUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The configuration with its preset applied; the configuration was validated already. */
export function defineProvider(
  id: string,
  config: OAuthProviderConfig,
  now: () => Date = () => new Date(),
): ProviderDefinition {
  const preset = presetOf(id, config);
  const base = preset === 'oidc' || preset === 'oauth2' ? null : PRESETS[preset];
  const kind = base?.kind ?? (preset === 'oidc' ? 'oidc' : 'oauth2');
  const defaultNames = base?.names ?? standardNames;
  const userInfoUrl = config.userInfoUrl ?? base?.userInfoUrl;
  const custom = config.identity;
  let fetchIdentity: ProviderDefinition['fetchIdentity'];
  if (kind === 'oauth2' && userInfoUrl) {
    fetchIdentity = custom
      ? async (accessToken, api) => {
          const profile = record(await api(userInfoUrl, accessToken), 'user info');
          return { ...custom(profile), profile };
        }
      : base?.identity &&
        ((accessToken, api) =>
          (base.identity as NonNullable<Preset['identity']>)(userInfoUrl, accessToken, api));
  }
  return {
    id,
    name: config.name ?? base?.name ?? id,
    kind,
    clientId: config.clientId,
    clientSecret:
      preset === 'apple' && config.teamId && config.keyId && config.privateKey
        ? appleClientSecret(
            { teamId: config.teamId, keyId: config.keyId, privateKey: config.privateKey },
            config.clientId,
            now,
          )
        : config.clientSecret,
    issuer: config.issuer ?? base?.issuer?.(config),
    responseMode: config.responseMode ?? base?.responseMode ?? 'query',
    authorizationUrl: config.authorizationUrl ?? base?.authorizationUrl,
    tokenUrl: config.tokenUrl ?? base?.tokenUrl,
    userInfoUrl,
    scopes: config.scopes ?? base?.scopes ?? (kind === 'oidc' ? OIDC_SCOPES : []),
    authorizationParams: config.authorizationParams ?? {},
    ...(fetchIdentity ? { fetchIdentity } : {}),
    mapProfile: config.mapProfile ?? defaultNames,
    emailVerified: base?.emailVerified ?? ((profile) => profile.email_verified === true),
    signUp: config.signUp !== false,
    linkByEmail: config.linkByEmail !== false,
    storeTokens: config.storeTokens === true,
  };
}
