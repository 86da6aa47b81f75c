/**
 * `gatehouse permissions list`: the permissions there are (declared resources
 * become them at `migrate`). Also the harness the authorization commands
 * (`permissions`, `groups`, the grants of `users`) share: `withAuth`.
 */
import type { Command } from 'commander';
import type { Auth } from '../../auth.js';
import { type ErrorCode, isAuthError } from '../../errors.js';
import { CliError, type CliIo, print } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';
import { printTable } from '../table.js';
import { refusal } from './createsuperuser.js';

/** The core's refusals that are the user's to fix: said plainly, with status 1. */
const REFUSALS: readonly ErrorCode[] = ['not_found', 'invalid_request', 'conflict'];

/** Runs `work` on the migrated database of the command's config; closes it, whatever happens. */
export async function withAuth(io: CliIo, command: Command, work: (auth: Auth) => Promise<void>) {
  const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: true });
  try {
    await work(auth);
  } catch (error) {
    throw failure(auth, error);
  } finally {
    await auth.close();
  }
}

function failure(auth: Auth, error: unknown): CliError {
  if (isAuthError(error) && REFUSALS.includes(error.code)) return refusal(error);
  return databaseError(auth, error);
}

export function permissionsCommand(program: Command, io: CliIo): void {
  const permissions = program.command('permissions').description('Inspect permissions.');
  permissions
    .command('list')
    .description('List the permissions, by codename.')
    .option('--json', 'one JSON object per line instead of a table')
    .action((options: { json?: boolean }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const all = await auth.permissions.list();
        if (options.json) {
          for (const permission of all) print(io.stdout, JSON.stringify(permission));
          return;
        }
        printTable(
          io,
          ['codename', 'name'],
          all.map((p) => [p.codename, p.name]),
        );
        print(io.stdout, `${all.length} permission(s).`);
      }),
    );
  permissions
    .command('delete')
    .description('Delete a permission; if anyone holds it, only with --force.')
    .argument('<codename>', 'the permission, e.g. invoice.approve')
    .option('--force', 'delete it even though groups or users hold it')
    .action((codename: string, options: { force?: boolean }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const holders = await auth.permissions.holders(codename);
        if (!holders) throw new CliError(`There is no permission ${codename}.`);
        const held = holders.groups + holders.users > 0;
        if (held && !options.force) {
          throw new CliError(
            `${codename} is held by ${holders.groups} group(s) and ${holders.users} user(s) directly; add --force to delete it and those grants.`,
          );
        }
        await auth.permissions.delete(codename);
        print(io.stdout, `Deleted ${codename}${held ? ' and every grant of it' : ''}.`);
      }),
    );
}
