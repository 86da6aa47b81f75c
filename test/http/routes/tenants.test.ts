/**
 * Tenants over HTTP: how a request names its tenant, isolated user pools,
 * organisations of the shared pool, per-tenant login policy, invitations,
 * the tenant admin's reach, and the switch between tenants.
 */
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/tenants/tenants.js';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';
import { type SmtpSink, startSmtpSink } from '../../helpers/smtp.js';

let api: TestApi<Record<never, never>>;
let sink: SmtpSink;
let n = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  api = await createTestApi({
    secret: 'a server secret of at least thirty-two characters',
    rateLimits: false,
    mail: { smtpUrl: sink.url },
    tenants: { header: 'X-Gatehouse-Tenant' },
  });
  api.auth.mail.start();
  await api.auth.permissions.createGroup('Tenant admins', [
    'tenant.view',
    'tenant.change',
    'tenant.manage_members',
  ]);
  await api.auth.permissions.createGroup('Members', ['tenant.view']);
  await api.auth.permissions.createGroup('Auditors', ['audit.view']);
});
afterAll(async () => {
  await api.close();
  await sink.stop();
});

const unique = (prefix: string) => `${prefix}-${++n}`;

async function tenant(options: Partial<Parameters<typeof api.auth.tenants.create>[0]> = {}): Promise<Tenant> {
  const slug = options.slug ?? unique('org');
  return api.auth.tenants.create({ name: `Org ${slug}`, ...options, slug });
}

/** A client signed up (isolated or open tenant) or signed in at `/auth/t/{slug}`. */
async function signUpAt(slug: string, email: string, client = api.client()) {
  const reply = await client.post(`/auth/t/${slug}/signup`, { email, password: PASSWORD });
  expect(reply.status, reply.text).toBe(201);
  return { client, user: reply.body.user };
}

async function signInAt(slug: string | null, email: string, client = api.client()) {
  const base = slug ? `/auth/t/${slug}` : '/auth';
  return { client, reply: await client.post(`${base}/signin`, { email, password: PASSWORD }) };
}

async function staff() {
  const email = `${unique('staff')}@example.com`;
  await api.auth.users.create({ email, password: PASSWORD, isStaff: true, isSuperuser: true });
  const { client, reply } = await signInAt(null, email);
  expect(reply.status).toBe(200);
  return client;
}

/** A member of a shared-pool tenant holding `groups` there, signed in to it. */
async function memberOf(org: Tenant, groups: string[] = []) {
  const email = `${unique('member')}@example.com`;
  const user = await api.auth.users.create({ email, password: PASSWORD });
  await api.auth.tenants.addMember(org.id, user.id, { groups });
  const { client, reply } = await signInAt(org.slug, email);
  expect(reply.status, reply.text).toBe(200);
  return { client, user, email };
}

describe('which tenant a request is for', () => {
  it('is the default tenant when the request names none, and the slug after /t/ when it does', async () => {
    const org = await tenant({ logoUrl: 'https://cdn.example.com/logo.svg' });
    const plain = await api.client().get('/auth/tenant');
    expect(plain.body.tenant).toMatchObject({ slug: 'default', basePath: '/auth' });
    const named = await api.client().get(`/auth/t/${org.slug}/tenant`);
    expect(named.status).toBe(200);
    expect(named.body.tenant).toMatchObject({
      slug: org.slug,
      name: org.name,
      logoUrl: 'https://cdn.example.com/logo.svg',
      basePath: `/auth/t/${org.slug}`,
    });
  });

  it('reads the configured header when the path names no tenant', async () => {
    const org = await tenant();
    const reply = await api.client().get('/auth/tenant', { headers: { 'x-gatehouse-tenant': org.slug } });
    expect(reply.body.tenant.slug).toBe(org.slug);
  });

  it('answers 404 for an unknown tenant and 403 tenant_disabled for a disabled one', async () => {
    const unknown = await api.client().get('/auth/t/no-such-org/tenant');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const org = await tenant();
    await api.auth.tenants.update(org.id, { isActive: false });
    const disabled = await api
      .client()
      .post(`/auth/t/${org.slug}/signin`, { email: 'a@b.example', password: 'x' });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('tenant_disabled');
  });

  it('reads the subdomain when configured', async () => {
    const other = await createTestApi({ rateLimits: false, tenants: { subdomainOf: 'example.com' } });
    try {
      const org = await other.auth.tenants.create({ slug: 'acme', name: 'Acme' });
      const at = (host: string) =>
        other.auth
          .handler(new Request(`http://${host}/auth/tenant`))
          .then((r) => r.json() as Promise<{ tenant: { slug: string } }>);
      expect((await at('acme.example.com')).tenant.slug).toBe(org.slug);
      expect((await at('example.com')).tenant.slug).toBe('default');
      expect((await at('www.example.com')).tenant.slug).toBe('default');
    } finally {
      await other.close();
    }
  });
});

