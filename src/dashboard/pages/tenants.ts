/** Tenants (organisations): the list, a page at a time, and the form that creates one. */
import type { FormState } from '../../ui/context.js';
import { html } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { badge, dataTable, selectField } from '../components.js';
import { type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import { type TenantJson, when } from '../views.js';

export const POOLS = [
  ['shared', 'Shared: members use their one account of the installation'],
  ['isolated', 'Isolated: its own accounts, apart from every other tenant'],
] as const;

const CREATE_LABELS = { slug: 'Slug', name: 'Name', pool: 'User pool', logoUrl: 'Logo URL' };

export function poolLabel(pool: TenantJson['pool']): string {
  return pool === 'isolated' ? 'Isolated' : 'Shared';
}

export function tenantsPage(
  ctx: DashboardContext,
  view: { tenants: TenantJson[]; nextCursor: string | null; form: FormState; notice: string | null },
): string {
  const { base, staff } = ctx;
  const { values, errors } = view.form;
  const rows = view.tenants.map((t) => [
    html`<a href="${base}/tenants/${t.id}"><code>${t.slug}</code></a>`,
    html`${t.name}`,
    html`${poolLabel(t.pool)}`,
    t.isActive ? html`Active` : badge('Disabled', 'warn'),
    html`${when(t.createdAt)}`,
  ]);
  const next = view.nextCursor ? `${base}/tenants?${new URLSearchParams({ cursor: view.nextCursor })}` : null;
  const body = html`<h1>Tenants</h1>
<p class="gh-muted">Organisations with their own members, login policy and sign-in pages at <code>/t/{slug}/</code>.</p>
${notice(view.notice)}
${view.tenants.length === 0 ? html`<p>No tenants on this page.</p>` : dataTable('Tenants', ['Slug', 'Name', 'User pool', 'Status', 'Created'], rows)}
${next ? html`<p><a href="${next}" rel="next">Next page</a></p>` : ''}
${
  staff?.can('tenant.add')
    ? html`<section class="gh-card" aria-labelledby="new-tenant-heading"><h2 id="new-tenant-heading">New tenant</h2>
${errorSummary(translate, view.form.formError, errors, CREATE_LABELS)}
<form method="post" action="${base}/tenants/new" novalidate>
${field({ name: 'slug', label: 'Slug', value: values.slug ?? '', errors, required: true, optionalText: 'lower-case letters, digits and hyphens; in its addresses' })}
${field({ name: 'name', label: 'Name', value: values.name ?? '', errors, required: true })}
${selectField({ name: 'pool', label: 'User pool', value: values.pool ?? 'shared', choices: POOLS, errors })}
${field({ name: 'logoUrl', label: 'Logo URL', value: values.logoUrl ?? '', errors, optionalText: 'optional; shown on its sign-in pages' })}
<button type="submit">Create tenant</button>
</form></section>`
    : ''
}`;
  return dashboardPage(ctx, { title: 'Tenants', section: 'tenants', body });
}
