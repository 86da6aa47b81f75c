/**
 * `npm run bench:compare`: the same three scenarios — a session check, a
 * sign-in, a sign-up — against Gatehouse's standalone server and against
 * Better Auth (installed from npm into a temporary folder, email and
 * password on SQLite through better-sqlite3, its rate limit off as
 * Gatehouse's is), each as a ratio to a bare hello-world server measured in
 * the same run. The servers run one at a time, so neither takes CPU from
 * the other.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import {
  CONNECTIONS,
  compileServers,
  fmt,
  load,
  makeWorkDir,
  progress,
  type Row,
  runBenchmark,
  SECONDS,
  type Server,
  startChild,
  stopChild,
  WARM_UP_SECONDS,
} from './lib.js';

/** Connections of the sign-in and sign-up runs: enough to keep every hashing slot busy. */
const STORM_CONNECTIONS = 16;
const BETTER_AUTH = 'better-auth@^1';

/** A server under comparison: how to reach its three scenarios. */
interface Subject {
  name: string;
  server: Server;
  cookie: string;
  sessionPath: string;
  signIn: autocannon.Options;
  signUp: (id: string) => autocannon.Options;
}

const BETTER_AUTH_SERVER = `
import http from 'node:http';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';

const server = http.createServer();
server.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port;
  const auth = betterAuth({
    database: new Database(process.env.BA_DB),
    emailAndPassword: { enabled: true },
    secret: 'the comparison benchmark secret, at least thirty-two characters',
    baseURL: url,
    rateLimit: { enabled: false },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const handler = toNodeHandler(auth);
  server.on('request', (req, res) => handler(req, res));
  process.send({ type: 'ready', url });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
`;

function installBetterAuth(dir: string): string {
  const folder = join(dir, 'better-auth');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({ name: 'compare', private: true, type: 'module' }),
  );
  progress(`installing ${BETTER_AUTH} and better-sqlite3 from npm`);
  const installed = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', BETTER_AUTH, 'better-sqlite3@12'],
    { cwd: folder, encoding: 'utf8' },
  );
  if (installed.status !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
  const version = spawnSync(
    process.execPath,
    ['-p', "require('./node_modules/better-auth/package.json').version"],
    {
      cwd: folder,
      encoding: 'utf8',
    },
  ).stdout.trim();
  progress(`Better Auth ${version}`);
  writeFileSync(join(folder, 'server.mjs'), BETTER_AUTH_SERVER);
  return folder;
}

async function post(url: string, body: unknown, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });
}

function cookieOf(response: Response, name: RegExp): string {
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => name.test(pair));
  if (response.status !== 200 || !cookie) throw new Error(`sign-in failed: ${response.status}`);
  return cookie;
}

