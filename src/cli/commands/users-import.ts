/**
 * `gatehouse users import <file>`: users from a CSV, JSON, JSON Lines or
 * Django `dumpdata` file, through `auth.users.importMany` (which holds every
 * rule; this door only reads the file and reports).
 *
 * CSV and JSON Lines are streamed, so a file of a million users is never in
 * memory at once; a JSON array (and a dumpdata file) is read whole. Column
 * names follow Gatehouse's camelCase or Django's `auth_user` (`first_name`,
 * `is_active`, `date_joined`, `last_login`, `password` for the hash, …).
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CustomFieldDefinition, CustomFields } from '../../accounts/custom-fields.js';
import type { ImportUserRow, ImportUsersResult } from '../../accounts/user-import.js';
import type { Auth } from '../../auth.js';
import { CsvParseError, parseCsv } from '../csv.js';
import { CliError, type CliIo, print } from '../io.js';
import { withAuth } from './permissions.js';

export type ImportFormat = 'csv' | 'json' | 'jsonl' | 'django';
const FORMATS: readonly ImportFormat[] = ['csv', 'json', 'jsonl', 'django'];
/** Rejected rows listed in the report; the rest are counted. */
const REPORT_LIMIT = 50;

type Kind = 'text' | 'boolean' | 'date' | 'hash' | 'json' | 'username';

/** Each accepted column name (compared case-insensitively) → the row field it fills, and how to read it. */
const CORE_COLUMNS: Record<string, { key: string; kind: Kind }> = {};
for (const [key, kind, ...names] of [
  ['email', 'text', 'email', 'email_address'],
  ['username', 'username', 'username'],
  ['firstName', 'text', 'firstName', 'first_name'],
  ['lastName', 'text', 'lastName', 'last_name'],
  ['passwordHash', 'hash', 'passwordHash', 'password_hash', 'password'],
  ['legacyPassword', 'boolean', 'legacyPassword', 'legacy_password'],
  ['isActive', 'boolean', 'isActive', 'is_active'],
  ['isStaff', 'boolean', 'isStaff', 'is_staff'],
  ['isSuperuser', 'boolean', 'isSuperuser', 'is_superuser'],
  ['emailVerified', 'boolean', 'emailVerified', 'email_verified'],
  ['createdAt', 'date', 'createdAt', 'created_at', 'date_joined', 'dateJoined'],
  ['lastLoginAt', 'date', 'lastLoginAt', 'last_login_at', 'last_login', 'lastLogin'],
  ['metadata', 'json', 'metadata'],
] as const) {
  for (const name of names) CORE_COLUMNS[name.toLowerCase()] = { key, kind };
}
/** Columns that are read and dropped: ids are made anew, Django's relations are not users' fields. */
const IGNORED_COLUMNS = new Set(['id', 'pk', 'groups', 'user_permissions', 'userpermissions']);

interface ImportCommandOptions {
  format?: string;
  dryRun?: boolean;
  partial?: boolean;
  batchSize: string;
  legacyPasswords?: boolean;
}

export function usersImportCommand(users: Command, io: CliIo): void {
  users
    .command('import')
    .description('Import users from a CSV, JSON, JSON Lines or Django dumpdata file (existing hashes only).')
    .argument('<file>', 'the file to read, or - for standard input')
    .option('--format <format>', 'csv, json, jsonl or django (default: from the file name)')
    .option('--dry-run', 'check every row, also against existing users, and write nothing')
    .option('--partial', 'import the valid rows even if some are rejected (default: all or nothing)')
    .option('--batch-size <n>', 'rows per INSERT', '1000')
    .option('--legacy-passwords', 'rows without a hash get their password checked by passwords.legacy')
    .action((file: string, options: ImportCommandOptions, command: Command) => {
      const format = formatOf(file, options.format);
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new CliError('--batch-size must be a whole number from 1 to 100000.');
      }
      return withAuth(io, command, (auth) => runImport(auth, io, file, format, { ...options, batchSize }));
    });
}

function formatOf(file: string, given: string | undefined): ImportFormat {
  if (given !== undefined) {
    if (!FORMATS.includes(given as ImportFormat)) {
      throw new CliError(`--format must be one of ${FORMATS.join(', ')}.`);
    }
    return given as ImportFormat;
  }
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  throw new CliError(`Cannot tell the format of ${file} from its name: give --format csv|json|jsonl|django.`);
}

