import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import type { TestDatabase } from './database.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** The environment that points the CLI at a test database. */
export function databaseEnv(db: TestDatabase): Record<string, string> {
  if (db.dialect === 'sqlite') return { DATABASE_URL: db.url };
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  return { DATABASE_URL: url.toString() };
}

/** Runs the CLI in this process with piped stdin (one answer per line). */
export async function runInProcess(
  args: string[],
  options: { env?: Record<string, string>; input?: string[]; cwd?: string } = {},
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const io: CliIo = {
    stdin: Readable.from(options.input?.map((line) => `${line}\n`) ?? []),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { LOG_LEVEL: 'silent', ...options.env },
    cwd: options.cwd ?? process.cwd(),
  };
  const status = await runCli(args, io);
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

const bin = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Runs the real `gatehouse` executable in a child process. */
export function runProcess(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [bin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      // Without Redis unless a test asks for it: counters in a Redis shared by every run outlive the run.
      env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'silent', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
