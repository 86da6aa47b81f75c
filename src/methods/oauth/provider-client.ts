/**
 * One provider's half of the authorization code flow, on `openid-client`:
 * the authorization URL (state, PKCE S256, and a nonce for OpenID Connect)
 * and the callback (the response checked — `state`, `iss` when the provider
 * sends it — the code exchanged with the verifier, the ID token's signature,
 * issuer, audience, expiry and nonce checked), ending in who the user is.
 *
 * An OpenID Connect provider's metadata is discovered at first use and kept;
 * a failed discovery is tried again at the next use. `openid-client` itself
 * is loaded at the first use: a server without providers never pays for it.
 */
import type * as OpenIdClient from 'openid-client';
import type { ProviderTokens } from '../../accounts/linked-accounts.js';
import { isLoopback, type ProviderDefinition, type ProviderIdentity } from './providers.js';
import type { TransactionChecks } from './transactions.js';

let library: Promise<typeof OpenIdClient> | null = null;
const openIdClient = () => {
  library ??= import('openid-client');
  return library;
};

/** Seconds any call to a provider may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

export interface CallbackResult {
  identity: ProviderIdentity;
  tokens: ProviderTokens;
}

/** The provider answered the callback with an error (`access_denied` when the user said no). */
export class ProviderRefusal extends Error {
  constructor(readonly code: string) {
    super(`The provider answered with ${code}.`);
  }
}

export class ProviderClient {
  readonly #provider: ProviderDefinition;
  readonly #redirectUri: string;
  readonly #now: () => Date;
  #configuration: Promise<OpenIdClient.Configuration> | null = null;
  /** The metadata once known: its authorization endpoint is where a form post may end up. */
  #resolved: OpenIdClient.Configuration | null = null;

  constructor(provider: ProviderDefinition, redirectUri: string, now: () => Date) {
    this.#provider = provider;
    this.#redirectUri = redirectUri;
    this.#now = now;
  }

  /** Resolves once the provider's metadata is known (discovered, for OpenID Connect). */
  async ready(): Promise<void> {
    await this.#config();
  }

  async authorizationUrl(checks: TransactionChecks): Promise<URL> {
    const provider = this.#provider;
    const [config, oidc] = await Promise.all([this.#config(), openIdClient()]);
    return oidc.buildAuthorizationUrl(config, {
      ...provider.authorizationParams,
      redirect_uri: this.#redirectUri,
      scope: provider.scopes.join(' '),
      ...(provider.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
      state: checks.state,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...(provider.kind === 'oidc' ? { nonce: checks.nonce } : {}),
    });
  }

  /** Completes the flow from the callback's query; throws on anything the checks refuse. */
  async callback(query: URLSearchParams, checks: TransactionChecks): Promise<CallbackResult> {
    const error = query.get('error');
    if (error !== null) throw new ProviderRefusal(error.slice(0, 64));
    const provider = this.#provider;
    const [config, oidc] = await Promise.all([this.#config(), openIdClient()]);
    const current = new URL(this.#redirectUri);
    current.search = query.toString();
    const response = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      ...(provider.kind === 'oidc' ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
    });
    const tokens: ProviderTokens = {
      accessToken: response.access_token,
      refreshToken: response.refresh_token ?? null,
      expiresAt:
        typeof response.expires_in === 'number'
          ? new Date(this.#now().getTime() + response.expires_in * 1000)
          : null,
      scope: response.scope ?? null,
    };
    if (provider.kind === 'oauth2') {
      const fetchIdentity = provider.fetchIdentity;
      if (!fetchIdentity) throw new Error(`Provider ${provider.id} has no way to read its user.`);
      return { identity: await fetchIdentity(response.access_token, providerApi), tokens };
    }
    const claims = response.claims();
    if (!claims) throw new Error('The provider sent no ID token.');
    let profile: Record<string, unknown> = { ...claims };
    // Some providers keep the address out of the ID token: ask the user-info endpoint, for the same subject.
    if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(config, response.access_token, claims.sub);
      profile = { ...info, ...claims };
    }
    // Apple posts the name once, beside the code, unsigned: kept apart, for `mapProfile` to read names from.
    const posted = parseObject(query.get('user'));
    if (posted) profile.user = posted;
    const email = typeof profile.email === 'string' && profile.email !== '' ? profile.email : null;
    return {
      identity: {
        subject: claims.sub,
        email,
        emailVerified: email !== null && provider.emailVerified(profile),
        profile,
      },
      tokens,
    };
  }

  /**
   * The origins the browser is sent to when a sign-in starts: what a page's
   * CSP `form-action` must allow for a form whose answer redirects there.
   */
  origins(): string[] {
    const provider = this.#provider;
    const urls = [
      provider.issuer,
      provider.authorizationUrl,
      this.#resolved?.serverMetadata().authorization_endpoint,
    ];
    return urls
      .filter((url): url is string => url !== undefined && URL.canParse(url))
      .map((url) => new URL(url).origin);
  }

  #config(): Promise<OpenIdClient.Configuration> {
    if (!this.#configuration) {
      this.#configuration = this.#configure();
      this.#configuration.then(
        (config) => {
          this.#resolved = config;
        },
        () => {
          this.#configuration = null;
        },
      );
    }
    return this.#configuration;
  }

  async #configure(): Promise<OpenIdClient.Configuration> {
    const oidc = await openIdClient();
    const provider = this.#provider;
    const endpoints = [provider.issuer, provider.authorizationUrl, provider.tokenUrl].filter(
      (url): url is string => url !== undefined,
    );
    // Plain http only reaches a provider on this machine (validated with the configuration).
    const local = endpoints.some(
      (url) => new URL(url).protocol === 'http:' && isLoopback(new URL(url).hostname),
    );
    const execute = local ? [oidc.allowInsecureRequests] : [];
    const secret = provider.clientSecret;
    const metadata = typeof secret === 'string' ? secret : undefined;
    // A secret minted per use (Apple's) goes in the body like `client_secret_post`, fresh each time.
    const auth: OpenIdClient.ClientAuth | undefined =
      typeof secret === 'function'
        ? (_server, client, body) => {
            body.set('client_id', client.client_id);
            body.set('client_secret', secret());
          }
        : undefined;
    if (provider.kind === 'oidc') {
      // The ID token's signature is checked against the issuer's keys too, not only its claims: with no
      // TLS to lean on (a loopback issuer), or a tampered token response, nothing else would catch a forgery.
      return oidc.discovery(new URL(provider.issuer as string), provider.clientId, metadata, auth, {
        execute: [...execute, oidc.enableNonRepudiationChecks],
        timeout: PROVIDER_TIMEOUT_SECONDS,
      });
    }
    const server: OpenIdClient.ServerMetadata = {
      issuer: new URL(provider.authorizationUrl as string).origin,
      authorization_endpoint: provider.authorizationUrl as string,
      token_endpoint: provider.tokenUrl as string,
    };
    const config = new oidc.Configuration(server, provider.clientId, metadata, auth);
    config.timeout = PROVIDER_TIMEOUT_SECONDS;
    for (const step of execute) step(config);
    return config;
  }
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null || text.length > 4096) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** GETs a provider's JSON API with the user's access token. */
async function providerApi(url: string, accessToken: string): Promise<unknown> {
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${accessToken}`,
      // GitHub refuses requests without one.
      'user-agent': 'gatehouse',
    },
    redirect: 'error',
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_SECONDS * 1000),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}.`);
  return response.json();
}
