/**
 * The Gatehouse standalone server as `npm run bench` measures it: `startServer`
 * on a fresh SQLite file (path in `BENCH_DB`), migrated, rate limits off, with
 * one user (`BENCH_EMAIL`, `BENCH_PASSWORD`) created through `auth.users`.
 * `bench/http.ts` compiles and forks it; they talk over IPC.
 *
 * On request it also measures the raw argon2id hash rate in this process, with
 * the default hasher registry, while the server stands idle.
 */
import { availableParallelism } from 'node:os';
import { startServer } from '../src/http/server.js';
import { createAuth } from '../src/index.js';
import { createPasswordHashers } from '../src/passwords/index.js';

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'hash-rate'; hashes: number; seconds: number; callers: number };

export type ParentMessage = { type: 'hash-rate'; seconds: number };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function hashRate(seconds: number): Promise<ChildMessage> {
  const hashers = createPasswordHashers();
  // Loads the binding and starts the pool's threads before the clock runs.
  await hashers.hash('bench-warm-up-password');
  const callers = 2 * availableParallelism();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let hashes = 0;
  await Promise.all(
    Array.from({ length: callers }, async (_, id) => {
      for (let n = 0; performance.now() < deadline; n++) {
        await hashers.hash(`bench-password-${id}-${n}`);
        hashes++;
      }
    }),
  );
  return { type: 'hash-rate', hashes, seconds: (performance.now() - started) / 1000, callers };
}

const auth = createAuth({
  database: { url: required('BENCH_DB') },
  // Token mode (the access-token figure) needs a secret.
  secret: 'the benchmark server secret, at least thirty-two characters',
  rateLimits: false,
  logLevel: 'silent',
});
await auth.migrate();
await auth.users.create({ email: required('BENCH_EMAIL'), password: required('BENCH_PASSWORD') });
const server = await startServer(auth, { port: 0, host: '127.0.0.1' });

process.on('message', (message: ParentMessage) => {
  if (message.type === 'hash-rate') {
    hashRate(message.seconds).then(
      (result) => process.send?.(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 3000).unref();
  server.stop().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
// The parent is gone (crashed, killed): do not outlive it.
process.on('disconnect', stop);

const ready: ChildMessage = { type: 'ready', url: server.url };
process.send?.(ready);