async function runImport(
  auth: Auth,
  io: CliIo,
  file: string,
  format: ImportFormat,
  options: Omit<ImportCommandOptions, 'batchSize'> & { batchSize: number },
): Promise<void> {
  const notes = new Set<string>();
  const source = openSource(io, file);
  const rows = readRows(source, format, auth.config.user?.fields ?? {}, notes);
  if (options.legacyPasswords && !auth.config.passwords?.legacy) {
    print(
      io.stderr,
      'Warning: --legacy-passwords without passwords.legacy in the config: users imported without a ' +
        'hash cannot sign in with a password until it is configured.',
    );
  }
  const progress = new Progress(io, source);
  let processed = 0;
  let result: ImportUsersResult;
  try {
    result = await auth.users.importMany(rows.rows, {
      batchSize: options.batchSize,
      dryRun: options.dryRun === true,
      partial: options.partial === true,
      legacyPasswords: options.legacyPasswords === true,
      onProgress: (count) => {
        processed = count;
        progress.update(count, rows.total());
      },
    });
  } catch (error) {
    progress.clear();
    if (error instanceof CsvParseError) {
      throw new CliError(`${file} cannot be read, nothing was imported: ${error.message}`);
    }
    throw error;
  } finally {
    if (source.stream !== io.stdin) source.stream.destroy();
  }
  progress.finish(processed, rows.total());
  for (const note of notes) print(io.stderr, `Note: ${note}`);
  report(io, result, { dryRun: options.dryRun === true, unit: rows.unit() });
}

interface Source {
  /** The file's text as it is read (a stream, not the whole file). */
  stream: Readable;
  /** Bytes read so far, and the total when it is a file: for the progress display. */
  bytesRead(): number;
  size: number | null;
  name: string;
}

function openSource(io: CliIo, file: string): Source {
  if (file === '-') return { stream: io.stdin, bytesRead: () => 0, size: null, name: 'standard input' };
  const path = resolve(io.cwd, file);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CliError(`There is no file ${file}.`);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return { stream, bytesRead: () => stream.bytesRead, size, name: file };
}

interface RowSource {
  rows: AsyncIterable<ImportUserRow<CustomFields>>;
  /** The number of rows, when known before the end (JSON arrays). */
  total(): number | null;
  /** How rows are numbered in the report: by line, or by position in a one-line JSON array. */
  unit(): 'line' | 'record';
}

