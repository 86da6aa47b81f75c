import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

const fields = {
  company: { type: 'string', optional: true, maxLength: 40 },
  seats: { type: 'integer', optional: true },
} as const;

describe('PATCH /auth/user', () => {
  let api: TestApi<typeof fields>;
  beforeAll(async () => {
    api = await createTestApi({ rateLimits: false, user: { fields } });
    await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD });
    await api.auth.users.create({ email: 'bob@example.com', username: 'bob', password: PASSWORD });
  });
  afterAll(() => api.close());

  async function signedIn() {
    const client = api.client();
    await client.post('/auth/signin', { email: 'ada@example.com', password: PASSWORD });
    return client;
  }

  it('changes names and custom fields, and the session sees the change at once', async () => {
    const client = await signedIn();
    expect((await client.get('/auth/session')).body.user.firstName).toBe('');
    const reply = await client.send('PATCH', '/auth/user', {
      body: { firstName: 'Ada', company: 'Analytical Engines', seats: 4 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ firstName: 'Ada', company: 'Analytical Engines', seats: 4 });
    expect((await client.get('/auth/session')).body.user.firstName).toBe('Ada');
  });

  it('accepts a form post with custom fields as text', async () => {
    const client = await signedIn();
    const reply = await client.send('PATCH', '/auth/user', { form: { lastName: 'Lovelace', seats: '9' } });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ lastName: 'Lovelace', seats: 9 });
  });

  it('refuses privilege fields and the email, naming them', async () => {
    const client = await signedIn();
    const reply = await client.send('PATCH', '/auth/user', {
      body: { isSuperuser: true, email: 'x@example.com' },
    });
    expect(reply.status).toBe(400);
    expect(Object.keys(reply.body.error.fields).sort()).toEqual(['email', 'isSuperuser']);
    expect((await api.auth.users.getByEmail('ada@example.com'))?.isSuperuser).toBe(false);
  });

  it('answers 409 for a username someone else has, and 400 for a bad value', async () => {
    const client = await signedIn();
    expect((await client.send('PATCH', '/auth/user', { body: { username: 'BOB' } })).status).toBe(409);
    const bad = await client.send('PATCH', '/auth/user', { body: { company: 'x'.repeat(41) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('company');
  });

  it('needs a session and a trusted origin', async () => {
    expect((await api.client().send('PATCH', '/auth/user', { body: { firstName: 'Eve' } })).status).toBe(401);
    const client = await signedIn();
    const forged = await client.send('PATCH', '/auth/user', {
      body: { firstName: 'Eve' },
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
  });
});
