/**
 * Configuration: its schema, its defaults, and the check that runs before
 * anything starts. A bad configuration throws `ConfigError` listing every bad
 * key at once, so an operator fixes them in one pass.
 */
import { z } from 'zod';

/** Only plain colour values reach the stylesheet: no way to smuggle in other CSS. */
const CSS_COLOR = /^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\)|[a-zA-Z]+)$/;
const isCssColor = (value: string) => CSS_COLOR.test(value);

import type { AuthenticationBackend } from './accounts/backends.js';
import { type CustomFields, customFieldProblems, type NoCustomFields } from './accounts/custom-fields.js';
import { RESERVED_FIELD_NAMES, type User } from './accounts/user.js';
import { isAuditEventType } from './audit/audit-log.js';
import type { SqliteOptions } from './db/sqlite.js';
import type { Logger, LogLevel } from './logger.js';
import { fromProblem, type MailConfig } from './mail/mail-config.js';
import { MAIL_TEMPLATE_NAMES } from './mail/templates.js';
import { smtpUrlProblem } from './mail/transport.js';
import type { AuthHooks } from './methods/hooks.js';
import { PRESET_NAMES, providerProblems } from './methods/oauth/providers.js';
import type { OAuthConfig } from './methods/oauth/social-login.js';
import {
  type LegacyPasswordsConfig,
  legacyUrlProblem,
  type PasswordHashers,
  type PasswordValidator,
  type PasswordValidatorSettings,
} from './passwords/index.js';
import type { PermissionBackend, ResourceDeclaration } from './permissions/permissions.js';
import type { SessionPolicy } from './sessions/sessions.js';
import type { TokenSettings } from './tokens/one-time-tokens.js';
import {
  type WebhookConfig,
  type WebhookDeliverySettings,
  webhookListProblems,
  webhookUrlProblem,
} from './webhooks/webhook-config.js';

/** At most `max` events per `windowSeconds`; `false` turns the limit off. */
export type RateLimit = { max: number; windowSeconds: number } | false;

export interface UiColors {
  /** Buttons and links. Default `#1d4ed8`. */
  primary?: string;
  /** Text on a primary background. Default `#ffffff`. */
  onPrimary?: string;
  background?: string;
  surface?: string;
  text?: string;
  muted?: string;
  danger?: string;
  success?: string;
  border?: string;
}

/** The pre-built UI (`{basePath}/ui`). */
export interface UiConfig {
  /** Serve the UI. Default true. */
  enabled?: boolean;
  /** Shown in titles and headings. Default `Gatehouse`. */
  productName?: string;
  /** URL of a logo shown above every form. */
  logoUrl?: string;
  colors?: UiColors;
  /** Force one language; default: the browser's choice among the shipped and configured tables. */
  locale?: string;
  /** Text overrides, or whole new languages: `{ en: { signInTitle: 'Log in' }, de: {...} }`. */
  messages?: Record<string, Record<string, string>>;
  /** Translations of the API's English field errors, per language: `{ de: { 'Enter a password.': '…' } }`. */
  fieldMessages?: Record<string, Record<string, string>>;
  /** Where a browser goes after signing in when no `next` was given. Default the account page. */
  defaultRedirect?: string;
  /** A link on the home page to the dashboard, when there is one. */
  dashboardUrl?: string;
}

/** Who must have a second factor: everyone, staff (and superusers), or members of the named groups. */
export type MfaRequirement = false | 'all' | 'staff' | { groups: readonly string[] };

export interface MfaConfig {
  /** Who must enrol a second factor; they are led to enrolment right after signing in. Default false. */
  required?: MfaRequirement;
  /**
   * Step-up: how recent a sign-in (or re-authentication) must be for sensitive
   * actions — password, email, second factors, passkeys, account deletion,
   * linking. Default 900 s (15 minutes).
   */
  reauthWindowSeconds?: number;
  /** "Remember this browser" after a second factor: for `days` (default 30). Default off. */
  trustedDevices?: false | { days?: number };
  /**
   * A code mailed to the account's address as a second factor. Default true.
   * Email is not an authenticator NIST counts toward AAL2: turn it off where that matters.
   */
  emailCode?: boolean;
  /** The issuer shown in authenticator apps. Default `ui.productName`, else `Gatehouse`. */
  issuer?: string;
}

