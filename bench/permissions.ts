/**
 * What a permission check costs: `auth.permissions.hasPerm(user, codename)`
 * for a user in 50 groups × 50 permissions (2,500 distinct), in-process, and
 * a Hono route behind `requirePerm(auth, 'post.view')` under HTTP load.
 *
 *   npm run bench:permissions              # about 50 s
 *   BENCH_SECONDS=10 npm run bench:permissions
 *   BENCH_ITERATIONS=1000 npm run bench:permissions
 *   DATABASE_URL=postgres://… npm run bench:permissions   # the cold check on PostgreSQL too
 *
 * In this process, on a fresh SQLite file (and a fresh PostgreSQL schema when
 * DATABASE_URL says so, cold only, before and after `ANALYZE`):
 *
 * - cold: before each check, an assignment change that changes nothing
 *   (granting the last group a permission it already has) bumps the cache's
 *   version, so the check runs `getAllPermissions`' one query and builds the
 *   set of 2,500 codenames. After each check the benchmark makes sure the
 *   check really rebuilt the set (a cache hit returns the same `Set` object).
 *   µs per check, median and p99 over BENCH_ITERATIONS (default 200).
 * - warm: the same check again and again on the cached set, for BENCH_SECONDS
 *   after 1 s of warm-up: checks per second and ns per check.
 *
 * Over HTTP, like `npm run bench:adapters` (servers compiled with tsc and run
 * as plain `node` child processes, autocannon in this process): the bare
 * Hono route of `bench/server-hono.ts`, and `GET /open`, `GET /user`
 * (`requireUser`) and `GET /perm` (`requirePerm(auth, 'post.view')`) on the
 * Gatehouse-enabled Hono server of `bench/server-permissions.ts`.
 *
 * Exits 0 whatever the figures are; 1 only when it cannot measure.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CONNECTIONS,
  compileServers,
  failures,
  fmt,
  makeWorkDir,
  onCleanUp,
  positive,
  progress,
  type Row,
  runBenchmark,
  SECONDS,
  startChild,
  stopChild,
  verdict,
  WARM_UP_SECONDS,
  waitForQuiet,
  watchOtherCpu,
} from './lib.js';
import { expectRoute, MAX_QUIET_WAIT_SECONDS, type Measured, measureRoute, QUIET_CPU } from './routes.js';
import type { AdapterReady } from './server-adapter.js';
import {
  GROUPS,
  groupName,
  HELD,
  PER_GROUP,
  type PermissionFixture,
  permissionFixture,
} from './server-permissions-fixture.js';

/** Cold checks measured (`BENCH_ITERATIONS`, default 200)… */
const ITERATIONS = Math.round(positive(process.env.BENCH_ITERATIONS, 200));
/** …after this many unmeasured ones. */
const COLD_WARM_UP = 20;
/** Warm checks run in batches of this many between two looks at the clock. */
const WARM_BATCH = 10_000;
/** With `BENCH_CPU_PROF=<dir>`, both servers write a V8 CPU profile there when they stop. */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
/** `/perm`'s throughput as a share of `/open`'s and of `/user`'s. */
const TARGET = 0.8;
const PERMISSIONS = GROUPS * PER_GROUP;

// ---------------------------------------------------------------------------
// In-process checks

interface Cold {
  /** µs per check. */
  median: number;
  p99: number;
  other: number | null;
}

/**
 * Cold checks: each one after an assignment change that changes nothing, so
 * that it runs the query. Fails if a check did not rebuild the set.
 */
