/**
 * `gatehouse users …`: list accounts; grant and revoke a user's own
 * permissions; add a user to a group or remove them; show what a user holds;
 * reset a user's second factors (a lost device); import and export users in bulk (`./users-import.ts`, `./users-export.ts`).
 */
import type { Command } from 'commander';
import type { Auth } from '../../auth.js';
import { CliError, type CliIo, print } from '../io.js';
import { printTable } from '../table.js';
import { withAuth } from './permissions.js';
import { usersExportCommand } from './users-export.js';
import { usersImportCommand } from './users-import.js';

export function usersCommand(program: Command, io: CliIo): void {
  const users = program.command('users').description('Inspect user accounts and manage their permissions.');
  users
    .command('list')
    .description('List users, oldest first.')
    .option('--limit <n>', 'how many to show (1–1000)', '50')
    .option('--search <text>', 'only users whose email, username or name contains this')
    .option('--json', 'one JSON object per line instead of a table')
    .action(async (options: { limit: string; search?: string; json?: boolean }, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new CliError('--limit must be a whole number from 1 to 1000.');
      }
      await withAuth(io, command, async (auth) => {
        const { users: page } = await auth.users.list({
          limit,
          ...(options.search ? { search: options.search } : {}),
        });
        if (options.json) {
          for (const user of page) print(io.stdout, JSON.stringify(user));
          return;
        }
        const rows = page.map((u) => [
          u.id,
          u.email,
          u.username ?? '',
          u.isActive ? 'yes' : 'no',
          u.isStaff ? 'yes' : 'no',
          u.isSuperuser ? 'yes' : 'no',
          u.createdAt.toISOString(),
        ]);
        printTable(io, ['id', 'email', 'username', 'active', 'staff', 'superuser', 'created'], rows);
        print(io.stdout, `${page.length} user(s) shown of ${await auth.users.count()}.`);
      });
    });
  users
    .command('reset-mfa')
    .description(
      "Remove a user's second factors (authenticator app, passkeys, recovery codes) and remembered browsers: for a lost device.",
    )
    .argument('<user>', 'email or username')
    .action((identifier: string, _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        const removed = await auth.mfa.reset(user.id);
        await auth.audit.record({ type: 'mfa_reset', userId: user.id, details: { ...removed, via: 'cli' } });
        print(
          io.stdout,
          `Reset two-step verification for ${user.email}: ${removed.totp ? 'authenticator app, ' : ''}${removed.passkeys} passkey(s), ${removed.recoveryCodes} recovery code(s) removed.`,
        );
      }),
    );
  permissionCommands(users, io);
  usersImportCommand(users, io);
  usersExportCommand(users, io);
}

/** The subcommands that change or show what a user may do. */
function permissionCommands(users: Command, io: CliIo): void {
  users
    .command('grant')
    .description('Give a user permissions directly.')
    .argument('<user>', 'email or username')
    .argument('<codename...>', 'permissions, e.g. post.change')
    .action((identifier: string, codenames: string[], _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        await auth.permissions.grantToUser(user.id, codenames);
        print(io.stdout, `Granted ${codenames.join(', ')} to ${user.email}.`);
      }),
    );
  users
    .command('revoke')
    .description("Take a user's direct permissions (those from groups stay).")
    .argument('<user>', 'email or username')
    .argument('<codename...>', 'permissions, e.g. post.change')
    .action((identifier: string, codenames: string[], _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        await auth.permissions.revokeFromUser(user.id, codenames);
        print(io.stdout, `Revoked ${codenames.join(', ')} from ${user.email}.`);
      }),
    );
  users
    .command('add-to-group')
    .description('Make a user a member of a group.')
    .argument('<user>', 'email or username')
    .argument('<group>', 'the group name')
    .action((identifier: string, group: string, _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        await auth.permissions.addUserToGroup(user.id, group);
        print(io.stdout, `Added ${user.email} to group ${group}.`);
      }),
    );
  users
    .command('remove-from-group')
    .description('Take a user out of a group.')
    .argument('<user>', 'email or username')
    .argument('<group>', 'the group name')
    .action((identifier: string, group: string, _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        await auth.permissions.removeUserFromGroup(user.id, group);
        print(io.stdout, `Removed ${user.email} from group ${group}.`);
      }),
    );
  users
    .command('perms')
    .description("Show a user's groups and every permission they hold (direct, from groups, as superuser).")
    .argument('<user>', 'email or username')
    .action((identifier: string, _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const user = await requireUser(auth, identifier);
        const groups = await auth.permissions.groupsOf(user.id);
        const codenames = [...(await auth.permissions.getAllPermissions(user))].sort();
        print(io.stdout, `User: ${user.email} (${user.id})`);
        print(io.stdout, `Status: ${status(user)}`);
        print(io.stdout, `Groups: ${groups.length > 0 ? groups.join(', ') : '(none)'}`);
        print(io.stdout, `Permissions (${codenames.length}):`);
        for (const codename of codenames) print(io.stdout, `  ${codename}`);
      }),
    );
}

async function requireUser(auth: Auth, identifier: string) {
  const user = await auth.users.getByIdentifier(identifier);
  if (!user) throw new CliError(`There is no user "${identifier}".`);
  return user;
}

function status(user: { isActive: boolean; isSuperuser: boolean }): string {
  if (!user.isActive) return 'inactive (holds no permissions)';
  return user.isSuperuser ? 'active, superuser (holds every permission)' : 'active';
}
