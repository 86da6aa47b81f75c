/**
 * Finds and loads the config file (`gatehouse.config.{ts,mts,js,mjs,json}` in
 * the working directory, or `--config path`), then lays the environment over
 * it: `DATABASE_URL`, `LOG_LEVEL`, `GATEHOUSE_SECRET`, `GATEHOUSE_PUBLIC_URL`,
 * `TRUSTED_ORIGINS` (comma-separated) and `TRUSTED_PROXIES` win over the file,
 * as operators expect.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GatehouseConfig } from '../config.js';
import type { LogLevel } from '../logger.js';
import { CliError } from './io.js';

const CANDIDATES = [
  'gatehouse.config.ts',
  'gatehouse.config.mts',
  'gatehouse.config.js',
  'gatehouse.config.mjs',
  'gatehouse.config.json',
];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoadedConfig {
  config: GatehouseConfig;
  /** The file it came from, or null when there was none. */
  path: string | null;
}

export async function loadConfig(
  explicitPath: string | undefined,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<LoadedConfig> {
  const path = explicitPath ? resolve(cwd, explicitPath) : findConfig(cwd);
  if (explicitPath && (!path || !existsSync(path))) throw new CliError(`No config file at ${path}.`);
  const fromFile = path ? await importConfig(path) : {};
  return { config: withEnvironment(fromFile, env), path };
}

function findConfig(cwd: string): string | null {
  for (const name of CANDIDATES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

async function importConfig(path: string): Promise<GatehouseConfig> {
  let loaded: unknown;
  try {
    if (path.endsWith('.json')) {
      loaded = JSON.parse(readFileSync(path, 'utf8'));
    } else if (/\.m?ts$/.test(path)) {
      const { tsImport } = await import('tsx/esm/api').catch(() => {
        throw new CliError(
          `Loading ${path} needs the "tsx" package: npm install --save-dev tsx (or use a .js config).`,
        );
      });
      loaded = await tsImport(pathToFileURL(path).href, import.meta.url);
    } else {
      loaded = await import(pathToFileURL(path).href);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot load the config file ${path}: ${(error as Error).message}`);
  }
  const config = isModule(loaded) ? (loaded.default ?? loaded.config) : loaded;
  if (typeof config !== 'object' || config === null) {
    throw new CliError(`${path} must export a config object (export default defineConfig({...})).`);
  }
  return config as GatehouseConfig;
}

function isModule(value: unknown): value is { default?: unknown; config?: unknown } {
  return typeof value === 'object' && value !== null && ('default' in value || 'config' in value);
}

/** Config keys the environment can set, and the variable that sets each. */
const ENVIRONMENT_KEYS: Record<string, string> = {
  'database.url': 'DATABASE_URL',
  secret: 'GATEHOUSE_SECRET',
  publicUrl: 'GATEHOUSE_PUBLIC_URL',
  trustedOrigins: 'TRUSTED_ORIGINS',
};

/** Names the variable behind a configuration problem, when the environment set that key. */
export function blameEnvironment(problem: string, env: Record<string, string | undefined>): string {
  for (const [key, variable] of Object.entries(ENVIRONMENT_KEYS)) {
    if (env[variable] && (problem.startsWith(`${key}:`) || problem.startsWith(`${key}.`))) {
      return `${problem} (set by ${variable})`;
    }
  }
  return problem;
}

function withEnvironment(config: GatehouseConfig, env: Record<string, string | undefined>): GatehouseConfig {
  const merged: GatehouseConfig = { ...config };
  if (env.DATABASE_URL) merged.database = { ...config.database, url: env.DATABASE_URL };
  if (env.LOG_LEVEL) {
    const level = LOG_LEVELS.find((l) => l === env.LOG_LEVEL);
    if (!level)
      throw new CliError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${env.LOG_LEVEL}".`);
    merged.logLevel = level;
  }
  if (env.GATEHOUSE_SECRET) merged.secret = env.GATEHOUSE_SECRET;
  if (env.GATEHOUSE_PUBLIC_URL) merged.publicUrl = env.GATEHOUSE_PUBLIC_URL;
  if (env.TRUSTED_ORIGINS) {
    merged.trustedOrigins = env.TRUSTED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '');
  }
  if (env.TRUSTED_PROXIES) {
    const count = Number(env.TRUSTED_PROXIES);
    if (!Number.isInteger(count) || count < 0 || count > 10) {
      throw new CliError(
        `TRUSTED_PROXIES must be a whole number from 0 to 10; it is "${env.TRUSTED_PROXIES}".`,
      );
    }
    merged.trustedProxies = count;
  }
  return merged;
}
