/**
 * The cost of the framework adapters' guard: for Express, Fastify and Hono,
 * the throughput of a route behind `requireUser(auth)` (valid session cookie)
 * against the same framework's plain route answering the same small JSON.
 *
 *   npm run bench:adapters                # about 70 s
 *   BENCH_SECONDS=10 npm run bench:adapters
 *   BENCH_FRAMEWORKS=hono npm run bench:adapters
 *
 * Per framework, two servers (`bench/server-<framework>.ts`), compiled with
 * tsc and run as plain `node` child processes like `npm run bench`'s:
 *
 * - bare: the framework alone, `GET /open`;
 * - gatehouse: the app-wide middleware (plugin for Fastify) on a fresh SQLite
 *   file, the same `GET /open` (which now pays the session lookup), and
 *   `GET /guarded` behind `requireUser(auth)`.
 *
 * Each route gets 1 s of warm-up and then BENCH_SECONDS of autocannon at the
 * same connections; the server's CPU time per response comes from /proc.
 * Exits 0 whatever the figures are; 1 only when it cannot measure.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CONNECTIONS,
  compileServers,
  failures,
  fmt,
  makeWorkDir,
  progress,
  type Row,
  runBenchmark,
  SECONDS,
  startChild,
  stopChild,
  verdict,
  WARM_UP_SECONDS,
} from './lib.js';
import { expectRoute, type Measured, measureRoute } from './routes.js';
import type { AdapterReady, Variant } from './server-adapter.js';

/** With `BENCH_CPU_PROF=<dir>`, every server writes a V8 CPU profile there when it stops. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
/** Guarded throughput (and CPU cost) as a share of the bare route's. */
const TARGET = 0.8;

const FRAMEWORKS = ['express', 'fastify', 'hono'] as const;
type Framework = (typeof FRAMEWORKS)[number];

function frameworks(): Framework[] {
  const wanted = process.env.BENCH_FRAMEWORKS?.split(',').map((name) => name.trim().toLowerCase());
  if (!wanted) return [...FRAMEWORKS];
  const unknown = wanted.filter((name) => !(FRAMEWORKS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_FRAMEWORKS: unknown ${unknown.join(', ')}`);
  return FRAMEWORKS.filter((name) => wanted.includes(name));
}

async function main(): Promise<Row[]> {
  const cpus = availableParallelism();
  const selected = frameworks();
  console.log(
    `Node ${process.version} · ${cpus} CPUs · ${WARM_UP_SECONDS} s warm-up + ${SECONDS} s per route · ` +
      `${CONNECTIONS} connections\n`,
  );
  const workDir = makeWorkDir();
  progress('compiling the servers');
  const build = compileServers(workDir, 'tsconfig.adapters.json', `bench/server-${selected[0]}.js`);
  const rows: Row[] = [];

  for (const framework of selected) {
    const script = join(build, 'bench', `server-${framework}.js`);
    const start = (variant: Variant, env: Record<string, string> = {}) =>
      startChild<AdapterReady>(
        script,
        { BENCH_VARIANT: variant, ...env },
        CPU_PROF_DIR
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${CPU_PROF_DIR}`,
              `--cpu-prof-name=${framework}-${variant}.cpuprofile`,
            ]
          : [],
      );
    progress(`${framework}: starting the servers`);
    // Both idle but the one under load: an idle Node process takes no CPU worth counting.
    const bare = await start('bare');
    const guarded = await start('gatehouse', { BENCH_DB: join(workDir, `${framework}.db`) });
    const cookie = guarded.ready.cookie;
    if (!cookie) throw new Error(`${framework}: the gatehouse server sent no session cookie`);
    await expectRoute(bare, '/open', null, 200);
    await expectRoute(guarded, '/open', cookie, 200);
    await expectRoute(guarded, '/guarded', cookie, 200);
    await expectRoute(guarded, '/guarded', null, 401);

    const plain = await measureRoute(bare, '/open', null, `${framework} GET /open, bare`);
    const open = await measureRoute(guarded, '/open', cookie, `${framework} GET /open, gatehouse()`);
    const behind = await measureRoute(guarded, '/guarded', cookie, `${framework} GET /guarded, requireUser`);
    await Promise.all([stopChild(bare.child), stopChild(guarded.child)]);

    const perSecond = (m: Measured) => `${fmt(m.run.rate)} req/s`;
    const ratio = (m: Measured) => m.run.rate / plain.run.rate;
    rows.push(
      {
        figure: `${framework}: GET /open, no Gatehouse`,
        value: perSecond(plain),
        target: 'baseline',
        verdict: 'info',
        other: plain.run.other,
        note: failures(plain.run),
      },
      {
        figure: `${framework}: GET /open, gatehouse() on the app`,
        value: perSecond(open),
        target: `${fmt(ratio(open), 2)}× bare`,
        verdict: 'info',
        other: open.run.other,
        note: failures(open.run),
      },
      {
        figure: `${framework}: GET /guarded, + requireUser()`,
        value: perSecond(behind),
        target: `${fmt(ratio(behind), 2)}× bare, ≥ ${TARGET}`,
        verdict: verdict(ratio(behind) >= TARGET),
        other: behind.run.other,
        note: failures(behind.run),
      },
      {
        // req/s partly measures the load generator, which shares the CPUs; this is the server's own cost.
        figure: `${framework}: server CPU per request`,
        value: `bare ${fmt(plain.cpu, 1)} µs, open ${fmt(open.cpu, 1)} µs, guarded ${fmt(behind.cpu, 1)} µs`,
        target: `${fmt(plain.cpu / behind.cpu, 2)}× bare's cost, ≥ ${TARGET}`,
        verdict: verdict(plain.cpu / behind.cpu >= TARGET),
      },
    );
  }
  if (CPU_PROF_DIR) progress(`CPU profiles of the servers written to ${CPU_PROF_DIR}`);
  return rows;
}

await runBenchmark(main);
