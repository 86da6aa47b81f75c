/**
 * The server of `npm run bench:users`: `startServer` on the database the
 * parent (`bench/users.ts`) has already filled with users (`BENCH_DB`, and
 * `BENCH_SCHEMA` on PostgreSQL), rate limits off. It creates one staff member
 * holding `user.view` and opens a session for them; the `gh_session` cookie
 * goes to the parent in the `ready` message.
 */
import { startServer } from '../src/http/server.js';
import { createAuth } from '../src/index.js';

export interface UsersReady {
  type: 'ready';
  url: string;
  cookie: string;
}

const url = process.env.BENCH_DB;
if (!url) throw new Error('BENCH_DB is not set');
const schema = process.env.BENCH_SCHEMA;

const auth = createAuth({
  database: { url, ...(schema ? { schema } : {}) },
  rateLimits: false,
  logLevel: 'silent',
});
// Applied by the parent already: this only checks.
await auth.migrate();
const staff = await auth.users.create({
  email: `bench-staff-${process.pid}@bench.invalid`,
  password: null,
  isStaff: true,
});
await auth.permissions.grantToUser(staff.id, ['user.view']);
const { token } = await auth.sessions.create(staff.id);
const server = await startServer(auth, { port: 0, host: '127.0.0.1' });

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

const ready: UsersReady = { type: 'ready', url: server.url, cookie: `gh_session=${token}` };
process.send?.(ready);
