/**
 * The standalone server under HTTP load, against two baselines: a bare Hono
 * app on the same adapter, and the raw argon2id hash rate.
 *
 *   npm run bench                 # about 60 s
 *   BENCH_SECONDS=10 npm run bench
 *
 * Both servers are compiled with tsc into a temporary directory and run as
 * plain `node` child processes (no tsx loader in them: it would add its own
 * CPU and some 45 MiB of RSS), one at a time; autocannon runs in this
 * process. On a 2-CPU machine load generator and server share the CPUs, so
 * the figures only mean something next to each other: the hello-world server
 * is measured in exactly the same way as Gatehouse.
 *
 * Prints a table of figures with their targets, and exits 0 whatever they are:
 * this is a measurement, not a test. It exits 1 only when it cannot measure.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ChildMessage, ParentMessage } from './server-gatehouse.js';

const SECONDS = positive(process.env.BENCH_SECONDS, 5);
const WARM_UP_SECONDS = 1;
/** Connections for the throughput of the cheap requests (hello, session). */
const CONNECTIONS = positive(process.env.BENCH_CONNECTIONS, 50);
/** Connections of a sign-in or sign-up storm: enough to keep every hashing slot busy. */
const STORM_CONNECTIONS = 16;
/** Connections of the session requests whose latency is measured during a storm. */
const PROBE_CONNECTIONS = 10;
/** How long a storm runs before the latency probe starts, so the probe sees it at full strength. */
const STORM_LEAD_MS = 500;
/** Pause between phases, so requests still queued from one do not spill into the next. */
const SETTLE_MS = 500;
/** With `BENCH_CPU_PROF=<dir>`, the Gatehouse server writes a V8 CPU profile there when it stops. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;

const TARGETS = {
  sessionVsHello: 0.8,
  signInVsHash: 0.9,
  p99Ms: 10,
  idleRssMiB: 64,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------
// Child processes

interface Server {
  child: ChildProcess;
  url: string;
}

const children = new Set<ChildProcess>();
/** Load generators running now, stopped by `cleanUp` if the run fails half-way. */
const loads = new Set<autocannon.Instance>();
let workDir: string | null = null;