async function measureCold({ auth, user }: PermissionFixture): Promise<Cold> {
  const permissions = auth.permissions;
  const lastGroup = groupName(GROUPS - 1);
  let previous = await permissions.getAllPermissions(user);
  const times: number[] = [];
  let other: (() => number | null) | null = null;
  for (let i = -COLD_WARM_UP; i < ITERATIONS; i++) {
    if (i === 0) other = watchOtherCpu();
    // Already granted: nothing changes but the cache's version.
    await permissions.grantToGroup(lastGroup, [HELD]);
    const started = performance.now();
    const held = await permissions.hasPerm(user, HELD);
    const elapsed = performance.now() - started;
    // A hit now: the set the measured check cached. The same object as before means it did not rebuild it.
    const current = await permissions.getAllPermissions(user);
    if (!held || current === previous || current.size !== PERMISSIONS) {
      throw new Error(
        `cold check ${i}: held ${held}, rebuilt ${current !== previous}, ${current.size} permissions`,
      );
    }
    previous = current;
    if (i >= 0) times.push(elapsed * 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return { median: at(0.5), p99: at(0.99), other: other?.() ?? null };
}

interface Warm {
  perSecond: number;
  /** ns per check. */
  ns: number;
  other: number | null;
}

/** Warm checks: the cached set, for BENCH_SECONDS after the warm-up. Fails if the cache was emptied meanwhile. */
async function measureWarm({ auth, user }: PermissionFixture): Promise<Warm> {
  const permissions = auth.permissions;
  const cached = await permissions.getAllPermissions(user);
  const run = async (seconds: number) => {
    const started = performance.now();
    const end = started + seconds * 1000;
    let checks = 0;
    while (performance.now() < end) {
      for (let i = 0; i < WARM_BATCH; i++) {
        if (!(await permissions.hasPerm(user, HELD))) throw new Error(`a warm check said no to ${HELD}`);
      }
      checks += WARM_BATCH;
    }
    return { checks, seconds: (performance.now() - started) / 1000 };
  };
  await run(WARM_UP_SECONDS);
  const other = watchOtherCpu();
  const { checks, seconds } = await run(SECONDS);
  const taken = other();
  if ((await permissions.getAllPermissions(user)) !== cached)
    throw new Error('the warm checks missed the cache');
  return { perSecond: checks / seconds, ns: (seconds * 1e9) / checks, other: taken };
}

const coldValue = (cold: Cold) => `median ${fmt(cold.median)} µs, p99 ${fmt(cold.p99)} µs per check`;

async function inProcessOnSqlite(workDir: string): Promise<Row[]> {
  progress(`SQLite: creating ${GROUPS} groups × ${PER_GROUP} permissions`);
  const fixture = await permissionFixture({ url: join(workDir, 'in-process.db') });
  try {
    await waitForQuiet(QUIET_CPU, MAX_QUIET_WAIT_SECONDS);
    progress(`SQLite: ${COLD_WARM_UP} + ${ITERATIONS} cold checks`);
    const cold = await measureCold(fixture);
    await waitForQuiet(QUIET_CPU, MAX_QUIET_WAIT_SECONDS);
    progress(`SQLite: warm checks, ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
    const warm = await measureWarm(fixture);
    return [
      {
        figure: 'hasPerm cold, SQLite',
        value: coldValue(cold),
        target: `one query, ${PERMISSIONS} codenames`,
        verdict: 'info',
        other: cold.other,
      },
      {
        figure: 'hasPerm warm (cached set)',
        value: `${fmt(warm.perSecond)} checks/s, ${fmt(warm.ns)} ns per check`,
        target: `${fmt((cold.median * 1000) / warm.ns)}× faster than cold`,
        verdict: 'info',
        other: warm.other,
      },
    ];
  } finally {
    await fixture.auth.close();
  }
}

const postgresUrl = (): string | undefined =>
  /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined;

/**
 * The cold check on a fresh schema of DATABASE_URL's database, dropped at the
 * end (Ctrl-C included): first on the tables as they come out of the
 * fixture, without statistics, then after `ANALYZE`, which autovacuum would
 * have run on them within a minute or so in a live database.
 */
async function coldOnPostgres(url: string): Promise<Row[]> {
  const { default: pg } = await import('pg');
  const schema = `gh_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  let fixture: PermissionFixture | null = null;
  const drop = onCleanUp(async () => {
    await fixture?.auth.close();
    await admin(`drop schema if exists ${schema} cascade`);
  });
  const row = (figure: string, cold: Cold): Row => ({
    figure,
    value: coldValue(cold),
    target: `one query, ${PERMISSIONS} codenames`,
    verdict: 'info',
    // Not in the other procs column, whose warning it would set off: the PostgreSQL server answering is part of the work.
    note:
      `other processes took ${cold.other == null ? 'n/a' : fmt(cold.other, 2)} CPU meanwhile, ` +
      'the PostgreSQL server answering the queries included',
  });
  try {
    progress(`PostgreSQL (schema ${schema}): creating ${GROUPS} groups × ${PER_GROUP} permissions`);
    fixture = await permissionFixture({ url, schema });
    await waitForQuiet(QUIET_CPU, MAX_QUIET_WAIT_SECONDS);
    progress(`PostgreSQL, no statistics yet: ${COLD_WARM_UP} + ${ITERATIONS} cold checks`);
    const fresh = await measureCold(fixture);
    const tables = ['permissions', 'group_permissions', 'user_groups', 'user_permissions'];
    await admin(`analyze ${tables.map((table) => `${schema}.${table}`).join(', ')}`);
    await waitForQuiet(QUIET_CPU, MAX_QUIET_WAIT_SECONDS);
    progress(`PostgreSQL, after ANALYZE: ${COLD_WARM_UP} + ${ITERATIONS} cold checks`);
    const analyzed = await measureCold(fixture);
    return [
      row('hasPerm cold, PostgreSQL, fresh tables', fresh),
      row('hasPerm cold, PostgreSQL, after ANALYZE', analyzed),
    ];
  } finally {
    await drop();
  }
}

// ---------------------------------------------------------------------------
// HTTP

interface Route {
  route: string;
  measured: Measured;
}

function printRoutes(routes: Route[], bare: Measured, user: Measured): void {
  const header = ['route', 'req/s', '× bare', '× /user', 'server CPU/req', 'p50 / p99', 'other procs'];
  const table = [
    header,
    ...routes.map(({ route, measured: { run, cpu } }) => [
      route,
      fmt(run.rate),
      `${fmt(run.rate / bare.run.rate, 2)}×`,
      `${fmt(run.rate / user.run.rate, 2)}×`,
      `${fmt(cpu, 1)} µs`,
      `${fmt(run.p50, 2)} / ${fmt(run.p99, 2)} ms`,
      run.other == null ? '-' : `${fmt(run.other, 2)} CPU`,
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const cells of table.slice(1)) console.log(line(cells));
  for (const { route, measured } of routes) {
    const failed = failures(measured.run);
    if (failed) console.log(`${route}: ${failed}`);
  }
}

async function overHttp(workDir: string): Promise<Row[]> {
  progress('compiling the servers');
  const build = compileServers(workDir, 'tsconfig.permissions.json', 'bench/server-permissions.js');
  const profile = (name: string) =>
    CPU_PROF_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
  progress('starting the servers');
  // Both idle but the one under load: an idle Node process takes no CPU worth counting.
  const bareServer = await startChild<AdapterReady>(
    join(build, 'bench', 'server-hono.js'),
    { BENCH_VARIANT: 'bare' },
    profile('permissions-bare'),
  );
  const server = await startChild<AdapterReady>(
    join(build, 'bench', 'server-permissions.js'),
    { BENCH_DB: join(workDir, 'server.db') },
    profile('permissions-gatehouse'),
  );
  const cookie = server.ready.cookie;
  if (!cookie) throw new Error('the permissions server sent no session cookie');
  await expectRoute(bareServer, '/open', null, 200);
  for (const path of ['/open', '/user', '/perm']) await expectRoute(server, path, cookie, 200);
  await expectRoute(server, '/user', null, 401);
  await expectRoute(server, '/perm', null, 401);
  await expectRoute(server, '/denied', cookie, 403);

  const bare = await measureRoute(bareServer, '/open', null, 'GET /open, bare Hono');
  const open = await measureRoute(server, '/open', cookie, 'GET /open, gatehouse()');
  const user = await measureRoute(server, '/user', cookie, 'GET /user, requireUser');
  const perm = await measureRoute(server, '/perm', cookie, 'GET /perm, requirePerm');
  await Promise.all([stopChild(bareServer.child), stopChild(server.child)]);
  if (CPU_PROF_DIR) progress(`CPU profiles of the servers written to ${CPU_PROF_DIR}`);

  printRoutes(
    [
      { route: 'GET /open, bare Hono', measured: bare },
      { route: 'GET /open, gatehouse()', measured: open },
      { route: 'GET /user, + requireUser()', measured: user },
      { route: `GET /perm, + requirePerm('${HELD}')`, measured: perm },
    ],
    bare,
    user,
  );
  const ratio = (a: Measured, b: Measured) => a.run.rate / b.run.rate;
  // A ratio is as disturbed as the more disturbed of its two runs.
  const other = (a: Measured, b: Measured) =>
    a.run.other == null || b.run.other == null ? null : Math.max(a.run.other, b.run.other);
  return [
    {
      figure: 'GET /perm ÷ GET /user',
      value: `${fmt(perm.run.rate)} / ${fmt(user.run.rate)} req/s`,
      target: `${fmt(ratio(perm, user), 2)}×, ≥ ${TARGET}`,
      verdict: verdict(ratio(perm, user) >= TARGET),
      other: other(perm, user),
      note: failures(perm.run) ?? failures(user.run),
    },
    {
      figure: 'GET /perm ÷ GET /open (gatehouse())',
      value: `${fmt(perm.run.rate)} / ${fmt(open.run.rate)} req/s`,
      target: `${fmt(ratio(perm, open), 2)}×, ≥ ${TARGET}`,
      verdict: verdict(ratio(perm, open) >= TARGET),
      other: other(perm, open),
      note: failures(open.run),
    },
    {
      figure: 'GET /perm ÷ bare Hono',
      value: `${fmt(perm.run.rate)} / ${fmt(bare.run.rate)} req/s`,
      target: `${fmt(ratio(perm, bare), 2)}×`,
      verdict: 'info',
      other: other(perm, bare),
      note: failures(bare.run),
    },
    {
      figure: 'server CPU per request',
      value: `bare ${fmt(bare.cpu, 1)}, open ${fmt(open.cpu, 1)}, user ${fmt(user.cpu, 1)}, perm ${fmt(perm.cpu, 1)} µs`,
      target: `/perm − /user: ${fmt(perm.cpu - user.cpu, 1)} µs`,
      verdict: 'info',
    },
  ];
}

async function main(): Promise<Row[]> {
  console.log(
    `Node ${process.version} · ${availableParallelism()} CPUs · ${GROUPS} groups × ${PER_GROUP} permissions · ` +
      `${ITERATIONS} cold checks · ${WARM_UP_SECONDS} s warm-up + ${SECONDS} s per figure · ` +
      `${CONNECTIONS} connections\n`,
  );
  const workDir = makeWorkDir();
  const rows = await inProcessOnSqlite(workDir);
  const url = postgresUrl();
  if (url) {
    rows.push(...(await coldOnPostgres(url)));
  } else {
    progress('PostgreSQL skipped: DATABASE_URL does not start with postgres://');
    rows.push({
      figure: 'hasPerm cold, PostgreSQL',
      value: 'skipped: DATABASE_URL does not start with postgres://',
      target: '-',
      verdict: 'info',
    });
  }
  rows.push(...(await overHttp(workDir)));
  return rows;
}

await runBenchmark(main);
