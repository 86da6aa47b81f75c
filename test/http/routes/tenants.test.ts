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
    const disabled = await api.client().post(`/auth/t/${org.slug}/signin`, { email: 'a@b.example', password: 'x' });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('tenant_disabled');
  });

  it('reads the subdomain when configured', async () => {
    const other = await createTestApi({ rateLimits: false, tenants: { subdomainOf: 'example.com' } });
    try {
      const org = await other.auth.tenants.create({ slug: 'acme', name: 'Acme' });
      const at = (host: string) =>
        other.auth.handler(new Request(`http://${host}/auth/tenant`)).then((r) => r.json());
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
    expect((await api.client().post(`/auth/t/${b.slug}/signin`, { email, password: PASSWORD })).status).toBe(401);
    // Nor is the shared pool's version of the address either of them.
    expect((await api.client().post('/auth/signin', { email, password: PASSWORD })).status).toBe(401);
    // A's session is no session in B or in the default tenant.
    expect((await inA.client.get(`/auth/t/${a.slug}/session`)).status).toBe(200);
    expect((await inA.client.get(`/auth/t/${b.slug}/session`)).status).toBe(401);
    expect((await inA.client.get('/auth/session')).status).toBe(401);
    expect((await inA.client.get('/auth/session', { headers: { 'x-gatehouse-tenant': b.slug } })).status).toBe(
      401,
    );
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
