/**
 * The pre-built pages in a tenant, as a browser without JavaScript uses them
 * (form posts, redirects, cookies): pages under `/auth/t/{slug}/ui` keep the
 * prefix and wear the organisation's brand, the sign-in and sign-up pages
 * offer only the ways in its policy offers, the tenant picker switches
 * between organisations, and an invitation link creates or joins an account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantPolicyInput } from '../../src/tenants/policy.js';
import type { Tenant } from '../../src/tenants/tenants.js';
import { type Client, createTestApi, ORIGIN, PASSWORD, type Reply, type TestApi } from '../helpers/http.js';

const LOGO = 'https://cdn.example.com/acme.svg';

let api: TestApi<Record<never, never>>;
let n = 0;

beforeAll(async () => {
  api = await createTestApi({
    publicUrl: ORIGIN,
    secret: 'a server secret of at least thirty-two characters',
    rateLimits: false,
    oauth: {
      providers: {
        github: { clientId: 'gh-app', clientSecret: 'gh-secret' },
        discord: { clientId: 'dc-app', clientSecret: 'dc-secret' },
      },
    },
  });
  await api.auth.permissions.createGroup('Editors', []);
});
afterAll(() => api?.close());

const unique = (prefix: string) => `${prefix}-${++n}`;

function organisation(options: { policy?: TenantPolicyInput; logoUrl?: string; pool?: 'isolated' } = {}) {
  const slug = unique('org');
  return api.auth.tenants.create({ slug, name: `Org ${slug}`, ...options });
}

/** A member of each of `orgs`, signed in through the first one's sign-in page. */
async function memberOf(...orgs: Tenant[]): Promise<{ email: string; userId: string; client: Client }> {
  const email = `${unique('member')}@example.com`;
  const user = await api.auth.users.create({ email, password: PASSWORD });
  for (const org of orgs) await api.auth.tenants.addMember(org.id, user.id);
  const client = api.client();
  const base = orgs[0] ? `/auth/t/${orgs[0].slug}/ui` : '/auth/ui';
  const reply = await client.send('POST', `${base}/signin`, {
    form: { identifier: email, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(303);
  return { email, userId: user.id, client };
}

/** Every link and form target of a page, but its anchors, stylesheet and scripts (shared by all tenants). */
function targets(html: string): string[] {
  return [...html.matchAll(/(?:href|action|data-next|data-options|data-verify)="([^"]+)"/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !target.startsWith('#') && !target.includes('/ui/assets/'));
}

function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const location = (reply: Reply) => reply.headers.get('location');

describe('pages under a tenant prefix', () => {
  it('wear the organisation’s name and logo; the default tenant keeps the product’s brand', async () => {
    const org = await organisation({ logoUrl: LOGO });
    const branded = await api.client().get(`/auth/t/${org.slug}/ui/signin`);
    expect(branded.status).toBe(200);
    expect(branded.text).toContain(`<title>Sign in · ${org.name}</title>`);
    expect(branded.text).toContain(
      `<header class="gh-brand"><img src="${LOGO}" alt=""><span>${org.name}</span></header>`,
    );
    expect(visibleText(branded.text)).toContain(`Sign in to ${org.name}.`);
    const plain = await api.client().get('/auth/ui/signin');
    expect(plain.text).toContain('<title>Sign in · Gatehouse</title>');
    expect(plain.text).not.toContain(LOGO);
  });

  it('keep every link and form in the tenant, and sign in to the tenant’s account page', async () => {
    const org = await organisation();
    const prefix = `/auth/t/${org.slug}/`;
    const signIn = await api.client().get(`/auth/t/${org.slug}/ui/signin`);
    expect(targets(signIn.text).length).toBeGreaterThan(5);
    for (const target of targets(signIn.text)) expect(target).toMatch(new RegExp(`^${prefix}`));

    const { email } = await memberOf(org);
    const client = api.client();
    const reply = await client.send('POST', `${prefix}ui/signin`, {
      form: { identifier: email, password: PASSWORD },
    });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(`${prefix}ui/account`);
    const account = await client.get(`${prefix}ui/account`);
    expect(account.status).toBe(200);
    expect(visibleText(account.text)).toContain(`Signed in as ${email}.`);
    for (const target of targets(account.text)) expect(target).toMatch(new RegExp(`^${prefix}`));
  });

  it('offer only the ways in the policy offers, and no sign-up when it is closed', async () => {
    const org = await organisation({
      policy: {
        methods: { password: false, magicLink: false, emailCode: true, passkey: false, social: ['github'] },
        signUp: false,
      },
    });
    const page = await api.client().get(`/auth/t/${org.slug}/ui/signin`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="password"');
    expect(page.text).not.toContain('name="identifier"');
    expect(page.text).not.toContain('/forgot-password');
    expect(page.text).not.toContain('/magic-link');
    expect(page.text).toContain(`href="/auth/t/${org.slug}/ui/otp"`);
    expect(page.text).not.toContain('data-gh-passkey');
    expect(page.text).not.toContain('<script');
    expect(page.headers.get('content-security-policy')).not.toContain('script-src');
    expect(page.text).toContain(`href="/auth/t/${org.slug}/oauth/github?redirectTo=`);
    expect(page.text).not.toContain('/oauth/discord');
    expect(page.text).not.toContain('/signup');

    // The product's own pages offer everything the server has.
    const plain = await api.client().get('/auth/ui/signin');
    for (const offered of ['name="password"', '/magic-link', '/oauth/discord', 'data-gh-passkey', '/signup'])
      expect(plain.text).toContain(offered);
  });

  it('show no password form on the sign-up page of an organisation without passwords', async () => {
    const org = await organisation({ policy: { methods: { password: false }, signUp: true } });
    const signIn = await api.client().get(`/auth/t/${org.slug}/ui/signin`);
    expect(signIn.text).toContain(`href="/auth/t/${org.slug}/ui/signup"`);
    const signUp = await api.client().get(`/auth/t/${org.slug}/ui/signup`);
    expect(signUp.status).toBe(200);
    expect(signUp.text).not.toContain('name="password"');
    expect(signUp.text).toContain(`href="/auth/t/${org.slug}/ui/magic-link"`);
  });

  it('say in the page’s words why a sign-in was refused', async () => {
    const org = await organisation();
    const email = `${unique('outsider')}@example.com`;
    await api.auth.users.create({ email, password: PASSWORD });
    const reply = await api.client().send('POST', `/auth/t/${org.slug}/ui/signin`, {
      form: { identifier: email, password: PASSWORD },
      headers: { 'accept-language': 'fr' },
    });
    expect(reply.status).toBe(403);
    expect(visibleText(reply.text)).toContain('Votre compte n’est pas membre de cette organisation.');
  });

  it('show the sign-in form to a browser signed in to another tenant, not a redirect', async () => {
    const org = await organisation();
    const { client } = await memberOf();
    const page = await client.get(`/auth/t/${org.slug}/ui/signin`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="identifier"');
    const home = await client.get(`/auth/t/${org.slug}/ui/`);
    expect(location(home)).toBe(`/auth/t/${org.slug}/ui/signin`);
  });

  it('send a member of an organisation that requires a second factor to enrol, in the tenant', async () => {
    const org = await organisation({ policy: { mfaRequired: true } });
    const email = `${unique('strict')}@example.com`;
    const user = await api.auth.users.create({ email, password: PASSWORD });
    await api.auth.tenants.addMember(org.id, user.id);
    const reply = await api
      .client()
      .send('POST', `/auth/t/${org.slug}/ui/signin`, { form: { identifier: email, password: PASSWORD } });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(
      `/auth/t/${org.slug}/ui/mfa/setup?next=${encodeURIComponent(`/auth/t/${org.slug}/ui/account`)}`,
    );
  });
});

describe('the tenant picker', () => {
  it('lists the user’s organisations, the current one marked, a Switch button for each other', async () => {
    const acme = await organisation({ logoUrl: LOGO });
    const beta = await organisation();
    const { client } = await memberOf(acme, beta);
    const page = await client.get(`/auth/t/${acme.slug}/ui/tenants`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain(`${acme.name} Current`);
    expect(text).toContain(beta.name);
    expect(page.text).toContain(`<img src="${LOGO}" alt="">`);
    expect(page.text).toContain(
      `<form method="post" action="/auth/t/${acme.slug}/ui/tenants/switch"><input type="hidden" name="tenant" value="${beta.slug}">`,
    );
    expect(page.text).not.toContain(`name="tenant" value="${acme.slug}"`);
  });

  it('moves the session to the chosen organisation and lands on its account page', async () => {
    const acme = await organisation();
    const beta = await organisation();
    const { client } = await memberOf(acme, beta);
    const before = client.cookies.get('gh_session');
    const reply = await client.send('POST', `/auth/t/${acme.slug}/ui/tenants/switch`, {
      form: { tenant: beta.slug },
    });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(`/auth/t/${beta.slug}/ui/account`);
    expect(client.cookies.get('gh_session')).not.toBe(before);
    const account = await client.get(`/auth/t/${beta.slug}/ui/account`);
    expect(account.status).toBe(200);
    expect(account.text).toContain(`<span>${beta.name}</span>`);
    const left = await client.get(`/auth/t/${acme.slug}/ui/account`);
    expect(location(left)).toMatch(new RegExp(`^/auth/t/${acme.slug}/ui/signin`));
  });

  it('sends the user to the organisation’s sign-in page when their sign-in does not satisfy its policy', async () => {
    const acme = await organisation();
    const strict = await organisation({ policy: { mfaRequired: true } });
    const { client } = await memberOf(acme, strict);
    const reply = await client.send('POST', `/auth/t/${acme.slug}/ui/tenants/switch`, {
      form: { tenant: strict.slug },
    });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(
      `/auth/t/${strict.slug}/ui/signin?next=${encodeURIComponent(`/auth/t/${strict.slug}/ui/account`)}`,
    );
  });

  it('says so when the user is not a member of the organisation asked for', async () => {
    const acme = await organisation();
    const other = await organisation();
    const { client } = await memberOf(acme);
    const reply = await client.send('POST', `/auth/t/${acme.slug}/ui/tenants/switch`, {
      form: { tenant: other.slug },
    });
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('role="alert"');
    expect(visibleText(reply.text)).toContain('You are not a member of that organisation any more.');
  });

  it('is linked from the account page only when the user has another organisation', async () => {
    const acme = await organisation();
    const beta = await organisation();
    const both = await memberOf(acme, beta);
    const linked = await both.client.get(`/auth/t/${acme.slug}/ui/account`);
    expect(linked.text).toContain(`<a href="/auth/t/${acme.slug}/ui/tenants">Switch organisation</a>`);
    const one = await memberOf(acme);
    const alone = await one.client.get(`/auth/t/${acme.slug}/ui/account`);
    expect(alone.status).toBe(200);
    expect(alone.text).not.toContain('/ui/tenants');
  });

  it('at /auth/ui/tenants, follows the session to its tenant, or asks a signed-out browser to sign in', async () => {
    const acme = await organisation();
    const { client } = await memberOf(acme);
    const followed = await client.get('/auth/ui/tenants');
    expect(followed.status).toBe(303);
    expect(location(followed)).toBe(`/auth/t/${acme.slug}/ui/tenants`);
    const signedOut = await api.client().get('/auth/ui/tenants');
    expect(location(signedOut)).toBe(`/auth/ui/signin?next=${encodeURIComponent('/auth/ui/tenants')}`);
  });

  it('says when the user belongs to no organisation, in French too', async () => {
    const { client } = await memberOf();
    const english = await client.get('/auth/ui/tenants');
    expect(english.status).toBe(200);
    expect(visibleText(english.text)).toContain('You are not a member of any organisation yet.');
    const french = await client.get('/auth/ui/tenants', { headers: { 'accept-language': 'fr' } });
    expect(visibleText(french.text)).toContain('Vous n’êtes encore membre d’aucune organisation.');
  });
});

describe('accepting an invitation', () => {
  /** An invitation to `org`, and its page's path as the mail links it. */
  async function invite(org: Tenant, email = `${unique('invitee')}@example.com`, groups: string[] = []) {
    const { token } = await api.auth.invitations.invite(org, { email, groups });
    return { email, token, path: `/auth/t/${org.slug}/ui/invitation?token=${encodeURIComponent(token)}` };
  }

  it('creates the account from the link, signs it in and makes it a member with the invited roles', async () => {
    const org = await organisation({ logoUrl: LOGO });
    const { email, token, path } = await invite(org, undefined, ['Editors']);
    // A link opened from a mail: the browser names no origin.
    const page = await api.client({ origin: null }).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<span>${org.name}</span>`);
    const text = visibleText(page.text);
    expect(text).toContain(`Join ${org.name}`);
    expect(text).toContain(`This invitation is for ${email}.`);
    expect(text).toContain('You will join with these roles: Editors.');
    expect(page.text).toContain('name="password"');
    expect(page.text).toContain(`action="/auth/t/${org.slug}/ui/invitation"`);

    const client = api.client();
    const reply = await client.send('POST', `/auth/t/${org.slug}/ui/invitation`, {
      form: { token, firstName: 'Grace', lastName: 'Hopper', password: PASSWORD },
    });
    expect(reply.status, reply.text).toBe(303);
    expect(location(reply)).toBe(`/auth/t/${org.slug}/ui/account`);
    const account = await client.get(`/auth/t/${org.slug}/ui/account`);
    expect(account.status).toBe(200);
    expect(visibleText(account.text)).toContain(`Signed in as ${email}.`);
    const user = await api.auth.users.getByEmail(email);
    expect(user).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', emailVerified: true });
    expect((await api.auth.tenants.member(org.id, user?.id ?? ''))?.groups).toEqual(['Editors']);
    const again = await api.client().get(path);
    expect(again.status).toBe(400);
  });

  it('asks for no password where the organisation offers none, and the account has none', async () => {
    const org = await organisation({ policy: { methods: { password: false } } });
    const { email, token, path } = await invite(org);
    const page = await api.client({ origin: null }).get(path);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="password"');
    const client = api.client();
    const reply = await client.send('POST', `/auth/t/${org.slug}/ui/invitation`, { form: { token } });
    expect(reply.status, reply.text).toBe(303);
    expect(location(reply)).toBe(`/auth/t/${org.slug}/ui/account`);
    const user = await api.auth.users.getByEmail(email);
    expect(user?.hasUsablePassword).toBe(false);
  });

  it('lets an existing account join with one button, then sends it to sign in with its address filled in', async () => {
    const org = await organisation();
    const email = `${unique('existing')}@example.com`;
    const user = await api.auth.users.create({ email, password: PASSWORD });
    const { token, path } = await invite(org, email);
    const page = await api.client({ origin: null }).get(path);
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('You already have an account with this address.');
    expect(page.text).not.toContain('name="password"');
    expect(page.text).not.toContain('name="firstName"');

    const client = api.client();
    const reply = await client.send('POST', `/auth/t/${org.slug}/ui/invitation`, { form: { token } });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(
      `/auth/t/${org.slug}/ui/signin?done=joined&email=${encodeURIComponent(email)}`,
    );
    expect(client.cookies.has('gh_session')).toBe(false);
    expect(await api.auth.tenants.isMember(org.id, user.id)).toBe(true);
    const signIn = await client.get(location(reply) ?? '');
    expect(visibleText(signIn.text)).toContain('You joined the organisation. Sign in to continue.');
    expect(signIn.text).toContain(`<input type="text" value="${email}" id="field-identifier"`);
  });

  it('shows the API’s refusal beside the password, keeping the names and the invitation', async () => {
    const org = await organisation();
    const { token, path } = await invite(org);
    const reply = await api.client().send('POST', `/auth/t/${org.slug}/ui/invitation`, {
      form: { token, firstName: 'Ada', password: 'password' },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('id="field-password-error"');
    expect(reply.text).toContain('value="Ada"');
    expect(reply.text).toContain(`name="token" value="${token}"`);
    expect((await api.client({ origin: null }).get(path)).status).toBe(200);
  });

  it('sends a new member of an organisation that requires a second factor to enrol first', async () => {
    const org = await organisation({ policy: { mfaRequired: true } });
    const { token } = await invite(org);
    const reply = await api.client().send('POST', `/auth/t/${org.slug}/ui/invitation`, {
      form: { token, password: PASSWORD },
    });
    expect(reply.status).toBe(303);
    expect(location(reply)).toBe(
      `/auth/t/${org.slug}/ui/mfa/setup?next=${encodeURIComponent(`/auth/t/${org.slug}/ui/account`)}`,
    );
  });

  it('explains a link that cannot be used: unknown, of another organisation, or without a token', async () => {
    const org = await organisation();
    const other = await organisation();
    const { token } = await invite(other);
    for (const path of [
      `/auth/t/${org.slug}/ui/invitation?token=not-a-real-token`,
      `/auth/t/${org.slug}/ui/invitation?token=${encodeURIComponent(token)}`,
      `/auth/t/${org.slug}/ui/invitation`,
    ]) {
      const page = await api.client({ origin: null }).get(path);
      expect(page.status, path).toBe(400);
      expect(page.text).toContain('role="alert"');
      expect(visibleText(page.text)).toContain('This invitation link is not valid');
      expect(page.text).not.toContain('<form');
    }
    const french = await api
      .client({ origin: null })
      .get(`/auth/t/${org.slug}/ui/invitation?token=nope`, { headers: { 'accept-language': 'fr' } });
    expect(visibleText(french.text)).toContain('Ce lien d’invitation n’est pas valide');
  });
});