function readRows(source: Source, format: ImportFormat, fields: CustomFields, notes: Set<string>): RowSource {
  const convert = rowConverter(fields, notes);
  if (format === 'csv') return { rows: csvRows(source, convert), total: () => null, unit: () => 'line' };
  if (format === 'jsonl') return { rows: jsonlRows(source, convert), total: () => null, unit: () => 'line' };
  let total: number | null = null;
  let unit: 'line' | 'record' = 'line';
  async function* arrayRows(): AsyncGenerator<ImportUserRow<CustomFields>> {
    const text = await readAll(source.stream);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new CliError(
        `${source.name} is not valid JSON, nothing was imported: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(document)) throw new CliError(`${source.name} must hold a JSON array of users.`);
    const lines = elementLines(text);
    // A one-line array: a line number would name every row alike, so rows are numbered by position.
    if (new Set(lines).size !== lines.length) unit = 'record';
    total = document.length;
    let skipped = 0;
    for (let i = 0; i < document.length; i++) {
      const element: unknown = document[i];
      const line = unit === 'line' ? (lines[i] ?? i + 1) : i + 1;
      const django =
        format === 'django' ||
        (typeof element === 'object' && element !== null && 'model' in element && 'fields' in element);
      if (!django) {
        yield convert(element, line, 'json');
        continue;
      }
      const { model, fields: djangoFields } = (element ?? {}) as { model?: unknown; fields?: unknown };
      if (typeof model === 'string' && !/(^|\.)(\w*user)$/i.test(model)) {
        skipped++;
        continue;
      }
      yield convert(djangoFields, line, 'json');
    }
    if (skipped > 0) notes.add(`${skipped} object(s) of other models than users were skipped.`);
  }
  return { rows: arrayRows(), total: () => total, unit: () => unit };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

async function* csvRows(source: Source, convert: RowConverter): AsyncGenerator<ImportUserRow<CustomFields>> {
  let header: string[] | null = null;
  for await (const record of parseCsv(source.stream)) {
    if (header === null) {
      header = record.fields.map((name) => name.trim());
      convert.checkColumns(header);
      continue;
    }
    if (record.fields.length !== header.length) {
      yield {
        line: record.line,
        unreadable: `has ${record.fields.length} field(s) where the header has ${header.length}.`,
      };
      continue;
    }
    const object: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) object[header[i] as string] = record.fields[i] as string;
    yield convert(object, record.line, 'text');
  }
  if (header === null) throw new CliError(`${source.name} is empty: a CSV file starts with a header row.`);
}

async function* jsonlRows(
  source: Source,
  convert: RowConverter,
): AsyncGenerator<ImportUserRow<CustomFields>> {
  const lines = createInterface({ input: source.stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield { line, unreadable: `not valid JSON (${(error as Error).message}).` };
      continue;
    }
    yield convert(value, line, 'json');
  }
}

/** The line on which each element of a top-level JSON array begins. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      else if (c === '\n') line++;
      continue;
    }
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (depth === 1 && expecting && c !== ']') {
      lines.push(line);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return lines;
}

interface RowConverter {
  (value: unknown, line: number, from: 'text' | 'json'): ImportUserRow<CustomFields>;
  /** Refuses a CSV header with unknown or repeated columns, before anything is imported. */
  checkColumns(header: string[]): void;
}

/**
 * Turns a CSV record or a JSON object into an import row: column names to
 * field names, text to booleans, dates and numbers. A value that cannot be
 * converted is passed on as it is, for `importMany` to reject with its reason.
 */
function rowConverter(fields: CustomFields, notes: Set<string>): RowConverter {
  const custom = new Map<string, { key: string; definition: CustomFieldDefinition }>();
  for (const [key, definition] of Object.entries(fields)) {
    custom.set(key.toLowerCase(), { key, definition });
    custom.set(
      key.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`),
      { key, definition },
    );
  }
  const resolved = new Map<string, { key: string; kind: Kind | CustomFieldDefinition } | null>();
  const lookup = (name: string) => {
    let found = resolved.get(name);
    if (found !== undefined) return found;
    const lower = name.toLowerCase();
    const core = CORE_COLUMNS[lower];
    const field = custom.get(lower);
    found = core ?? (field ? { key: field.key, kind: field.definition } : null);
    if (IGNORED_COLUMNS.has(lower)) found = null;
    resolved.set(name, found);
    return found;
  };

  const convert = ((value: unknown, line: number, from: 'text' | 'json') => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { line, unreadable: 'not a JSON object.' };
    }
    const row: Record<string, unknown> = { line };
    for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
      const target = lookup(name);
      if (target === null) {
        if (IGNORED_COLUMNS.has(name.toLowerCase())) {
          noteIgnored(notes, name, raw);
          continue;
        }
        row[name] = raw; // importMany reports it as an unknown field
        continue;
      }
      const converted =
        typeof target.kind === 'string'
          ? convertCore(target.kind, raw, from)
          : convertCustom(target.kind, raw, from);
      if (converted !== undefined) row[target.key] = converted;
    }
    // Django projects often use the email as username; a username may not contain @, and needs none then.
    if (typeof row.username === 'string' && typeof row.email === 'string' && row.username.includes('@')) {
      if (row.username.trim().toLowerCase() === row.email.trim().toLowerCase()) {
        delete row.username;
        notes.add('Usernames equal to the email address were left out (users sign in with the email).');
      }
    }
    return row as unknown as ImportUserRow<CustomFields>;
  }) as RowConverter;

  convert.checkColumns = (header) => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const name of header) {
      const target = lookup(name);
      if (target === null) {
        if (!IGNORED_COLUMNS.has(name.toLowerCase())) problems.push(`unknown column "${name}"`);
        continue;
      }
      const earlier = seen.get(target.key);
      if (earlier !== undefined) problems.push(`columns "${earlier}" and "${name}" are the same field`);
      seen.set(target.key, name);
    }
    if (!seen.has('email')) problems.push('there is no email column');
    if (problems.length > 0) {
      throw new CliError('The CSV header cannot be imported, nothing was imported:', [
        ...problems,
        `known columns: ${[...new Set(Object.values(CORE_COLUMNS).map((c) => c.key))].join(', ')}` +
          (custom.size > 0 ? `, and the custom fields ${Object.keys(fields).join(', ')}` : ''),
      ]);
    }
  };
  return convert;
}

function noteIgnored(notes: Set<string>, name: string, value: unknown): void {
  const lower = name.toLowerCase();
  if (lower === 'id' || lower === 'pk') notes.add(`"${name}" is not imported: every user gets a new id.`);
  else if (Array.isArray(value) && value.length > 0) {
    notes.add(`Django's ${name} are not imported; grant them with \`gatehouse users add-to-group|grant\`.`);
  }
}

function convertCore(kind: Kind, value: unknown, from: 'text' | 'json'): unknown {
  if (from === 'text' && value === '') {
    // An empty cell is no value (the default), but an empty name is a name and an empty hash is no hash.
    if (kind === 'hash') return null;
    return kind === 'text' ? '' : undefined;
  }
  switch (kind) {
    case 'text':
      return value;
    case 'username':
      return value === '' ? null : value;
    case 'hash':
      return value === '' ? null : value;
    case 'boolean':
      return typeof value === 'string' ? parseBoolean(value) : value;
    case 'date':
      return typeof value === 'string' ? parseTimestamp(value) : value;
    case 'json':
      if (typeof value !== 'string' || from === 'json') return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
  }
}

