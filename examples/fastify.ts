// A Fastify app with Gatehouse: the API and sign-in pages under /auth, and a guarded route.
// Run: npx tsx examples/fastify.ts, then open http://127.0.0.1:3000/me
import Fastify from 'fastify';
import { createAuth } from 'gatehouse';
import { type GatehouseRequest, gatehouse, requireUser } from 'gatehouse/fastify';

const auth = createAuth({ database: { url: process.env.DATABASE_URL ?? './example.db' } });
await auth.migrate();

const app = Fastify();
await app.register(gatehouse(auth));
app.get('/', async (request) => ({ signedInAs: (request as GatehouseRequest).user?.email ?? null }));
app.get('/me', { preHandler: requireUser(auth, { loginRequired: true }) }, async (request) => {
  const { user, session } = request as GatehouseRequest;
  return { email: user?.email, sessionData: session?.data };
});

const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.on('SIGTERM', () => app.close().then(() => auth.close()));
