/** `/permissions…`: the list with its create form, and deleting one after a confirmation. */
import type { FormState } from '../../ui/context.js';
import { confirmPage } from '../pages/messages.js';
import { permissionsPage } from '../pages/permissions.js';
import { emptyForm, formState, isFormError, type Screen } from '../screen.js';

export async function permissionRoutes(s: Screen): Promise<Response | null> {
  const [section, id, action] = s.segments;
  if (section !== 'permissions') return null;
  if (id === undefined && s.method === 'GET') return show(s, 200, emptyForm);
  if (id === 'new' && s.method === 'POST') {
    const values = { codename: s.one('codename').trim(), name: s.one('name').trim() };
    const body = { codename: values.codename, ...(values.name ? { name: values.name } : {}) };
    const reply = await s.change('POST', '/admin/permissions', body);
    if (reply.status === 201) return s.redirect(`${s.ctx.base}/permissions?done=created`);
    return isFormError(reply) ? show(s, reply.status, formState(reply, values)) : s.failure(reply);
  }
  if (!id || action !== 'delete') return null;
  if (!s.staff.can('permission.delete')) return s.refused();
  if (s.method === 'GET') {
    const list = await s.get('/admin/permissions');
    if (list.status !== 200) return s.failure(list);
    if (!list.body.permissions.some((p: { codename: string }) => p.codename === id)) return s.notFound();
    const question = confirmPage(s.ctx, {
      title: 'Delete permission',
      question: `Delete ${id}? Every group and user holding it loses it.`,
      action: `${s.ctx.base}/permissions/${encodeURIComponent(id)}/delete`,
      button: 'Delete permission',
      back: `${s.ctx.base}/permissions`,
      section: 'permissions',
    });
    return s.send(question);
  }
  const reply = await s.change('DELETE', `/admin/permissions/${encodeURIComponent(id)}`);
  return reply.status === 204 ? s.redirect(`${s.ctx.base}/permissions?done=deleted`) : s.failure(reply);
}

async function show(s: Screen, status: number, form: FormState): Promise<Response> {
  const reply = await s.get('/admin/permissions');
  if (reply.status !== 200) return s.failure(reply);
  return s.send(
    permissionsPage(s.ctx, { permissions: reply.body.permissions, form, notice: s.notice }),
    status,
  );
}