export interface PasskeyConfig {
  /** Passkeys on. Default true. */
  enabled?: boolean;
  /** The WebAuthn relying party id: the public URL's host name, or a registrable suffix of it. */
  rpId?: string;
  /** Shown by the browser when creating a passkey. Default `ui.productName`, else `Gatehouse`. */
  rpName?: string;
  /** Origins whose pages may use the passkeys (default: the public URL's origin). */
  origins?: readonly string[];
}

/**
 * How a request names its tenant (see the README's "Tenants"). The path form
 * `{basePath}/t/{slug}/…` always works — it is what links in mail use.
 */
export interface TenantConfig {
  /**
   * Also read the tenant's slug from this request header (e.g.
   * `X-Gatehouse-Tenant`), for apps that call the API from their own server.
   */
  header?: string;
  /**
   * Also read it from the host: `acme.example.com` names `acme` when this is
   * `example.com`; the bare domain (and `www`) is the default tenant.
   */
  subdomainOf?: string;
  /** How long an instance keeps a tenant's settings before reading them again. Default 10 s. */
  cacheSeconds?: number;
}

/**
 * Token mode for services (`POST /auth/token`): access tokens (JWT) and
 * rotating refresh tokens. Needs `secret` (signing keys are stored sealed).
 */
export interface AccessTokenConfig {
  /** `EdDSA` (Ed25519, default), `ES256` or `RS256`. Changing it rotates the key at the next signature. */
  algorithm?: 'EdDSA' | 'ES256' | 'RS256';
  /** Lifetime of an access token, 60 to 900 seconds. Default 600. */
  ttlSeconds?: number;
  /** `iss`. Default: the public URL with the base path (e.g. `https://auth.example.com/auth`). */
  issuer?: string;
  /** `aud`: who the tokens are for. Default: the issuer. */
  audience?: string;
  /** Extra claims: the user's `permissions` (in the session's tenant) and/or `groups`. Default none. */
  claims?: readonly ('permissions' | 'groups')[];
  /** How long a spent refresh token still returns its unused successor (concurrent refreshes). Default 10 s. */
  refreshGraceSeconds?: number;
  /** A signing key older than this is replaced at the next signature. Default 30 days. */
  rotateKeysAfterDays?: number;
}

