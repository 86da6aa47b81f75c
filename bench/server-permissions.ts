/**
 * The Gatehouse-enabled Hono server of `npm run bench:permissions` (the bare
 * one is `bench/server-hono.ts` with `BENCH_VARIANT=bare`). On a fresh SQLite
 * file (`BENCH_DB`), the user of `bench/server-permissions-fixture.ts` (50
 * groups × 50 permissions, `post.view` through the last group) and a session
 * of theirs, whose cookie goes to the parent in the `ready` message. Behind
 * `app.use('*', gatehouse(auth))`, every route answering {@link BODY}:
 *
 * - `GET /open`: no guard, the middleware's session lookup only;
 * - `GET /user`: `requireUser(auth)`;
 * - `GET /perm`: `requirePerm(auth, 'post.view')`;
 * - `GET /denied`: `requirePerm(auth, 'post.delete')`, which the user lacks
 *   (403): the parent checks it, to be sure `/perm` is really decided by the
 *   permission.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type GatehouseEnv, gatehouse, requirePerm, requireUser } from '../src/adapters/hono.js';
import { announce, BODY } from './server-adapter.js';
import { HELD, NOT_HELD, permissionFixture } from './server-permissions-fixture.js';

const database = process.env.BENCH_DB;
if (!database) throw new Error('BENCH_DB is not set');
const { auth, user } = await permissionFixture({ url: database });
const { token } = await auth.sessions.create(user.id);

const app = new Hono<GatehouseEnv>();
app.use('*', gatehouse(auth));
app.get('/open', (c) => c.json(BODY));
app.get('/user', requireUser(auth), (c) => {
  // The guard let the request through: the user must be there.
  if (!c.var.user) return c.json({ error: 'no user after requireUser' }, 500);
  return c.json(BODY);
});
app.get('/perm', requirePerm(auth, HELD), (c) => {
  if (!c.var.user) return c.json({ error: 'no user after requirePerm' }, 500);
  return c.json(BODY);
});
app.get('/denied', requirePerm(auth, NOT_HELD), (c) => c.json(BODY));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  announce(`http://127.0.0.1:${info.port}`, `gh_session=${token}`, () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    }).finally(() => auth.close()),
  );
});
