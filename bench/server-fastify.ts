/** Fastify 5 for `npm run bench:adapters`: see `bench/server-adapter.ts`. */
import Fastify, { type FastifyRequest } from 'fastify';
import { type GatehouseRequest, gatehouse, requireUser } from '../src/adapters/fastify.js';
import { announce, BODY, benchAuth, variant } from './server-adapter.js';

const app = Fastify({ logger: false });
let cookie: string | null = null;
if (variant() === 'bare') {
  app.get('/open', async () => BODY);
} else {
  const bench = await benchAuth();
  cookie = bench.cookie;
  await app.register(gatehouse(bench.auth));
  app.get('/open', async () => BODY);
  app.get('/guarded', { preHandler: requireUser(bench.auth) }, async (request: FastifyRequest, reply) => {
    // The guard let the request through: the user must be there.
    if (!(request as GatehouseRequest).user)
      return reply.code(500).send({ error: 'no user after requireUser' });
    return BODY;
  });
}

const address = await app.listen({ port: 0, host: '127.0.0.1' });
announce(address, cookie, () => app.close());
