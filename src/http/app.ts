import { Hono } from 'hono';
import { sql } from 'kysely';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { Auth } from '../auth.js';

type ServerBindings = { incoming?: { socket: { remoteAddress?: string | undefined } } };

/**
 * The standalone server's routes: the API under its base path, liveness
 * (`/healthz`, the process answers), readiness (`/readyz`, the database
 * answers too) and `/metrics` in Prometheus text. Requests for the API go
 * straight to its handler, without a second router in front of it.
 */
export function createServerFetch<F extends CustomFields>(
  auth: Auth<F>,
): (request: Request, env: ServerBindings) => Promise<Response> {
  const base = auth.config.basePath ?? '/auth';
  const app = operationsApp(auth);
  return async (request, env) => {
    const url = request.url;
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const next = path.charAt(base.length);
    if (path.startsWith(base) && (next === '' || next === '/' || next === '?')) {
      return auth.handler(request, { ip: env?.incoming?.socket.remoteAddress ?? null });
    }
    if (auth.ui && (path === '/' || path.startsWith('/?'))) return auth.ui.home(request);
    return app.fetch(request, env);
  };
}

function operationsApp<F extends CustomFields>(auth: Auth<F>): Hono<{ Bindings: ServerBindings }> {
  const app = new Hono<{ Bindings: ServerBindings }>();
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
