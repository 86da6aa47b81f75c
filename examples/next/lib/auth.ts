import { createAuth } from 'gatehouse';

function create() {
  return createAuth({
    database: { url: process.env.DATABASE_URL ?? './example.db' },
    // Next hands route handlers its own idea of the URL; the public one decides the cookie and the CSRF origin.
    publicUrl: process.env.GATEHOUSE_PUBLIC_URL ?? 'http://127.0.0.1:3000',
    trustedProxies: 1, // `next start` passes the client's address in X-Forwarded-For
  });
}

// One instance per process: Next may load this module once per bundle (pages, route handlers, proxy).
const globals = globalThis as { gatehouse?: ReturnType<typeof create> };
globals.gatehouse ??= create();
export const auth = globals.gatehouse;
