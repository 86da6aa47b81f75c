import type { Command } from 'commander';
import { CliError, type CliIo, print } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';

export function usersCommand(program: Command, io: CliIo): void {
  const users = program.command('users').description('Inspect user accounts.');
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
      const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: true });
      try {
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
      } catch (error) {
        throw databaseError(auth, error);
      } finally {
        await auth.close();
      }
    });
}

function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  print(io.stdout, line(header));
  for (const row of rows) print(io.stdout, line(row));
}
