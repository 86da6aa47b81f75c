import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { changepasswordCommand } from './commands/changepassword.js';
import { createsuperuserCommand } from './commands/createsuperuser.js';
import { doctorCommand } from './commands/doctor.js';
import { groupsCommand } from './commands/groups.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { permissionsCommand } from './commands/permissions.js';
import { startCommand } from './commands/start.js';
import { tenantsCommand } from './commands/tenants.js';
import { usersCommand } from './commands/users.js';
import { CliError, type CliIo, print } from './io.js';

/** The package's version, read from its package.json (found upward: the depth differs in src/ and dist/). */
function packageVersion(): string {
  for (let url = new URL('.', import.meta.url); url.pathname !== '/'; url = new URL('..', url)) {
    const candidate = new URL('package.json', url);
    if (existsSync(candidate))
      return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

export interface CliHooks {
  /** Called once `start` is listening, with the function that stops it. */
  onStarted?: (stop: () => Promise<void>) => void;
}

export function createProgram(io: CliIo, hooks: CliHooks = {}): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: authentication and authorization server and toolkit.')
    .version(packageVersion())
    .option('-c, --config <path>', 'config file (default: gatehouse.config.{ts,mts,js,mjs,json} here)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  migrateCommand(program, io);
  createsuperuserCommand(program, io);
  changepasswordCommand(program, io);
  usersCommand(program, io);
  groupsCommand(program, io);
  permissionsCommand(program, io);
  tenantsCommand(program, io);
  keysCommand(program, io);
  doctorCommand(program, io);
  startCommand(program, io, hooks.onStarted);
  for (const command of program.commands) command.exitOverride();
  for (const command of program.commands.flatMap((c) => c.commands)) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit status; every failure is printed, none is thrown. */
export async function runCli(argv: readonly string[], io: CliIo, hooks: CliHooks = {}): Promise<number> {
  try {
    await createProgram(io, hooks).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      print(io.stderr, `Error: ${error.message}`);
      for (const detail of error.details) print(io.stderr, `  - ${detail}`);
      return 1;
    }
    print(io.stderr, `Error: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
