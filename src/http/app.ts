import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Auth } from '../auth.js';

type ServerBindings = { incoming?: IncomingMessage };

/**
 * The standalone server's routes: the API under its base path, liveness
 * (`/healthz`, the process answers), readiness (`/readyz`, the database
 * answers too) and `/metrics` in Prometheus text.
 */
export function createApp(auth: Auth): Hono<{ Bindings: ServerBindings }> {
  const app = new Hono<{ Bindings: ServerBindings }>();
  const base = auth.config.basePath ?? '/auth';
  const api = (c: { req: { raw: Request }; env: ServerBindings }) =>
    auth.handler(c.req.raw, { ip: c.env?.incoming?.socket.remoteAddress ?? null });
  app.all(base, api);
  app.all(`${base}/*`, api);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(auth.database.db);
      return c.json({ status: 'ok' });
    } catch (error) {
      auth.logger.warn({ err: error }, 'Readiness check failed: the database does not answer.');
      return c.json({ status: 'unavailable', checks: { database: 'down' } }, 503);
    }
  });
  auth.metrics.gauge('gatehouse_active_sessions', 'Sessions not yet expired.', async () => {
    const row = await auth.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('expires_at', '>', auth.now())
      .executeTakeFirstOrThrow();
    return Number(row.count);
  });
  app.get('/metrics', async (c) =>
    c.text(await auth.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );
  return app;
}
