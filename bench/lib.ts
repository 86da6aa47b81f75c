/**
 * What the HTTP benchmarks share (`bench/http.ts`, `bench/adapters.ts`,
 * `bench/permissions.ts`): compiling the servers with tsc, running them as
 * plain `node` child processes, loading them with autocannon, reading CPU and
 * memory from /proc, printing the table, and cleaning up on the way out (an
 * error or Ctrl-C included).
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Seconds each measured phase runs (`BENCH_SECONDS`, default 5), after `WARM_UP_SECONDS` of warm-up. */
export const SECONDS = positive(process.env.BENCH_SECONDS, 5);
export const WARM_UP_SECONDS = 1;
/** Connections of the throughput phases (`BENCH_CONNECTIONS`, default 50). */
export const CONNECTIONS = positive(process.env.BENCH_CONNECTIONS, 50);

export function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}

// ---------------------------------------------------------------------------
// Child processes

/** What a server sends its parent over IPC once it listens. */
export interface ReadyMessage {
  type: 'ready';
  url: string;
}

export interface Server<R extends ReadyMessage = ReadyMessage> {
  child: ChildProcess;
  url: string;
  /** The whole `ready` message, for servers that send more than their address. */
  ready: R;
}

const children = new Set<ChildProcess>();
/** Load generators running now, stopped by `cleanUp` if the run fails half-way. */
const loads = new Set<autocannon.Instance>();
let workDir: string | null = null;
/** More to undo at the end (a database schema to drop), registered by `onCleanUp`. */
const cleanUpTasks = new Set<() => Promise<void>>();

/**
 * Has `cleanUp` (the end of the run, an error, Ctrl-C) also run `task`, once;
 * returns a function that runs it now instead (and no longer at the end).
 */
export function onCleanUp(task: () => Promise<void>): () => Promise<void> {
  cleanUpTasks.add(task);
  return () => (cleanUpTasks.delete(task) ? task() : Promise.resolve());
}

/** A fresh temporary directory, removed by `cleanUp`. */
export function makeWorkDir(): string {
  workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  return workDir;
}

/**
 * Compiles the servers of a tsconfig (relative to bench/), and the part of src
 * they import, into `<dir>/build`; `entry` (relative to the repository) is a
 * file that must come out of it.
 */
