import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { PASSWORD } from '../helpers/http.js';

describe('the standalone server', () => {
  let testAuth: TestAuth<Record<never, never>>;
  let server: RunningServer;
  beforeAll(async () => {
    testAuth = await createTestAuth({ rateLimits: { signIn: { perIp: { max: 5, windowSeconds: 60 } } } });
    await testAuth.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.stop();
    await testAuth.db.drop();
  });

  const signIn = (password = PASSWORD) =>
    fetch(`${server.url}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'ada@example.com', password }),
    });

  it('serves the API under /auth over real HTTP, cookie included', async () => {
    const reply = await signIn();
    expect(reply.status).toBe(200);
    const cookie = reply.headers.get('set-cookie')?.split(';')[0] ?? '';
    const session = await fetch(`${server.url}/auth/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe('ada@example.com');
  });

  it('shows who is signed in on its home page', async () => {
    const anonymous = await fetch(`${server.url}/`);
    expect(anonymous.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await anonymous.text()).toContain('You are not signed in.');
    const cookie = (await signIn()).headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(await (await fetch(`${server.url}/`, { headers: { cookie } })).text()).toContain(
      'Signed in as ada@example.com.',
    );
  });

  it('records the socket address in sessions and audit events', async () => {
    const reply = await signIn();
    const { session } = (await reply.json()) as { session: { id: string } };
    const user = await testAuth.auth.users.getByEmail('ada@example.com');
    const sessions = await testAuth.auth.sessions.list(user?.id ?? '');
    expect(sessions.find((s) => s.id === session.id)?.ip).toBe('127.0.0.1');
  });

  it('exposes request counts, latencies and active sessions at /metrics', async () => {
    await signIn('wrong password here');
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(
      /gatehouse_http_requests_total\{method="POST",route="\/signin",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /gatehouse_http_requests_total\{method="POST",route="\/signin",status="401"\} [1-9]/,
    );
    expect(text).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="POST",route="\/signin"\} [1-9]/,
    );
    expect(text).toMatch(/gatehouse_active_sessions [1-9]/);
    expect(text).toMatch(/gatehouse_mail_queue_depth \d+/);
    expect(text).toMatch(/gatehouse_webhook_queue_depth \d+/);
  });

  it('rate-limits by the real peer address, whatever X-Forwarded-For claims', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await fetch(`${server.url}/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, 'x-forwarded-for': `10.9.8.${i}` },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever it is' }),
      });
      statuses.push(reply.status);
    }
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('stopping the server', () => {
  it('lets an in-flight sign-in finish before closing the database', async () => {
    let arrived: () => void = () => {};
    const inHook = new Promise<void>((resolve) => (arrived = resolve));
    const testAuth = await createTestAuth({
      rateLimits: false,
      hooks: {
        async beforeSignIn() {
          arrived();
          await new Promise((resolve) => setTimeout(resolve, 200));
        },
      },
    });
    await testAuth.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    const server = await startServer(testAuth.auth, { port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`${server.url}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-mode': 'bearer' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    await inHook;
    const stopped = server.stop();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { token: string }).token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await stopped;
    await testAuth.db.drop();
  });
});
