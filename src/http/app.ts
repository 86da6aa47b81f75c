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

/** Whether Redis answers a PING within a second. */
async function redisAnswers(redis: { ping(): Promise<string> }): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 1000);
  });
  try {
    return await Promise.race([redis.ping().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function operationsApp<F extends CustomFields>(auth: Auth<F>): Hono<{ Bindings: ServerBindings }> {
  const app = new Hono<{ Bindings: ServerBindings }>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Redis down leaves the instance serving (caches step aside), so it is reported, not refused.
  app.get('/readyz', async (c) => {
    const redis = auth.redis ? ((await redisAnswers(auth.redis.commands)) ? 'up' : 'down') : undefined;
    try {
      await sql`select 1`.execute(auth.database.db);
    } catch (error) {
      auth.logger.warn({ err: error }, 'Readiness check failed: the database does not answer.');
      return c.json(
        { status: 'unavailable', checks: { database: 'down', ...(redis ? { redis } : {}) } },
        503,
      );
    }
    if (redis === 'down') return c.json({ status: 'degraded', checks: { database: 'up', redis } });
    return c.json({ status: 'ok', ...(redis ? { checks: { database: 'up', redis } } : {}) });
  });
  auth.metrics.gauge('gatehouse_active_sessions', 'Sessions not yet expired.', async () => {
    const row = await auth.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('expires_at', '>', auth.now())
      .executeTakeFirstOrThrow();
    return Number(row.count);
  });
  // Queue depth: what the mail and webhook workers (on any instance) still have to send.
  const pending = (table: 'mail_outbox' | 'webhook_deliveries') => async () => {
    const row = await auth.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  };
  auth.metrics.gauge(
    'gatehouse_mail_queue_depth',
    'Messages waiting to be sent or retried.',
    pending('mail_outbox'),
  );
  auth.metrics.gauge(
    'gatehouse_webhook_queue_depth',
    'Webhook deliveries waiting to be sent or retried.',
    pending('webhook_deliveries'),
  );
  app.get('/metrics', async (c) =>
    c.text(await auth.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );
  return app;
}
