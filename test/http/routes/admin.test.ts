import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/index.js';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

type Api = TestApi<Record<never, never>>;

let api: Api;
let n = 0;

beforeAll(async () => {
  api = await createTestApi({ rateLimits: false, resources: ['post'] });
});
afterAll(() => api.close());

/** A user made directly in the store (no sign-up, no rate limits). */
function newUser(extra: { isStaff?: boolean; isSuperuser?: boolean; password?: string } = {}) {
  n += 1;
  return api.auth.users.create({ email: `person${n}@example.com`, password: PASSWORD, ...extra });
}

/** A browser signed in as `user` (the session is made in the store: no password hash to wait for). */
async function browserOf(user: User): Promise<Client> {
  const client = api.client();
  client.cookies.set('gh_session', (await api.auth.sessions.create(user.id)).token);
  return client;
}

/** A staff member holding exactly these permissions, directly. */
async function staffWith(...codenames: string[]): Promise<{ user: User; client: Client }> {
  const user = await newUser({ isStaff: true });
  await api.auth.permissions.grantToUser(user.id, codenames);
  return { user, client: await browserOf(user) };
}

function send(client: Client, method: string, path: string, body?: unknown) {
  return client.send(method, path, body === undefined ? {} : { body });
}

interface AdminCase {
  method: string;
  path: string;
  permission: string;
  status: number;
  /** Makes what the route acts on; returns the concrete path and body. */
  prepare(): Promise<{ path: string; body?: unknown }>;
}

let groupCount = 0;
const newGroup = (permissions: string[] = []) =>
  api.auth.permissions.createGroup(`group ${++groupCount}`, permissions);

