// A Hono app with Gatehouse: the API and sign-in pages under /auth, and a guarded route.
// Run: npx tsx examples/hono.ts, then open http://127.0.0.1:3000/me
import { serve } from '@hono/node-server';
import { createAuth } from 'gatehouse';
import { type GatehouseEnv, gatehouse, requireUser } from 'gatehouse/hono';
import { Hono } from 'hono';

const auth = createAuth({ database: { url: process.env.DATABASE_URL ?? './example.db' } });
await auth.migrate();

const app = new Hono<GatehouseEnv>();
app.use('*', gatehouse(auth));
app.get('/', (c) => c.json({ signedInAs: c.var.user?.email ?? null }));
app.get('/me', requireUser(auth, { loginRequired: true }), (c) =>
  c.json({ email: c.var.user?.email, sessionData: c.var.session?.data }),
);

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => console.log(`listening on http://127.0.0.1:${info.port}`),
);
process.on('SIGTERM', () => server.close(() => auth.close()));