/** Compiles both servers, and the part of src they import, into `<dir>/build`. */
function compileServers(dir: string): string {
  const out = join(dir, 'build');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const config = join(root, 'bench', 'tsconfig.servers.json');
  const result = spawnSync(process.execPath, [tsc, '-p', config, '--outDir', out], {
    cwd: root,
    encoding: 'utf8',
  });
  const entry = join(out, 'bench', 'server-gatehouse.js');
  if (!existsSync(entry)) {
    throw new Error(`tsc emitted nothing:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
  }
  if (result.status !== 0) {
    // tsc still emits on type errors; src may be mid-edit. Measure what is there, but say so.
    console.warn(`warning: tsc reported errors, measuring the emitted code anyway:\n${result.stdout}`);
  }
  // Bare imports resolve through the repository's packages…
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
  // …and the common-password list sits where the validator looks for it next to its sources.
  copyFileSync(
    join(root, 'src', 'passwords', 'common-passwords.txt.gz'),
    join(out, 'src', 'passwords', 'common-passwords.txt.gz'),
  );
  return out;
}

function startChild(script: string, env: Record<string, string>, execArgv: string[] = []): Promise<Server> {
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
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolvePromise({ child, url: message.url });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

async function cleanUp(): Promise<void> {
  for (const instance of loads) instance.stop();
  await Promise.all([...children].map(stopChild));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}

function askHashRate(server: Server, seconds: number): Promise<Extract<ChildMessage, { type: 'hash-rate' }>> {
  return new Promise((resolvePromise, reject) => {
    const onExit = () => reject(new Error('the Gatehouse server exited while hashing'));
    server.child.once('exit', onExit);
    server.child.on('message', function onMessage(message: ChildMessage) {
      if (message.type !== 'hash-rate') return;
      server.child.off('message', onMessage);
      server.child.off('exit', onExit);
      resolvePromise(message);
    });
    const request: ParentMessage = { type: 'hash-rate', seconds };
    server.child.send(request);
  });
}

/** VmRSS and VmHWM (peak) of a process, in MiB; null where /proc is not available. */
function memoryOf(pid: number | undefined): { rss: number; peak: number } | null {
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

/** Microseconds of CPU (user + system) a server spent per 2xx response of a load run. */
function cpuPerRequest(ticks: number, run: Load): number {
  return (ticks * 10_000) / Math.max(1, run.rate * SECONDS);
}

function processTicks(pid: number): number {
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
function watchOtherCpu(): () => number | null {
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

// ---------------------------------------------------------------------------
// Load

interface Load {
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

interface LoadRun {
  stop(): void;
  done: Promise<Load>;
}

function startLoad(options: autocannon.Options): LoadRun {
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

const load = (options: autocannon.Options): Promise<Load> => startLoad(options).done;

/** Runs `storm` and, once it is under way, measures `probe` for SECONDS; then stops the storm. */
async function during(storm: autocannon.Options, probe: autocannon.Options) {
  const stormRun = startLoad({ ...storm, duration: SECONDS + 60 });
  await sleep(STORM_LEAD_MS);
  const probed = await load(probe);
  stormRun.stop();
  return { storm: await stormRun.done, probe: probed };
}

function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}

// ---------------------------------------------------------------------------
// The run

interface Row {
  figure: string;
  value: string;
  target: string;
  verdict: 'pass' | 'FAIL' | 'info';
  /** CPUs other processes took while the figure was measured. */
  other?: number | null;
  note?: string;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const verdict = (ok: boolean): Row['verdict'] => (ok ? 'pass' : 'FAIL');
const failures = (run: Load) => (run.failed ? `non-2xx: ${run.statuses}` : undefined);

async function main(): Promise<Row[]> {
  const cpus = availableParallelism();
  console.log(
    `Node ${process.version} · ${cpus} CPUs · ${SECONDS} s per phase · ` +
      `${CONNECTIONS} connections (storms ${STORM_CONNECTIONS}, latency probe ${PROBE_CONNECTIONS})\n`,
  );
  workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  progress('compiling the servers');
  const build = compileServers(workDir);
  const rows: Row[] = [];

  // 1. The baseline: hello world on the same adapter.
  const hello = await startChild(join(build, 'bench', 'server-hello.js'), {});
  progress(`hello world: ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
  await load({ url: hello.url, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  const helloTicks = processTicks(hello.child.pid ?? 0);
  const helloRun = await load({ url: hello.url, connections: CONNECTIONS, duration: SECONDS });
  const helloCpu = cpuPerRequest(processTicks(hello.child.pid ?? 0) - helloTicks, helloRun);
  await stopChild(hello.child);
  rows.push({
    figure: `hello world GET / (${CONNECTIONS} conn)`,
    value: `${fmt(helloRun.rate)} req/s`,
    target: 'baseline',
    verdict: 'info',
    other: helloRun.other,
    note: failures(helloRun),
  });

  // 2. Gatehouse: fresh database, one user, signed in once.
  const email = `bench-user@example.com`;
  const password = `bench-password-${randomBytes(6).toString('hex')}-long`;
  const gatehouse = await startChild(
    join(build, 'bench', 'server-gatehouse.js'),
    { BENCH_DB: join(workDir, 'bench.db'), BENCH_EMAIL: email, BENCH_PASSWORD: password },
    CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [],
  );
  const url = gatehouse.url;
  const signIn = await fetch(`${url}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => /^(__Host-)?gh_session=./.test(pair));
  if (signIn.status !== 200 || !cookie) {
    throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  }
  const check = await fetch(`${url}/auth/session`, { headers: { cookie } });
  if (check.status !== 200) throw new Error(`session check failed: ${check.status} ${await check.text()}`);
  await sleep(1000);
  const idle = memoryOf(gatehouse.child.pid);
  rows.push({
    figure: 'idle RSS after start + 1 sign-in',
    value: idle ? `${fmt(idle.rss, 1)} MiB` : 'n/a',
    target: `< ${TARGETS.idleRssMiB} MiB`,
    verdict: idle ? verdict(idle.rss < TARGETS.idleRssMiB) : 'info',
  });

  // 3. Session checks, at the same load as hello world.
  const session: autocannon.Options = { url: `${url}/auth/session`, headers: { cookie } };
  progress(`GET /auth/session: ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
  await load({ ...session, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  const sessionTicks = processTicks(gatehouse.child.pid ?? 0);
  const sessionRun = await load({ ...session, connections: CONNECTIONS, duration: SECONDS });
  const sessionCpu = cpuPerRequest(processTicks(gatehouse.child.pid ?? 0) - sessionTicks, sessionRun);
  const sessionRatio = sessionRun.rate / helloRun.rate;
  rows.push({
    figure: `GET /auth/session (${CONNECTIONS} conn)`,
    value: `${fmt(sessionRun.rate)} req/s`,
    target: `${fmt(sessionRatio, 2)}× hello, ≥ ${TARGETS.sessionVsHello}`,
    verdict: verdict(sessionRatio >= TARGETS.sessionVsHello),
    other: sessionRun.other,
    note: failures(sessionRun),
  });
  // The load generator shares the two CPUs and parses every response, so req/s partly measures it;
  // the server's own CPU time per request is the figure the server alone decides.
  rows.push({
    figure: 'server CPU per request',
    value: `hello ${fmt(helloCpu, 1)} µs, session ${fmt(sessionCpu, 1)} µs`,
    target: `${fmt(helloCpu / sessionCpu, 2)}× hello's cost, ≥ ${TARGETS.sessionVsHello}`,
    verdict: verdict(helloCpu / sessionCpu >= TARGETS.sessionVsHello),
  });
  await sleep(SETTLE_MS);
  progress(`GET /auth/session latency, no storm: ${SECONDS} s`);
  const quiet = await load({ ...session, connections: PROBE_CONNECTIONS, duration: SECONDS });
  rows.push({
    figure: `session p99, no storm (${PROBE_CONNECTIONS} conn)`,
    value: `${fmt(quiet.p99, 2)} ms`,
    target: `p50 ${fmt(quiet.p50, 2)} ms, ${fmt(quiet.rate)} req/s`,
    verdict: 'info',
    other: quiet.other,
    note: failures(quiet),
  });

  // 4. Sign-in and sign-up throughput against the raw hash rate, measured in the server's process
  // while it stands idle, just before and just after them: the rate drifts on a shared machine.
  const measureHashRate = async () => {
    await sleep(SETTLE_MS);
    progress(`raw argon2id hash rate: ${SECONDS} s`);
    const other = watchOtherCpu();
    const hashing = await askHashRate(gatehouse, SECONDS);
    return { rate: hashing.hashes / hashing.seconds, callers: hashing.callers, other: other() };
  };
  // Bearer mode, as an API client: no cookie, no CSRF check.
  const json = { 'content-type': 'application/json', 'x-auth-mode': 'bearer' };
  const signInStorm: autocannon.Options = {
    url: `${url}/auth/signin`,
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password }),
    connections: STORM_CONNECTIONS,
  };
  let signUps = 0;
  const runId = randomBytes(4).toString('hex');
  const signUpStorm: autocannon.Options = {
    url: `${url}/auth/signup`,
    connections: STORM_CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/auth/signup',
        headers: json,
        // A new account every time: an existing email would be a 409 without any hashing.
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ email: `u${++signUps}.${runId}@example.com`, password }),
        }),
      },
    ],
  };

  const hashedBefore = await measureHashRate();
  await sleep(SETTLE_MS);
  progress(`POST /auth/signin: ${SECONDS} s`);
  const signInRun = await load({ ...signInStorm, duration: SECONDS });
  await sleep(SETTLE_MS);
  progress(`POST /auth/signup: ${SECONDS} s`);
  const signUpRun = await load({ ...signUpStorm, duration: SECONDS });
  const hashedAfter = await measureHashRate();

  const hashRate = (hashedBefore.rate + hashedAfter.rate) / 2;
  const [low, high] = [hashedBefore.rate, hashedAfter.rate].sort((a, b) => a - b);
  rows.push({
    figure: `raw argon2id hashes (${hashedBefore.callers} callers)`,
    value: `${fmt(hashRate, 1)} hashes/s`,
    target: `baseline (${fmt(low ?? NaN, 1)}–${fmt(high ?? NaN, 1)})`,
    verdict: 'info',
    other: Math.max(hashedBefore.other ?? 0, hashedAfter.other ?? 0),
  });
  rows.push({
    figure: `POST /auth/signin (${STORM_CONNECTIONS} conn)`,
    value: `${fmt(signInRun.rate, 1)} req/s`,
    target: `${fmt(signInRun.rate / hashRate, 2)}× hash rate, ≥ ${TARGETS.signInVsHash}`,
    verdict: verdict(signInRun.rate / hashRate >= TARGETS.signInVsHash),
    other: signInRun.other,
    note: failures(signInRun),
  });
  rows.push({
    figure: `POST /auth/signup (${STORM_CONNECTIONS} conn)`,
    value: `${fmt(signUpRun.rate, 1)} req/s`,
    target: `${fmt(signUpRun.rate / hashRate, 2)}× hash rate`,
    verdict: 'info',
    other: signUpRun.other,
    note: failures(signUpRun),
  });

  // 5. Session latency while the hashing pool is saturated.
  const probe: autocannon.Options = { ...session, connections: PROBE_CONNECTIONS, duration: SECONDS };
  for (const [name, storm] of [
    ['sign-in', signInStorm],
    ['sign-up', signUpStorm],
  ] as const) {
    await sleep(SETTLE_MS);
    progress(`GET /auth/session latency during a ${name} storm: ${SECONDS} s`);
    const { storm: stormed, probe: probed } = await during(storm, probe);
    rows.push({
      figure: `session p99, ${name} storm (${PROBE_CONNECTIONS} conn)`,
      value: `${fmt(probed.p99, 2)} ms`,
      target: `< ${TARGETS.p99Ms} ms`,
      verdict: verdict(probed.p99 < TARGETS.p99Ms),
      other: probed.other,
      note:
        `p50 ${fmt(probed.p50, 2)} ms, ${fmt(probed.rate)} req/s; storm ${fmt(stormed.rate, 1)} req/s` +
        (probed.failed || stormed.failed ? `; non-2xx: ${probed.statuses} / ${stormed.statuses}` : ''),
    });
  }

  const after = memoryOf(gatehouse.child.pid);
  rows.push({
    figure: 'RSS after the load',
    value: after ? `${fmt(after.rss, 1)} MiB` : 'n/a',
    target: after ? `peak ${fmt(after.peak, 1)} MiB` : '',
    verdict: 'info',
  });
  await stopChild(gatehouse.child);
  if (CPU_PROF_DIR) progress(`CPU profile of the Gatehouse server written to ${CPU_PROF_DIR}`);
  return rows;
}

/** Above this many CPUs taken by other processes during a figure, the figure is flagged. */
const OTHER_CPU_WARNING = 0.1;

function printTable(rows: Row[]): void {
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
