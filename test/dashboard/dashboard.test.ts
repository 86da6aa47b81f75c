/**
 * The dashboard over HTTP, without a browser: who gets in, what each kind of
 * staff member is shown, and that its forms reach the admin API (the browser
 * suite in test/e2e drives the same screens in Chromium).
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/index.js';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../helpers/http.js';

const D = '/auth/dashboard';
let api: TestApi<Record<never, never>>;
let n = 0;

beforeAll(async () => {
  api = await createTestApi({
    rateLimits: false,
    resources: ['post'],
    secret: 'a server secret of at least thirty-two characters',
  });
});
afterAll(() => api.close());

function newUser(extra: { isStaff?: boolean; isSuperuser?: boolean } = {}) {
  n += 1;
  return api.auth.users.create({ email: `person${n}@example.com`, password: PASSWORD, ...extra });
}

async function browserOf(user: User): Promise<Client> {
  const client = api.client();
  client.cookies.set('gh_session', (await api.auth.sessions.create(user.id)).token);
  return client;
}

async function staffWith(...codenames: string[]): Promise<Client> {
  const user = await newUser({ isStaff: true });
  await api.auth.permissions.grantToUser(user.id, codenames);
  return browserOf(user);
}

/** A form post as the browser sends it. */
function post(client: Client, path: string, fields: [string, string][]) {
  return client.send('POST', path, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
  });
}

