import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, ORIGIN, PASSWORD, type TestApi } from '../helpers/http.js';

const APP = 'https://app.example.com';

describe('the API around its routes', () => {
  let api: TestApi<Record<never, never>>;
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false, trustedOrigins: [APP] });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
  });
  afterAll(() => api.close());

  describe('CSRF', () => {
    it('refuses a cookie request from an untrusted origin with 403 csrf_failed, before doing anything', async () => {
      const victim = api.client();
      await victim.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
      const forged = await victim.send('DELETE', '/auth/sessions', {
        headers: { origin: 'https://evil.example' },
      });
      expect(forged.status).toBe(403);
      expect(forged.body.error.code).toBe('csrf_failed');
      const signout = await victim.post('/auth/signout', undefined, {
        headers: { origin: 'https://evil.example' },
      });
      expect(signout.status).toBe(403);
      expect((await victim.get('/auth/session')).status).toBe(200);
    });

    it('refuses login CSRF: a cross-site form cannot sign the browser in', async () => {
      const browser = api.client({ origin: 'https://evil.example' });
      const reply = await browser.send('POST', '/auth/signin', {
        form: { email: 'ada@example.com', password: PASSWORD },
      });
      expect(reply.status).toBe(403);
      expect(browser.cookies.size).toBe(0);
    });

    it('falls back to Referer, then to Sec-Fetch-Site, and refuses a request with no evidence', async () => {
      const noOrigin = api.client({ origin: null });
      const viaReferer = await noOrigin.post(
        '/auth/signin',
        { email: 'ada@example.com', password: PASSWORD },
        {
          headers: { referer: `${ORIGIN}/login` },
        },
      );
      expect(viaReferer.status).toBe(200);
      const viaFetchSite = await api.client({ origin: null }).post('/auth/signout', undefined, {
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      expect(viaFetchSite.status).toBe(204);
      const bare = await api
        .client({ origin: null })
        .post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
      expect(bare.status).toBe(403);
    });

    it('accepts a configured trusted origin', async () => {
      const reply = await api
        .client({ origin: APP })
        .post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
      expect(reply.status).toBe(200);
    });

    it('exempts bearer requests, which cannot be forged by a browser', async () => {
      const client = api.client({ origin: 'https://evil.example' });
      const reply = await client.post(
        '/auth/signin',
        { email: 'ada@example.com', password: PASSWORD },
        {
          headers: { 'x-auth-mode': 'bearer' },
        },
      );
      expect(reply.status).toBe(200);
      // In bearer mode a cookie is never the credential, so a stray cookie cannot ride along.
      const withCookie = await client.send('DELETE', '/auth/sessions', {
        headers: { 'x-auth-mode': 'bearer', cookie: `gh_session=${reply.body.token}` },
      });
      expect(withCookie.status).toBe(401);
    });
  });

  describe('CORS', () => {
    it('allows credentials only for an exact trusted origin, and always varies on Origin', async () => {
      const trusted = await api.client({ origin: APP }).get('/auth/session');
      expect(trusted.headers.get('access-control-allow-origin')).toBe(APP);
      expect(trusted.headers.get('access-control-allow-credentials')).toBe('true');
      expect(trusted.headers.get('access-control-expose-headers')).toBe('Retry-After');
      expect(trusted.headers.get('vary')).toContain('Origin');
      for (const origin of [
        'https://evil.example',
        'https://app.example.com.evil.example',
        'http://app.example.com',
        'null',
      ]) {
        const reply = await api.client({ origin }).get('/auth/session');
        expect(reply.headers.get('access-control-allow-origin')).toBeNull();
        expect(reply.headers.get('access-control-allow-credentials')).toBeNull();
        expect(reply.headers.get('vary')).toContain('Origin');
      }
    });

    it('answers preflights with permissions for trusted origins only', async () => {
      const headers = {
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      };
      const ok = await api.client({ origin: APP }).send('OPTIONS', '/auth/signin', { headers });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      const refused = await api
        .client({ origin: 'https://evil.example' })
        .send('OPTIONS', '/auth/signin', { headers });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  describe('headers and errors', () => {
    it('marks every answer no-store, nosniff, unframeable and with a referrer policy', async () => {
      for (const reply of [
        await api.client().get('/auth/session'),
        await api.client().post('/auth/signin', { email: 'ada@example.com', password: PASSWORD }),
        await api.client().get('/auth/nowhere'),
      ]) {
        expect(reply.headers.get('cache-control')).toBe('no-store');
        expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
        expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(reply.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      }
    });

    it('answers unknown routes with 404 not_found in the error shape', async () => {
      const reply = await api.client().get('/auth/nowhere');
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    });

    it('refuses bodies over 64 KB with 413 and other media types with 400', async () => {
      const huge = await api
        .client()
        .post('/auth/signin', { email: 'ada@example.com', password: 'x'.repeat(70_000) });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('payload_too_large');
      const xml = await api
        .client()
        .post('/auth/signin', '<signin/>', { headers: { 'content-type': 'application/xml' } });
      expect(xml.status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    it('describes every route with its body schema and error codes', async () => {
      const reply = await api.client().get('/auth/openapi.json');
      expect(reply.status).toBe(200);
      const doc = reply.body;
      expect(doc.openapi).toBe('3.1.0');
      const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods as object).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations.sort()).toEqual(
        [
          'POST /auth/signup',
          'POST /auth/signin',
          'POST /auth/signout',
          'GET /auth/session',
          'PUT /auth/session/data',
          'GET /auth/sessions',
          'DELETE /auth/sessions',
          'DELETE /auth/sessions/{id}',
          'POST /auth/password/change',
          'PATCH /auth/user',
          'GET /auth/admin/users',
          'POST /auth/admin/users',
          'GET /auth/admin/users/{id}',
          'PATCH /auth/admin/users/{id}',
          'DELETE /auth/admin/users/{id}',
          'DELETE /auth/admin/users/{id}/sessions',
          'POST /auth/admin/users/{id}/password',
          'POST /auth/admin/users/{id}/password-reset',
          'PUT /auth/admin/users/{id}/groups',
          'PUT /auth/admin/users/{id}/permissions',
          'GET /auth/admin/groups',
          'POST /auth/admin/groups',
          'GET /auth/admin/groups/{id}',
          'PATCH /auth/admin/groups/{id}',
          'DELETE /auth/admin/groups/{id}',
          'GET /auth/admin/permissions',
          'POST /auth/admin/permissions',
          'DELETE /auth/admin/permissions/{codename}',
          'GET /auth/admin/webhooks',
          'GET /auth/admin/webhooks/deliveries',
          'POST /auth/admin/webhooks/deliveries/{id}/retry',
          'GET /auth/admin/users/{id}/sessions',
          'DELETE /auth/admin/users/{id}/sessions/{sessionId}',
          'POST /auth/admin/users/{id}/impersonate',
          'POST /auth/impersonation/end',
          'POST /auth/password/reset',
          'POST /auth/password/reset/confirm',
          'POST /auth/email/verify',
          'POST /auth/email/verify/confirm',
          'POST /auth/magic-link',
          'GET /auth/magic-link/verify',
          'POST /auth/magic-link/verify',
          'POST /auth/otp',
          'POST /auth/otp/verify',
          'POST /auth/email/change',
          'POST /auth/email/change/confirm',
          'GET /auth/admin/audit',
          'GET /auth/admin/audit.csv',
          'GET /auth/oauth',
          'GET /auth/oauth/{provider}',
          'POST /auth/oauth/{provider}/link',
          'GET /auth/oauth/{provider}/callback',
          'POST /auth/oauth/{provider}/callback',
          'GET /auth/linked-accounts',
          'DELETE /auth/linked-accounts/{id}',
          'GET /auth/admin/users/{id}/linked-accounts',
          'DELETE /auth/admin/users/{id}/linked-accounts/{accountId}',
          'POST /auth/passkeys/register/options',
          'POST /auth/passkeys/register/verify',
          'POST /auth/passkeys/signin/options',
          'POST /auth/passkeys/signin/verify',
          'GET /auth/passkeys',
          'PATCH /auth/passkeys/{id}',
          'DELETE /auth/passkeys/{id}',
          'DELETE /auth/user',
          'GET /auth/mfa',
          'POST /auth/mfa/totp/setup',
          'POST /auth/mfa/totp/confirm',
          'DELETE /auth/mfa/totp',
          'POST /auth/mfa/recovery-codes',
          'POST /auth/mfa/email',
          'POST /auth/mfa/passkey/options',
          'POST /auth/mfa/verify',
          'GET /auth/mfa/challenge',
          'POST /auth/reauthenticate',
          'POST /auth/reauthenticate/passkey/options',
          'GET /auth/trusted-devices',
          'DELETE /auth/trusted-devices',
          'DELETE /auth/trusted-devices/{id}',
          'GET /auth/admin/users/{id}/mfa',
          'DELETE /auth/admin/users/{id}/mfa',
          'GET /auth/tenant',
          'GET /auth/tenants',
          'POST /auth/tenants/switch',
          'POST /auth/invitations/peek',
          'POST /auth/invitations/accept',
          'GET /auth/admin/tenants',
          'POST /auth/admin/tenants',
          'GET /auth/admin/tenants/{id}',
          'PATCH /auth/admin/tenants/{id}',
          'GET /auth/admin/tenants/{id}/members',
          'POST /auth/admin/tenants/{id}/members',
          'GET /auth/admin/tenants/{id}/members/{userId}',
          'DELETE /auth/admin/tenants/{id}/members/{userId}',
          'PUT /auth/admin/tenants/{id}/members/{userId}/groups',
          'GET /auth/admin/tenants/{id}/invitations',
          'POST /auth/admin/tenants/{id}/invitations',
          'DELETE /auth/admin/tenants/{id}/invitations/{invitationId}',
          'POST /auth/token',
          'POST /auth/token/refresh',
          'GET /auth/.well-known/jwks.json',
        ].sort(),
      );
      const list = doc.paths['/auth/admin/users'].get;
      expect(list['x-required-permission']).toBe('user.view');
      expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['q', 'cursor', 'limit']),
      );
      const signin = doc.paths['/auth/signin'].post;
      expect(signin.requestBody.content['application/json'].schema.properties).toHaveProperty('password');
      expect(signin.responses['401']['x-error-codes']).toEqual(
        expect.arrayContaining(['invalid_credentials', 'mfa_required']),
      );
      expect(signin.responses['429']['x-error-codes']).toContain('rate_limited');
      expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('csrf_failed');
    });
  });
});
