/** `/users…`: the list, a new user, one user's page and each of its forms. */
import type { ApiReply } from '../../ui/api-client.js';
import { toApiBody } from '../../ui/form-body.js';
import { confirmPage } from '../pages/messages.js';
import { type UserDetailView, userDetailPage } from '../pages/user-detail.js';
import { newUserPage, USER_FILTERS, usersPage } from '../pages/users.js';
import { emptyForm, formState, isFormError, queryError, type Screen } from '../screen.js';
import type { Staff } from '../shell.js';
import type { UserJson } from '../views.js';

export async function userRoutes(s: Screen): Promise<Response | null> {
  const [section, id, action] = s.segments;
  if (section !== 'users') return null;
  if (id === undefined) return s.method === 'GET' ? list(s) : null;
  if (id === 'new') return create(s);
  return one(s, id, action);
}

async function list(s: Screen): Promise<Response> {
  if (!s.staff.can('user.view')) return s.refused();
  const query = s.query(USER_FILTERS);
  const [reply, groups] = await Promise.all([
    s.get(`/admin/users?${new URLSearchParams({ ...query, ...s.query(['cursor']) })}`),
    s.staff.can('group.view') ? s.get('/admin/groups') : null,
  ]);
  const view = { query, notice: s.notice, groups: groups?.status === 200 ? groups.body.groups : [] };
  if (reply.status === 400) {
    return s.send(usersPage(s.ctx, { ...view, users: [], nextCursor: null, error: queryError(reply) }), 400);
  }
  if (reply.status !== 200) return s.failure(reply);
  return s.send(usersPage(s.ctx, { ...view, ...reply.body, error: null }));
}

async function create(s: Screen): Promise<Response | null> {
  if (!s.staff.can('user.add')) return s.refused();
  if (s.method === 'GET') return s.send(newUserPage(s.ctx, emptyForm));
  if (s.method !== 'POST') return null;
  const values = s.values();
  const body = {
    ...toApiBody(s.settings.fields, values, ['email', 'username', 'firstName', 'lastName', 'password']),
    ...flags(values, s.staff, ['isStaff', 'emailVerified', 'isSuperuser']),
  };
  const reply = await s.change('POST', '/admin/users', body);
  if (reply.status === 201) return s.redirect(`${s.ctx.base}/users/${reply.body.user.id}?done=created`);
  if (!isFormError(reply)) return s.failure(reply);
  const { password: _, ...kept } = values;
  return s.send(newUserPage(s.ctx, formState(reply, kept)), reply.status);
}

/** What each of the user page's forms sends to the API, and the notice after it worked. */
const FORMS: Record<
  string,
  (s: Screen, at: string) => Promise<{ reply: ApiReply; ok: number; done: string }>
> = {
  async profile(s, at) {
    const values = s.values();
    const body = {
      ...toApiBody(s.settings.fields, values, ['email', 'username', 'firstName', 'lastName'], true),
      ...(values.flags === 'shown'
        ? flags(values, s.staff, ['isActive', 'isStaff', 'emailVerified', 'isSuperuser'])
        : {}),
    };
    return { reply: await s.change('PATCH', at, body), ok: 200, done: 'saved' };
  },
  async groups(s, at) {
    return {
      reply: await s.change('PUT', `${at}/groups`, { groups: s.all('groups') }),
      ok: 200,
      done: 'groups',
    };
  },
  async permissions(s, at) {
    const reply = await s.change('PUT', `${at}/permissions`, { permissions: s.all('permissions') });
    return { reply, ok: 200, done: 'permissions' };
  },
  async password(s, at) {
    return {
      reply: await s.change('POST', `${at}/password`, { password: s.one('password') }),
      ok: 204,
      done: 'password',
    };
  },
  async 'reset-link'(s, at) {
    return { reply: await s.change('POST', `${at}/password-reset`), ok: 202, done: 'resetlink' };
  },
  async sessions(s, at) {
    const reply =
      s.segments[3] === 'revoke-all'
        ? await s.change('DELETE', `${at}/sessions`)
        : await s.change('DELETE', `${at}/sessions/${encodeURIComponent(s.one('id'))}`);
    return { reply, ok: 204, done: 'sessions' };
  },
  async mfa(s, at) {
    return { reply: await s.change('DELETE', `${at}/mfa`), ok: 204, done: 'mfareset' };
  },
  async 'linked-accounts'(s, at) {
    const reply = await s.change('DELETE', `${at}/linked-accounts/${encodeURIComponent(s.one('id'))}`);
    return { reply, ok: 204, done: 'unlinked' };
  },
};

