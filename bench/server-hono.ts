/** Hono on @hono/node-server for `npm run bench:adapters`: see `bench/server-adapter.ts`. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type GatehouseEnv, gatehouse, requireUser } from '../src/adapters/hono.js';
import { announce, BODY, benchAuth, variant } from './server-adapter.js';

const app = new Hono<GatehouseEnv>();
let cookie: string | null = null;
if (variant() === 'bare') {
  app.get('/open', (c) => c.json(BODY));
} else {
  const bench = await benchAuth();
  cookie = bench.cookie;
  app.use('*', gatehouse(bench.auth));
  app.get('/open', (c) => c.json(BODY));
  app.get('/guarded', requireUser(bench.auth), (c) => {
    // The guard let the request through: the user must be there.
    if (!c.var.user) return c.json({ error: 'no user after requireUser' }, 500);
    return c.json(BODY);
  });
}

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  announce(
    `http://127.0.0.1:${info.port}`,
    cookie,
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  );
});