describe('the dashboard’s door', () => {
  it('sends a visitor to sign in, and back to the page asked for', async () => {
    const reply = await api.client().get(`${D}/users?q=ada`);
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe(
      `/auth/ui/signin?next=${encodeURIComponent(`${D}/users?q=ada`)}`,
    );
  });

  it('refuses a signed-in user who is not staff, and staff without any dashboard permission', async () => {
    for (const client of [await browserOf(await newUser()), await staffWith()]) {
      const reply = await client.get(`${D}/users`);
      expect(reply.status).toBe(403);
      expect(reply.text).toContain('for staff');
    }
  });

  it('opens on the first section the staff member may see, with the pages’ security headers', async () => {
    const auditor = await staffWith('audit.view');
    const reply = await auditor.get(`${D}/`);
    expect(reply.headers.get('location')).toBe(`${D}/audit`);
    const page = await auditor.get(`${D}/audit`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).not.toContain('<script');
    // Only the sections it may open are linked.
    expect(page.text).toContain(`href="${D}/audit"`);
    expect(page.text).not.toContain(`href="${D}/users"`);
  });

  it('answers a malformed path or form with a page, never a crash', async () => {
    const root = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
    expect((await root.get(`${D}/users/%E0%A4%A`)).status).toBe(404);
    const reply = await root.send('POST', `${D}/groups/new`, {
      body: 'name=a%00b',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('That was refused');
  });
});

describe('what staff are shown', () => {
  it('gives a user.view-only staff member a read-only user page', async () => {
    const viewer = await staffWith('user.view');
    const target = await newUser();
    const page = await viewer.get(`${D}/users/${target.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(target.email);
    for (const action of ['/profile', '/password', '/groups', '/permissions', '/impersonate', '/delete']) {
      expect(page.text).not.toContain(`${D}/users/${target.id}${action}`);
    }
    expect(page.text).not.toContain('Add user');
  });

  it('gives staff who may change users the forms, and the API still refuses what they may not do', async () => {
    const editor = await staffWith('user.view', 'user.change');
    const target = await newUser();
    const page = await editor.get(`${D}/users/${target.id}`);
    expect(page.text).toContain(`${D}/users/${target.id}/profile`);
    expect(page.text).not.toContain('name="isSuperuser"');
    const refused = await post(editor, `${D}/users/${target.id}/delete`, []);
    expect(refused.status).toBe(403);
    expect(await api.auth.users.get(target.id)).not.toBeNull();
  });
});

describe('forms', () => {
  it('saves a profile through the API, or shows its field errors beside the fields', async () => {
    const editor = await staffWith('user.view', 'user.change');
    const target = await newUser();
    const bad = await post(editor, `${D}/users/${target.id}/profile`, [
      ['email', 'not an email'],
      ['firstName', 'Grace'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain('value="Grace"');

    const saved = await post(editor, `${D}/users/${target.id}/profile`, [
      ['email', target.email],
      ['firstName', 'Grace'],
      ['flags', 'shown'],
      ['isActive', 'on'],
    ]);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${D}/users/${target.id}?done=saved`);
    expect(await api.auth.users.get(target.id)).toMatchObject({ firstName: 'Grace', isActive: true });
  });

  it('saves a group’s permissions, keeping those the picker’s filter hid', async () => {
    const root = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
    const group = await api.auth.permissions.createGroup('writers', ['post.view', 'user.view']);
    const filtered = await root.get(`${D}/groups/${group.id}?filter=post`);
    expect(filtered.text).toContain('name="permissions" value="user.view"');
    expect(filtered.text).toContain('type="hidden" name="permissions" value="user.view"');
    const saved = await post(root, `${D}/groups/${group.id}`, [
      ['name', 'writers'],
      ['picker', 'shown'],
      ['permissions', 'user.view'],
      ['permissions', 'post.add'],
    ]);
    expect(saved.status).toBe(303);
    expect((await api.auth.permissions.getGroupById(group.id))?.permissions).toEqual([
      'post.add',
      'user.view',
    ]);
  });
});

describe('linked accounts on the user page', () => {
  it('lists them, unlinks one, and shows why the last way in cannot be unlinked', async () => {
    const user = await newUser();
    const identity = (subject: string) => ({
      provider: 'forge',
      subject,
      email: user.email,
      emailVerified: true,
    });
    const first = await api.auth.accounts.link(user.id, identity(`a-${user.id}`));
    const client = await staffWith('user.view', 'user.change');
    const page = await client.get(`${D}/users/${user.id}`);
    expect(page.text).toContain('Linked accounts');
    expect(page.text).toContain('Unlink forge');
    const done = await post(client, `${D}/users/${user.id}/linked-accounts/unlink`, [['id', first.id]]);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${D}/users/${user.id}?done=unlinked`);
    expect(await api.auth.accounts.list(user.id)).toEqual([]);

    const social = await api.auth.users.create({ email: `social${n}@example.com`, password: null });
    const only = await api.auth.accounts.link(social.id, {
      ...identity(`b-${social.id}`),
      email: social.email,
    });
    const refused = await post(client, `${D}/users/${social.id}/linked-accounts/unlink`, [['id', only.id]]);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('This is the only way you sign in');
    expect(await api.auth.accounts.list(social.id)).toHaveLength(1);
  });

  it('is read-only for staff who may only view users', async () => {
    const user = await newUser();
    await api.auth.accounts.link(user.id, {
      provider: 'forge',
      subject: `c-${user.id}`,
      email: null,
      emailVerified: false,
    });
    const page = await (await staffWith('user.view')).get(`${D}/users/${user.id}`);
    expect(page.text).toContain('Linked accounts');
    expect(page.text).not.toContain('linked-accounts/unlink');
  });
});

describe('two-step verification on the user page', () => {
  it('shows the factors and resets them for staff who may change users', async () => {
    const user = await newUser();
    const setup = await api.auth.mfa.totp.begin(user);
    const app = OTPAuth.URI.parse(setup.otpauthUrl) as OTPAuth.TOTP;
    await api.auth.mfa.totp.confirm(user.id, app.generate());
    await api.auth.mfa.recoveryCodes.generate(user.id);

    const viewer = await (await staffWith('user.view')).get(`${D}/users/${user.id}`);
    expect(viewer.text).toContain('Authenticator app on');
    expect(viewer.text).toContain('10 recovery codes left');
    expect(viewer.text).not.toContain(`${user.id}/mfa"`);

    const client = await staffWith('user.view', 'user.change');
    const done = await post(client, `${D}/users/${user.id}/mfa`, []);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${D}/users/${user.id}?done=mfareset`);
    expect(await api.auth.mfa.hasSecondFactor(user.id)).toBe(false);
    const after = await client.get(`${D}/users/${user.id}?done=mfareset`);
    expect(after.text).toContain('No authenticator app');
  });
});

describe('the users list', () => {
  it('passes its filters and sort to the API and keeps them on the next page', async () => {
    const viewer = await staffWith('user.view', 'group.view');
    const group = await api.auth.permissions.createGroup('listers');
    for (const name of ['zed', 'amy', 'bob']) {
      const user = await api.auth.users.create({ email: `${name}@sorting.example`, password: null });
      await api.auth.permissions.setUserGroups(user.id, [group.id]);
    }
    const page = await viewer.get(`${D}/users?group=${group.id}&sort=email&order=desc`);
    expect(page.status).toBe(200);
    const emails = [...page.text.matchAll(/>([a-z]+@sorting\.example)</g)].map((m) => m[1]);
    expect(emails).toEqual(['zed@sorting.example', 'bob@sorting.example', 'amy@sorting.example']);
    expect(page.text).toContain(`<option value="${group.id}" selected>listers</option>`);

    const bad = await viewer.get(`${D}/users?sort=shoe`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Sort by created, email or lastLogin.');
  });
});
