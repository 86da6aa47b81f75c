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