export function compileServers(
  dir: string,
  tsconfig = 'tsconfig.servers.json',
  entry = 'bench/server-gatehouse.js',
): string {
  const out = join(dir, 'build');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const config = join(root, 'bench', tsconfig);
  const result = spawnSync(process.execPath, [tsc, '-p', config, '--outDir', out], {
    cwd: root,
    encoding: 'utf8',
  });
  if (!existsSync(join(out, entry))) {
    throw new Error(`tsc emitted nothing:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
  }
  if (result.status !== 0) {
    // tsc still emits on type errors; src may be mid-edit. Measure what is there, but say so.
    console.warn(`warning: tsc reported errors, measuring the emitted code anyway:\n${result.stdout}`);
  }
  // Bare imports resolve through the repository's packages…
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
  // …and the files that ship beside the compiled code (the common-password list, the passkey script)
  // sit where their modules look for them.
  for (const file of [
    ['passwords', 'common-passwords.txt.gz'],
    ['ui', 'passkey-script.js'],
  ]) {
    copyFileSync(join(root, 'src', ...file), join(out, 'src', ...file));
  }
  return out;
}

export function startChild<R extends ReadyMessage = ReadyMessage>(
  script: string,
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<Server<R>> {
  const child = fork(script, [], {
    // Not this process's flags: those load tsx.
    execArgv,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready`));
    });
    child.on('message', (message: { type?: unknown }) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      const ready = message as R;
      resolvePromise({ child, url: ready.url, ready });
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

export async function cleanUp(): Promise<void> {
  for (const instance of loads) instance.stop();
  await Promise.all([...children].map(stopChild));
  const tasks = [...cleanUpTasks];
  cleanUpTasks.clear();
  for (const result of await Promise.allSettled(tasks.map((task) => task()))) {
    if (result.status === 'rejected') console.error('cleaning up failed:', result.reason);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}

// ---------------------------------------------------------------------------
// /proc

/** VmRSS and VmHWM (peak) of a process, in MiB; null where /proc is not available. */
export function memoryOf(pid: number | undefined): { rss: number; peak: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time in clock ticks: of the whole machine (user + nice + system), or of one process. */
function machineTicks(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      ?.trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return fields ? (fields[0] ?? 0) + (fields[1] ?? 0) + (fields[2] ?? 0) : null;
  } catch {
    return null;
  }
}

/** Microseconds of CPU (user + system) a server spent per 2xx response of a load run of `seconds`. */
export function cpuPerRequest(ticks: number, run: Load, seconds: number): number {
  return (ticks * 10_000) / Math.max(1, run.rate * seconds);
}

export function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Watches how much CPU processes other than this one and its servers take
 * meanwhile, in CPUs. The machine may be shared (a test run, a build): then
 * the figures measured at that time are low and say so.
 */
export function watchOtherCpu(): () => number | null {
  const pids = () => [process.pid, ...[...children].flatMap((child) => (child.pid ? [child.pid] : []))];
  const ours = () => pids().reduce((sum, pid) => sum + processTicks(pid), 0);
  const startMachine = machineTicks();
  const startOurs = ours();
  const started = performance.now();
  return () => {
    const machine = machineTicks();
    if (machine === null || startMachine === null) return null;
    const seconds = (performance.now() - started) / 1000;
    // USER_HZ is 100 on every Linux that Node supports.
    return Math.max(0, machine - startMachine - (ours() - startOurs)) / 100 / seconds;
  };
}

/**
 * Waits until other processes leave the machine alone for a second (under
 * `threshold` CPUs), at most `maxSeconds`: on a shared machine test runs come
 * in bursts, and a figure measured during one is worth little. Returns the
 * seconds waited; measuring goes on after the limit anyway, and the row says
 * how disturbed it was.
 */
export async function waitForQuiet(threshold: number, maxSeconds: number): Promise<number> {
  const started = performance.now();
  let told = false;
  for (;;) {
    const other = watchOtherCpu();
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
    const taken = other();
    const waited = (performance.now() - started) / 1000;
    if (taken === null || taken < threshold || waited >= maxSeconds) return waited;
    if (!told)
      progress(`other processes take ${taken.toFixed(2)} CPU: waiting up to ${maxSeconds} s for quiet`);
    told = true;
  }
}

// ---------------------------------------------------------------------------
// Load

export interface Load {
  /** 2xx responses per second over the whole run. */
  rate: number;
  /** Everything that was not a 2xx: other statuses, connection errors, timeouts. */
  failed: number;
  statuses: string;
  /** Latency percentiles of 2xx responses in ms, from the exact timings (autocannon's own are whole ms). */
  p50: number;
  p99: number;
  /** CPUs that other processes on the machine took meanwhile. */
  other: number | null;
}

export interface LoadRun {
  stop(): void;
  done: Promise<Load>;
}

export function startLoad(options: autocannon.Options): LoadRun {
  const latencies: number[] = [];
  let instance: autocannon.Instance | undefined;
  const other = watchOtherCpu();
  const done = new Promise<Load>((resolvePromise, reject) => {
    instance = autocannon({ ...options }, (error, result) => {
      if (instance) loads.delete(instance);
      if (error) return reject(error);
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
      const statuses = Object.entries(result.statusCodeStats ?? {})
        .map(([code, stat]) => `${code}×${stat.count ?? 0}`)
        .join(' ');
      resolvePromise({
        rate: result['2xx'] / result.duration,
        failed: result.non2xx + result.errors,
        statuses: statuses + (result.errors ? ` errors×${result.errors}` : ''),
        p50: at(0.5),
        p99: at(0.99),
        other: other(),
      });
    });
    loads.add(instance);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  return { stop: () => instance?.stop(), done };
}

export const load = (options: autocannon.Options): Promise<Load> => startLoad(options).done;

// ---------------------------------------------------------------------------
// The table

export interface Row {
  figure: string;
  value: string;
  target: string;
  verdict: 'pass' | 'FAIL' | 'info';
  /** CPUs other processes took while the figure was measured. */
  other?: number | null;
  note?: string;
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const verdict = (ok: boolean): Row['verdict'] => (ok ? 'pass' : 'FAIL');
export const failures = (run: Load) => (run.failed ? `non-2xx: ${run.statuses}` : undefined);

/** Above this many CPUs taken by other processes during a figure, the figure is flagged. */
const OTHER_CPU_WARNING = 0.1;

export function printTable(rows: Row[]): void {
  const other = (row: Row) => (row.other == null ? '-' : `${fmt(row.other, 2)} CPU`);
  const header = ['figure', 'value', 'ratio / target', 'result', 'other procs'];
  const table = [header, ...rows.map((row) => [row.figure, row.value, row.target, row.verdict, other(row)])];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const cells of table.slice(1)) console.log(line(cells));
  const notes = rows.filter((row) => row.note);
  if (notes.length > 0) console.log('');
  for (const row of notes) console.log(`${row.figure}: ${row.note}`);
  const disturbed = rows.filter((row) => (row.other ?? 0) > OTHER_CPU_WARNING);
  if (disturbed.length > 0) {
    console.log(
      `\nwarning: other processes took more than ${OTHER_CPU_WARNING} CPU while measuring ` +
        `${disturbed.map((row) => `"${row.figure}"`).join(', ')}; those figures are low. Run again on a quiet machine.`,
    );
  }
}

/**
 * Runs a benchmark's `main` and prints its table. Exits 0 whatever the
 * figures are (a measurement, not a test), 1 only when it cannot measure;
 * child processes and temporary files go away in any case, Ctrl-C included.
 */
export async function runBenchmark(main: () => Promise<Row[]>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    const rows = await main();
    console.log('');
    printTable(rows);
  } catch (error) {
    console.error('The benchmark could not run:', error);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}
