import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, PASSWORD, type TestApi } from '../helpers/http.js';

const fields = {
  company: { type: 'string', optional: true, label: 'Company' },
  seats: { type: 'integer', optional: true, label: 'Seats' },
  newsletter: { type: 'boolean', default: false, label: 'Newsletter' },
} as const;

describe('the pre-built UI, without JavaScript', () => {
  let api: TestApi<typeof fields>;
  beforeAll(async () => {
    api = await createTestApi({
      rateLimits: false,
      user: { fields },
      trustedOrigins: ['https://app.example.com'],
      ui: {
        productName: 'Acme',
        colors: { primary: '#7c3aed' },
        messages: { en: { signInTitle: 'Log in' } },
      },
    });
  });
  afterAll(() => api.close());

  it('serves the sign-in page with the product name, overridden text and page security headers', async () => {
    const reply = await api.client().get('/auth/ui/signin');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.text).toContain('<title>Log in · Acme</title>');
    expect(reply.text).toContain('<label for="field-identifier">Email or username');
    expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(reply.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://app.example.com",
    );
    expect(reply.headers.get('x-frame-options')).toBe('DENY');
    expect(reply.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    // No inline script: only the passkey scripts, from this origin.
    expect([...reply.text.matchAll(/<script[^>]*>/g)].map(([tag]) => tag)).toEqual([
      expect.stringMatching(/^<script src="\/auth\/ui\/assets\/webauthn-[0-9a-f]{10}\.js" defer>$/),
      expect.stringMatching(/^<script src="\/auth\/ui\/assets\/passkeys-[0-9a-f]{10}\.js" defer>$/),
    ]);
  });

  it('serves a cacheable stylesheet with the configured colours', async () => {
    const page = await api.client().get('/auth/ui/signin');
    const href = /href="([^"]+\.css)"/.exec(page.text)?.[1] ?? '';
    const css = await api.client().get(href);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect(css.text).toContain('--gh-primary: #7c3aed;');
  });

  it('signs up from a form post, converting custom fields, and lands on the account page', async () => {
    const client = api.client();
    const reply = await client.send('POST', '/auth/ui/signup', {
      form: {
        email: 'ada@example.com',
        password: PASSWORD,
        firstName: '<b>Ada</b>',
        company: 'Engines',
        seats: '3',
        newsletter: 'on',
      },
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/auth/ui/account');
    expect(client.cookies.get('gh_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const user = await api.auth.users.getByEmail('ada@example.com');
    expect(user).toMatchObject({ company: 'Engines', seats: 3, newsletter: true });
    const account = await client.get('/auth/ui/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('value="&lt;b&gt;Ada&lt;/b&gt;"');
    expect(account.text).not.toContain('<b>Ada</b>');
  });

  it('shows the API’s field errors beside their fields and keeps what was typed, never the password', async () => {
    const reply = await api.client().send('POST', '/auth/ui/signup', {
      form: { email: 'weak@example.com', password: 'password', company: 'Kept Inc' },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('role="alert"');
    expect(reply.text).toMatch(
      /id="field-password"[^>]*aria-describedby="field-password-error" aria-invalid="true"/,
    );
    expect(reply.text).toContain('id="field-password-error"');
    expect(reply.text).toContain('value="Kept Inc"');
    expect(reply.text).not.toContain('value="password"');
  });

  it('refuses a wrong password with one sentence, and redirects to a safe next after sign-in', async () => {
    const wrong = await api.client().send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The email, username or password is not right.');
    expect(wrong.text).toContain('value="ada@example.com"');

    const client = api.client();
    const ok = await client.send(
      'POST',
      `/auth/ui/signin?next=${encodeURIComponent('https://app.example.com/home')}`,
      {
        form: { identifier: 'ada@example.com', password: PASSWORD },
      },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('https://app.example.com/home');
  });

  it('ignores an unsafe next and falls back to the account page', async () => {
    const reply = await api
      .client()
      .send('POST', `/auth/ui/signin?next=${encodeURIComponent('//evil.example/')}`, {
        form: { identifier: 'ada@example.com', password: PASSWORD },
      });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/auth/ui/account');
  });

  it('refuses a form posted from another site (the API’s CSRF check applies)', async () => {
    const client = api.client({ origin: 'https://evil.example' });
    const reply = await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    expect(reply.status).toBe(403);
    expect(client.cookies.size).toBe(0);
  });

  it('changes the password, revokes sessions and signs out from the account page', async () => {
    const client = api.client();
    const other = api.client();
    await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    await other.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });

    const page = await client.get('/auth/ui/account');
    const otherId = [...page.text.matchAll(/name="id" value="([^"]+)"/g)].map((m) => m[1]);
    expect(otherId.length).toBeGreaterThan(0);
    const revoke = await client.send('POST', '/auth/ui/account/sessions/revoke', {
      form: { id: otherId[0] ?? '' },
    });
    expect(revoke.headers.get('location')).toBe('/auth/ui/account?done=session');

    const badChange = await client.send('POST', '/auth/ui/account/password', {
      form: { currentPassword: 'wrong one', newPassword: 'another good passphrase' },
    });
    expect(badChange.status).toBe(400);
    expect(badChange.text).toContain('id="field-currentPassword-error"');

    const change = await client.send('POST', '/auth/ui/account/password', {
      form: { currentPassword: PASSWORD, newPassword: 'another good passphrase' },
    });
    expect(change.status).toBe(303);
    expect(change.headers.get('location')).toBe('/auth/ui/account?done=password');
    expect((await client.get('/auth/ui/account?done=password')).text).toContain('Your password is changed.');

    const signout = await client.send('POST', '/auth/ui/signout');
    expect(signout.headers.get('location')).toBe('/auth/ui/signin?done=signout');
    const after = await client.get('/auth/ui/account');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe(
      `/auth/ui/signin?next=${encodeURIComponent('/auth/ui/account')}`,
    );
    await api.auth.users.setPassword(
      (await api.auth.users.getByEmail('ada@example.com'))?.id ?? '',
      PASSWORD,
    );
  });

  it('shows a too-weak new password beside the new-password field', async () => {
    const client = api.client();
    await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const reply = await client.send('POST', '/auth/ui/account/password', {
      form: { currentPassword: PASSWORD, newPassword: '12345678' },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/id="field-newPassword"[^>]*aria-invalid="true"/);
    expect(reply.text).toContain('id="field-newPassword-error"');
  });

  it('answers an unknown page with a 404 page', async () => {
    const reply = await api.client().get('/auth/ui/nowhere');
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('There is no such page');
  });

  it('saves the profile, clearing optional fields', async () => {
    const client = api.client();
    await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const reply = await client.send('POST', '/auth/ui/account/profile', {
      form: { username: 'ada', firstName: 'Ada', lastName: 'Lovelace', company: '', seats: '12' },
    });
    expect(reply.headers.get('location')).toBe('/auth/ui/account?done=profile');
    expect(await api.auth.users.getByEmail('ada@example.com')).toMatchObject({
      username: 'ada',
      lastName: 'Lovelace',
      company: null,
      seats: 12,
      newsletter: false,
    });
  });

  it('speaks French to a French browser', async () => {
    const reply = await api
      .client()
      .get('/auth/ui/signup', { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(reply.text).toContain('<html lang="fr">');
    expect(reply.text).toContain('Créer un compte');
    expect(reply.headers.get('content-language')).toBe('fr');
  });

  it('says why a sign-out posted from another site was refused', async () => {
    const client = api.client();
    await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const reply = await client.send('POST', '/auth/ui/signout', {
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('This form was sent from another site.');
    expect((await client.get('/auth/session')).status).toBe(200);
  });

  it('never signs out on GET: the sign-out page asks first', async () => {
    const client = api.client();
    await client.send('POST', '/auth/ui/signin', {
      form: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const page = await client.get('/auth/ui/signout');
    expect(page.status).toBe(200);
    expect(page.text).toContain('method="post" action="/auth/ui/signout"');
    expect((await client.get('/auth/session')).status).toBe(200);
  });
});

describe('the UI switched off', () => {
  it('is not served', async () => {
    const api = await createTestApi({ ui: { enabled: false } });
    expect((await api.client().get('/auth/ui/signin')).status).toBe(404);
    expect(api.auth.ui).toBeNull();
    await api.close();
  });
});
