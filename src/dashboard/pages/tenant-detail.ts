/**
 * One tenant: its name and logo, whether it is enabled, its login policy,
 * its members and its pending invitations. Each part is a form only for
 * staff whose permissions allow that change (`tenant.change` for the tenant
 * itself, `tenant.manage_members` for members and invitations).
 */
import type { FormState } from '../../ui/context.js';
import { html, type SafeHtml } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { badge, checkboxList, dataTable, postButton } from '../components.js';
import { type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import {
  DEFAULT_TENANT_ID,
  fullName,
  type GroupJson,
  type InvitationJson,
  type MemberJson,
  type TenantJson,
  when,
} from '../views.js';
import { type Provider, policySection } from './tenant-policy.js';
import { poolLabel } from './tenants.js';

export interface TenantDetailView {
  tenant: TenantJson;
  members: MemberJson[];
  /** The `?members=` cursor of the next page of members, if there is one. */
  membersNext: string | null;
  invitations: InvitationJson[];
  /** Every group, when the staff member may list them (the member and invitation forms' pickers). */
  allGroups: GroupJson[] | null;
  providers: readonly Provider[];
  settings?: FormState;
  policy?: FormState;
  member?: FormState;
  invite?: FormState;
  notice: string | null;
  error: string | null;
}

export function tenantDetailPage(ctx: DashboardContext, view: TenantDetailView): string {
  const { base, staff } = ctx;
  const { tenant } = view;
  const at = `${base}/tenants/${tenant.id}`;
  const mayChange = !!staff?.can('tenant.change');
  const body = html`<p><a href="${base}/tenants">← Tenants</a></p>
<div class="gh-heading"><h1>${tenant.name}</h1>
<p><code>${tenant.slug}</code> ${badge(`${poolLabel(tenant.pool)} user pool`)} ${tenant.isActive ? '' : badge('Disabled', 'warn')}</p></div>
${notice(view.notice)}
${view.error ? html`<div class="gh-alert" role="alert"><p>${view.error}</p></div>` : ''}
${settingsSection(ctx, view, mayChange)}
${mayChange && tenant.id !== DEFAULT_TENANT_ID ? statusSection(at, tenant) : ''}
${policySection(tenant, {
  action: `${at}/policy`,
  editable: mayChange,
  providers: view.providers,
  ...(view.policy ? { form: view.policy } : {}),
})}
${membersSection(ctx, view)}
${invitationsSection(ctx, view)}`;
  return dashboardPage(ctx, { title: tenant.name, section: 'tenants', body });
}

function settingsSection(ctx: DashboardContext, view: TenantDetailView, mayChange: boolean): SafeHtml {
  const { tenant } = view;
  const facts = html`<p class="gh-muted">Created ${when(tenant.createdAt)} · changed ${when(tenant.updatedAt)} · id <code>${tenant.id}</code></p>`;
  if (!mayChange) {
    return html`<section class="gh-card" aria-labelledby="settings-heading"><h2 id="settings-heading">Settings</h2>
<dl class="gh-facts"><dt>Name</dt><dd>${tenant.name}</dd><dt>Logo</dt><dd>${tenant.logoUrl ?? 'None'}</dd></dl>
${facts}</section>`;
  }
  const form = view.settings ?? {
    values: { name: tenant.name, logoUrl: tenant.logoUrl ?? '' },
    errors: {},
    formError: null,
  };
  const { values, errors } = form;
  return html`<section class="gh-card" aria-labelledby="settings-heading"><h2 id="settings-heading">Settings</h2>
${errorSummary(translate, form.formError, errors, { name: 'Name', logoUrl: 'Logo URL' })}
<form method="post" action="${ctx.base}/tenants/${tenant.id}/settings" novalidate>
${field({ name: 'name', label: 'Name', value: values.name ?? '', errors, required: true })}
${field({ name: 'logoUrl', label: 'Logo URL', value: values.logoUrl ?? '', errors, optionalText: 'optional; shown on its sign-in pages' })}
${facts}
<button type="submit">Save settings</button>
</form></section>`;
}

function statusSection(at: string, tenant: TenantJson): SafeHtml {
  return html`<section class="gh-card" aria-labelledby="status-heading"><h2 id="status-heading">Status</h2>
${
  tenant.isActive
    ? html`<p>Enabled: its members can sign in. Disabling it turns every request to it away until it is enabled again.</p>
${postButton(`${at}/status`, 'Disable tenant', { fields: { isActive: 'false' }, danger: true })}`
    : html`<p>Disabled: nobody can sign in to it.</p>
${postButton(`${at}/status`, 'Enable tenant', { fields: { isActive: 'true' } })}`
}
</section>`;
}

/** The groups to hand out in a form, as checkboxes named `name`; nothing without `group.view`. */
function groupPicker(view: TenantDetailView, name: string, checked: string): SafeHtml {
  if (view.allGroups === null) return html``;
  const held = new Set(checked.split(',').filter(Boolean));
  return checkboxList({
    name,
    legend: 'Groups in this tenant',
    choices: view.allGroups.map((g) => ({ value: g.name, label: g.name, checked: held.has(g.name) })),
  });
}

function membersSection(ctx: DashboardContext, view: TenantDetailView): SafeHtml {
  const { base, staff } = ctx;
  const { tenant } = view;
  const at = `${base}/tenants/${tenant.id}`;
  const manage = !!staff?.can('tenant.manage_members');
  const rows = view.members.map((m) => [
    staff?.can('user.view')
      ? html`<a href="${base}/users/${m.user.id}">${m.user.email}</a>`
      : html`${m.user.email}`,
    html`${fullName(m.user) || '—'}`,
    html`${m.groups.join(', ') || '—'}`,
    html`${when(m.joinedAt)}`,
    manage
      ? postButton(`${at}/members/remove`, 'Remove', {
          fields: { id: m.user.id },
          secondary: true,
          ariaLabel: `Remove ${m.user.email} from ${tenant.name}`,
        })
      : null,
  ]);
  const next = view.membersNext
    ? `${at}?${new URLSearchParams({ members: view.membersNext })}#members-heading`
    : null;
  const form = view.member ?? { values: {}, errors: {}, formError: null };
  const { values, errors } = form;
  return html`<section class="gh-card" aria-labelledby="members-heading"><h2 id="members-heading">Members</h2>
${
  view.members.length === 0
    ? html`<p class="gh-muted">No members${next === null ? '' : ' on this page'}.</p>`
    : dataTable('Members', ['Email', 'Name', 'Groups', 'Joined', ...(manage ? ['Actions'] : [])], rows)
}
${next ? html`<p><a href="${next}" rel="next">More members</a></p>` : ''}
${
  manage
    ? html`<h3>Add a member</h3>
<p class="gh-muted">The account must already exist in ${tenant.pool === 'isolated' ? 'this tenant’s own user pool' : 'the shared user pool'}; to ask someone new, invite them below. Adding a member again replaces their groups here.</p>
${errorSummary(translate, form.formError, errors, { memberEmail: 'Email', memberGroups: 'Groups' })}
<form method="post" action="${at}/members/new" novalidate>
${field({ name: 'memberEmail', label: 'Email', type: 'email', value: values.memberEmail ?? '', errors, required: true })}
${groupPicker(view, 'memberGroups', values.memberGroups ?? '')}
<button type="submit">Add member</button>
</form>`
    : ''
}
</section>`;
}

function invitationsSection(ctx: DashboardContext, view: TenantDetailView): SafeHtml {
  const { tenant } = view;
  const at = `${ctx.base}/tenants/${tenant.id}`;
  const manage = !!ctx.staff?.can('tenant.manage_members');
  const rows = view.invitations.map((i) => [
    html`${i.email}`,
    html`${i.groups.join(', ') || '—'}`,
    html`${when(i.createdAt)}`,
    html`${when(i.expiresAt)}`,
    manage
      ? postButton(`${at}/invitations/withdraw`, 'Withdraw', {
          fields: { id: i.id },
          secondary: true,
          ariaLabel: `Withdraw the invitation to ${i.email}`,
        })
      : null,
  ]);
  const form = view.invite ?? { values: {}, errors: {}, formError: null };
  const { values, errors } = form;
  return html`<section class="gh-card" aria-labelledby="invitations-heading"><h2 id="invitations-heading">Invitations</h2>
${
  view.invitations.length === 0
    ? html`<p class="gh-muted">No pending invitations.</p>`
    : dataTable(
        'Pending invitations',
        ['Email', 'Groups', 'Sent', 'Expires', ...(manage ? ['Actions'] : [])],
        rows,
      )
}
${
  manage
    ? html`<h3>Invite someone</h3>
<p class="gh-muted">A link to join goes to the address by email; it works once, for 7 days.</p>
${errorSummary(translate, form.formError, errors, { inviteEmail: 'Email', inviteGroups: 'Groups' })}
<form method="post" action="${at}/invitations/new" novalidate>
${field({ name: 'inviteEmail', label: 'Email', type: 'email', value: values.inviteEmail ?? '', errors, required: true })}
${groupPicker(view, 'inviteGroups', values.inviteGroups ?? '')}
<button type="submit">Send invitation</button>
</form>`
    : ''
}
</section>`;
}
