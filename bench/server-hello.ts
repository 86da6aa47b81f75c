/**
 * The baseline for `npm run bench`: the smallest Hono app on the same adapter
 * as the standalone server. `bench/http.ts` compiles and forks it, and it
 * reports its address over IPC.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { ChildMessage } from './server-gatehouse.js';

const app = new Hono().get('/', (c) => c.text('hello'));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  const ready: ChildMessage = { type: 'ready', url: `http://127.0.0.1:${info.port}` };
  process.send?.(ready);
});

function stop(): void {
  server.close(() => process.exit(0));
  if ('closeIdleConnections' in server) server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
// The parent is gone (crashed, killed): do not outlive it.
process.on('disconnect', stop);
