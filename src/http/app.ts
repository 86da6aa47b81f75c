import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Auth } from '../auth.js';

/**
 * The standalone server's routes. For now: liveness (`/healthz`, the process
 * answers) and readiness (`/readyz`, the database answers too).
 */
export function createApp(auth: Auth): Hono {
  const app = new Hono();
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
  return app;
}