describe('isolated user pools', () => {
  it('make the same address two unrelated accounts, each with its own password and sessions', async () => {
    const a = await tenant({ pool: 'isolated' });
    const b = await tenant({ pool: 'isolated' });
    const email = `${unique('same')}@example.com`;
    const inA = await signUpAt(a.slug, email);
    const bClient = api.client();
    const inB = await bClient.post(`/auth/t/${b.slug}/signup`, { email, password: `${PASSWORD} in b` });
    expect(inB.status).toBe(201);
    expect(inB.body.user.id).not.toBe(inA.user.id);
    // Each password opens its own pool only.
    expect((await signInAt(a.slug, email)).reply.status).toBe(200);
    const wrongPool = await api.client().post(`/auth/t/b-none/signin`, { email, password: PASSWORD });
    expect(wrongPool.status).toBe(404);
    expect((await api.client().post(`/auth/t/${b.slug}/signin`, { email, password: PASSWORD })).status).toBe(
      401,
    );
    // Nor is the shared pool's version of the address either of them.
    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(401);
    // A's session is no session in B or in the default tenant.
    expect((await inA.client.get(`/auth/t/${a.slug}/session`)).status).toBe(200);
    expect((await inA.client.get(`/auth/t/${b.slug}/session`)).status).toBe(401);
    expect((await inA.client.get('/auth/session')).status).toBe(401);
    expect(
      (await inA.client.get('/auth/session', { headers: { 'x-gatehouse-tenant': b.slug } })).status,
    ).toBe(401);
  });

  it('hold one account per address per pool when 20 sign-ups race (case and NFKC variants too)', async () => {
    const org = await tenant({ pool: 'isolated' });
    const local = unique('race');
    const variants = [`${local}@example.com`, `${local.toUpperCase()}@EXAMPLE.COM`, `${local}@ｅxample.com`];
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.client().post(`/auth/t/${org.slug}/signup`, { email: variants[i % 3], password: PASSWORD }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const rows = await api.auth.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', `${local}@example.com`)
      .where('pool_id', '=', org.id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('keep a reset link of one pool useless in the other', async () => {
    const a = await tenant({ pool: 'isolated' });
    const b = await tenant({ pool: 'isolated' });
    const email = `${unique('reset')}@example.com`;
    await signUpAt(a.slug, email);
    const { user: userB } = await signUpAt(b.slug, email);
    expect((await api.client().post(`/auth/t/${a.slug}/password/reset`, { email })).status).toBe(202);
    const mail = await sink.waitFor((m) => m.to === email && /Reset/.test(m.subject), 10_000);
    expect(mail.link).toContain(`/auth/t/${a.slug}/ui/reset-password?token=`);
    const token = new URL(mail.link as string).searchParams.get('token');
    const inB = await api
      .client()
      .post(`/auth/t/${b.slug}/password/reset/confirm`, { token, newPassword: 'a brand new passphrase' });
    expect(inB.status).toBe(400);
    const inDefault = await api
      .client()
      .post('/auth/password/reset/confirm', { token, newPassword: 'a brand new passphrase' });
    expect(inDefault.status).toBe(400);
    // B's account still has its password; A's link still works where it was issued.
    expect(await api.auth.users.checkPassword(userB.id, PASSWORD)).toBe(true);
    const inA = await api
      .client()
      .post(`/auth/t/${a.slug}/password/reset/confirm`, { token, newPassword: 'a brand new passphrase' });
    expect(inA.status).toBe(204);
  });

  it('keep an emailed sign-in code of one pool useless in the other', async () => {
    const a = await tenant({ pool: 'isolated' });
    const b = await tenant({ pool: 'isolated' });
    const email = `${unique('code')}@example.com`;
    await signUpAt(a.slug, email);
    await signUpAt(b.slug, email);
    expect((await api.client().post(`/auth/t/${a.slug}/otp`, { email })).status).toBe(202);
    const mail = await sink.waitFor((m) => m.to === email && /sign-in code/.test(m.subject), 10_000);
    const inB = await api.client().post(`/auth/t/${b.slug}/otp/verify`, { email, code: mail.code });
    expect(inB.status).toBe(400);
    expect(inB.body.error.fields).toHaveProperty('code');
    const inA = await api.client().post(`/auth/t/${a.slug}/otp/verify`, { email, code: mail.code });
    expect(inA.status).toBe(200);
  });

  it('finish an MFA challenge only in the tenant it was issued in', async () => {
    const a = await tenant({ pool: 'isolated' });
    const b = await tenant({ pool: 'isolated' });
    const email = `${unique('mfa')}@example.com`;
    const { client } = await signUpAt(a.slug, email);
    await signUpAt(b.slug, email);
    const setup = await client.post(`/auth/t/${a.slug}/mfa/totp/setup`);
    expect(setup.status, setup.text).toBe(200);
    const app = OTPAuth.URI.parse(setup.body.otpauthUrl) as OTPAuth.TOTP;
    const confirmed = await client.post(`/auth/t/${a.slug}/mfa/totp/confirm`, { code: app.generate() });
    expect(confirmed.status).toBe(200);
    const challenged = await api.client().post(`/auth/t/${a.slug}/signin`, { email, password: PASSWORD });
    expect(challenged.body.error.code).toBe('mfa_required');
    const { challenge } = challenged.body;
    // The challenge is A's: B (and the default tenant) do not know it, even with a right code.
    const code = app.generate({ timestamp: Date.now() + 30_000 });
    expect((await api.client().post(`/auth/t/${b.slug}/mfa/verify`, { challenge, code })).status).toBe(401);
    expect((await api.client().post('/auth/mfa/verify', { challenge, code })).status).toBe(401);
    const here = api.client();
    const done = await here.post(`/auth/t/${a.slug}/mfa/verify`, { challenge, code });
    expect(done.status, done.text).toBe(200);
    expect((await here.get(`/auth/t/${a.slug}/session`)).body.session.amr).toContain('mfa');
    // B's account of the same address has no second factor: A's enrolment is not B's.
    expect((await signInAt(b.slug, email)).reply.status).toBe(200);
  });
});

describe('organisations of the shared pool', () => {
  it('let one account into each organisation it is a member of, and no other', async () => {
    const a = await tenant();
    const b = await tenant();
    const { email, user } = await memberOf(a);
    const refused = await signInAt(b.slug, email);
    expect(refused.reply.status).toBe(403);
    expect(refused.reply.body.error.code).toBe('not_a_member');
    expect(refused.client.cookies.size).toBe(0);
    await api.auth.tenants.addMember(b.id, user.id);
    expect((await signInAt(b.slug, email)).reply.status).toBe(200);
    // The same account still signs in to the default tenant, where every shared account belongs.
    expect((await signInAt(null, email)).reply.status).toBe(200);
  });

  it('let a non-member join by signing in where sign-up is open to their address', async () => {
    const open = await tenant({ policy: { signUp: true, allowedEmailDomains: ['join.example'] } });
    const joiner = `${unique('joiner')}@join.example`;
    const outsider = `${unique('outsider')}@example.com`;
    const joinerUser = await api.auth.users.create({ email: joiner, password: PASSWORD });
    await api.auth.users.create({ email: outsider, password: PASSWORD });
    expect((await signInAt(open.slug, joiner)).reply.status).toBe(200);
    expect(await api.auth.tenants.isMember(open.id, joinerUser.id)).toBe(true);
    expect((await signInAt(open.slug, outsider)).reply.body.error.code).toBe('not_a_member');
  });

  it('refuse an already-registered address at sign-up as the default tenant does, and make new ones members', async () => {
    const open = await tenant({ policy: { signUp: true } });
    const email = `${unique('new')}@example.com`;
    const { user } = await signUpAt(open.slug, email);
    expect(await api.auth.tenants.isMember(open.id, user.id)).toBe(true);
    expect((await api.auth.users.get(user.id))?.poolId).toBe('default');
    const again = await api.client().post(`/auth/t/${open.slug}/signup`, { email, password: PASSWORD });
    expect(again.status).toBe(409);
  });
});

describe('login policy per tenant', () => {
  it('refuses a method a tenant turned off and allows it in another', async () => {
    const strict = await tenant({
      pool: 'isolated',
      policy: { methods: { password: false, magicLink: false } },
    });
    const relaxed = await tenant({ pool: 'isolated' });
    const email = `${unique('policy')}@example.com`;
    await signUpAt(relaxed.slug, email);
    const signIn = await api.client().post(`/auth/t/${strict.slug}/signin`, { email, password: PASSWORD });
    expect(signIn.status).toBe(403);
    expect(signIn.body.error.code).toBe('method_disabled');
    const signUp = await api.client().post(`/auth/t/${strict.slug}/signup`, { email, password: PASSWORD });
    expect(signUp.body.error.code).toBe('method_disabled');
    const link = await api.client().post(`/auth/t/${strict.slug}/magic-link`, { email });
    expect(link.body.error.code).toBe('method_disabled');
    // The email code is still offered there.
    expect((await api.client().post(`/auth/t/${strict.slug}/otp`, { email })).status).toBe(202);
    expect(
      (await api.client().post(`/auth/t/${relaxed.slug}/signin`, { email, password: PASSWORD })).status,
    ).toBe(200);
    expect((await api.client().post(`/auth/t/${relaxed.slug}/magic-link`, { email })).status).toBe(202);
    const offered = (await api.client().get(`/auth/t/${strict.slug}/tenant`)).body.tenant.methods;
    expect(offered).toMatchObject({ password: false, magicLink: false, emailCode: true });
  });

  it('asks members of an MFA-required tenant to enrol, and not elsewhere', async () => {
    const strict = await tenant({ policy: { mfaRequired: true } });
    const { email } = await memberOf(strict);
    expect((await signInAt(strict.slug, email)).reply.body.mfaEnrollmentRequired).toBe(true);
    expect((await signInAt(null, email)).reply.body.mfaEnrollmentRequired).toBeUndefined();
  });

  it('restricts sign-up to the allowed email domains', async () => {
    const org = await tenant({ pool: 'isolated', policy: { allowedEmailDomains: ['acme.example'] } });
    const outside = await api.client().post(`/auth/t/${org.slug}/signup`, {
      email: `${unique('x')}@example.com`,
      password: PASSWORD,
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error.fields).toHaveProperty('email');
    await signUpAt(org.slug, `${unique('x')}@acme.example`);
  });

  it('keeps sign-up closed by default in a shared-pool organisation (it is joined by invitation)', async () => {
    const org = await tenant();
    const reply = await api.client().post(`/auth/t/${org.slug}/signup`, {
      email: `${unique('closed')}@example.com`,
      password: PASSWORD,
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('method_disabled');
  });
});

describe('invitations', () => {
  /** The installation's staff (signed in to the default tenant) invite; the mailed link is returned. */
  async function invite(admin: Client, org: Tenant, email: string, groups: string[] = []) {
    const reply = await admin.post(`/auth/admin/tenants/${org.id}/invitations`, { email, groups });
    expect(reply.status, reply.text).toBe(201);
    const mail = await sink.waitFor((m) => m.to === email && /invited/.test(m.subject), 10_000);
    return new URL(mail.link as string);
  }

  it('mail a link that creates the account, makes it a member with the groups, and signs it in — once', async () => {
    const org = await tenant();
    const admin = await staff();
    const email = `${unique('invitee')}@example.com`;
    const link = await invite(admin, org, email, ['Members']);
    expect(link.pathname).toBe(`/auth/t/${org.slug}/ui/invitation`);
    const token = link.searchParams.get('token');
    const peek = await api.client().post(`/auth/t/${org.slug}/invitations/peek`, { token });
    expect(peek.body).toMatchObject({ invitation: { email, groups: ['Members'] }, accountExists: false });
    const browser = api.client();
    const accepted = await browser.post(`/auth/t/${org.slug}/invitations/accept`, {
      token,
      password: PASSWORD,
      firstName: 'Ada',
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.user).toMatchObject({ email, firstName: 'Ada', emailVerified: true });
    expect((await browser.get(`/auth/t/${org.slug}/session`)).status).toBe(200);
    const member = await api.auth.tenants.member(org.id, accepted.body.user.id);
    expect(member?.groups).toEqual(['Members']);
    const again = await api
      .client()
      .post(`/auth/t/${org.slug}/invitations/accept`, { token, password: PASSWORD });
    expect(again.status).toBe(400);
  });

  it('let an existing account join without creating another', async () => {
    const org = await tenant();
    const admin = await staff();
    const email = `${unique('existing')}@example.com`;
    const user = await api.auth.users.create({ email, password: PASSWORD });
    const token = (await invite(admin, org, email)).searchParams.get('token');
    const accepted = await api.client().post(`/auth/t/${org.slug}/invitations/accept`, { token });
    expect(accepted.body).toEqual({ joined: true, signInRequired: true });
    expect(await api.auth.tenants.isMember(org.id, user.id)).toBe(true);
    expect((await signInAt(org.slug, email)).reply.status).toBe(200);
  });

  it('work in their own tenant only, and not once withdrawn or expired', async () => {
    const org = await tenant();
    const other = await tenant();
    const { invitation, token } = await api.auth.invitations.invite(org, {
      email: `${unique('w')}@example.com`,
    });
    expect((await api.client().post(`/auth/t/${other.slug}/invitations/peek`, { token })).status).toBe(400);
    expect((await api.client().post('/auth/invitations/peek', { token })).status).toBe(400);
    await api.auth.invitations.revoke(org.id, invitation.id);
    expect((await api.client().post(`/auth/t/${org.slug}/invitations/peek`, { token })).status).toBe(400);
    const stale = await api.auth.invitations.invite(org, { email: `${unique('w')}@example.com` });
    await api.auth.database.db
      .updateTable('one_time_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', stale.invitation.id)
      .execute();
    const expired = await api.client().post(`/auth/t/${org.slug}/invitations/accept`, {
      token: stale.token,
      password: PASSWORD,
    });
    expect(expired.status).toBe(400);
    expect(await api.auth.users.getByEmail(stale.invitation.email)).toBeNull();
  });

  it('make exactly one account of 10 racing acceptances', async () => {
    const org = await tenant();
    const email = `${unique('race')}@example.com`;
    const { token } = await api.auth.invitations.invite(org, { email });
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.client().post(`/auth/t/${org.slug}/invitations/accept`, { token, password: PASSWORD }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.every((r) => r.status === 200 || r.status === 400 || r.status === 409)).toBe(true);
    expect((await api.auth.tenants.members(org.id)).members).toHaveLength(1);
  });

  it('are refused for an address outside the allowed domains, at issue and at acceptance', async () => {
    const org = await tenant({ policy: { allowedEmailDomains: ['acme.example'] } });
    const admin = await staff();
    const refused = await admin.post(`/auth/admin/tenants/${org.id}/invitations`, {
      email: `${unique('x')}@example.com`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toHaveProperty('email');
    const { token } = await api.auth.invitations.invite(org, { email: `${unique('x')}@acme.example` });
    await api.auth.tenants.update(org.id, { policy: { allowedEmailDomains: ['other.example'] } });
    const late = await api
      .client()
      .post(`/auth/t/${org.slug}/invitations/accept`, { token, password: PASSWORD });
    expect(late.status).toBe(400);
    expect(late.body.error.fields).toHaveProperty('email');
  });
});

describe('isolation between tenants', () => {
  /** An isolated tenant with an admin (its own pool, its 'Tenant admins' group there), a member and an invitation. */
  async function populated() {
    const org = await tenant({ pool: 'isolated' });
    const adminEmail = `${unique('admin')}@example.com`;
    const { client: admin, user: adminUser } = await signUpAt(org.slug, adminEmail);
    await api.auth.tenants.setMemberGroups(org.id, adminUser.id, ['Tenant admins']);
    const { client: member, user: memberUser } = await signUpAt(org.slug, `${unique('member')}@example.com`);
    const session = (await member.get(`/auth/t/${org.slug}/session`)).body.session;
    const { invitation } = await api.auth.invitations.invite(org, { email: `${unique('inv')}@example.com` });
    return { org, admin, adminUser, member, memberUser, session, invitation };
  }

  it("refuses a tenant A session on every signed-in route of tenant B, and B's data stays as it was", async () => {
    const a = await populated();
    const b = await populated();
    const group = await api.auth.permissions.getGroup('Members');
    const doc = (await api.client().get('/auth/openapi.json')).body;
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { security?: unknown }>)
        .filter(([, operation]) => operation.security)
        .map(([method]) => ({ method: method.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(40);
    const idFor = (path: string, name: string): string => {
      if (name === 'userId') return b.memberUser.id;
      if (name === 'invitationId') return b.invitation.id;
      if (name === 'sessionId') return b.session.id;
      if (name === 'provider') return 'google';
      if (name === 'codename') return 'tenant.view';
      if (path.startsWith('/auth/admin/tenants')) return b.org.id;
      if (path.startsWith('/auth/admin/users')) return b.memberUser.id;
      if (path.startsWith('/auth/admin/groups')) return group?.id ?? 'none';
      if (path.startsWith('/auth/sessions')) return b.session.id;
      return 'some-id';
    };
    for (const { method, path } of operations) {
      const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => idFor(path, name));
      const inB = `/auth/t/${b.org.slug}${filled.slice('/auth'.length)}`;
      const reply = await a.admin.send(
        method,
        inB,
        method === 'GET' || method === 'DELETE' ? {} : { body: {} },
      );
      expect([400, 401, 403, 404], `${method} ${inB}: ${reply.text}`).toContain(reply.status);
    }
    // Nothing of B's moved: its member still signed in and still a member, its invitation still pending.
    expect((await b.member.get(`/auth/t/${b.org.slug}/session`)).status).toBe(200);
    expect(await api.auth.tenants.isMember(b.org.id, b.memberUser.id)).toBe(true);
    expect((await api.auth.invitations.pending(b.org.id)).map((i) => i.id)).toContain(b.invitation.id);
  });

  it("lets a tenant admin manage its own tenant and answers 404 for every other tenant's", async () => {
    const a = await populated();
    const b = await populated();
    const inA = `/auth/t/${a.org.slug}/admin/tenants`;
    const members = await a.admin.get(`${inA}/${a.org.id}/members`);
    expect(members.status).toBe(200);
    const emails = members.body.members.map((m: { user: { email: string } }) => m.user.email);
    expect(emails).toHaveLength(2);
    expect(emails).not.toContain(b.memberUser.email);
    const table: [string, string, unknown?][] = [
      ['GET', `${inA}/${b.org.id}`],
      ['GET', `${inA}/${b.org.slug}`],
      ['PATCH', `${inA}/${b.org.id}`, { name: 'Taken over' }],
      ['GET', `${inA}/${b.org.id}/members`],
      ['POST', `${inA}/${b.org.id}/members`, { userId: a.memberUser.id }],
      ['GET', `${inA}/${b.org.id}/members/${b.memberUser.id}`],
      ['PUT', `${inA}/${b.org.id}/members/${b.memberUser.id}/groups`, { groups: [] }],
      ['DELETE', `${inA}/${b.org.id}/members/${b.memberUser.id}`],
      ['GET', `${inA}/${b.org.id}/invitations`],
      ['POST', `${inA}/${b.org.id}/invitations`, { email: 'x@example.com' }],
      ['DELETE', `${inA}/${b.org.id}/invitations/${b.invitation.id}`],
      // A's own tenant, naming B's objects.
      ['GET', `${inA}/${a.org.id}/members/${b.memberUser.id}`],
      ['DELETE', `${inA}/${a.org.id}/members/${b.memberUser.id}`],
      ['DELETE', `${inA}/${a.org.id}/invitations/${b.invitation.id}`],
      ['POST', `${inA}/${a.org.id}/members`, { userId: b.memberUser.id }],
    ];
    for (const [method, path, body] of table) {
      const reply = await a.admin.send(method, path, body === undefined ? {} : { body });
      expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(404);
    }
    expect((await api.auth.tenants.get(b.org.id))?.name).toBe(b.org.name);
    expect(await api.auth.tenants.isMember(b.org.id, b.memberUser.id)).toBe(true);
    expect(await api.auth.tenants.isMember(a.org.id, b.memberUser.id)).toBe(false);
  });

  it('keeps a tenant admin from raising privileges, disabling the tenant or reaching the installation admin', async () => {
    const a = await populated();
    const inA = `/auth/t/${a.org.slug}/admin`;
    const grant = await a.admin.send('PUT', `${inA}/tenants/${a.org.id}/members/${a.memberUser.id}/groups`, {
      body: { groups: ['Auditors'] },
    });
    expect(grant.status).toBe(403);
    const self = await a.admin.send('PUT', `${inA}/tenants/${a.org.id}/members/${a.adminUser.id}/groups`, {
      body: { groups: ['Tenant admins', 'Auditors'] },
    });
    expect(self.status).toBe(403);
    const invite = await a.admin.post(`${inA}/tenants/${a.org.id}/invitations`, {
      email: 'x@example.com',
      groups: ['Auditors'],
    });
    expect(invite.status).toBe(403);
    const disable = await a.admin.send('PATCH', `${inA}/tenants/${a.org.id}`, { body: { isActive: false } });
    expect(disable.status).toBe(403);
    expect((await a.admin.get(`${inA}/users`)).status).toBe(403);
    expect((await a.admin.get(`${inA}/tenants`)).status).toBe(403);
    // What it holds, it may hand out.
    const ok = await a.admin.send('PUT', `${inA}/tenants/${a.org.id}/members/${a.memberUser.id}/groups`, {
      body: { groups: ['Members'] },
    });
    expect(ok.status, ok.text).toBe(200);
    const [event] = await api.auth.audit.list({ type: 'member_updated', userId: a.memberUser.id });
    expect(event).toMatchObject({ actorId: a.adminUser.id, tenantId: a.org.id });
  });

  it("lets a tenant admin change its own tenant's name and login policy, audited in that tenant", async () => {
    const a = await populated();
    const reply = await a.admin.send('PATCH', `/auth/t/${a.org.slug}/admin/tenants/${a.org.id}`, {
      body: { name: 'Renamed by its admin', policy: { methods: { magicLink: false } } },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.tenant).toMatchObject({
      name: 'Renamed by its admin',
      policy: { methods: { magicLink: false } },
    });
    const link = await api.client().post(`/auth/t/${a.org.slug}/magic-link`, { email: 'x@example.com' });
    expect(link.body.error.code).toBe('method_disabled');
    const [event] = await api.auth.audit.list({ type: 'tenant_updated' });
    expect(event).toMatchObject({ actorId: a.adminUser.id, tenantId: a.org.id });
  });

  it('ends the sessions a removed member had in that tenant', async () => {
    const a = await populated();
    const reply = await a.admin.delete(
      `/auth/t/${a.org.slug}/admin/tenants/${a.org.id}/members/${a.memberUser.id}`,
    );
    expect(reply.status).toBe(204);
    expect((await a.member.get(`/auth/t/${a.org.slug}/session`)).status).toBe(401);
  });
});

describe('switching tenants', () => {
  it('moves the session to another of the user’s organisations and lists them', async () => {
    const a = await tenant();
    const b = await tenant();
    const { client, user } = await memberOf(a, ['Members']);
    await api.auth.tenants.addMember(b.id, user.id);
    const listed = await client.get(`/auth/t/${a.slug}/tenants`);
    expect(listed.body.tenants.map((t: { slug: string; current: boolean }) => [t.slug, t.current])).toEqual(
      expect.arrayContaining([
        [a.slug, true],
        [b.slug, false],
      ]),
    );
    const switched = await client.post(`/auth/t/${a.slug}/tenants/switch`, { tenant: b.slug });
    expect(switched.status, switched.text).toBe(200);
    expect((await client.get(`/auth/t/${b.slug}/session`)).status).toBe(200);
    expect((await client.get(`/auth/t/${a.slug}/session`)).status).toBe(401);
  });

  it('refuses a tenant the user is not a member of, and one whose MFA policy the session does not meet', async () => {
    const a = await tenant();
    const outsider = await tenant();
    const strict = await tenant({ policy: { mfaRequired: true } });
    const { client, user } = await memberOf(a);
    await api.auth.tenants.addMember(strict.id, user.id);
    expect((await client.post(`/auth/t/${a.slug}/tenants/switch`, { tenant: outsider.slug })).status).toBe(
      404,
    );
    const needsMfa = await client.post(`/auth/t/${a.slug}/tenants/switch`, { tenant: strict.slug });
    expect(needsMfa.status).toBe(401);
    expect(needsMfa.body.error.code).toBe('reauthentication_required');
    expect((await client.get(`/auth/t/${a.slug}/session`)).status).toBe(200);
  });
});

describe("an app's own routes (auth.getSession)", () => {
  it('see the session with its tenant, and none when the request names another tenant', async () => {
    const a = await tenant({ pool: 'isolated' });
    const b = await tenant({ pool: 'isolated' });
    const { client } = await signUpAt(a.slug, `${unique('app')}@example.com`);
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const at = (headers: Record<string, string>) =>
      api.auth.getSession({
        url: 'http://localhost:3000/dashboard',
        headers: new Headers({ cookie, ...headers }),
      });
    expect((await at({}))?.session.tenantId).toBe(a.id);
    expect((await at({ 'x-gatehouse-tenant': a.slug }))?.session.tenantId).toBe(a.id);
    expect(await at({ 'x-gatehouse-tenant': b.slug })).toBeNull();
    expect(await at({ 'x-gatehouse-tenant': 'no-such-tenant' })).toBeNull();
  });
});
