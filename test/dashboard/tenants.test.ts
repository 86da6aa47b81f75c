/**
 * The dashboard's tenant pages over HTTP: who sees them, and that the list's
 * create form and the tenant page's forms (settings, status, login policy,
 * members, invitations) reach the admin API, whose rules and field errors
 * come back on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/index.js';
import { type Client, createTestApi, ORIGIN, PASSWORD, type TestApi } from '../helpers/http.js';

const D = '/auth/dashboard';
let api: TestApi<Record<never, never>>;
let root: Client;
let n = 0;

beforeAll(async () => {
  api = await createTestApi({
    rateLimits: false,
    publicUrl: ORIGIN,
    oauth: {
      providers: {
        github: { clientId: 'gh-app', clientSecret: 'gh-secret' },
        gitlab: { clientId: 'gl-app', clientSecret: 'gl-secret' },
      },
    },
  });
  root = await browserOf(await newUser({ isStaff: true, isSuperuser: true }));
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

function newTenant(pool: 'shared' | 'isolated' = 'shared') {
  n += 1;
  return api.auth.tenants.create({ slug: `org-${n}`, name: `Org ${n}`, pool });
}

describe('who sees the tenant pages', () => {
  it('hides the Tenants link from staff without tenant.view, and refuses them the pages', async () => {
    const staff = await staffWith('user.view');
    const users = await staff.get(`${D}/users`);
    expect(users.status).toBe(200);
    expect(users.text).not.toContain(`href="${D}/tenants"`);
    expect((await staff.get(`${D}/tenants`)).status).toBe(403);
    expect((await staff.get(`${D}/tenants/default`)).status).toBe(403);
    const refused = await post(staff, `${D}/tenants/new`, [
      ['slug', 'sneaky'],
      ['name', 'Sneaky'],
    ]);
    expect(refused.status).toBe(403);
    expect(await api.auth.tenants.find('sneaky')).toBeNull();
  });

  it('gives staff with tenant.view the link and read-only pages', async () => {
    const viewer = await staffWith('tenant.view');
    const org = await newTenant();
    const start = await viewer.get(`${D}/`);
    expect(start.headers.get('location')).toBe(`${D}/tenants`);
    const list = await viewer.get(`${D}/tenants`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`<a href="${D}/tenants" aria-current="page">Tenants</a>`);
    expect(list.text).toContain(`href="${D}/tenants/${org.id}"`);
    expect(list.text).not.toContain('New tenant');
    const page = await viewer.get(`${D}/tenants/${org.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<dt>Sign-up</dt><dd>By invitation only</dd>');
    expect(page.text).not.toContain('<form method="post" action="/auth/dashboard/tenants');
  });
});

describe('the tenants list', () => {
  it('creates a tenant through the API, which records it', async () => {
    const created = await post(root, `${D}/tenants/new`, [
      ['slug', 'acme-dash'],
      ['name', 'Acme'],
      ['pool', 'isolated'],
      ['logoUrl', 'https://cdn.example.com/acme.svg'],
    ]);
    expect(created.status).toBe(303);
    const tenant = await api.auth.tenants.find('acme-dash');
    expect(tenant).toMatchObject({
      name: 'Acme',
      pool: 'isolated',
      logoUrl: 'https://cdn.example.com/acme.svg',
    });
    expect(created.headers.get('location')).toBe(`${D}/tenants/${tenant?.id}?done=created`);
    const [event] = await api.auth.audit.list({ type: 'tenant_created' });
    expect(event?.details).toMatchObject({ slug: 'acme-dash' });
    const page = await root.get(`${D}/tenants/${tenant?.id}?done=created`);
    expect(page.text).toContain('Created.');
    expect(page.text).toContain('Isolated user pool');
  });

  it('shows the API’s field errors beside the create form’s fields, keeping what was typed', async () => {
    const bad = await post(root, `${D}/tenants/new`, [
      ['slug', 'Not A Slug'],
      ['name', 'Keep me'],
      ['pool', 'shared'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(
      'id="field-slug" name="slug" aria-describedby="field-slug-error" aria-invalid="true"',
    );
    expect(bad.text).toContain('Use 1 to 63 lower-case letters');
    expect(bad.text).toContain('value="Keep me"');
    const taken = await post(root, `${D}/tenants/new`, [
      ['slug', 'acme-dash'],
      ['name', 'Again'],
    ]);
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('A tenant with this slug already exists.');
  });

  it('pages through the tenants by slug', async () => {
    for (let i = 0; i <= 50; i++) {
      await api.auth.tenants.create({ slug: `zz-page-${String(i).padStart(2, '0')}`, name: `Page ${i}` });
    }
    const first = await root.get(`${D}/tenants`);
    expect(first.text).not.toContain('zz-page-50');
    const next = first.text.match(/<a href="([^"]+)" rel="next">Next page<\/a>/)?.[1];
    expect(next).toMatch(/^\/auth\/dashboard\/tenants\?cursor=/);
    const second = await root.get(next?.replaceAll('&amp;', '&') ?? '');
    expect(second.status).toBe(200);
    expect(second.text).toContain('<code>zz-page-50</code>');
  });
});

describe('a tenant’s page', () => {
  it('renames it, and disables and enables it (never the default tenant)', async () => {
    const org = await newTenant();
    const at = `${D}/tenants/${org.id}`;
    const saved = await post(root, `${at}/settings`, [
      ['name', 'Renamed'],
      ['logoUrl', ''],
    ]);
    expect(saved.headers.get('location')).toBe(`${at}?done=saved`);
    expect((await api.auth.tenants.get(org.id))?.name).toBe('Renamed');
    const blank = await post(root, `${at}/settings`, [['name', ' ']]);
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('Enter a name.');

    const disabled = await post(root, `${at}/status`, [['isActive', 'false']]);
    expect(disabled.headers.get('location')).toBe(`${at}?done=disabled`);
    expect((await api.auth.tenants.get(org.id))?.isActive).toBe(false);
    expect((await root.get(`${at}?done=disabled`)).text).toContain('Enable tenant');
    await post(root, `${at}/status`, [['isActive', 'true']]);
    expect((await api.auth.tenants.get(org.id))?.isActive).toBe(true);

    expect((await root.get(`${D}/tenants/ten_nosuchtenant`)).status).toBe(404);
    const home = await root.get(`${D}/tenants/default`);
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('Disable tenant');
    const refused = await post(root, `${D}/tenants/default/status`, [['isActive', 'false']]);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The default tenant cannot be disabled.');
  });

  it('saves the login policy, offering a subset of the configured providers', async () => {
    const org = await newTenant();
    const at = `${D}/tenants/${org.id}`;
    const page = await root.get(at);
    expect(page.text).toContain('name="providers" value="github"');
    expect(page.text).toContain('name="providers" value="gitlab"');
    const saved = await post(root, `${at}/policy`, [
      ['methods', 'password'],
      ['methods', 'passkey'],
      ['social', 'some'],
      ['providers', 'gitlab'],
      ['mfaRequired', 'on'],
      ['allowedEmailDomains', 'example.com\r\nacme.test, Corp.Example'],
    ]);
    expect(saved.headers.get('location')).toBe(`${at}?done=policy`);
    expect((await api.auth.tenants.get(org.id))?.policy).toEqual({
      methods: { password: true, magicLink: false, emailCode: false, passkey: true, social: ['gitlab'] },
      mfaRequired: true,
      allowedEmailDomains: ['example.com', 'acme.test', 'corp.example'],
      signUp: false,
    });
    const shown = await root.get(`${at}?done=policy`);
    expect(shown.text).toContain('Login policy saved.');
    expect(shown.text).toContain('name="methods" value="passkey" checked');
    expect(shown.text).toContain('name="methods" value="magicLink">');
    expect(shown.text).toContain('id="social-some" name="social" value="some" checked');

    const every = await post(root, `${at}/policy`, [
      ['methods', 'password'],
      ['social', 'all'],
      ['providers', 'gitlab'],
      ['signUp', 'on'],
    ]);
    expect(every.status).toBe(303);
    expect((await api.auth.tenants.get(org.id))?.policy).toMatchObject({
      methods: { social: null },
      mfaRequired: false,
      allowedEmailDomains: [],
      signUp: true,
    });
  });

  it('shows a refused domain beside the domains box, keeping what was typed', async () => {
    const org = await newTenant();
    const bad = await post(root, `${D}/tenants/${org.id}/policy`, [
      ['methods', 'password'],
      ['social', 'all'],
      ['allowedEmailDomains', 'example.com\n@not a domain'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true">example.com\n@not a domain</textarea>');
    expect(bad.text).toContain('Not a domain: @not, a, domain.');
    expect((await api.auth.tenants.get(org.id))?.policy.allowedEmailDomains).toEqual([]);
  });

  it('adds a member with groups, lists them, and removes them', async () => {
    const org = await newTenant();
    const at = `${D}/tenants/${org.id}`;
    await api.auth.permissions.createGroup('Org support', ['user.view']);
    const user = await newUser();
    const added = await post(root, `${at}/members/new`, [
      ['memberEmail', user.email],
      ['memberGroups', 'Org support'],
    ]);
    expect(added.headers.get('location')).toBe(`${at}?done=member`);
    expect((await api.auth.tenants.member(org.id, user.id))?.groups).toEqual(['Org support']);
    const page = await root.get(`${at}?done=member`);
    expect(page.text).toContain(`<a href="${D}/users/${user.id}">${user.email}</a>`);
    expect(page.text).toContain('<td>Org support</td>');
    expect(page.text).toContain(`aria-label="Remove ${user.email} from ${org.name}"`);

    const unknown = await post(root, `${at}/members/new`, [['memberEmail', 'nobody@example.com']]);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('There is no such user here.');
    expect(unknown.text).toContain('value="nobody@example.com"');

    const removed = await post(root, `${at}/members/remove`, [['id', user.id]]);
    expect(removed.headers.get('location')).toBe(`${at}?done=removed`);
    expect(await api.auth.tenants.member(org.id, user.id)).toBeNull();
  });

  it('invites an address with groups and withdraws the invitation', async () => {
    const org = await newTenant();
    const at = `${D}/tenants/${org.id}`;
    await api.auth.permissions.createGroup('Org editors', ['user.change']);
    const sent = await post(root, `${at}/invitations/new`, [
      ['inviteEmail', 'new.person@example.com'],
      ['inviteGroups', 'Org editors'],
    ]);
    expect(sent.headers.get('location')).toBe(`${at}?done=invited`);
    const [invitation] = await api.auth.invitations.pending(org.id);
    expect(invitation).toMatchObject({ email: 'new.person@example.com', groups: ['Org editors'] });
    const page = await root.get(`${at}?done=invited`);
    expect(page.text).toContain('Invitation sent.');
    expect(page.text).toContain('aria-label="Withdraw the invitation to new.person@example.com"');

    const bad = await post(root, `${at}/invitations/new`, [['inviteEmail', 'not an address']]);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="field-inviteEmail"');
    expect(bad.text).toMatch(/id="field-inviteEmail"[^>]*aria-invalid="true"/);

    const withdrawn = await post(root, `${at}/invitations/withdraw`, [['id', invitation?.id ?? '']]);
    expect(withdrawn.headers.get('location')).toBe(`${at}?done=withdrawn`);
    expect(await api.auth.invitations.pending(org.id)).toEqual([]);
  });

  it('leaves the API’s rules in force: no handing out a group whose permissions one lacks', async () => {
    const org = await newTenant();
    await api.auth.permissions.createGroup('Org admins', ['user.delete']);
    const manager = await staffWith('tenant.view', 'tenant.manage_members', 'group.view');
    const page = await manager.get(`${D}/tenants/${org.id}`);
    expect(page.text).toContain(`action="${D}/tenants/${org.id}/invitations/new"`);
    expect(page.text).not.toContain(`action="${D}/tenants/${org.id}/policy"`);
    const refused = await post(manager, `${D}/tenants/${org.id}/invitations/new`, [
      ['inviteEmail', 'x@example.com'],
      ['inviteGroups', 'Org admins'],
    ]);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You cannot grant permissions you do not hold: user.delete.');
    expect(await api.auth.invitations.pending(org.id)).toEqual([]);
  });
});
