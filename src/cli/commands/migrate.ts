import type { Command } from 'commander';
import { UserFieldMigrationError } from '../../accounts/user-field-columns.js';
import { CliError, type CliIo, print } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';

export function migrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('Apply pending schema migrations and add columns for new custom user fields.')
    .option('--check', 'apply nothing; exit with status 1 if anything is pending')
    .option(
      '--drop-field <name...>',
      'delete the column (and data) of a custom field that is no longer declared',
    )
    .action(async (options: { check?: boolean; dropField?: string[] }, command: Command) => {
      const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: false });
      try {
        print(io.stdout, `Database: ${auth.database.dialect} ${auth.database.location}`);
        if (options.check) await check(io, auth);
        else await apply(io, auth, options.dropField ?? []);
      } catch (error) {
        if (error instanceof UserFieldMigrationError) {
          throw new CliError('The custom user fields cannot be migrated:', error.problems);
        }
        throw databaseError(auth, error);
      } finally {
        await auth.close();
      }
    });
}

async function apply(io: CliIo, auth: Awaited<ReturnType<typeof openAuth>>, dropFields: string[]) {
  const result = await auth.migrate({
    dropFields,
    onMigration: (migration, ms) =>
      print(
        io.stdout,
        `Applied ${String(migration.version).padStart(4, '0')} ${migration.name} (${Math.round(ms)} ms)`,
      ),
  });
  for (const change of result.fields) {
    const verb = change.action === 'add' ? 'Added' : 'Dropped';
    print(io.stdout, `${verb} custom field ${change.field} (column ${change.column}, ${change.type})`);
  }
  if (result.permissions.length > 0) {
    print(
      io.stdout,
      `Created ${result.permissions.length} permission(s): ${result.permissions.map((p) => p.codename).join(', ')}`,
    );
  }
  for (const stale of result.stalePermissions) {
    print(
      io.stdout,
      `Kept ${stale.codename}: its resource or action is no longer declared; held by ${stale.groups} group(s) and ${stale.users} user(s) directly. Delete it with \`gatehouse permissions delete ${stale.codename}\`.`,
    );
  }
  if (result.migrations.length === 0 && result.fields.length === 0 && result.permissions.length === 0) {
    print(io.stdout, 'Nothing to migrate.');
  }
}

async function check(io: CliIo, auth: Awaited<ReturnType<typeof openAuth>>) {
  const status = await auth.migrationStatus();
  for (const m of status.pending) print(io.stdout, `Pending ${String(m.version).padStart(4, '0')} ${m.name}`);
  for (const change of status.fields.changes) {
    print(io.stdout, `Pending: ${change.action} custom field ${change.field} (column ${change.column})`);
  }
  if (status.unknown.length > 0) {
    print(io.stdout, `The database has migrations this version does not know: ${status.unknown.join(', ')}`);
  }
  if (status.fields.problems.length > 0) {
    throw new CliError('The custom user fields cannot be migrated:', status.fields.problems);
  }
  if (status.pending.length > 0 || status.fields.changes.length > 0) {
    throw new CliError('Migrations are pending: run `gatehouse migrate`.');
  }
  print(io.stdout, 'Up to date.');
}