const cases: AdminCase[] = [
  {
    method: 'GET',
    path: '/auth/admin/users',
    permission: 'user.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/users' }),
  },
  {
    method: 'POST',
    path: '/auth/admin/users',
    permission: 'user.add',
    status: 201,
    prepare: async () => ({ path: '/auth/admin/users', body: { email: `made${++n}@example.com` } }),
  },
  {
    method: 'GET',
    path: '/auth/admin/users/{id}',
    permission: 'user.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}` }),
  },
  {
    method: 'PATCH',
    path: '/auth/admin/users/{id}',
    permission: 'user.change',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}`, body: { firstName: 'Ada' } }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/{id}',
    permission: 'user.delete',
    status: 204,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}` }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/{id}/sessions',
    permission: 'user.change',
    status: 204,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/sessions` }),
  },
  {
    method: 'POST',
    path: '/auth/admin/users/{id}/password',
    permission: 'user.change',
    status: 204,
    prepare: async () => ({
      path: `/auth/admin/users/${(await newUser()).id}/password`,
      body: { password: 'another correct horse battery' },
    }),
  },
  {
    method: 'POST',
    path: '/auth/admin/users/{id}/password-reset',
    permission: 'user.change',
    status: 202,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/password-reset` }),
  },
  {
    method: 'PUT',
    path: '/auth/admin/users/{id}/groups',
    permission: 'user.change',
    status: 200,
    prepare: async () => ({
      path: `/auth/admin/users/${(await newUser()).id}/groups`,
      body: { groups: [(await newGroup()).id] },
    }),
  },
  {
    method: 'PUT',
    path: '/auth/admin/users/{id}/permissions',
    permission: 'user.change',
    status: 200,
    prepare: async () => ({
      path: `/auth/admin/users/${(await newUser()).id}/permissions`,
      body: { permissions: [] },
    }),
  },
  {
    method: 'GET',
    path: '/auth/admin/groups',
    permission: 'group.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/groups' }),
  },
  {
    method: 'POST',
    path: '/auth/admin/groups',
    permission: 'group.add',
    status: 201,
    prepare: async () => ({ path: '/auth/admin/groups', body: { name: `made group ${++groupCount}` } }),
  },
  {
    method: 'GET',
    path: '/auth/admin/groups/{id}',
    permission: 'group.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/groups/${(await newGroup()).id}` }),
  },
  {
    method: 'PATCH',
    path: '/auth/admin/groups/{id}',
    permission: 'group.change',
    status: 200,
    prepare: async () => ({
      path: `/auth/admin/groups/${(await newGroup()).id}`,
      body: { name: `renamed ${++groupCount}` },
    }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/groups/{id}',
    permission: 'group.delete',
    status: 204,
    prepare: async () => ({ path: `/auth/admin/groups/${(await newGroup()).id}` }),
  },
  {
    method: 'GET',
    path: '/auth/admin/permissions',
    permission: 'permission.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/permissions' }),
  },
  {
    method: 'POST',
    path: '/auth/admin/permissions',
    permission: 'permission.add',
    status: 201,
    prepare: async () => ({ path: '/auth/admin/permissions', body: { codename: `report.export${++n}` } }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/permissions/{codename}',
    permission: 'permission.delete',
    status: 204,
    prepare: async () => {
      const permission = await api.auth.permissions.create(`report.archive${++n}`);
      return { path: `/auth/admin/permissions/${permission.codename}` };
    },
  },
  {
    method: 'GET',
    path: '/auth/admin/users/{id}/sessions',
    permission: 'user.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/sessions` }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/{id}/sessions/{sessionId}',
    permission: 'user.change',
    status: 204,
    prepare: async () => {
      const user = await newUser();
      const { session } = await api.auth.sessions.create(user.id);
      return { path: `/auth/admin/users/${user.id}/sessions/${session.id}` };
    },
  },
  {
    method: 'GET',
    path: '/auth/admin/users/{id}/linked-accounts',
    permission: 'user.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/linked-accounts` }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/{id}/linked-accounts/{accountId}',
    permission: 'user.change',
    status: 204,
    prepare: async () => {
      const user = await newUser();
      const identity = { provider: 'idp', subject: `sub-${user.id}`, email: user.email, emailVerified: true };
      const account = await api.auth.accounts.link(user.id, identity);
      return { path: `/auth/admin/users/${user.id}/linked-accounts/${account.id}` };
    },
  },
  {
    method: 'POST',
    path: '/auth/admin/users/{id}/impersonate',
    permission: 'user.impersonate',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/impersonate` }),
  },
  {
    method: 'GET',
    path: '/auth/admin/users/{id}/mfa',
    permission: 'user.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/mfa` }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/{id}/mfa',
    permission: 'user.change',
    status: 204,
    prepare: async () => ({ path: `/auth/admin/users/${(await newUser()).id}/mfa` }),
  },
  {
    method: 'GET',
    path: '/auth/admin/audit',
    permission: 'audit.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/audit?type=user_created' }),
  },
  {
    method: 'GET',
    path: '/auth/admin/audit.csv',
    permission: 'audit.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/audit.csv' }),
  },
  {
    method: 'GET',
    path: '/auth/admin/webhooks',
    permission: 'webhook.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/webhooks' }),
  },
  {
    method: 'GET',
    path: '/auth/admin/webhooks/deliveries',
    permission: 'webhook.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/webhooks/deliveries?status=failed' }),
  },
  {
    method: 'POST',
    path: '/auth/admin/webhooks/deliveries/{id}/retry',
    permission: 'webhook.change',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/webhooks/deliveries/${await failedDelivery()}/retry` }),
  },
  {
    method: 'GET',
    path: '/auth/admin/tenants',
    permission: 'tenant.view',
    status: 200,
    prepare: async () => ({ path: '/auth/admin/tenants' }),
  },
  {
    method: 'POST',
    path: '/auth/admin/tenants',
    permission: 'tenant.add',
    status: 201,
    prepare: async () => ({ path: '/auth/admin/tenants', body: { slug: `org-${++n}`, name: 'Org' } }),
  },
  {
    method: 'GET',
    path: '/auth/admin/tenants/{id}',
    permission: 'tenant.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/tenants/${(await newTenant()).id}` }),
  },
  {
    method: 'PATCH',
    path: '/auth/admin/tenants/{id}',
    permission: 'tenant.change',
    status: 200,
    prepare: async () => ({
      path: `/auth/admin/tenants/${(await newTenant()).id}`,
      body: { name: 'Renamed' },
    }),
  },
  {
    method: 'GET',
    path: '/auth/admin/tenants/{id}/members',
    permission: 'tenant.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/tenants/${(await newTenant()).id}/members` }),
  },
  {
    method: 'POST',
    path: '/auth/admin/tenants/{id}/members',
    permission: 'tenant.manage_members',
    status: 201,
    prepare: async () => ({
      path: `/auth/admin/tenants/${(await newTenant()).id}/members`,
      body: { userId: (await newUser()).id },
    }),
  },
  {
    method: 'GET',
    path: '/auth/admin/tenants/{id}/members/{userId}',
    permission: 'tenant.view',
    status: 200,
    prepare: async () => {
      const { tenant, user } = await newMember();
      return { path: `/auth/admin/tenants/${tenant.id}/members/${user.id}` };
    },
  },
  {
    method: 'DELETE',
    path: '/auth/admin/tenants/{id}/members/{userId}',
    permission: 'tenant.manage_members',
    status: 204,
    prepare: async () => {
      const { tenant, user } = await newMember();
      return { path: `/auth/admin/tenants/${tenant.id}/members/${user.id}` };
    },
  },
  {
    method: 'PUT',
    path: '/auth/admin/tenants/{id}/members/{userId}/groups',
    permission: 'tenant.manage_members',
    status: 200,
    prepare: async () => {
      const { tenant, user } = await newMember();
      return { path: `/auth/admin/tenants/${tenant.id}/members/${user.id}/groups`, body: { groups: [] } };
    },
  },
  {
    method: 'GET',
    path: '/auth/admin/tenants/{id}/invitations',
    permission: 'tenant.view',
    status: 200,
    prepare: async () => ({ path: `/auth/admin/tenants/${(await newTenant()).id}/invitations` }),
  },
  {
    method: 'POST',
    path: '/auth/admin/tenants/{id}/invitations',
    permission: 'tenant.manage_members',
    status: 201,
    prepare: async () => ({
      path: `/auth/admin/tenants/${(await newTenant()).id}/invitations`,
      body: { email: `invitee${++n}@example.com` },
    }),
  },
  {
    method: 'DELETE',
    path: '/auth/admin/tenants/{id}/invitations/{invitationId}',
    permission: 'tenant.manage_members',
    status: 204,
    prepare: async () => {
      const tenant = await newTenant();
      const { invitation } = await api.auth.invitations.invite(tenant, {
        email: `invitee${++n}@example.com`,
      });
      return { path: `/auth/admin/tenants/${tenant.id}/invitations/${invitation.id}` };
    },
  },
];

