/** Groups (roles): the list with a create form, and one group's name and permissions with a searchable picker. */
import type { FormState } from '../../ui/context.js';
import { html } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { checkboxList, dataTable } from '../components.js';
import { type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import type { GroupJson, PermissionJson } from '../views.js';

export function groupsPage(
  ctx: DashboardContext,
  view: { groups: GroupJson[]; form: FormState; notice: string | null },
): string {
  const { base, staff } = ctx;
  const rows = view.groups.map((g) => [
    html`<a href="${base}/groups/${g.id}">${g.name}</a>`,
    html`${String(g.permissions.length)}`,
    html`<span class="gh-muted">${g.permissions.slice(0, 6).join(', ')}${g.permissions.length > 6 ? ', …' : ''}</span>`,
  ]);
  const body = html`<h1>Groups</h1>
<p class="gh-muted">A group is a role: its members hold its permissions.</p>
${notice(view.notice)}
${view.groups.length === 0 ? html`<p>No groups yet.</p>` : dataTable('Groups', ['Name', 'Permissions', 'Some of them'], rows)}
${
  staff?.can('group.add')
    ? html`<section class="gh-card" aria-labelledby="new-group-heading"><h2 id="new-group-heading">New group</h2>
${errorSummary(translate, view.form.formError, view.form.errors, { name: 'Name' })}
<form method="post" action="${base}/groups/new" novalidate>
${field({ name: 'name', label: 'Name', value: view.form.values.name ?? '', errors: view.form.errors, required: true })}
<button type="submit">Create group</button>
</form></section>`
    : ''
}`;
  return dashboardPage(ctx, { title: 'Groups', section: 'groups', body });
}

export interface GroupView {
  group: GroupJson;
  /** Every permission, when the staff member may list them. */
  allPermissions: PermissionJson[] | null;
  /** The picker's search text: only matching permissions are listed (the others keep their state). */
  filter: string;
  form?: FormState;
  notice: string | null;
}

export function groupPage(ctx: DashboardContext, view: GroupView): string {
  const { base, staff } = ctx;
  const { group } = view;
  const at = `${base}/groups/${group.id}`;
  const editable = !!staff?.can('group.change');
  const form = view.form ?? { values: { name: group.name }, errors: {}, formError: null };
  const held = new Set(group.permissions);
  const all =
    view.allPermissions ?? group.permissions.map((codename) => ({ id: codename, codename, name: codename }));
  const needle = view.filter.trim().toLowerCase();
  const matches = (p: PermissionJson) =>
    needle === '' || p.codename.toLowerCase().includes(needle) || p.name.toLowerCase().includes(needle);
  const shown = all.filter(matches);
  // Checked permissions the filter hides still go with the form, or saving would drop them.
  const kept = all.filter((p) => !matches(p) && held.has(p.codename));
  const picker = checkboxList({
    name: 'permissions',
    legend: needle ? `Permissions matching “${view.filter}”` : 'Permissions',
    choices: shown.map((p) => ({
      value: p.codename,
      label: p.codename,
      hint: p.name,
      checked: held.has(p.codename),
    })),
    readOnly: !editable || view.allPermissions === null,
  });
  const body = html`<p><a href="${base}/groups">← Groups</a></p>
<h1>${group.name}</h1>
${notice(view.notice)}
${
  editable && view.allPermissions !== null
    ? html`<form method="get" action="${at}" class="gh-filters" role="search" aria-label="Find permissions">
<div class="gh-field"><label for="filter-permissions">Find a permission</label><input type="text" id="filter-permissions" name="filter" value="${view.filter}"></div>
<button type="submit" class="gh-secondary">Filter</button>${needle ? html` <a href="${at}">Show all</a>` : ''}
</form>`
    : ''
}
${
  editable
    ? html`<form method="post" action="${at}" class="gh-card" novalidate>
${errorSummary(translate, form.formError, form.errors, { name: 'Name', permissions: 'Permissions' })}
${field({ name: 'name', label: 'Name', value: form.values.name ?? '', errors: form.errors, required: true })}
${view.allPermissions === null ? '' : html`<input type="hidden" name="picker" value="shown">`}
${kept.map((p) => html`<input type="hidden" name="permissions" value="${p.codename}">`)}
${picker}
${kept.length > 0 ? html`<p class="gh-muted">${String(kept.length)} more permission(s) held, hidden by the filter, are kept.</p>` : ''}
<button type="submit">Save group</button>
</form>`
    : html`<section class="gh-card">${picker}</section>`
}
${
  staff?.can('group.delete')
    ? html`<p><a class="gh-button gh-danger" href="${at}/delete">Delete this group…</a></p>`
    : ''
}`;
  return dashboardPage(ctx, { title: group.name, section: 'groups', body });
}
