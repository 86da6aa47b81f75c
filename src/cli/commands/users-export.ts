/**
 * `gatehouse users export`: every user, as CSV or JSON Lines, page by page
 * (keyset pagination through `auth.users.list`, so a million users are never
 * in memory at once). The columns are the ones `users import` reads, so an
 * export imports back as it is. Password hashes are left out unless
 * `--include-hashes`, which warns that the file is then a secret and creates
 * it readable by its owner only.
 */
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Auth } from '../../auth.js';
import { formatCsvRecord } from '../csv.js';
import { CliError, type CliIo, print } from '../io.js';
import { withAuth } from './permissions.js';

const PAGE_SIZE = 1000;
const CORE_COLUMNS = [
  'id',
  'email',
  'username',
  'firstName',
  'lastName',
  'isActive',
  'isStaff',
  'isSuperuser',
  'emailVerified',
  'createdAt',
  'lastLoginAt',
  'metadata',
] as const;

interface ExportOptions {
  format?: string;
  output?: string;
  includeHashes?: boolean;
}

export function usersExportCommand(users: Command, io: CliIo): void {
  users
    .command('export')
    .description('Write every user as CSV or JSON Lines, in the columns `users import` reads.')
    .option('--format <format>', 'csv or jsonl (default: from the --output name, else csv)')
    .option('--output <file>', 'the file to write (default: standard output)')
    .option('--include-hashes', 'also write password hashes: the file is then a secret')
    .action((options: ExportOptions, command: Command) => {
      const format = exportFormat(options);
      return withAuth(io, command, (auth) => runExport(auth, io, format, options));
    });
}

function exportFormat(options: ExportOptions): 'csv' | 'jsonl' {
  if (options.format !== undefined) {
    if (options.format !== 'csv' && options.format !== 'jsonl')
      throw new CliError('--format must be csv or jsonl.');
    return options.format;
  }
  return /\.(jsonl|ndjson)$/i.test(options.output ?? '') ? 'jsonl' : 'csv';
}

interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

async function openSink(io: CliIo, output: string | undefined, secret: boolean): Promise<Sink> {
  if (output === undefined) return streamSink(io.stdout);
  const path = resolve(io.cwd, output);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // A file of hashes is readable by its owner alone (the mode applies when the file is created).
    handle = await open(path, 'w', secret ? 0o600 : 0o644);
    if (secret) await handle.chmod(0o600);
  } catch (error) {
    throw new CliError(`Cannot write ${output}: ${(error as Error).message}`);
  }
  return {
    async write(text) {
      await handle.write(text);
    },
    close: () => handle.close(),
  };
}

function streamSink(stream: Writable): Sink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {},
  };
}

async function runExport(
  auth: Auth,
  io: CliIo,
  format: 'csv' | 'jsonl',
  options: ExportOptions,
): Promise<void> {
  const withHashes = options.includeHashes === true;
  if (withHashes) {
    print(
      io.stderr,
      'Warning: the export holds password hashes. Keep it as secret as the database: anyone who has ' +
        'it can try passwords against them offline.',
    );
  }
  const customFields = Object.keys(auth.config.user?.fields ?? {});
  const columns = [...CORE_COLUMNS, ...customFields, ...(withHashes ? ['passwordHash'] : [])];
  const sink = await openSink(io, options.output, withHashes);
  let count = 0;
  try {
    if (format === 'csv') await sink.write(formatCsvRecord(columns));
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Auth['users']['list']>> = await auth.users.list({
        limit: PAGE_SIZE,
        cursor,
      });
      cursor = page.nextCursor;
      const hashes = withHashes ? await auth.users.passwordHashesOf(page.users.map((u) => u.id)) : null;
      let text = '';
      for (const user of page.users) {
        const fields = user as unknown as Record<string, unknown>;
        const record: Record<string, unknown> = {};
        for (const column of CORE_COLUMNS) record[column] = fields[column];
        for (const field of customFields) record[field] = fields[field];
        if (hashes) record.passwordHash = hashes.get(user.id) ?? null;
        text +=
          format === 'csv'
            ? formatCsvRecord(columns.map((column) => csvValue(record[column])))
            : `${JSON.stringify(record)}\n`;
      }
      if (text) await sink.write(text);
      count += page.users.length;
    } while (cursor !== null);
  } finally {
    await sink.close();
  }
  print(
    io.stderr,
    `Exported ${count} user${count === 1 ? '' : 's'}${options.output ? ` to ${options.output}` : ''}.`,
  );
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
