import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

const APP = 'https://app.example.com';

describe('redirect targets of sign-in, sign-up and sign-out', () => {
  let api: TestApi<Record<never, never>>;
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false, trustedOrigins: [APP] });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
  });
  afterAll(() => api.close());

  it('sends a form sign-in to a same-origin path with 303 and the cookie', async () => {
    const client = api.client();
    const reply = await client.send('POST', '/auth/signin', {
      form: { email: 'ada@example.com', password: PASSWORD, redirectTo: '/account?tab=security' },
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/account?tab=security');
    expect(client.cookies.get('gh_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('follows an exact trusted origin, normalised', async () => {
    const reply = await api.client().send('POST', '/auth/signin', {
      form: { email: 'ada@example.com', password: PASSWORD, redirectTo: 'https://APP.example.com/welcome' },
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('https://app.example.com/welcome');
  });

  it.each([
    'https://evil.example/phish',
    '//evil.example/phish',
    '/\\evil.example',
    'https://app.example.com@evil.example/',
    'https://app.example.com.evil.example/',
    'javascript:alert(1)',
    'http://app.example.com/',
    ' https://evil.example',
  ])('refuses %j with 400 invalid_redirect and signs nobody in', async (target) => {
    const client = api.client();
    const reply = await client.send('POST', '/auth/signin', {
      form: { email: 'ada@example.com', password: PASSWORD, redirectTo: target },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid_redirect');
    expect(client.cookies.size).toBe(0);
  });

  it('gives JSON clients the normalised target in the body instead of redirecting', async () => {
    const reply = await api.client().post('/auth/signin', {
      email: 'ada@example.com',
      password: PASSWORD,
      redirectTo: '/a/../dashboard',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.redirectTo).toBe('/dashboard');
  });

  it('checks the target of a sign-up before creating the account', async () => {
    const refused = await api.client().send('POST', '/auth/signup', {
      form: { email: 'new@example.com', password: PASSWORD, redirectTo: 'https://evil.example' },
    });
    expect(refused.status).toBe(400);
    expect(await api.auth.users.getByEmail('new@example.com')).toBeNull();
    const accepted = await api.client().send('POST', '/auth/signup', {
      form: { email: 'new@example.com', password: PASSWORD, redirectTo: '/welcome' },
    });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/welcome');
  });

  it('sends a form sign-out on after ending the session', async () => {
    const client = api.client();
    await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    const reply = await client.send('POST', '/auth/signout', { form: { redirectTo: '/' } });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/');
    expect((await client.get('/auth/session')).status).toBe(401);
  });
});
