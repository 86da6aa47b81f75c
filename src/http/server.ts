/**
 * The standalone HTTP server: the app behind `@hono/node-server`, with a
 * graceful stop that lets in-flight requests finish before the database closes,
 * and the webhook and mail delivery workers.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';
import { createServerFetch } from './app.js';

/** How often expired sessions are deleted (they are refused anyway; this only reclaims space). */
const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

export interface RunningServer {
  /** The base URL it listens on, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Stops accepting connections, waits for open requests, then closes the database. */
  stop(): Promise<void>;
}

export async function startServer<F extends CustomFields>(
  auth: Auth<F>,
  options: { port: number; host: string },
): Promise<RunningServer> {
  const fetch = createServerFetch(auth);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const housekeeping = setInterval(() => {
    auth.housekeeping().catch((error) => auth.logger.warn({ err: error }, 'Housekeeping failed.'));
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
  // Sends the webhook deliveries due, from this and every other instance on the database.
  auth.webhooks.start();
  // Sends queued mail (this and every other instance's), including what was left pending before a restart.
  auth.mail.start();
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    stop() {
      clearInterval(housekeeping);
      stopping ??= new Promise<void>((resolve, reject) => {
        // Keep-alive connections would hold `close` open until they time out: close each as soon as it is idle.
        const closeIdle = () => {
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        };
        const sweeper = setInterval(closeIdle, 50);
        server.close((error) => {
          clearInterval(sweeper);
          if (error) reject(error);
          else resolve();
        });
        closeIdle();
      })
        // Requests have finished (their deliveries and mail are queued): let sends in flight finish, then close.
        .finally(() => Promise.all([auth.webhooks.stop(), auth.mail.stop()]).then(() => auth.close()));
      return stopping;
    },
  };
}
