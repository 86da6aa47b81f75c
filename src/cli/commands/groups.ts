/**
 * `gatehouse groups …`: list groups with their permissions, create a group
 * (optionally granting it permissions), grant and revoke a group's
 * permissions, delete a group.
 */
import type { Command } from 'commander';
import { CliError, type CliIo, print } from '../io.js';
import { printTable } from '../table.js';
import { withAuth } from './permissions.js';

export function groupsCommand(program: Command, io: CliIo): void {
  const groups = program.command('groups').description('Manage groups (roles) and their permissions.');
  groups
    .command('list')
    .description('List the groups and their permissions.')
    .option('--json', 'one JSON object per line instead of a table')
    .action((options: { json?: boolean }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const all = await auth.permissions.describeGroups();
        if (options.json) {
          for (const group of all) print(io.stdout, JSON.stringify(group));
          return;
        }
        printTable(
          io,
          ['name', 'count', 'permissions'],
          all.map((g) => [g.name, String(g.permissions.length), g.permissions.join(', ')]),
        );
        print(io.stdout, `${all.length} group(s).`);
      }),
    );
  groups
    .command('create')
    .description('Create a group.')
    .argument('<name>', 'the group name')
    .option('--grant <codename...>', 'permissions to give it')
    .action((name: string, options: { grant?: string[] }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const group = await auth.permissions.createGroup(name, options.grant);
        const granted = group.permissions.length > 0 ? ` with ${group.permissions.join(', ')}` : '';
        print(io.stdout, `Created group ${group.name}${granted} (${group.id}).`);
      }),
    );
  groups
    .command('grant')
    .description('Give a group permissions.')
    .argument('<group>', 'the group name')
    .argument('<codename...>', 'permissions, e.g. post.change')
    .action((group: string, codenames: string[], _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        await auth.permissions.grantToGroup(group, codenames);
        print(io.stdout, `Granted ${codenames.join(', ')} to group ${group}.`);
      }),
    );
  groups
    .command('revoke')
    .description('Take permissions from a group.')
    .argument('<group>', 'the group name')
    .argument('<codename...>', 'permissions, e.g. post.change')
    .action((group: string, codenames: string[], _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        await auth.permissions.revokeFromGroup(group, codenames);
        print(io.stdout, `Revoked ${codenames.join(', ')} from group ${group}.`);
      }),
    );
  groups
    .command('delete')
    .description('Delete a group; its members lose the permissions it gave them.')
    .argument('<name>', 'the group name')
    .action((name: string, _options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        if (!(await auth.permissions.deleteGroup(name))) {
          throw new CliError(`There is no group named ${name}.`);
        }
        print(io.stdout, `Deleted group ${name}.`);
      }),
    );
}