function convertCustom(definition: CustomFieldDefinition, value: unknown, from: 'text' | 'json'): unknown {
  if (from === 'text' && value === '') return undefined;
  if (typeof value !== 'string') return value;
  switch (definition.type) {
    case 'string':
      return value;
    case 'integer':
    case 'number': {
      const number = Number(value.trim());
      return value.trim() !== '' && Number.isFinite(number) ? number : value;
    }
    case 'boolean':
      return parseBoolean(value);
    case 'timestamp':
      return parseTimestamp(value);
  }
}

const TRUE = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n']);

/** `true`/`false`, Python's `True`/`False`, psql's `t`/`f`, `1`/`0`, `yes`/`no`; anything else stays text. */
function parseBoolean(text: string): boolean | string {
  const lower = text.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return text;
}

const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO 8601 as JavaScript, Django (`2021-03-04T10:20:30.123456Z`) and psql
 * (`2021-03-04 10:20:30.123456+00`) write it. A time without a zone is UTC,
 * as Django stores it with USE_TZ. Unreadable text gives an invalid date,
 * which the import reports.
 */
export function parseTimestamp(text: string): Date {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return new Date(Number.NaN);
  const [, date, time = '00:00:00', fraction = '', zone = 'Z'] = match;
  const seconds = time.length === 5 ? `${time}:00` : time;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  let offset = zone.toUpperCase();
  if (offset !== 'Z')
    offset = offset.length === 3 ? `${offset}:00` : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  return new Date(`${date}T${seconds}.${millis}${offset}`);
}

/** The progress display: a bar redrawn in place on a terminal, a line every few seconds otherwise. */
class Progress {
  readonly #io: CliIo;
  readonly #source: Source;
  readonly #tty: boolean;
  readonly #started = performance.now();
  #shownAt = 0;
  #drawn = false;

  constructor(io: CliIo, source: Source) {
    this.#io = io;
    this.#source = source;
    this.#tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  }

  update(processed: number, total: number | null): void {
    const now = performance.now();
    if (now - this.#shownAt < (this.#tty ? 100 : 5000)) return;
    this.#shownAt = now;
    this.#show(processed, total, now);
  }

  finish(processed: number, total: number | null): void {
    if (this.#drawn || !this.#tty) this.#show(processed, total ?? processed, performance.now());
    if (this.#tty && this.#drawn) this.#io.stderr.write('\n');
  }

  clear(): void {
    if (this.#tty && this.#drawn) this.#io.stderr.write('\r\x1b[K');
  }

  #show(processed: number, total: number | null, now: number): void {
    const seconds = Math.max((now - this.#started) / 1000, 0.001);
    const rate = `${format(Math.round(processed / seconds))} rows/s`;
    const size = this.#source.size;
    const fraction =
      total !== null && total > 0
        ? processed / total
        : size
          ? Math.min(this.#source.bytesRead() / size, 1)
          : null;
    const count = total !== null ? `${format(processed)}/${format(total)} rows` : `${format(processed)} rows`;
    if (!this.#tty) {
      const percent = fraction === null ? '' : ` (${Math.floor(fraction * 100)}%)`;
      print(this.#io.stderr, `Read ${count}${percent}, ${rate}`);
      return;
    }
    const width = 24;
    const bar =
      fraction === null
        ? ''
        : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `;
    this.#io.stderr.write(`\r\x1b[K${bar}${count}  ${rate}`);
    this.#drawn = true;
  }
}

function format(n: number): string {
  return n.toLocaleString('en-US');
}

function report(
  io: CliIo,
  result: ImportUsersResult,
  options: { dryRun: boolean; unit: 'line' | 'record' },
): void {
  const { imported, rejected } = result;
  const users = (n: number) => `${format(n)} user${n === 1 ? '' : 's'}`;
  if (options.dryRun) {
    print(io.stdout, `Dry run: ${users(imported)} would be imported; nothing was written.`);
  } else {
    print(io.stdout, `Imported ${users(imported)}.`);
  }
  if (rejected.length > 0) {
    print(io.stdout, `Rejected ${format(rejected.length)} row${rejected.length === 1 ? '' : 's'}:`);
    for (const { line, reason } of rejected.slice(0, REPORT_LIMIT)) {
      print(io.stdout, `  ${options.unit} ${line}: ${reason}`);
    }
    if (rejected.length > REPORT_LIMIT)
      print(io.stdout, `  and ${format(rejected.length - REPORT_LIMIT)} more`);
  }
  if (rejected.length > 0 && imported === 0) {
    throw new CliError(
      options.dryRun
        ? 'The import would write nothing: fix the rejected rows, or use --partial to import the others.'
        : 'Nothing was imported: fix the rejected rows, or use --partial to import the others.',
    );
  }
}