async function one(s: Screen, id: string, action: string | undefined): Promise<Response | null> {
  const at = `/admin/users/${encodeURIComponent(id)}`;
  const page = `${s.ctx.base}/users/${encodeURIComponent(id)}`;
  const show = async (status: number, extra: Partial<UserDetailView> = {}) => {
    const view = await detail(s, id, extra);
    return view instanceof Response ? view : s.send(userDetailPage(s.ctx, view), status);
  };

  if (action === undefined && s.method === 'GET') return s.staff.can('user.view') ? show(200) : s.refused();
  if (action === 'delete') {
    if (!s.staff.can('user.delete')) return s.refused();
    if (s.method === 'GET') {
      const found = await s.get(at);
      if (found.status !== 200) return s.failure(found);
      const question = confirmPage(s.ctx, {
        title: 'Delete user',
        question: `Delete ${found.body.user.email}? Their sessions and assignments go too. This cannot be undone.`,
        action: `${page}/delete`,
        button: 'Delete user',
        back: page,
        section: 'users',
      });
      return s.send(question);
    }
    const reply = await s.change('DELETE', at);
    if (reply.status === 204) return s.redirect(`${s.ctx.base}/users?done=deleted`);
    return reply.status === 409 ? show(409, { error: reply.body.error.message }) : s.failure(reply);
  }
  if (s.method !== 'POST') return null;
  if (action === 'impersonate') {
    const reply = await s.change('POST', `${at}/impersonate`);
    if (reply.status === 200) return s.redirect(s.settings.afterImpersonation, reply);
    return reply.status === 409 ? show(409, { error: reply.body.error.message }) : s.failure(reply);
  }
  const send = action ? FORMS[action] : undefined;
  if (!send) return null;
  const { reply, ok, done } = await send(s, at);
  if (reply.status === ok) return s.redirect(`${page}?done=${done}`, reply);
  if (!isFormError(reply)) return s.failure(reply);
  if (action === 'profile') return show(reply.status, { profile: formState(reply, s.values()) });
  if (action === 'password') return show(reply.status, { password: formState(reply, {}) });
  return show(reply.status, { error: reply.body?.error?.message ?? 'That was refused.' });
}

/** Everything the user page shows, each part only if the staff member may read it. */
async function detail(
  s: Screen,
  id: string,
  extra: Partial<UserDetailView>,
): Promise<UserDetailView | Response> {
  const enc = encodeURIComponent(id);
  const [found, sessions, linked, mfa, groups, permissions, audit] = await Promise.all([
    s.get(`/admin/users/${enc}`),
    s.get(`/admin/users/${enc}/sessions`),
    s.get(`/admin/users/${enc}/linked-accounts`),
    s.get(`/admin/users/${enc}/mfa`),
    s.staff.can('group.view') ? s.get('/admin/groups') : null,
    s.staff.can('permission.view') ? s.get('/admin/permissions') : null,
    s.staff.can('audit.view') ? s.get(`/admin/audit?user=${enc}&limit=20`) : null,
  ]);
  if (found.status !== 200) return s.failure(found);
  return {
    user: found.body.user as UserJson,
    groups: found.body.groups,
    permissions: found.body.permissions,
    effectivePermissions: found.body.effectivePermissions,
    allGroups: groups?.status === 200 ? groups.body.groups : null,
    allPermissions: permissions?.status === 200 ? permissions.body.permissions : null,
    sessions: sessions.status === 200 ? sessions.body.sessions : [],
    linkedAccounts: linked.status === 200 ? linked.body.accounts : [],
    mfa: mfa.status === 200 ? mfa.body : null,
    audit: audit?.status === 200 ? audit.body.events : null,
    notice: s.notice,
    error: null,
    ...extra,
  };
}

/** Checkbox flags as booleans; `isSuperuser` only from a superuser (the API would refuse it anyway). */
function flags(
  values: Record<string, string>,
  staff: Staff,
  names: readonly string[],
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of names) {
    if (name === 'isSuperuser' && !staff.isSuperuser) continue;
    out[name] = values[name] === 'on';
  }
  return out;
}
