import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/load-config.js';
import { ConfigError, createAuth, type GatehouseConfig } from '../src/index.js';

function problemsOf(config: GatehouseConfig): string[] {
  try {
    createAuth({ logLevel: 'silent', ...config });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('HTTP configuration', () => {
  it('names every bad value at once', () => {
    const problems = problemsOf({
      publicUrl: 'ftp://auth.example.com',
      basePath: 'auth/',
      trustedOrigins: ['https://app.example.com/path', 'https://ok.example.com'],
      trustedProxies: -1,
      secret: 'short',
      rateLimits: { signIn: { perIp: { max: 0, windowSeconds: 60 } } },
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      [
        'basePath',
        'publicUrl',
        'rateLimits.signIn.perIp.max',
        'secret',
        'trustedOrigins.0',
        'trustedProxies',
      ].sort(),
    );
  });

  it('accepts a complete production configuration', () => {
    expect(
      problemsOf({
        publicUrl: 'https://auth.example.com',
        basePath: '/api/auth',
        trustedOrigins: ['https://app.example.com', 'http://localhost:5173'],
        trustedProxies: 1,
        secret: 'x'.repeat(32),
        rateLimits: { signIn: { perIp: false } },
        sessions: { anonymous: true },
        signUp: { enabled: false },
      }),
    ).toEqual([]);
  });
});

describe('configuration from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  const load = (env: Record<string, string>) => loadConfig(undefined, dir, env);

  it('reads the secret, public URL, trusted origins and proxies', async () => {
    const { config } = await load({
      GATEHOUSE_SECRET: 's'.repeat(40),
      GATEHOUSE_PUBLIC_URL: 'https://auth.example.com',
      TRUSTED_ORIGINS: 'https://app.example.com, https://admin.example.com',
      TRUSTED_PROXIES: '2',
    });
    expect(config).toMatchObject({
      secret: 's'.repeat(40),
      publicUrl: 'https://auth.example.com',
      trustedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      trustedProxies: 2,
    });
  });

  it('says which variable is wrong', async () => {
    await expect(load({ TRUSTED_PROXIES: 'two' })).rejects.toThrow(/TRUSTED_PROXIES/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('social sign-in configuration', () => {
  const google = { clientId: 'id', clientSecret: 'secret' };

  it('accepts presets by id and a generic OpenID Connect issuer', () => {
    expect(
      problemsOf({
        publicUrl: 'https://auth.example.com',
        oauth: {
          providers: {
            google,
            github: google,
            corp: { preset: 'oidc', issuer: 'https://id.corp.example', ...google },
            local: { preset: 'oidc', issuer: 'http://127.0.0.1:4000', ...google },
          },
        },
      }),
    ).toEqual([]);
  });

  it('names what each provider lacks', () => {
    const problems = problemsOf({
      oauth: {
        providers: {
          microsoft: google,
          corp: { preset: 'oidc', ...google },
          plain: { preset: 'oidc', issuer: 'http://id.example.com', ...google },
          keeper: { ...google, storeTokens: true, preset: 'google' },
        },
      },
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      [
        'publicUrl',
        'oauth.providers.microsoft.tenant',
        'oauth.providers.corp.issuer',
        'oauth.providers.plain.issuer',
        'oauth.providers.keeper.storeTokens',
      ].sort(),
    );
  });

  it('refuses a provider id that cannot be a path segment', () => {
    const problems = problemsOf({
      publicUrl: 'https://auth.example.com',
      oauth: { providers: { 'Bad Id': google } },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^oauth\.providers\.Bad Id: must be a short lower-case id/);
  });

  it('asks an OAuth 2.0 provider without a preset for its endpoints and how to read its user', () => {
    const problems = problemsOf({
      publicUrl: 'https://auth.example.com',
      oauth: {
        providers: { forge: { preset: 'oauth2', ...google, tokenUrl: 'https://forge.example/token' } },
      },
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      [
        'oauth.providers.forge.authorizationUrl',
        'oauth.providers.forge.identity',
        'oauth.providers.forge.userInfoUrl',
      ].sort(),
    );
  });
});
