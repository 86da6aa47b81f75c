/**
 * `gatehouse keys …`: the keys access tokens are signed with. `rotate`
 * replaces the signing key at once — after a leak, or to move to a new
 * algorithm — while the old one stays published until its tokens expire.
 */
import type { Command } from 'commander';
import type { Auth } from '../../auth.js';
import type { TokenMode } from '../../sessions/token-mode/token-mode.js';
import { CliError, type CliIo, print } from '../io.js';
import { printTable } from '../table.js';
import { withAuth } from './permissions.js';

export function keysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('Manage the keys that sign access tokens.');
  keys
    .command('list')
    .description('List the published keys: the one signing now, the next one, and those retiring.')
    .action((_options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const mode = tokenModeOf(auth);
        const now = auth.now();
        const published = await mode.keys.published();
        printTable(
          io,
          ['kid', 'alg', 'state', 'signs from', 'retires'],
          published.map((key) => [
            key.kid,
            key.alg,
            key.activatesAt > now ? 'next' : key.retiredAt && key.retiredAt <= now ? 'retired' : 'signing',
            key.activatesAt.toISOString(),
            key.retiredAt?.toISOString() ?? '-',
          ]),
        );
        print(io.stdout, `${published.length} published key(s).`);
      }),
    );
  keys
    .command('rotate')
    .description('Sign with a new key from now on; the old one stays published until its tokens expire.')
    .action((_options: unknown, command: Command) =>
      withAuth(io, command, async (auth) => {
        const key = await tokenModeOf(auth).keys.rotate();
        await auth.audit.record({
          type: 'signing_key_rotated',
          details: { kid: key.kid, alg: key.alg, via: 'cli' },
        });
        print(io.stdout, `Access tokens are now signed with ${key.kid} (${key.alg}).`);
      }),
    );
}

function tokenModeOf(auth: Auth): TokenMode {
  if (!auth.tokenMode)
    throw new CliError('Signing keys need the server secret: set GATEHOUSE_SECRET (or `secret`).');
  return auth.tokenMode;
}
