import { type Auth, createAuth } from '../auth.js';
import { ConfigError } from '../config.js';
import { createLogger, type LogLevel } from '../logger.js';
import { CliError, type CliIo } from './io.js';
import { blameEnvironment, loadConfig } from './load-config.js';

/**
 * The Gatehouse instance a command works on. Unless the command is `migrate`
 * itself, a database with pending migrations is refused with the fix, rather
 * than failing later on a missing table.
 */
export async function openAuth(
  io: CliIo,
  configPath: string | undefined,
  options: { requireMigrated: boolean; logLevel?: LogLevel },
): Promise<Auth> {
  const { config } = await loadConfig(configPath, io.cwd, io.env);
  let auth: Auth;
  try {
    const level = config.logLevel ?? options.logLevel ?? 'warn';
    // A person at a terminal reads lines; a log collector reads JSON.
    const pretty = (io.stdout as { isTTY?: boolean }).isTTY === true;
    auth = createAuth({ logger: createLogger(level, pretty), ...config });
  } catch (error) {
    if (error instanceof ConfigError) {
      const problems = error.problems.map((problem) => blameEnvironment(problem, io.env));
      throw new CliError('The configuration is invalid:', problems);
    }
    throw error;
  }
  if (!options.requireMigrated) return auth;
  const status = await auth.migrationStatus().catch(async (error: unknown) => {
    await auth.close();
    throw databaseError(auth, error);
  });
  if (status.pending.length > 0 || status.fields.changes.length > 0) {
    await auth.close();
    throw new CliError(
      `The database at ${auth.database.location} is not up to date: run \`gatehouse migrate\` first.`,
    );
  }
  return auth;
}

/** A database that cannot be reached or opened, said plainly. */
export function databaseError(auth: Auth, error: unknown): CliError {
  if (error instanceof CliError) return error;
  return new CliError(`Cannot use the database at ${auth.database.location}: ${(error as Error).message}`);
}
