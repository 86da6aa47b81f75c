// An Express app with Gatehouse: the API and sign-in pages under /auth, and a guarded page.
// Run: npx tsx examples/express.ts, then open http://127.0.0.1:3000/me
import express from 'express';
import { createAuth } from 'gatehouse';
import { type GatehouseRequest, gatehouse, requireUser } from 'gatehouse/express';

const auth = createAuth({ database: { url: process.env.DATABASE_URL ?? './example.db' } });
await auth.migrate();

const app = express();
app.use(gatehouse(auth)); // before body parsers: Gatehouse reads its own bodies
app.get('/', (req, res) => {
  const { user } = req as GatehouseRequest;
  res.json({ signedInAs: user?.email ?? null });
});
app.get('/me', requireUser(auth, { loginRequired: true }), (req, res) => {
  const { user, session } = req as GatehouseRequest;
  res.json({ email: user?.email, sessionData: session?.data });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => auth.close()));
