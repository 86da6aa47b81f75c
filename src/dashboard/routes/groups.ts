/** `/groups…`: the list with its create form, one group with its permission picker, and deleting one. */
import type { FormState } from '../../ui/context.js';
import { groupPage, groupsPage } from '../pages/groups.js';
import { confirmPage } from '../pages/messages.js';
import { emptyForm, formState, isFormError, type Screen } from '../screen.js';

export async function groupRoutes(s: Screen): Promise<Response | null> {
  const [section, id, action] = s.segments;
  if (section !== 'groups') return null;
  if (id === undefined && s.method === 'GET') {
    const reply = await s.get('/admin/groups');
    if (reply.status !== 200) return s.failure(reply);
    return s.send(groupsPage(s.ctx, { groups: reply.body.groups, form: emptyForm, notice: s.notice }));
  }
  if (id === 'new' && s.method === 'POST') return create(s);
  if (id === undefined || id === 'new') return null;

  const at = `/admin/groups/${encodeURIComponent(id)}`;
  const page = `${s.ctx.base}/groups/${encodeURIComponent(id)}`;
  if (action === undefined && s.method === 'GET') return show(s, at, 200);
  if (action === undefined && s.method === 'POST') {
    const body = {
      name: s.one('name'),
      ...(s.one('picker') === 'shown' ? { permissions: s.all('permissions') } : {}),
    };
    const reply = await s.change('PATCH', at, body);
    if (reply.status === 200) return s.redirect(`${page}?done=saved`);
    return isFormError(reply)
      ? show(s, at, reply.status, formState(reply, { name: s.one('name') }))
      : s.failure(reply);
  }
  if (action !== 'delete') return null;
  if (!s.staff.can('group.delete')) return s.refused();
  if (s.method === 'GET') {
    const group = await s.get(at);
    if (group.status !== 200) return s.failure(group);
    const question = confirmPage(s.ctx, {
      title: 'Delete group',
      question: `Delete the group ${group.body.group.name}? Its members lose the permissions it gave them.`,
      action: `${page}/delete`,
      button: 'Delete group',
      back: page,
      section: 'groups',
    });
    return s.send(question);
  }
  const reply = await s.change('DELETE', at);
  return reply.status === 204 ? s.redirect(`${s.ctx.base}/groups?done=deleted`) : s.failure(reply);
}

async function create(s: Screen): Promise<Response> {
  const reply = await s.change('POST', '/admin/groups', { name: s.one('name') });
  if (reply.status === 201) return s.redirect(`${s.ctx.base}/groups/${reply.body.group.id}?done=created`);
  if (!isFormError(reply)) return s.failure(reply);
  const list = await s.get('/admin/groups');
  const groups = list.status === 200 ? list.body.groups : [];
  const form = formState(reply, { name: s.one('name') });
  return s.send(groupsPage(s.ctx, { groups, form, notice: null }), reply.status);
}

async function show(s: Screen, at: string, status: number, form?: FormState): Promise<Response> {
  const [group, permissions] = await Promise.all([
    s.get(at),
    s.staff.can('permission.view') ? s.get('/admin/permissions') : null,
  ]);
  if (group.status !== 200) return s.failure(group);
  const view = {
    group: group.body.group,
    allPermissions: permissions?.status === 200 ? permissions.body.permissions : null,
    filter: s.url.searchParams.get('filter') ?? '',
    notice: s.notice,
    ...(form ? { form } : {}),
  };
  return s.send(groupPage(s.ctx, view), status);
}