export interface GatehouseConfig<F extends CustomFields = NoCustomFields> {
  database?: {
    /** `postgres://…` or a SQLite file path. Default: `$DATABASE_URL`, else `./gatehouse.db`. */
    url?: string;
    /** PostgreSQL schema to use instead of the connection's default. */
    schema?: string;
    /** PostgreSQL pool size. Default 10. */
    poolSize?: number;
    /** PostgreSQL: a statement running longer is cancelled and the request answered 503. Default 10 000 ms. */
    statementTimeoutMs?: number;
    /** PostgreSQL: how long to wait for a connection before answering 503. Default 5 000 ms. */
    connectTimeoutMs?: number;
    sqlite?: SqliteOptions;
  };
  user?: {
    /** Extra user fields, stored as real columns by `gatehouse migrate`. */
    fields?: F;
  };
  passwords?: {
    /** Argon2id cost. Defaults follow OWASP: 19 MiB, 2 iterations, 1 lane. Raising them re-hashes at next sign-in. */
    argon2?: { memoryCost?: number; timeCost?: number; parallelism?: number };
    /** The validator settings, or your own list of validators (which replaces the shipped ones). */
    validators?: PasswordValidatorSettings | readonly PasswordValidator[];
    /** A hasher registry to use instead of the default (argon2id plus Django's legacy formats). */
    hashers?: PasswordHashers;
    /**
     * Lazy migration: how to check the password of a user imported without a
     * hash (`importMany(rows, { legacyPasswords: true })`). Either your own
     * `verify({ user, password })`, or `{ url, secret?, timeoutMs? }`, an HTTPS
     * endpoint of the old system that gets `POST {email, username, password}`
     * and answers 200 `{"valid": true}`. Asked once per user: the first
     * successful sign-in stores a native hash. Default: none, and such users
     * cannot sign in with a password.
     */
    legacy?: LegacyPasswordsConfig<User<F>>;
  };
  /** Session lifetimes and limits; see `SessionPolicy` for the defaults (14 days absolute, 2 days idle). */
  sessions?: Partial<SessionPolicy>;
  /**
   * One-time tokens sent by mail. `ttlSeconds` per purpose; defaults: `password_reset` 3600,
   * `email_verification` and `email_change` 86400, `magic_link` 900, `email_otp` 600 (at most 600).
   */
  tokens?: TokenSettings;
  /**
   * The URL users reach this server at, e.g. `https://auth.example.com`. It
   * decides the cookie (`__Host-gh_session` on https) and the server's own
   * origin. Default: taken from each request, fine for local development only.
   */
  publicUrl?: string;
  /** Where the API is mounted. Default `/auth`. */
  basePath?: string;
  /**
   * Origins (besides the server's own) allowed to make cookie requests and
   * CORS calls, and to be redirect targets: `['https://app.example.com']`.
   */
  trustedOrigins?: readonly string[];
  /** How many reverse proxies in front of the server append to `X-Forwarded-For`. Default 0: the socket address is the client. */
  trustedProxies?: number;
  /** Server secret (at least 32 characters) for what later needs signing or encryption. Default `$GATEHOUSE_SECRET`. */
  secret?: string;
  signUp?: {
    /** Whether anyone may create an account through the API. Default true. */
    enabled?: boolean;
  };
  /**
   * Magic-link and email-code sign-in. `signUp` (default false): an address
   * without an account gets a link or code too, and using it creates the
   * account (without a password, its address verified); needs open sign-up.
   */
  passwordless?: { signUp?: boolean };
  /**
   * Social sign-in: `{ providers: { google: { clientId, clientSecret }, … } }`.
   * Each provider's callback URL is `{publicUrl}{basePath}/oauth/{id}/callback`;
   * see `OAuthProviderConfig` for presets and options.
   */
  oauth?: OAuthConfig;
  /** Brute-force limits; see the README for the defaults. `false` disables them all (tests, benchmarks). */
  rateLimits?:
    | false
    | {
        signIn?: { perIp?: RateLimit; perAccountAndIp?: RateLimit; perAccount?: RateLimit };
        signUp?: { perIp?: RateLimit };
        mail?: { perIp?: RateLimit; perEmail?: RateLimit };
      };
  /** The pre-built pages: product name, logo, colours, text. */
  ui?: UiConfig;
  /** Second factors, step-up and the MFA policy; see `MfaConfig`. */
  mfa?: MfaConfig;
  /** Passkeys (WebAuthn); see `PasskeyConfig`. */
  passkeys?: PasskeyConfig;
  /** How requests name their tenant; see `TenantConfig`. */
  tenants?: TenantConfig;
  /** Token mode for services; see `AccessTokenConfig`. */
  accessTokens?: AccessTokenConfig;
  /**
   * Redis, for several instances: `url` (default `$REDIS_URL`). Cache
   * invalidations (ended sessions, changed users and permissions) reach every
   * instance through its pub/sub, and rate limits are counted there.
   * `prefix` (default `gatehouse:`) starts every key and channel name, so
   * deployments can share one Redis. `false`: no Redis, even with `$REDIS_URL`.
   */
  redis?: { url?: string; prefix?: string } | false;
  /**
   * Email verification: `onSignUp` mails the link as an account is created
   * (default true; it is sent after the answer, through the mail queue).
   * `required` (default false) refuses password sign-in to an unverified
   * address with 403 `email_not_verified` (after the password is checked) and
   * mails a fresh link; sign-up then answers 201 `{user}` without a session.
   */
  emailVerification?: { onSignUp?: boolean; required?: boolean };
  /**
   * The pages (paths under `publicUrl`) that links in mail lead to, with
   * `?token=…`. Default: the pre-built pages, `{basePath}/ui/reset-password`,
   * `{basePath}/ui/verify-email`, `{basePath}/ui/confirm-email-change` and
   * `{basePath}/ui/invitation`; set your own when the UI is off.
   * Pages under the base path keep a tenant's prefix (`{basePath}/t/{slug}/ui/…`). `oauthError`: where a refused social
   * sign-in is sent, with `?error=code` (a path or an absolute URL; default the
   * pre-built sign-in page, or a JSON answer when the UI is off).
   */
  links?: {
    resetPassword?: string;
    verifyEmail?: string;
    confirmEmailChange?: string;
    /** Where an invitation to join a tenant leads. */
    invitation?: string;
    oauthError?: string;
    /** Where a browser signing in answers its MFA challenge (the challenge rides in a cookie). */
    mfa?: string;
  };
  /** The staff dashboard at `{basePath}/dashboard/`. Default: on when the UI is. */
  dashboard?: { enabled?: boolean };
  /** The audit trail. `retentionDays`: events older than this are deleted hourly by the server. Default: kept. */
  audit?: { retentionDays?: number };
  /** Staff acting as a user (`user.impersonate`): how long such a session lasts. Default 3600 s. */
  impersonation?: { ttlSeconds?: number };
  /** The app's hooks into sign-up and sign-in. */
  hooks?: AuthHooks<F>;
  /**
   * The app's resources: `gatehouse migrate` creates `add`/`view`/`change`/`delete`
   * permissions for each, plus the listed custom actions: `['post', { name: 'invoice', actions: ['approve'] }]`.
   */
  resources?: readonly ResourceDeclaration[];
  /** Asked by `hasPerm(user, perm, obj)` for object-level grants (e.g. authors may change their posts). */
  permissionBackends?: readonly PermissionBackend<F>[];
  /**
   * Audit events POSTed, signed, to these URLs: `[{ url, secret, events?, name?, include? }]`.
   * See `WebhookConfig`; deliveries are sent by `auth.webhooks.start()` (the standalone server starts it).
   */
  webhooks?: readonly WebhookConfig[];
  /** Webhook timeouts, attempts, polling and log retention; see `WebhookDeliverySettings` for the defaults. */
  webhookDelivery?: WebhookDeliverySettings;
  /**
   * Outgoing mail: `{ smtpUrl, from, templates, retentionDays }`; see `MailConfig`. Without an SMTP
   * URL (here or `$SMTP_URL`) mail is not sent, only stored and logged: development only.
   */
  mail?: MailConfig;
  /** Tried in order by `auth.authenticate`. Default: the password backend alone. */
  backends?: readonly AuthenticationBackend<F>[];
  /** A pino-compatible logger. Default: pino at `logLevel`. */
  logger?: Logger;
  /** Default `$LOG_LEVEL`, else `info`. */
  logLevel?: LogLevel;
  /** The clock. Tests replace it; nothing else should. */
  now?: () => Date;
}

