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
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { createVerifier } from '../src/verify/index.js';
import {
  CONNECTIONS,
  compileServers,
  cpuPerRequest as cpuPerRequestOf,
  failures,
  fmt,
  type Load,
  load,
  makeWorkDir,
  memoryOf,
  processTicks,
  progress,
  type Row,
  runBenchmark,
  SECONDS,
  type Server,
  startChild,
  startLoad,
  stopChild,
  verdict,
  WARM_UP_SECONDS,
  watchOtherCpu,
} from './lib.js';
import type { ChildMessage, ParentMessage } from './server-gatehouse.js';

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

// ---------------------------------------------------------------------------
// Child processes

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

/** Microseconds of CPU (user + system) a server spent per 2xx response of a load run. */
function cpuPerRequest(ticks: number, run: Load): number {
  return cpuPerRequestOf(ticks, run, SECONDS);
}

// ---------------------------------------------------------------------------
// Load

/** Runs `storm` and, once it is under way, measures `probe` for SECONDS; then stops the storm. */
async function during(storm: autocannon.Options, probe: autocannon.Options) {
  const stormRun = startLoad({ ...storm, duration: SECONDS + 60 });
  await sleep(STORM_LEAD_MS);
  const probed = await load(probe);
  stormRun.stop();
  return { storm: await stormRun.done, probe: probed };
}

// ---------------------------------------------------------------------------
// The run

async function main(): Promise<Row[]> {
  const cpus = availableParallelism();
  console.log(
    `Node ${process.version} · ${cpus} CPUs · ${SECONDS} s per phase · ` +
      `${CONNECTIONS} connections (storms ${STORM_CONNECTIONS}, latency probe ${PROBE_CONNECTIONS})\n`,
  );
  const workDir = makeWorkDir();
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

  // Access tokens verified locally by a resource server (gatehouse/verify, in this process, one core),
  // against the session checks the auth server answered above: what token mode saves a service.
  const exchanged = await fetch(`${url}/auth/token`, { method: 'POST', headers: { cookie, origin: url } });
  if (exchanged.status !== 200) throw new Error(`token exchange failed: ${exchanged.status}`);
  const { accessToken } = (await exchanged.json()) as { accessToken: string };
  const verifier = createVerifier({
    jwksUrl: `${url}/auth/.well-known/jwks.json`,
    issuer: `${url}/auth`,
    audience: `${url}/auth`,
  });
  await verifier.verify(accessToken);
  progress(`access-token verification in process: ${SECONDS} s`);
  const verifyStarted = performance.now();
  let verified = 0;
  while (performance.now() - verifyStarted < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) await verifier.verify(accessToken);
    verified += 100;
  }
  const verifyRate = verified / ((performance.now() - verifyStarted) / 1000);
  rows.push({
    figure: 'access-token verify, in process (1 core)',
    value: `${fmt(verifyRate)} tokens/s`,
    target: `${fmt(verifyRate / sessionRun.rate, 2)}× GET /auth/session`,
    verdict: 'info',
  });
  await sleep(SETTLE_MS);

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

await runBenchmark(main);
