import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/index.js';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

let api: TestApi<Record<never, never>>;
let n = 0;
let clock = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  api = await createTestApi({ rateLimits: false, now: () => clock, impersonation: { ttlSeconds: 600 } });
});
afterAll(() => api.close());

function newUser(extra: { isStaff?: boolean; isSuperuser?: boolean } = {}) {
  n += 1;
  return api.auth.users.create({ email: `member${n}@example.com`, password: PASSWORD, ...extra });
}

/** A browser that signed in with the password (a real session cookie, as the dashboard would have). */
async function signedIn(user: User): Promise<Client> {
  const client = api.client();
  const reply = await client.post('/auth/signin', { email: user.email, password: PASSWORD });
  expect(reply.status).toBe(200);
  return client;
}

async function staffWith(...codenames: string[]) {
  const user = await newUser({ isStaff: true });
  await api.auth.permissions.grantToUser(user.id, codenames);
  return { user, client: await signedIn(user) };
}

describe("a user's sessions, for staff", () => {
  it('lists them (impersonations marked) and ends one at once', async () => {
    const { client } = await staffWith('user.view', 'user.change');
    const target = await newUser();
    const phone = await signedIn(target);
    const laptop = await signedIn(target);
    const listed = await client.get(`/auth/admin/users/${target.id}/sessions`);
    expect(listed.body.sessions).toHaveLength(2);
    expect(listed.body.sessions.every((s: { impersonated: boolean }) => s.impersonated === false)).toBe(true);

    const phoneSession = (await phone.get('/auth/session')).body.session.id;
    const ended = await client.send('DELETE', `/auth/admin/users/${target.id}/sessions/${phoneSession}`);
    expect(ended.status).toBe(204);
    expect((await phone.get('/auth/session')).status).toBe(401);
    expect((await laptop.get('/auth/session')).status).toBe(200);

    const someoneElses = (await api.auth.sessions.create((await newUser()).id)).session.id;
    const refused = await client.send('DELETE', `/auth/admin/users/${target.id}/sessions/${someoneElses}`);
    expect(refused.status).toBe(404);
    expect(await api.auth.sessions.get(someoneElses)).not.toBeNull();
  });
});

describe('impersonation', () => {
  it('acts as the user, audits both identities, and returns to the staff member’s own session', async () => {
    const { user: agent, client } = await staffWith('user.impersonate');
    const target = await newUser();
    const started = await client.post(`/auth/admin/users/${target.id}/impersonate`);
    expect(started.status).toBe(200);
    expect(started.body.session.impersonator).toBe(agent.id);

    const now = await client.get('/auth/session');
    expect(now.body.user.id).toBe(target.id);
    expect(now.body.session).toMatchObject({ impersonator: agent.id, amr: ['imp'] });
    // The user sees the staff session among their own.
    const theirs = await client.get('/auth/sessions');
    expect(theirs.body.sessions[0].impersonated).toBe(true);

    // An action taken while impersonating names both.
    const renamed = await client.send('PATCH', '/auth/user', { body: { firstName: 'Changed' } });
    expect(renamed.status).toBe(200);
    await client.send('DELETE', '/auth/sessions');
    const revoked = (await api.auth.audit.list({ userId: target.id, type: 'sessions_revoked' }))[0];
    expect(revoked).toMatchObject({ actorId: agent.id, details: { impersonatorId: agent.id } });

    const back = await client.post('/auth/impersonation/end');
    expect(back.body).toMatchObject({ returned: true, user: { id: agent.id } });
    expect((await client.get('/auth/session')).body.user.id).toBe(agent.id);
    const types = (await api.auth.audit.list({ actorId: agent.id })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['impersonation_started', 'impersonation_ended']));
    expect((await client.post('/auth/impersonation/end')).status).toBe(409);
  });

  it('is refused for a superuser (unless by one), a stronger user, oneself, and from inside an impersonation', async () => {
    const { user: agent, client } = await staffWith('user.impersonate');
    const root = await newUser({ isStaff: true, isSuperuser: true });
    const stronger = await newUser({ isStaff: true });
    await api.auth.permissions.grantToUser(stronger.id, ['user.delete']);
    for (const target of [root, stronger]) {
      expect((await client.post(`/auth/admin/users/${target.id}/impersonate`)).status).toBe(403);
    }
    expect((await client.post(`/auth/admin/users/${agent.id}/impersonate`)).status).toBe(409);

    const staffTarget = await newUser({ isStaff: true });
    await api.auth.permissions.grantToUser(staffTarget.id, ['user.impersonate']);
    expect((await client.post(`/auth/admin/users/${staffTarget.id}/impersonate`)).status).toBe(200);
    const nested = await client.post(`/auth/admin/users/${(await newUser()).id}/impersonate`);
    expect(nested.status).toBe(403);

    const superuser = await signedIn(await newUser({ isStaff: true, isSuperuser: true }));
    expect((await superuser.post(`/auth/admin/users/${root.id}/impersonate`)).status).toBe(200);
  });

  it('ends by itself after its time, and leaves no way back once the staff session is gone', async () => {
    const { client } = await staffWith('user.impersonate');
    const target = await newUser();
    await client.post(`/auth/admin/users/${target.id}/impersonate`);
    clock = new Date(clock.getTime() + 601_000);
    expect((await client.get('/auth/session')).status).toBe(401);

    const second = await staffWith('user.impersonate');
    await second.client.post(`/auth/admin/users/${target.id}/impersonate`);
    await api.auth.sessions.revokeAllForUser(second.user.id);
    const back = await second.client.post('/auth/impersonation/end');
    expect(back.body).toEqual({ returned: false });
    expect((await second.client.get('/auth/session')).status).toBe(401);
  });

  it('ends when the staff member is deleted', async () => {
    const { user: agent, client } = await staffWith('user.impersonate');
    const target = await newUser();
    await client.post(`/auth/admin/users/${target.id}/impersonate`);
    await api.auth.users.delete(agent.id);
    clock = new Date(clock.getTime() + 10_000); // past the session cache's trust window
    expect((await client.get('/auth/session')).status).toBe(401);
  });
});
