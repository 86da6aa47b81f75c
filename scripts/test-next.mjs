#!/usr/bin/env node
// The Next.js example, built and started for real: `next build`, then `next start` on a free port,
// reading the session in a server component, a route handler and the proxy. Gatehouse is installed
// into the example from `npm pack`, as an app would get it from the registry. Exits 1 on a failure.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const app = join(root, 'examples', 'next');
const next = join(root, 'node_modules', '.bin', 'next');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const work = mkdtempSync(join(tmpdir(), 'gatehouse-next-'));
let server;

function check(condition, what) {
  if (!condition) throw new Error(`Next.js example: ${what}`);
  console.log(`ok   ${what}`);
}

const freePort = () =>
  new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });

try {
  console.log('· packing gatehouse and installing it into examples/next');
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, env })
    .toString()
    .trim()
    .split('\n')
    .at(-1);
  const installed = join(app, 'node_modules', 'gatehouse');
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', installed, '--strip-components=1']);

  console.log('· next build');
  rmSync(join(app, '.next'), { recursive: true, force: true });
  execFileSync(next, ['build'], { cwd: app, env, stdio: 'inherit' });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  console.log(`· next start on ${url}`);
  server = spawn(next, ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app,
    env: { ...env, DATABASE_URL: join(work, 'next.db'), GATEHOUSE_PUBLIC_URL: url },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/auth/ui/signin`);
      break;
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }

  const who = async (cookie) =>
    /<p id="who">([^<]*)/.exec(await (await fetch(url, { headers: { cookie } })).text())?.[1];
  check((await who('')) === 'Not signed in', 'a server component reads no session without a cookie');
  const signup = await fetch(`${url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email: 'next@example.com', password: 'correct horse battery staple' }),
  });
  check(signup.status === 201, 'the API route handler signs a user up (201)');
  const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  check((await who(cookie)) === 'Signed in as next@example.com', 'a server component reads the session');
  const me = await (await fetch(`${url}/api/me`, { headers: { cookie } })).json();
  check(me.email === 'next@example.com', 'a route handler reads the session');
  const guarded = await fetch(`${url}/me`, { headers: { accept: 'text/html' }, redirect: 'manual' });
  check(
    guarded.status === 302 &&
      new URL(guarded.headers.get('location') ?? '', url).href === `${url}/auth/ui/signin?next=%2Fme`,
    `the proxy sends a signed-out browser to sign in (${guarded.status} ${guarded.headers.get('location')})`,
  );
  const api = await fetch(`${url}/me`, { headers: { accept: 'application/json' } });
  check(api.status === 401, 'the proxy answers 401 to a signed-out API client');
  const page = await (await fetch(`${url}/me`, { headers: { cookie } })).text();
  check(page.includes('<p id="me">next@example.com'), 'the proxy lets a signed-in user through');
  const signin = await fetch(`${url}/auth/ui/signin`);
  check(signin.status === 200, 'the pre-built pages are served');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  server?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