function newTenant() {
  return api.auth.tenants.create({ slug: `org-${++n}`, name: 'Org' });
}

async function newMember() {
  const tenant = await newTenant();
  const user = await newUser();
  await api.auth.tenants.addMember(tenant.id, user.id);
  return { tenant, user };
}

/** A delivery that has failed for good (made in the store: no webhook needs to be configured to retry it). */
async function failedDelivery(): Promise<string> {
  const id = `whd_test${++n}`;
  const at = new Date();
  await api.auth.database.db
    .insertInto('webhook_deliveries')
    .values({
      id,
      webhook: 'gone',
      event_id: `aud_test${n}`,
      event_type: 'signup',
      payload: '{}',
      status: 'failed',
      attempts: 8,
      next_attempt_at: at,
      created_at: at,
    })
    .execute();
  return id;
}

describe('admin routes: who may call them', () => {
  it('covers every admin route in the OpenAPI document, each naming its permission', async () => {
    const doc = (await api.client().get('/auth/openapi.json')).body;
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/auth/admin/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods as Record<string, { 'x-required-permission'?: string }>).map(
          ([method, operation]) => `${method.toUpperCase()} ${path} ${operation['x-required-permission']}`,
        ),
      );
    expect(documented.sort()).toEqual(cases.map((c) => `${c.method} ${c.path} ${c.permission}`).sort());
  });

  it.each(cases)('$method $path: 401 signed out, 403 without $permission, $status with it', async (route) => {
    const { path, body } = await route.prepare();
    expect((await send(api.client(), route.method, path, body)).status).toBe(401);

    const others = cases.map((c) => c.permission).filter((p) => p !== route.permission);
    const without = await staffWith(...new Set(others));
    const refused = await send(without.client, route.method, path, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');

    const notStaff = await newUser();
    await api.auth.permissions.grantToUser(notStaff.id, [route.permission]);
    expect((await send(await browserOf(notStaff), route.method, path, body)).status).toBe(403);

    const allowed = await staffWith(route.permission);
    const reply = await send(allowed.client, route.method, path, body);
    expect(reply.status, reply.text).toBe(route.status);
  });

  it('lets a superuser call every admin route', async () => {
    const root = await newUser({ isStaff: true, isSuperuser: true });
    for (const route of cases) {
      const { path, body } = await route.prepare();
      // A browser each: impersonation swaps the cookie for one as the user.
      const reply = await send(await browserOf(root), route.method, path, body);
      expect(reply.status, `${route.method} ${path}`).toBe(route.status);
    }
  });

  it('refuses a cookie request from another site before checking anything else', async () => {
    const { client } = await staffWith('user.change');
    const target = await newUser();
    const reply = await client.send('PATCH', `/auth/admin/users/${target.id}`, {
      body: { firstName: 'Mallory' },
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('csrf_failed');
    expect((await api.auth.users.get(target.id))?.firstName).toBe('');
  });
});

describe('admin users', () => {
  it('lists users with search, filters and keyset pagination that neither skips nor repeats', async () => {
    const { client } = await staffWith('user.view');
    for (let i = 0; i < 7; i++)
      await api.auth.users.create({ email: `pager${i}@paging.example`, password: null, lastName: 'Pager' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?q=paging.example&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const reply = await client.get(`/auth/admin/users${query}`);
      expect(reply.status).toBe(200);
      expect(reply.body.users.length).toBeLessThanOrEqual(3);
      seen.push(...reply.body.users.map((u: { email: string }) => u.email));
      cursor = reply.body.nextCursor;
    } while (cursor);
    // Ids are ordered by creation time to the millisecond; within one the order is random but stable.
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `pager${i}@paging.example`));

    const byName = await client.get('/auth/admin/users?q=PAGER&limit=200');
    expect(byName.body.users).toHaveLength(7);
    expect(byName.body.users[0]).not.toHaveProperty('passwordHash');
    expect(byName.body.users[0].hasUsablePassword).toBe(false);

    const staffOnly = await client.get('/auth/admin/users?staff=true&limit=200');
    expect(staffOnly.body.users.length).toBeGreaterThan(0);
    expect(staffOnly.body.users.every((u: { isStaff: boolean }) => u.isStaff)).toBe(true);
  });

  it('refuses a bad query with the field named', async () => {
    const { client } = await staffWith('user.view');
    for (const query of ['limit=0', 'limit=201', 'limit=ten', 'active=maybe', 'colour=red']) {
      const reply = await client.get(`/auth/admin/users?${query}`);
      expect(reply.status, query).toBe(400);
      expect(Object.keys(reply.body.error.fields), query).toEqual([query.split('=')[0]]);
    }
  });

  it('shows a user with groups and direct permissions', async () => {
    const { client } = await staffWith('user.view');
    const user = await newUser();
    const group = await newGroup(['post.view']);
    await api.auth.permissions.setUserGroups(user.id, [group.id]);
    await api.auth.permissions.grantToUser(user.id, ['post.add']);
    const reply = await client.get(`/auth/admin/users/${user.id}`);
    expect(reply.body).toMatchObject({
      user: { id: user.id, email: user.email },
      groups: [{ id: group.id, name: group.name }],
      permissions: ['post.add'],
    });
    expect((await client.get('/auth/admin/users/usr_missing')).status).toBe(404);
  });

  it('creates a user, validating every field, and records who did it', async () => {
    const { user: actor, client } = await staffWith('user.add');
    const bad = await client.post('/auth/admin/users', { email: 'not-an-email', isStaff: 'yes' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['isStaff']);
    const weak = await client.post('/auth/admin/users', { email: 'weak@example.com', password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('password_invalid');

    const made = await client.post('/auth/admin/users', {
      email: 'Grace@Example.com',
      firstName: 'Grace',
      isStaff: true,
      emailVerified: true,
    });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({
      email: 'grace@example.com',
      isStaff: true,
      emailVerified: true,
      hasUsablePassword: false,
    });
    const events = await api.auth.audit.list({ userId: made.body.user.id });
    expect(events.map((e) => [e.type, e.actorId])).toEqual([['user_created', actor.id]]);
    expect((await client.post('/auth/admin/users', { email: 'grace@example.com' })).status).toBe(409);
  });

  it('lets only a superuser make, change or remove a superuser', async () => {
    const { client } = await staffWith('user.add', 'user.change', 'user.delete');
    const root = await newUser({ isStaff: true, isSuperuser: true });
    const plain = await newUser();
    const attempts = [
      () => client.post('/auth/admin/users', { email: `root${++n}@example.com`, isSuperuser: true }),
      () => send(client, 'PATCH', `/auth/admin/users/${plain.id}`, { isSuperuser: true }),
      () => send(client, 'PATCH', `/auth/admin/users/${root.id}`, { firstName: 'Eve' }),
      () => send(client, 'DELETE', `/auth/admin/users/${root.id}`),
      () => send(client, 'DELETE', `/auth/admin/users/${root.id}/sessions`),
      () => client.post(`/auth/admin/users/${root.id}/password`, { password: 'taken over by eve 123' }),
      () => send(client, 'PUT', `/auth/admin/users/${root.id}/permissions`, { permissions: [] }),
    ];
    for (const attempt of attempts) {
      const reply = await attempt();
      expect(reply.status, reply.text).toBe(403);
    }
    expect(await api.auth.users.get(root.id)).toMatchObject({ isSuperuser: true, firstName: '' });
    expect((await api.auth.users.get(plain.id))?.isSuperuser).toBe(false);

    const superuser = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
    const promoted = await send(superuser, 'PATCH', `/auth/admin/users/${plain.id}`, { isSuperuser: true });
    expect(promoted.body.user.isSuperuser).toBe(true);
  });

  it('lets staff act only on users who hold nothing the staff member lacks', async () => {
    const { client } = await staffWith('user.change', 'user.delete', 'post.view');
    const stronger = await newUser({ isStaff: true });
    await api.auth.permissions.grantToUser(stronger.id, ['post.view', 'post.delete']);
    const attempts = [
      () => client.post(`/auth/admin/users/${stronger.id}/password`, { password: 'taken over by eve 123' }),
      () => send(client, 'PATCH', `/auth/admin/users/${stronger.id}`, { email: 'eve@example.com' }),
      () => send(client, 'DELETE', `/auth/admin/users/${stronger.id}/sessions`),
      () => send(client, 'DELETE', `/auth/admin/users/${stronger.id}`),
    ];
    for (const attempt of attempts) {
      const reply = await attempt();
      expect(reply.status, reply.text).toBe(403);
    }
    expect((await api.auth.users.get(stronger.id))?.email).toBe(stronger.email);

    const equal = await newUser({ isStaff: true });
    await api.auth.permissions.grantToUser(equal.id, ['post.view']);
    const reply = await send(client, 'PATCH', `/auth/admin/users/${equal.id}`, { firstName: 'Eq' });
    expect(reply.status).toBe(200);
  });

  it('deactivating a user ends their sessions at once; nobody can lock themselves out', async () => {
    const { user: actor, client } = await staffWith('user.change', 'user.delete');
    const target = await newUser();
    const theirs = await browserOf(target);
    expect((await theirs.get('/auth/session')).status).toBe(200);
    const reply = await send(client, 'PATCH', `/auth/admin/users/${target.id}`, { isActive: false });
    expect(reply.body.user.isActive).toBe(false);
    expect((await theirs.get('/auth/session')).status).toBe(401);

    const self = await send(client, 'PATCH', `/auth/admin/users/${actor.id}`, { isActive: false });
    expect(self.status).toBe(409);
    expect(self.body.error.fields).toHaveProperty('isActive');
    expect((await send(client, 'DELETE', `/auth/admin/users/${actor.id}`)).status).toBe(409);
    expect((await api.auth.users.get(actor.id))?.isActive).toBe(true);
  });

  it('signs a user out everywhere, and sets a password they can then sign in with', async () => {
    const { client } = await staffWith('user.change');
    const target = await newUser();
    const phone = await browserOf(target);
    const laptop = await browserOf(target);
    expect((await send(client, 'DELETE', `/auth/admin/users/${target.id}/sessions`)).status).toBe(204);
    expect((await phone.get('/auth/session')).status).toBe(401);
    expect((await laptop.get('/auth/session')).status).toBe(401);

    const weak = await client.post(`/auth/admin/users/${target.id}/password`, { password: '123' });
    expect(weak.body.error.code).toBe('password_invalid');
    const newPassword = 'a brand new passphrase 42';
    expect(
      (await client.post(`/auth/admin/users/${target.id}/password`, { password: newPassword })).status,
    ).toBe(204);
    expect(await api.auth.users.checkPassword(target.id, newPassword)).toBe(true);
    const types = (await api.auth.audit.list({ userId: target.id })).map((e) => e.type);
    expect(types).toEqual(['password_changed', 'sessions_revoked']);
  });

  it('deletes a user with their assignments; a second delete is 404', async () => {
    const { client } = await staffWith('user.delete', 'post.view');
    const target = await newUser();
    await api.auth.permissions.grantToUser(target.id, ['post.view']);
    expect((await send(client, 'DELETE', `/auth/admin/users/${target.id}`)).status).toBe(204);
    expect(await api.auth.users.get(target.id)).toBeNull();
    expect(await api.auth.permissions.directPermissionsOf(target.id)).toEqual([]);
    expect((await send(client, 'DELETE', `/auth/admin/users/${target.id}`)).status).toBe(404);
  });
});

describe('admin assignments', () => {
  it('replaces a user’s groups and direct permissions, and the checks follow at once', async () => {
    const { client } = await staffWith('user.change', 'post.view', 'post.change');
    const target = await newUser();
    const viewers = await newGroup(['post.view']);
    const editors = await newGroup(['post.view', 'post.change']);
    const groups = await send(client, 'PUT', `/auth/admin/users/${target.id}/groups`, {
      groups: [viewers.id, editors.id],
    });
    expect(groups.body.groups.map((g: { id: string }) => g.id).sort()).toEqual(
      [viewers.id, editors.id].sort(),
    );
    expect(await api.auth.permissions.hasPerm(target, 'post.change')).toBe(true);
    await send(client, 'PUT', `/auth/admin/users/${target.id}/groups`, { groups: [viewers.id] });
    expect(await api.auth.permissions.hasPerm(target, 'post.change')).toBe(false);

    const direct = await send(client, 'PUT', `/auth/admin/users/${target.id}/permissions`, {
      permissions: ['post.change'],
    });
    expect(direct.body.permissions).toEqual(['post.change']);
    expect(await api.auth.permissions.hasPerm(target, 'post.change')).toBe(true);
  });

  it('refuses to hand out permissions the actor does not hold, changing nothing', async () => {
    const { client } = await staffWith('user.change', 'group.change', 'group.add', 'post.view');
    const target = await newUser();
    const deleters = await newGroup(['post.delete']);
    const viaGroup = await send(client, 'PUT', `/auth/admin/users/${target.id}/groups`, {
      groups: [deleters.id],
    });
    expect(viaGroup.status).toBe(403);
    expect(viaGroup.body.error.message).toMatch(/post\.delete/);
    const direct = await send(client, 'PUT', `/auth/admin/users/${target.id}/permissions`, {
      permissions: ['post.view', 'user.delete'],
    });
    expect(direct.status).toBe(403);
    const newGroupReply = await client.post('/auth/admin/groups', {
      name: 'sneaky',
      permissions: ['post.delete'],
    });
    expect(newGroupReply.status).toBe(403);
    const widened = await send(client, 'PATCH', `/auth/admin/groups/${deleters.id}`, {
      permissions: ['post.delete', 'user.add'],
    });
    expect(widened.status).toBe(403);

    expect(await api.auth.permissions.getAllPermissions(target)).toEqual(new Set());
    expect(await api.auth.permissions.getGroup('sneaky')).toBeNull();
    expect((await api.auth.permissions.getGroupById(deleters.id))?.permissions).toEqual(['post.delete']);

    // Taking away what one does not hold is allowed.
    const narrowed = await send(client, 'PATCH', `/auth/admin/groups/${deleters.id}`, { permissions: [] });
    expect(narrowed.body.group.permissions).toEqual([]);
  });

  it('answers 404 for an unknown group or permission and assigns nothing', async () => {
    const root = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
    const target = await newUser();
    const kept = await newGroup();
    await api.auth.permissions.setUserGroups(target.id, [kept.id]);
    await api.auth.permissions.grantToUser(target.id, ['post.view']);
    const groups = await send(root, 'PUT', `/auth/admin/users/${target.id}/groups`, {
      groups: [kept.id, 'grp_missing'],
    });
    expect(groups.status).toBe(404);
    const permissions = await send(root, 'PUT', `/auth/admin/users/${target.id}/permissions`, {
      permissions: ['nope.nope'],
    });
    expect(permissions.status).toBe(404);
    expect(await api.auth.permissions.groupsOf(target.id)).toEqual([kept.name]);
    expect(await api.auth.permissions.directPermissionsOf(target.id)).toEqual(['post.view']);
  });
});

describe('admin groups and permissions', () => {
  it('creates, renames, re-permissions and deletes a group; members follow each change', async () => {
    const root = await newUser({ isStaff: true, isSuperuser: true });
    const client = await browserOf(root);
    const member = await newUser();
    const made = await client.post('/auth/admin/groups', { name: 'Writers', permissions: ['post.add'] });
    expect(made.status).toBe(201);
    const id = made.body.group.id;
    await api.auth.permissions.addUserToGroup(member.id, 'Writers');
    expect(await api.auth.permissions.hasPerm(member, 'post.add')).toBe(true);

    const changed = await send(client, 'PATCH', `/auth/admin/groups/${id}`, {
      name: 'Authors',
      permissions: ['post.change'],
    });
    expect(changed.body.group).toEqual({ id, name: 'Authors', permissions: ['post.change'] });
    expect(await api.auth.permissions.hasPerm(member, 'post.add')).toBe(false);
    expect(await api.auth.permissions.hasPerm(member, 'post.change')).toBe(true);

    const listed = await client.get('/auth/admin/groups');
    expect(listed.body.groups).toContainEqual({ id, name: 'Authors', permissions: ['post.change'] });
    expect((await client.post('/auth/admin/groups', { name: 'Authors' })).status).toBe(409);
    expect(
      (await client.post('/auth/admin/groups', { name: 'Broken', permissions: ['nope.nope'] })).status,
    ).toBe(404);
    expect(await api.auth.permissions.getGroup('Broken')).toBeNull();

    expect((await send(client, 'DELETE', `/auth/admin/groups/${id}`)).status).toBe(204);
    expect(await api.auth.permissions.hasPerm(member, 'post.change')).toBe(false);
    expect((await client.get(`/auth/admin/groups/${id}`)).status).toBe(404);
    const types = (await api.auth.audit.list({ type: 'group_updated' })).filter(
      (e) => e.details.group === id,
    );
    expect(types.map((e) => e.actorId)).toEqual([root.id]);
  });

  it('lists the built-in and declared permissions, creates one and refuses a bad or duplicate codename', async () => {
    const client = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
    const listed = await client.get('/auth/admin/permissions');
    const codenames = listed.body.permissions.map((p: { codename: string }) => p.codename);
    expect(codenames).toEqual(
      expect.arrayContaining(['user.view', 'group.change', 'permission.delete', 'post.add']),
    );
    expect((await client.post('/auth/admin/permissions', { codename: 'Invoice Approve' })).status).toBe(400);
    const made = await client.post('/auth/admin/permissions', {
      codename: 'invoice.approve',
      name: 'Approve invoices',
    });
    expect(made.body.permission).toMatchObject({ codename: 'invoice.approve', name: 'Approve invoices' });
    expect((await client.post('/auth/admin/permissions', { codename: 'invoice.approve' })).status).toBe(409);
    expect((await send(client, 'DELETE', '/auth/admin/permissions/invoice.approve')).status).toBe(204);
    expect(await api.auth.permissions.get('invoice.approve')).toBeNull();
  });
});

describe('admin user list: search, filters, sorts and cursors', () => {
  const DOMAIN = '@list-search.example';
  const made: User[] = [];
  let groupId = '';

  beforeAll(async () => {
    const people = [
      { local: 'zanzibar', firstName: 'Zora', lastName: 'Neale', emailVerified: true },
      { local: 'quill', firstName: 'Ann%e', lastName: 'Zappa', isSuperuser: true },
      { local: 'rook', firstName: 'Anne', lastName: 'Brontë', isActive: false, emailVerified: true },
      { local: 'mote', firstName: 'Zed', lastName: 'Under_score', username: 'zed_handle' },
      { local: 'aardvark', firstName: 'Ann_e', lastName: 'Zanzi', isStaff: true, emailVerified: true },
    ];
    for (const { local, ...rest } of people) {
      made.push(await api.auth.users.create({ email: `${local}${DOMAIN}`, password: null, ...rest }));
    }
    for (const user of [made[3], made[0], made[1]]) if (user) await api.auth.users.recordLogin(user.id);
    groupId = (await newGroup()).id;
    for (const user of [made[1], made[4]])
      if (user) await api.auth.permissions.setUserGroups(user.id, [groupId]);
  });

  /** The emails of every page of `/auth/admin/users?query`, following nextCursor. */
  async function listed(client: Client, query: string, limit = 2): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const reply = await client.get(
        `/auth/admin/users?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(reply.status, query).toBe(200);
      expect(reply.body.users.length).toBeLessThanOrEqual(limit);
      seen.push(...reply.body.users.map((u: { email: string }) => u.email));
      cursor = reply.body.nextCursor;
      if (!cursor) return seen.filter((email) => email.endsWith(DOMAIN));
    }
    throw new Error('the pages never end');
  }
  const emailOf = (i: number) => made[i]?.email ?? '';
  const sorted = (emails: string[]) => [...emails].sort();
  /** Emails in order of a key, the id breaking ties (users made within a millisecond tie on time). */
  const orderedBy = (users: User[], key: (u: User) => string) =>
    [...users]
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1))
      .map((u) => u.email);

  it('searches by prefix or substring, case-insensitively, with wildcards taken literally', async () => {
    const { client } = await staffWith('user.view');
    const found = async (query: string) => sorted(await listed(client, query));
    expect(await found('q=ZA')).toEqual(sorted([emailOf(0), emailOf(1), emailOf(4)]));
    expect(await found('q=anzi')).toEqual(sorted([emailOf(0), emailOf(4)]));
    expect(await found('q=anzi&match=prefix')).toEqual([]);
    expect(await found('q=ze&match=contains')).toEqual([emailOf(3)]);
    expect(await found(`q=${encodeURIComponent('ann%e')}`)).toEqual([emailOf(1)]);
    expect(await found(`q=${encodeURIComponent('ann_e')}`)).toEqual([emailOf(4)]);
    expect(await found(`q=${encodeURIComponent('_')}&match=contains`)).toEqual(
      sorted([emailOf(3), emailOf(4)]),
    );
    expect(await found('q=ZED_H')).toEqual([emailOf(3)]);
  });

  it('filters by flag, verification and group, and sorts either way across pages', async () => {
    const { client } = await staffWith('user.view');
    const q = `q=${encodeURIComponent('list-search.example')}`;
    const found = async (query: string) => sorted(await listed(client, query));
    expect(await found(`${q}&superuser=true`)).toEqual([emailOf(1)]);
    expect(await found(`${q}&staff=true`)).toEqual([emailOf(4)]);
    expect(await found(`${q}&active=false`)).toEqual([emailOf(2)]);
    expect(await found(`${q}&verified=true`)).toEqual(sorted([emailOf(0), emailOf(2), emailOf(4)]));
    expect(await found(`${q}&verified=false&active=true`)).toEqual(sorted([emailOf(1), emailOf(3)]));
    expect(await found(`group=${groupId}`)).toEqual(sorted([emailOf(1), emailOf(4)]));
    expect(await found('group=grp_none')).toEqual([]);

    const created = orderedBy(made, (u) => u.createdAt.toISOString());
    expect(await listed(client, `${q}`)).toEqual(created); // oldest first
    expect(await listed(client, `${q}&order=desc`)).toEqual([...created].reverse());
    const emails = made.map((u) => u.email).sort();
    expect(await listed(client, `${q}&sort=email`)).toEqual(emails);
    expect(await listed(client, `${q}&sort=email&order=desc`, 1)).toEqual([...emails].reverse());
    // Last sign-in: who never signed in first ascending, the latest sign-in first descending.
    const fresh = await Promise.all(made.map(async (u) => (await api.auth.users.get(u.id)) ?? u));
    const byLogin = orderedBy(fresh, (u) => u.lastLoginAt?.toISOString() ?? '');
    expect(byLogin.slice(2).sort()).toEqual([emailOf(0), emailOf(1), emailOf(3)].sort());
    expect(await listed(client, `${q}&sort=lastLogin`, 3)).toEqual(byLogin);
    expect(await listed(client, `${q}&sort=lastLogin&order=desc`, 3)).toEqual([...byLogin].reverse());
  });

  it('refuses a garbled or foreign cursor and a bad sort, order or match with the field named', async () => {
    const { client } = await staffWith('user.view');
    const byEmail = await client.get('/auth/admin/users?sort=email&limit=1');
    expect(byEmail.body.nextCursor).toEqual(expect.any(String));
    const forged = Buffer.from(JSON.stringify({ s: 'created', o: 'asc', k: 'soon', i: 'x' })).toString(
      'base64url',
    );
    const cases: [string, string][] = [
      ['cursor=usr_0000000000', 'cursor'],
      ['cursor=%7B%7D', 'cursor'],
      [`cursor=${forged}`, 'cursor'],
      [`cursor=${byEmail.body.nextCursor}`, 'cursor'],
      [`cursor=${byEmail.body.nextCursor}&sort=email&order=desc`, 'cursor'],
      [`cursor=${'a'.repeat(2001)}`, 'cursor'],
      ['sort=name', 'sort'],
      ['order=up', 'order'],
      ['match=fuzzy', 'match'],
      ['superuser=maybe', 'superuser'],
      ['verified=1', 'verified'],
    ];
    for (const [query, field] of cases) {
      const reply = await client.get(`/auth/admin/users?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.code, query).toBe('invalid_request');
      expect(Object.keys(reply.body.error.fields), query).toEqual([field]);
    }
    const next = await client.get(
      `/auth/admin/users?sort=email&limit=1&cursor=${encodeURIComponent(byEmail.body.nextCursor)}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.users[0].email > byEmail.body.users[0].email).toBe(true);
  });
});
