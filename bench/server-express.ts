/** Express 5 for `npm run bench:adapters`: see `bench/server-adapter.ts`. */
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { type GatehouseRequest, gatehouse, requireUser } from '../src/adapters/express.js';
import { announce, BODY, benchAuth, variant } from './server-adapter.js';

const app = express();
let cookie: string | null = null;
if (variant() === 'bare') {
  app.get('/open', (_req: Request, res: Response) => {
    res.json(BODY);
  });
} else {
  const bench = await benchAuth();
  cookie = bench.cookie;
  app.use(gatehouse(bench.auth));
  app.get('/open', (_req: Request, res: Response) => {
    res.json(BODY);
  });
  app.get('/guarded', requireUser(bench.auth), (req: Request, res: Response) => {
    // The guard let the request through: the user must be there.
    if (!(req as GatehouseRequest).user) {
      res.status(500).json({ error: 'no user after requireUser' });
      return;
    }
    res.json(BODY);
  });
}

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  announce(
    `http://127.0.0.1:${port}`,
    cookie,
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
});
