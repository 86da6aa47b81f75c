/** Every permission, with a create form and delete buttons for staff allowed those. */
import type { FormState } from '../../ui/context.js';
import { html } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { dataTable } from '../components.js';
import { type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import type { PermissionJson } from '../views.js';

export function permissionsPage(
  ctx: DashboardContext,
  view: { permissions: PermissionJson[]; form: FormState; notice: string | null },
): string {
  const { base, staff } = ctx;
  const mayDelete = !!staff?.can('permission.delete');
  const rows = view.permissions.map((p) => [
    html`<code>${p.codename}</code>`,
    html`${p.name}`,
    mayDelete
      ? html`<a href="${base}/permissions/${encodeURIComponent(p.codename)}/delete" aria-label="Delete ${p.codename}">Delete…</a>`
      : null,
  ]);
  const body = html`<h1>Permissions</h1>
<p class="gh-muted">Resources declared in the configuration get theirs at <code>gatehouse migrate</code>.</p>
${notice(view.notice)}
${dataTable('Permissions', ['Codename', 'Name', ...(mayDelete ? ['Actions'] : [])], rows)}
${
  staff?.can('permission.add')
    ? html`<section class="gh-card" aria-labelledby="new-permission-heading"><h2 id="new-permission-heading">New permission</h2>
${errorSummary(translate, view.form.formError, view.form.errors, { codename: 'Codename', name: 'Name' })}
<form method="post" action="${base}/permissions/new" novalidate>
${field({ name: 'codename', label: 'Codename (resource.action)', value: view.form.values.codename ?? '', errors: view.form.errors, required: true })}
${field({ name: 'name', label: 'Name', value: view.form.values.name ?? '', errors: view.form.errors, optionalText: 'optional' })}
<button type="submit">Create permission</button>
</form></section>`
    : ''
}`;
  return dashboardPage(ctx, { title: 'Permissions', section: 'permissions', body });
}
