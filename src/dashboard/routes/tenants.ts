/** `/tenants…`: the list with its create form, and one tenant's page with each of its forms. */
import type { ApiReply } from '../../ui/api-client.js';
import type { FormState } from '../../ui/context.js';
import { type TenantDetailView, tenantDetailPage } from '../pages/tenant-detail.js';
import { policyBody } from '../pages/tenant-policy.js';
import { tenantsPage } from '../pages/tenants.js';
import { emptyForm, formState, isFormError, queryError, type Screen } from '../screen.js';

export async function tenantRoutes(s: Screen): Promise<Response | null> {
  const [section, id, ...rest] = s.segments;
  if (section !== 'tenants') return null;
  if (id === undefined) return s.method === 'GET' ? list(s, 200, emptyForm) : null;
  if (id === 'new') return s.method === 'POST' ? create(s) : null;
  return one(s, id, rest.join('/'));
}

async function list(s: Screen, status: number, form: FormState): Promise<Response> {
  const reply = await s.get(`/admin/tenants?${new URLSearchParams(s.query(['cursor']))}`);
  if (reply.status !== 200) return s.failure(reply);
  return s.send(tenantsPage(s.ctx, { ...reply.body, form, notice: s.notice }), status);
}

async function create(s: Screen): Promise<Response> {
  const values = {
    slug: s.one('slug').trim(),
    name: s.one('name'),
    pool: s.one('pool'),
    logoUrl: s.one('logoUrl').trim(),
  };
  const body = {
    slug: values.slug,
    name: values.name,
    ...(values.pool ? { pool: values.pool } : {}),
    ...(values.logoUrl ? { logoUrl: values.logoUrl } : {}),
  };
  const reply = await s.change('POST', '/admin/tenants', body);
  if (reply.status === 201) return s.redirect(`${s.ctx.base}/tenants/${reply.body.tenant.id}?done=created`);
  return isFormError(reply) ? list(s, reply.status, formState(reply, values)) : s.failure(reply);
}

type FormName = 'settings' | 'policy' | 'member' | 'invite';

interface Outcome {
  reply: ApiReply;
  /** The API's status when it worked, and the notice to show then. */
  ok: number;
  done: string;
  /** The form to show again, with what was posted, when the API refuses its content. */
  form?: FormName;
  values?: Record<string, string>;
  /** The API's field names as the form names them (two forms on the page ask for an email). */
  fieldNames?: Record<string, string>;
}

/** What each of the tenant page's forms sends to the API (`at`: the tenant's API path). */
const FORMS: Record<string, (s: Screen, at: string) => Promise<Outcome>> = {
  async settings(s, at) {
    const values = { name: s.one('name'), logoUrl: s.one('logoUrl').trim() };
    const reply = await s.change('PATCH', at, { name: values.name, logoUrl: values.logoUrl || null });
    return { reply, ok: 200, done: 'saved', form: 'settings', values };
  },
  async status(s, at) {
    const isActive = s.one('isActive') === 'true';
    const reply = await s.change('PATCH', at, { isActive });
    return { reply, ok: 200, done: isActive ? 'enabled' : 'disabled' };
  },
  async policy(s, at) {
    const values = {
      methods: s.all('methods').join(','),
      social: s.one('social'),
      providers: s.all('providers').join(','),
      mfaRequired: s.one('mfaRequired'),
      allowedEmailDomains: s.one('allowedEmailDomains'),
      signUp: s.one('signUp'),
    };
    const policy = policyBody(values, s.settings.providers);
    const reply = await s.change('PATCH', at, { policy });
    // The API names the whole policy; of what is typed, only the domains can be wrong.
    const fieldNames = { policy: 'allowedEmailDomains' };
    return { reply, ok: 200, done: 'policy', form: 'policy', values, fieldNames };
  },
  async 'members/new'(s, at) {
    const values = {
      memberEmail: s.one('memberEmail').trim(),
      memberGroups: s.all('memberGroups').join(','),
    };
    const body = { email: values.memberEmail, groups: s.all('memberGroups') };
    const reply = await s.change('POST', `${at}/members`, body);
    const fieldNames = { email: 'memberEmail', groups: 'memberGroups' };
    return { reply, ok: 201, done: 'member', form: 'member', values, fieldNames };
  },
  async 'members/remove'(s, at) {
    const reply = await s.change('DELETE', `${at}/members/${encodeURIComponent(s.one('id'))}`);
    return { reply, ok: 204, done: 'removed' };
  },
  async 'invitations/new'(s, at) {
    const values = {
      inviteEmail: s.one('inviteEmail').trim(),
      inviteGroups: s.all('inviteGroups').join(','),
    };
    const body = { email: values.inviteEmail, groups: s.all('inviteGroups') };
    const reply = await s.change('POST', `${at}/invitations`, body);
    const fieldNames = { email: 'inviteEmail', groups: 'inviteGroups' };
    return { reply, ok: 201, done: 'invited', form: 'invite', values, fieldNames };
  },
  async 'invitations/withdraw'(s, at) {
    const reply = await s.change('DELETE', `${at}/invitations/${encodeURIComponent(s.one('id'))}`);
    return { reply, ok: 204, done: 'withdrawn' };
  },
};

async function one(s: Screen, id: string, action: string): Promise<Response | null> {
  const at = `/admin/tenants/${encodeURIComponent(id)}`;
  if (action === '' && s.method === 'GET') return show(s, at, 200);
  const send = FORMS[action];
  if (!send || s.method !== 'POST') return null;
  const outcome = await send(s, at);
  const { reply } = outcome;
  if (reply.status === outcome.ok) {
    return s.redirect(`${s.ctx.base}/tenants/${encodeURIComponent(id)}?done=${outcome.done}`);
  }
  // Adding a member or inviting names an account and groups: a 404 is about what was typed, not the page.
  const names = outcome.form === 'member' || outcome.form === 'invite';
  const refusedForm = isFormError(reply) || (names && reply.status === 404);
  if (!refusedForm) return s.failure(reply);
  if (!outcome.form) return show(s, at, reply.status, { error: queryError(reply) });
  const form = formState(reply, outcome.values ?? {});
  form.errors = renamed(form.errors, outcome.fieldNames ?? {});
  return show(s, at, reply.status, { [outcome.form]: form });
}

function renamed(errors: Record<string, string>, names: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, message] of Object.entries(errors)) out[names[name] ?? name] = message;
  return out;
}

/** Everything the tenant page shows, each part only if the staff member may read it. */
async function show(
  s: Screen,
  at: string,
  status: number,
  extra: Partial<TenantDetailView> = {},
): Promise<Response> {
  // The members' page is `?members={cursor}`: the tenant page's own query names what it pages.
  const { members: cursor } = s.query(['members']);
  const [found, members, invitations, groups] = await Promise.all([
    s.get(at),
    s.get(`${at}/members${cursor ? `?${new URLSearchParams({ cursor })}` : ''}`),
    s.get(`${at}/invitations`),
    s.staff.can('group.view') ? s.get('/admin/groups') : null,
  ]);
  for (const reply of [found, members, invitations]) if (reply.status !== 200) return s.failure(reply);
  const view: TenantDetailView = {
    tenant: found.body.tenant,
    members: members.body.members,
    membersNext: members.body.nextCursor,
    invitations: invitations.body.invitations,
    allGroups: groups?.status === 200 ? groups.body.groups : null,
    providers: s.settings.providers,
    notice: s.notice,
    error: null,
    ...extra,
  };
  return s.send(tenantDetailPage(s.ctx, view), status);
}