/** Identity function that gives a config file its types, including the custom fields. */
export function defineConfig<const F extends CustomFields = NoCustomFields>(
  config: GatehouseConfig<F>,
): GatehouseConfig<F> {
  return config;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid Gatehouse configuration:\n- ${problems.join('\n- ')}`);
  }
}

const positiveInt = z.number().int().positive();
const fieldBase = { optional: z.boolean().optional(), label: z.string().optional() };
const numberBounds = {
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.number().optional(),
};

const customField = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('string'),
    ...fieldBase,
    maxLength: positiveInt.optional(),
    choices: z.array(z.string()).nonempty().optional(),
    default: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('integer'), ...fieldBase, ...numberBounds }),
  z.strictObject({ type: z.literal('number'), ...fieldBase, ...numberBounds }),
  z.strictObject({ type: z.literal('boolean'), ...fieldBase, default: z.boolean().optional() }),
  z.strictObject({ type: z.literal('timestamp'), ...fieldBase }),
]);

const validatorSettings = z.strictObject({
  minLength: positiveInt.optional(),
  maxLength: positiveInt.max(4096).optional(),
  similarity: z
    .union([
      z.boolean(),
      z.strictObject({
        attributes: z.array(z.string()).optional(),
        maxSimilarity: z.number().min(0.1).max(1).optional(),
      }),
    ])
    .optional(),
  common: z.boolean().optional(),
  numeric: z.boolean().optional(),
  breached: z
    .union([
      z.boolean(),
      z.strictObject({
        endpoint: z.url().optional(),
        timeoutMs: positiveInt.optional(),
        minCount: positiveInt.optional(),
      }),
    ])
    .optional(),
});

const hasMethod = (name: string) => (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>)[name] === 'function';

const rateLimit = z.union([
  z.literal(false),
  z.strictObject({ max: positiveInt, windowSeconds: positiveInt.max(30 * 24 * 3600) }),
]);

const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}, 'must be an origin such as https://app.example.com (scheme, host and port only)');

const hook = z.custom<(...args: never[]) => unknown>(
  (value) => typeof value === 'function',
  'must be a function',
);

const configSchema = z.strictObject({
  publicUrl: z
    .string()
    .refine(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      'must be an http(s) URL',
    )
    .optional(),
  basePath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/, 'must be a path such as /auth, without a trailing slash')
    .optional(),
  trustedOrigins: z.array(origin).optional(),
  trustedProxies: z.number().int().min(0).max(10).optional(),
  secret: z.string().min(32, 'must be at least 32 characters').optional(),
  signUp: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  passwordless: z.strictObject({ signUp: z.boolean().optional() }).optional(),
  oauth: z
    .strictObject({
      providers: z
        .record(
          z.string(),
          z.strictObject({
            preset: z.enum([...PRESET_NAMES, 'oidc', 'oauth2']).optional(),
            name: z.string().min(1).max(60).optional(),
            clientId: z.string().min(1),
            clientSecret: z.string().min(1).optional(),
            issuer: z.string().optional(),
            tenant: z
              .string()
              .regex(/^[A-Za-z0-9.-]+$/, 'must be a directory id or domain')
              .optional(),
            teamId: z.string().min(1).optional(),
            keyId: z.string().min(1).optional(),
            privateKey: z.string().min(1).optional(),
            responseMode: z.enum(['query', 'form_post']).optional(),
            authorizationUrl: z.string().optional(),
            tokenUrl: z.string().optional(),
            userInfoUrl: z.string().optional(),
            scopes: z
              .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token'))
              .optional(),
            authorizationParams: z.record(z.string(), z.string()).optional(),
            identity: hook.optional(),
            mapProfile: hook.optional(),
            signUp: z.boolean().optional(),
            linkByEmail: z.boolean().optional(),
            storeTokens: z.boolean().optional(),
          }),
        )
        .superRefine((providers, context) => {
          for (const id of Object.keys(providers)) {
            if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(id))
              context.addIssue({
                code: 'custom',
                path: [id],
                message: 'must be a short lower-case id such as google',
              });
          }
        })
        .optional(),
    })
    .optional(),
  rateLimits: z
    .union([
      z.literal(false),
      z.strictObject({
        signIn: z
          .strictObject({
            perIp: rateLimit.optional(),
            perAccountAndIp: rateLimit.optional(),
            perAccount: rateLimit.optional(),
          })
          .optional(),
        signUp: z.strictObject({ perIp: rateLimit.optional() }).optional(),
        mail: z.strictObject({ perIp: rateLimit.optional(), perEmail: rateLimit.optional() }).optional(),
      }),
    ])
    .optional(),
  resources: z
    .array(
      z.union([
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case resource name such as post'),
        z.strictObject({
          name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case resource name such as post'),
          actions: z
            .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case action such as approve'))
            .optional(),
          defaultActions: z.boolean().optional(),
          label: z.string().optional(),
        }),
      ]),
    )
    .optional(),
  permissionBackends: z
    .array(z.custom<PermissionBackend>(hasMethod('hasPerm'), 'must have a hasPerm() method'))
    .optional(),
  ui: z
    .strictObject({
      enabled: z.boolean().optional(),
      productName: z.string().min(1).max(100).optional(),
      logoUrl: z.string().max(2048).optional(),
      colors: z.record(z.string(), z.string().refine(isCssColor, 'must be a CSS colour')).optional(),
      locale: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or fr')
        .optional(),
      messages: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      fieldMessages: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      defaultRedirect: z.string().max(2048).optional(),
      dashboardUrl: z.string().max(2048).optional(),
    })
    .optional(),
  dashboard: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  mfa: z
    .strictObject({
      required: z
        .union([
          z.literal(false),
          z.literal('all'),
          z.literal('staff'),
          z.strictObject({ groups: z.array(z.string().min(1)).nonempty() }),
        ])
        .optional(),
      reauthWindowSeconds: z
        .number()
        .int()
        .min(60)
        .max(24 * 3600)
        .optional(),
      trustedDevices: z
        .union([z.literal(false), z.strictObject({ days: positiveInt.max(365).optional() })])
        .optional(),
      emailCode: z.boolean().optional(),
      issuer: z.string().min(1).max(100).optional(),
    })
    .optional(),
  passkeys: z
    .strictObject({
      enabled: z.boolean().optional(),
      rpId: z
        .string()
        .regex(/^[a-z0-9.-]+$/, 'must be a host name such as example.com')
        .optional(),
      rpName: z.string().min(1).max(100).optional(),
      origins: z.array(origin).nonempty().optional(),
    })
    .optional(),
  redis: z
    .union([
      z.literal(false),
      z.strictObject({
        url: z
          .string()
          .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL')
          .optional(),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be letters, digits and _ : . - (at most 64)')
          .optional(),
      }),
    ])
    .optional(),
  accessTokens: z
    .strictObject({
      algorithm: z.enum(['EdDSA', 'ES256', 'RS256']).optional(),
      ttlSeconds: z.number().int().min(60).max(900).optional(),
      issuer: z.string().min(1).max(500).optional(),
      audience: z.string().min(1).max(500).optional(),
      claims: z.array(z.enum(['permissions', 'groups'])).optional(),
      refreshGraceSeconds: z.number().int().min(0).max(120).optional(),
      rotateKeysAfterDays: z.number().int().min(1).max(3650).optional(),
    })
    .optional(),
  tenants: z
    .strictObject({
      header: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name such as X-Gatehouse-Tenant')
        .optional(),
      subdomainOf: z
        .string()
        .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'must be a domain such as example.com')
        .optional(),
      cacheSeconds: z.number().min(0).max(3600).optional(),
    })
    .optional(),
  emailVerification: z
    .strictObject({ onSignUp: z.boolean().optional(), required: z.boolean().optional() })
    .optional(),
  links: z
    .strictObject({
      resetPassword: z
        .string()
        .regex(/^\/[^\s?#]*$/, 'must be a path such as /reset-password')
        .optional(),
      verifyEmail: z
        .string()
        .regex(/^\/[^\s?#]*$/, 'must be a path such as /verify-email')
        .optional(),
      confirmEmailChange: z
        .string()
        .regex(/^\/[^\s?#]*$/, 'must be a path such as /confirm-email-change')
        .optional(),
      mfa: z
        .string()
        .regex(/^\/[^\s?#]*$/, 'must be a path such as /mfa')
        .optional(),
      invitation: z
        .string()
        .regex(/^\/[^\s?#]*$/, 'must be a path such as /invitation')
        .optional(),
      oauthError: z
        .string()
        .refine(
          (value) =>
            /^\/[^\s?#/\\][^\s?#]*$/.test(value) ||
            (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
          'must be a path such as /signin or an http(s) URL',
        )
        .optional(),
    })
    .optional(),
  audit: z.strictObject({ retentionDays: positiveInt.max(36_500).optional() }).optional(),
  impersonation: z
    .strictObject({
      ttlSeconds: z
        .number()
        .int()
        .min(60)
        .max(24 * 3600)
        .optional(),
    })
    .optional(),
  hooks: z
    .strictObject({
      beforeSignUp: hook.optional(),
      afterSignUp: hook.optional(),
      beforeSignIn: hook.optional(),
      afterSignIn: hook.optional(),
    })
    .optional(),
  database: z
    .strictObject({
      url: z.string().min(1).optional(),
      schema: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier')
        .optional(),
      poolSize: positiveInt.max(1000).optional(),
      statementTimeoutMs: positiveInt.max(600_000).optional(),
      connectTimeoutMs: positiveInt.max(600_000).optional(),
      sqlite: z
        .strictObject({
          busyTimeoutMs: z.number().int().min(0).optional(),
          synchronous: z.enum(['normal', 'full']).optional(),
        })
        .optional(),
    })
    .optional(),
  user: z.strictObject({ fields: z.record(z.string(), customField).optional() }).optional(),
  passwords: z
    .strictObject({
      argon2: z
        .strictObject({
          memoryCost: z.number().int().min(8192, 'must be at least 8192 KiB').optional(),
          timeCost: positiveInt.optional(),
          parallelism: positiveInt.max(16).optional(),
        })
        .optional(),
      validators: z
        .union([
          validatorSettings,
          z.array(z.custom<PasswordValidator>(hasMethod('validate'), 'must be a validator')),
        ])
        .optional(),
      hashers: z
        .custom<PasswordHashers>(hasMethod('verify'), 'must be a PasswordHashers instance')
        .optional(),
      legacy: z
        .union([
          z.strictObject({ verify: hook }),
          z
            .strictObject({
              url: z.string(),
              secret: z.string().min(1).optional(),
              timeoutMs: positiveInt.max(60_000).optional(),
              allowInsecureLoopback: z.boolean().optional(),
            })
            .superRefine((value, context) => {
              const problem = legacyUrlProblem(value.url, value.allowInsecureLoopback);
              if (problem) context.addIssue({ code: 'custom', path: ['url'], message: problem });
            }),
        ])
        .optional(),
    })
    .optional(),
  sessions: z
    .strictObject({
      absoluteTtlSeconds: positiveInt.optional(),
      idleTtlSeconds: positiveInt.optional(),
      touchIntervalSeconds: z.number().int().min(0).optional(),
      maxDataBytes: positiveInt.max(65_536).optional(),
      cacheSize: z.number().int().min(0).max(1_000_000).optional(),
      cacheMaxAgeSeconds: z.number().min(0).max(3600).optional(),
      anonymous: z.boolean().optional(),
    })
    .optional(),
  tokens: z
    .strictObject({
      ttlSeconds: z
        .strictObject({
          password_reset: positiveInt.max(24 * 3600).optional(),
          email_verification: positiveInt.max(30 * 24 * 3600).optional(),
          email_change: positiveInt.max(30 * 24 * 3600).optional(),
          magic_link: positiveInt.max(24 * 3600).optional(),
          // NIST SP 800-63B: an out-of-band code is valid for at most 10 minutes.
          email_otp: positiveInt.max(600, 'must be at most 600 (10 minutes)').optional(),
        })
        .optional(),
    })
    .optional(),
  webhooks: z
    .array(
      z.strictObject({
        url: z.string().superRefine((value, context) => {
          const problem = webhookUrlProblem(value);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        }),
        secret: z.string().min(32, 'must be at least 32 characters'),
        events: z
          .array(
            z.string().refine(isAuditEventType, {
              error: (issue) => `"${String(issue.input)}" is not an audit event type`,
            }),
          )
          .optional(),
        name: z
          .string()
          .regex(
            /^[A-Za-z0-9][A-Za-z0-9 ._:/@~+-]{0,99}$/,
            'must be 1-100 letters, digits, spaces or ._:/@~+-',
          )
          .optional(),
        include: z.strictObject({ ip: z.boolean().optional(), userAgent: z.boolean().optional() }).optional(),
      }),
    )
    .optional(),
  webhookDelivery: z
    .strictObject({
      timeoutMs: positiveInt.max(60_000).optional(),
      maxAttempts: positiveInt.max(50).optional(),
      pollIntervalMs: z.number().int().min(100).max(3_600_000).optional(),
      retentionDays: positiveInt.max(36_500).optional(),
    })
    .optional(),
  mail: z
    .strictObject({
      smtpUrl: z
        .string()
        .superRefine((value, context) => {
          const problem = smtpUrlProblem(value);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
      transport: z.custom(hasMethod('send'), 'must have a send() method').optional(),
      from: z
        .string()
        .superRefine((value, context) => {
          const problem = fromProblem(value);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
      templates: z
        .strictObject(Object.fromEntries(MAIL_TEMPLATE_NAMES.map((name) => [name, hook.optional()])))
        .optional(),
      retentionDays: positiveInt.max(36_500).optional(),
      timeoutMs: z.number().int().min(100).max(600_000).optional(),
      autoStart: z.boolean().optional(),
    })
    .refine((mail) => !(mail.smtpUrl && mail.transport), 'set smtpUrl or transport, not both')
    .optional(),
  backends: z
    .array(z.custom<AuthenticationBackend>(hasMethod('authenticate'), 'must have an authenticate() method'))
    .optional(),
  logger: z.custom<Logger>(hasMethod('error'), 'must be a pino-compatible logger').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  now: z.custom<() => Date>((value) => typeof value === 'function', 'must be a function').optional(),
});

/** Checks a configuration; throws `ConfigError` with every problem found. */
export function validateConfig<F extends CustomFields>(config: GatehouseConfig<F>): GatehouseConfig<F> {
  const result = configSchema.safeParse(config);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  if (result.success && config.user?.fields) {
    problems.push(
      ...customFieldProblems(config.user.fields, RESERVED_FIELD_NAMES).map((p) => `user.fields: ${p}`),
    );
  }
  if (result.success && config.webhooks) problems.push(...webhookListProblems(config.webhooks));
  const providers = Object.entries((result.success && config.oauth?.providers) || {});
  if (providers.length > 0 && !config.publicUrl) {
    problems.push(
      'publicUrl: social sign-in needs it: the callback URLs registered at providers are built from it',
    );
  }
  for (const [id, provider] of providers) {
    problems.push(...providerProblems(id, provider).map((p) => `oauth.providers.${id}.${p}`));
    if (provider.storeTokens && !(config.secret ?? process.env.GATEHOUSE_SECRET)) {
      problems.push(
        `oauth.providers.${id}.storeTokens: keeping provider tokens needs \`secret\` to seal them`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
