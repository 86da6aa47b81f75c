// A plain node:http server with Gatehouse: the API and sign-in pages under /auth, and a guarded route.
// Run: npx tsx examples/node-http.ts, then open http://127.0.0.1:3000/me
import { createServer } from 'node:http';
import { createAuth } from 'gatehouse';
import { type AuthenticatedFields, gatehouseMiddleware, requireUser } from 'gatehouse/node';

const auth = createAuth({ database: { url: process.env.DATABASE_URL ?? './example.db' } });
await auth.migrate();
const withAuth = gatehouseMiddleware(auth);
const signedInOnly = requireUser(auth, { loginRequired: true });

const server = createServer((req: Parameters<typeof withAuth>[0] & AuthenticatedFields, res) => {
  const json = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  void withAuth(req, res, () => {
    if (req.url === '/me') {
      void signedInOnly(req, res, () => json({ email: req.user?.email, sessionData: req.session?.data }));
    } else {
      json({ signedInAs: req.user?.email ?? null });
    }
  });
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => auth.close()));
