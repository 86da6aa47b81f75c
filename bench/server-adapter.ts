/**
 * What the servers of `npm run bench:adapters` share (`bench/server-express.ts`,
 * `server-fastify.ts`, `server-hono.ts`). `bench/adapters.ts` compiles and
 * forks each of them twice, as `BENCH_VARIANT`:
 *
 * - `bare`: the framework alone, `GET /open` answering {@link BODY}; Gatehouse
 *   is not even loaded.
 * - `gatehouse`: the app-wide middleware (or plugin) on a fresh SQLite file
 *   (`BENCH_DB`), `GET /open` as above, and `GET /guarded` behind the
 *   adapter's `requireUser(auth)` answering the same body. One user is
 *   created and one session opened in-process; its cookie goes to the parent
 *   in the `ready` message.
 */
import type { Auth } from '../src/auth.js';

export type Variant = 'bare' | 'gatehouse';

/** The ready message: the address, and in the `gatehouse` variant the session cookie. */
export interface AdapterReady {
  type: 'ready';
  url: string;
  cookie: string | null;
}

/** What every measured route answers, guarded or not. */
export const BODY = { ok: true, message: 'hello' } as const;

export function variant(): Variant {
  const value = process.env.BENCH_VARIANT;
  if (value !== 'bare' && value !== 'gatehouse') throw new Error(`BENCH_VARIANT is ${value ?? 'not set'}`);
  return value;
}

/** Gatehouse on a fresh database, one user, one session: the instance and the `Cookie` header to send. */
export async function benchAuth(): Promise<{ auth: Auth; cookie: string }> {
  const database = process.env.BENCH_DB;
  if (!database) throw new Error('BENCH_DB is not set');
  // Loaded only here, so the bare variant runs without it.
  const { createAuth } = await import('../src/index.js');
  const auth = createAuth({ database: { url: database }, rateLimits: false, logLevel: 'silent' });
  await auth.migrate();
  const user = await auth.users.create({
    email: 'bench-user@example.com',
    password: `bench-password-${process.pid}-long-enough`,
  });
  const { token } = await auth.sessions.create(user.id);
  return { auth, cookie: `gh_session=${token}` };
}

/** Tells the parent where the server listens; stops it on SIGTERM or when the parent goes away. */
export function announce(url: string, cookie: string | null, close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref();
    close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  // The parent is gone (crashed, killed): do not outlive it.
  process.on('disconnect', stop);
  const ready: AdapterReady = { type: 'ready', url, cookie };
  process.send?.(ready);
}
