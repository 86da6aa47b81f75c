import { afterEach, describe, expect, it } from 'vitest';
import type { GatehouseConfig } from '../../src/index.js';
import { createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';

const WRONG = 'definitely not it';

function clock() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

describe('rate limits', () => {
  let api: TestApi<Record<never, never>>;
  afterEach(() => api.close());

  async function setup(rateLimits: GatehouseConfig['rateLimits'], extra: GatehouseConfig = {}) {
    const time = clock();
    // The counters under test are the database's, whose windows a fake clock moves; Redis's: test/redis/.
    api = await createTestApi({ rateLimits, now: time.now, redis: false, ...extra });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    return time;
  }

  it('answers 429 rate_limited with Retry-After past the per-address limit, and lets it reset', async () => {
    const time = await setup({ signIn: { perIp: { max: 3, windowSeconds: 60 } } });
    const client = api.client({ ip: '198.51.100.1' });
    for (let i = 0; i < 3; i++) {
      expect(
        (await client.post('/auth/signin', { email: `x${i}@example.com`, password: WRONG })).status,
      ).toBe(401);
    }
    const limited = await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect(
      (
        await api
          .client({ ip: '198.51.100.2' })
          .post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })
      ).status,
    ).toBe(200);
    time.advance(61);
    expect((await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('is not bypassed by a spoofed X-Forwarded-For when no proxy is trusted', async () => {
    await setup({ signIn: { perIp: { max: 2, windowSeconds: 60 } } });
    const client = api.client({ ip: '198.51.100.1' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await client.post(
        '/auth/signin',
        { email: 'ada@example.com', password: WRONG },
        {
          headers: { 'x-forwarded-for': `10.0.0.${i}` },
        },
      );
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('behind one trusted proxy, keys on the address the proxy saw, not what the client wrote', async () => {
    await setup({ signIn: { perIp: { max: 2, windowSeconds: 60 } } }, { trustedProxies: 1 });
    const viaProxy = api.client({ ip: '10.0.0.1' });
    const send = (xff: string) =>
      viaProxy.post(
        '/auth/signin',
        { email: 'ada@example.com', password: WRONG },
        { headers: { 'x-forwarded-for': xff } },
      );
    // The client prepends fake hops; the proxy appends the real peer last.
    expect((await send('1.1.1.1, 203.0.113.50')).status).toBe(401);
    expect((await send('2.2.2.2, 203.0.113.50')).status).toBe(401);
    expect((await send('3.3.3.3, 203.0.113.50')).status).toBe(429);
    expect((await send('203.0.113.51')).status).toBe(401);
  });

  it('groups IPv6 clients by their /64', async () => {
    await setup({ signIn: { perIp: { max: 2, windowSeconds: 60 } } });
    const send = (ip: string) =>
      api.client({ ip }).post('/auth/signin', { email: 'ada@example.com', password: WRONG });
    expect((await send('2001:db8:1:2::1')).status).toBe(401);
    expect((await send('2001:db8:1:2:ffff::9')).status).toBe(401);
    expect((await send('2001:db8:1:2::abcd')).status).toBe(429);
    expect((await send('2001:db8:1:3::1')).status).toBe(401);
  });

  it('locks guessing on one account from one address, and a success clears it', async () => {
    await setup({
      signIn: { perIp: false, perAccountAndIp: { max: 3, windowSeconds: 900 }, perAccount: false },
    });
    const owner = api.client({ ip: '198.51.100.7' });
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: WRONG })).status).toBe(
      401,
    );
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status).toBe(
      200,
    );
    const guesser = api.client({ ip: '198.51.100.66' });
    for (let i = 0; i < 3; i++)
      await guesser.post('/auth/signin', { email: 'ada@example.com', password: WRONG });
    // Even the right password waits: the guesser learns nothing more.
    expect(
      (await guesser.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status,
    ).toBe(429);
    // The owner, elsewhere, is not locked out, and can still fail and succeed.
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: WRONG })).status).toBe(
      401,
    );
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('slows guessing spread over many addresses without locking out an address that signed in before', async () => {
    await setup({
      signIn: { perIp: false, perAccountAndIp: false, perAccount: { max: 5, windowSeconds: 3600 } },
    });
    const owner = api.client({ ip: '198.51.100.7' });
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status).toBe(
      200,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const bot = api.client({ ip: `192.0.2.${i + 1}` });
      statuses.push((await bot.post('/auth/signin', { email: 'ada@example.com', password: WRONG })).status);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    expect(
      (
        await api
          .client({ ip: '192.0.2.200' })
          .post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })
      ).status,
    ).toBe(429);
    expect((await owner.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('limits unknown accounts exactly like real ones, so a 429 tells nothing', async () => {
    await setup({
      signIn: { perIp: false, perAccountAndIp: { max: 2, windowSeconds: 900 }, perAccount: false },
    });
    const client = api.client();
    const real: number[] = [];
    const ghost: number[] = [];
    for (let i = 0; i < 3; i++) {
      real.push((await client.post('/auth/signin', { email: 'ada@example.com', password: WRONG })).status);
      ghost.push((await client.post('/auth/signin', { email: 'ghost@example.com', password: WRONG })).status);
    }
    expect(real).toEqual([401, 401, 429]);
    expect(ghost).toEqual(real);
  });

  it('limits guesses of the current password through a stolen session', async () => {
    await setup({
      signIn: { perIp: false, perAccountAndIp: { max: 3, windowSeconds: 900 }, perAccount: false },
    });
    const thief = api.client();
    await thief.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await thief.post('/auth/password/change', {
        currentPassword: `guess ${i}`,
        newPassword: 'stolen account 123',
      });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    const right = await thief.post('/auth/password/change', {
      currentPassword: PASSWORD,
      newPassword: 'stolen account 123',
    });
    expect(right.status).toBe(429);
  });

  it('emits login_failed for each failure', async () => {
    await setup({});
    const failures: unknown[] = [];
    api.auth.on('login_failed', (event) => {
      failures.push(event.credentials);
    });
    await api.client().post('/auth/signin', { email: 'ada@example.com', password: WRONG });
    await api.client().post('/auth/signin', { email: 'nobody@example.com', password: WRONG });
    expect(failures).toEqual([
      { email: 'ada@example.com', password: '********' },
      { email: 'nobody@example.com', password: '********' },
    ]);
  });

  it('limits sign-ups per address', async () => {
    await setup({ signUp: { perIp: { max: 2, windowSeconds: 3600 } } });
    const client = api.client({ ip: '198.51.100.9' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await client.post('/auth/signup', { email: `new${i}@example.com`, password: PASSWORD })).status,
      );
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(await api.auth.users.getByEmail('new2@example.com')).toBeNull();
  });

  it('survives a restart: the counters are in the database', async () => {
    await setup({ signIn: { perIp: { max: 2, windowSeconds: 600 } } });
    const client = api.client({ ip: '198.51.100.3' });
    for (let i = 0; i < 2; i++)
      await client.post('/auth/signin', { email: 'ada@example.com', password: WRONG });
    const { createAuth } = await import('../../src/index.js');
    const restarted = createAuth({
      logLevel: 'silent',
      database: { url: api.db.url, ...(api.db.schema ? { schema: api.db.schema } : {}) },
      rateLimits: { signIn: { perIp: { max: 2, windowSeconds: 600 } } },
      now: () => new Date('2026-01-01T00:01:00Z'),
      redis: false,
    });
    const reply = await restarted.handler(
      new Request('http://localhost:3000/auth/signin', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
        body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
      }),
      { ip: '198.51.100.3' },
    );
    expect(reply.status).toBe(429);
    await restarted.close();
  });
});