/** Session checks, sign-ins and sign-ups against one server: req/s of each. */
async function measure(subject: Subject): Promise<{ session: number; signIn: number; signUp: number }> {
  const { url } = subject.server;
  const session: autocannon.Options = {
    url: `${url}${subject.sessionPath}`,
    headers: { cookie: subject.cookie },
    connections: CONNECTIONS,
  };
  progress(`${subject.name}: session checks, ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
  await load({ ...session, duration: WARM_UP_SECONDS });
  const sessionRun = await load({ ...session, duration: SECONDS });
  progress(`${subject.name}: sign-ins, ${SECONDS} s`);
  const signInRun = await load({ ...subject.signIn, duration: SECONDS });
  progress(`${subject.name}: sign-ups, ${SECONDS} s`);
  const signUpRun = await load({ ...subject.signUp(randomBytes(4).toString('hex')), duration: SECONDS });
  for (const [what, run] of [
    ['session checks', sessionRun],
    ['sign-ins', signInRun],
    ['sign-ups', signUpRun],
  ] as const) {
    if (run.failed > 0) console.warn(`warning: ${subject.name} ${what}: non-2xx ${run.statuses}`);
  }
  return { session: sessionRun.rate, signIn: signInRun.rate, signUp: signUpRun.rate };
}

/** A sign-up a request: a new address each time (an existing one would be refused without hashing). */
function signUps(
  url: string,
  path: string,
  body: (email: string) => unknown,
  id: string,
): autocannon.Options {
  let n = 0;
  return {
    url: `${url}${path}`,
    connections: STORM_CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', origin: url, 'x-auth-mode': 'bearer' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body(`c${++n}.${id}@example.com`)) }),
      },
    ],
  };
}

async function main(): Promise<Row[]> {
  const workDir = makeWorkDir();
  const betterAuthDir = installBetterAuth(workDir);
  progress('compiling the servers');
  const build = compileServers(workDir);

  const hello = await startChild(join(build, 'bench', 'server-hello.js'), {});
  progress(`hello world: ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
  await load({ url: hello.url, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  const helloRate = (await load({ url: hello.url, connections: CONNECTIONS, duration: SECONDS })).rate;
  await stopChild(hello.child);

  const email = 'compare@example.com';
  const password = `compare-password-${randomBytes(6).toString('hex')}`;

  const gatehouse = await startChild(join(build, 'bench', 'server-gatehouse.js'), {
    BENCH_DB: join(workDir, 'gatehouse.db'),
    BENCH_EMAIL: email,
    BENCH_PASSWORD: password,
  });
  const ours = await measure({
    name: 'Gatehouse',
    server: gatehouse,
    cookie: cookieOf(
      await post(`${gatehouse.url}/auth/signin`, { email, password }, gatehouse.url),
      /gh_session=/,
    ),
    sessionPath: '/auth/session',
    signIn: {
      url: `${gatehouse.url}/auth/signin`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer' },
      body: JSON.stringify({ email, password }),
      connections: STORM_CONNECTIONS,
    },
    signUp: (id) => signUps(gatehouse.url, '/auth/signup', (address) => ({ email: address, password }), id),
  });
  await stopChild(gatehouse.child);

  const betterAuth = await startChild(join(betterAuthDir, 'server.mjs'), {
    BA_DB: join(workDir, 'better-auth.db'),
  });
  const created = await post(
    `${betterAuth.url}/api/auth/sign-up/email`,
    { email, password, name: 'Compare' },
    betterAuth.url,
  );
  if (created.status !== 200)
    throw new Error(`Better Auth sign-up failed: ${created.status} ${await created.text()}`);
  const theirs = await measure({
    name: 'Better Auth',
    server: betterAuth,
    cookie: cookieOf(
      await post(`${betterAuth.url}/api/auth/sign-in/email`, { email, password }, betterAuth.url),
      /better-auth\.session_token=/,
    ),
    sessionPath: '/api/auth/get-session',
    signIn: {
      url: `${betterAuth.url}/api/auth/sign-in/email`,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: betterAuth.url },
      body: JSON.stringify({ email, password }),
      connections: STORM_CONNECTIONS,
    },
    signUp: (id) =>
      signUps(
        betterAuth.url,
        '/api/auth/sign-up/email',
        (address) => ({ email: address, password, name: 'Compare' }),
        id,
      ),
  });
  await stopChild(betterAuth.child);

  const row = (figure: string, a: number, b: number): Row => ({
    figure,
    value: `${fmt(a)} vs ${fmt(b)} req/s`,
    target: `${fmt(a / helloRate, 3)}× vs ${fmt(b / helloRate, 3)}× hello · ${fmt(a / b, 1)}× Better Auth`,
    verdict: a > b ? 'pass' : 'FAIL',
  });
  return [
    {
      figure: 'hello world GET / (baseline)',
      value: `${fmt(helloRate)} req/s`,
      target: 'baseline',
      verdict: 'info',
    },
    row(`session check (${CONNECTIONS} conn), Gatehouse vs Better Auth`, ours.session, theirs.session),
    row(`sign-in (${STORM_CONNECTIONS} conn), Gatehouse vs Better Auth`, ours.signIn, theirs.signIn),
    row(`sign-up (${STORM_CONNECTIONS} conn), Gatehouse vs Better Auth`, ours.signUp, theirs.signUp),
  ];
}

await runBenchmark(main);
