import type { Command } from 'commander';
import { startServer } from '../../http/server.js';
import { CliError, type CliIo } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';

interface Options {
  port?: string;
  host?: string;
  migrate: boolean;
}

export function startCommand(
  program: Command,
  io: CliIo,
  onStarted?: (stop: () => Promise<void>) => void,
): void {
  program
    .command('start')
    .description('Run the standalone server (migrates first unless --no-migrate).')
    .option('-p, --port <port>', 'port to listen on (or $PORT; default 3000)')
    .option('--host <host>', 'address to listen on (or $HOST; default 127.0.0.1)')
    .option('--no-migrate', 'do not apply pending migrations at start')
    .action(async (options: Options, command: Command) => {
      const port = parsePort(options.port ?? io.env.PORT ?? '3000');
      const host = options.host ?? io.env.HOST ?? '127.0.0.1';
      const auth = await openAuth(io, command.optsWithGlobals().config, {
        requireMigrated: !options.migrate,
        logLevel: 'info',
      });
      try {
        if (options.migrate) {
          const result = await auth.migrate();
          for (const m of result.migrations)
            auth.logger.info({ version: m.version }, `Applied migration ${m.name}`);
        }
      } catch (error) {
        await auth.close();
        throw databaseError(auth, error);
      }
      const server = await startServer(auth, { port, host }).catch(async (error: Error) => {
        await auth.close();
        throw new CliError(`Cannot listen on ${host}:${port}: ${error.message}`);
      });
      auth.logger.info(
        { url: server.url, database: `${auth.database.dialect} ${auth.database.location}` },
        `Gatehouse listening on ${server.url}`,
      );
      onStarted?.(server.stop);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`The port must be 0–65535, not "${value}".`);
  return port;
}
