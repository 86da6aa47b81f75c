/**
 * One user: profile and flags, groups, direct permissions, sessions,
 * password, audit history, and the dangerous actions. Each part is a form
 * only for staff whose permissions allow that change; otherwise it is shown
 * read-only (and the API would refuse the change anyway).
 */
import type { FormState } from '../../ui/context.js';
import { html, type SafeHtml } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { badge, checkboxList, dataTable, postButton } from '../components.js';
import { customFields, type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import {
  type AuditEventJson,
  fullName,
  type GroupJson,
  type PermissionJson,
  type SessionJson,
  type UserJson,
  when,
} from '../views.js';

export interface UserDetailView {
  user: UserJson;
  groups: { id: string; name: string }[];
  /** The user's direct permissions (codenames). */
  permissions: string[];
  /** Everything the user holds, directly or through groups. */
  effectivePermissions: string[];
  /** Every group and permission, when the staff member may list them (for the pickers). */
  allGroups: GroupJson[] | null;
  allPermissions: PermissionJson[] | null;
  sessions: SessionJson[];
  /** Identities from social sign-in. */
  linkedAccounts: {
    id: string;
    providerName: string;
    email: string | null;
    createdAt: string;
    lastUsedAt: string;
  }[];
  /** The user's second factors. */
  mfa: {
    totp: { enabled: boolean };
    passkeys: number;
    recoveryCodes: { remaining: number };
    required: boolean;
  } | null;
  audit: AuditEventJson[] | null;
  profile?: FormState;
  password?: FormState;
  notice: string | null;
  error: string | null;
}

const PROFILE_LABELS: Record<string, string> = {
  email: 'Email',
  username: 'Username',
  firstName: 'First name',
  lastName: 'Last name',
};

export function userDetailPage(ctx: DashboardContext, view: UserDetailView): string {
  const { base, staff } = ctx;
  const { user } = view;
  const at = `${base}/users/${user.id}`;
  const self = staff?.id === user.id;
  // The API's rules: superusers only by superusers, and only users holding nothing the staff member lacks.
  const within =
    !!staff &&
    (staff.isSuperuser ||
      (!user.isSuperuser && (self || view.effectivePermissions.every((p) => staff.can(p)))));
  const mayChange = within && !!staff?.can('user.change');
  const body = html`<p><a href="${base}/users">← Users</a></p>
<div class="gh-heading"><h1>${user.email}</h1>
<p>${user.isActive ? '' : badge('Inactive', 'warn')} ${user.isSuperuser ? badge('Superuser') : user.isStaff ? badge('Staff') : ''} ${
    user.emailVerified ? badge('Email verified') : badge('Email not verified', 'warn')
  }</p></div>
${notice(view.notice)}
${view.error ? html`<div class="gh-alert" role="alert"><p>${view.error}</p></div>` : ''}
${
  within && staff?.can('user.impersonate') && !self && user.isActive
    ? html`<div class="gh-row">${postButton(`${at}/impersonate`, 'Act as this user', { secondary: true })}</div>`
    : ''
}
${profileSection(ctx, view, mayChange)}
<section class="gh-card" aria-labelledby="access-heading">
<h2 id="access-heading">Groups and permissions</h2>
${accessSection(ctx, view, mayChange)}
</section>
${sessionsSection(ctx, view, mayChange)}
${view.linkedAccounts.length > 0 ? linkedAccountsSection(ctx, view, mayChange) : ''}
${view.mfa ? mfaSection(ctx, view, view.mfa, mayChange) : ''}
${mayChange ? passwordSection(ctx, view) : ''}
${view.audit ? auditSection(ctx, view.audit) : ''}
${
  within && staff?.can('user.delete') && !self
    ? html`<section class="gh-card gh-danger-zone" aria-labelledby="delete-heading"><h2 id="delete-heading">Delete</h2>
<p>Deleting removes the account, its sessions and its assignments. It cannot be undone.</p>
<a class="gh-button gh-danger" href="${at}/delete">Delete this user…</a></section>`
    : ''
}`;
  return dashboardPage(ctx, { title: user.email, section: 'users', body });
}

function profileSection(ctx: DashboardContext, view: UserDetailView, mayChange: boolean): SafeHtml {
  const { user } = view;
  const customNames = Object.keys(ctx.fields);
  if (!mayChange) {
    const rows: [string, string][] = [
      ['Email', user.email],
      ['Username', user.username ?? '—'],
      ['Name', fullName(user) || '—'],
      ...customNames.map((name): [string, string] => [
        ctx.fields[name]?.label ?? name,
        text(user[name]) || '—',
      ]),
      ['Active', user.isActive ? 'Yes' : 'No'],
      ['Staff', user.isStaff ? 'Yes' : 'No'],
      ['Joined', when(user.createdAt)],
      ['Last sign-in', when(user.lastLoginAt)],
      ['Password', user.hasUsablePassword ? 'Set' : 'None (cannot sign in with a password)'],
    ];
    return html`<section class="gh-card" aria-labelledby="profile-heading"><h2 id="profile-heading">Profile</h2>
<dl class="gh-facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`;
  }
  const form = view.profile ?? {
    values: {
      email: user.email,
      username: user.username ?? '',
      firstName: user.firstName,
      lastName: user.lastName,
      ...Object.fromEntries(customNames.map((name) => [name, text(user[name])])),
      ...flagValues(user),
    },
    errors: {},
    formError: null,
  };
  const { values, errors } = form;
  const labels = {
    ...PROFILE_LABELS,
    ...Object.fromEntries(customNames.map((n) => [n, ctx.fields[n]?.label ?? n])),
  };
  return html`<section class="gh-card" aria-labelledby="profile-heading"><h2 id="profile-heading">Profile</h2>
${errorSummary(translate, form.formError, errors, labels)}
<form method="post" action="${ctx.base}/users/${user.id}/profile" novalidate>
${field({ name: 'email', label: 'Email', type: 'email', value: values.email ?? '', errors, required: true })}
${field({ name: 'username', label: 'Username', value: values.username ?? '', errors, optionalText: 'optional' })}
${field({ name: 'firstName', label: 'First name', value: values.firstName ?? '', errors })}
${field({ name: 'lastName', label: 'Last name', value: values.lastName ?? '', errors })}
${customFields(ctx, values, errors)}
<input type="hidden" name="flags" value="shown">
${field({ name: 'isActive', label: 'Active (may sign in)', type: 'checkbox', checked: values.isActive === 'on', errors })}
${field({ name: 'isStaff', label: 'Staff (may open this dashboard)', type: 'checkbox', checked: values.isStaff === 'on', errors })}
${field({ name: 'emailVerified', label: 'Email verified', type: 'checkbox', checked: values.emailVerified === 'on', errors })}
${ctx.staff?.isSuperuser ? field({ name: 'isSuperuser', label: 'Superuser (every permission)', type: 'checkbox', checked: values.isSuperuser === 'on', errors }) : ''}
<p class="gh-muted">Joined ${when(user.createdAt)} · last sign-in ${when(user.lastLoginAt)} · password ${user.hasUsablePassword ? 'set' : 'none'}</p>
<button type="submit">Save profile</button>
</form></section>`;
}

function flagValues(user: UserJson): Record<string, string> {
  const on = (value: boolean) => (value ? 'on' : '');
  return {
    isActive: on(user.isActive),
    isStaff: on(user.isStaff),
    emailVerified: on(user.emailVerified),
    isSuperuser: on(user.isSuperuser),
  };
}

function accessSection(ctx: DashboardContext, view: UserDetailView, mayChange: boolean): SafeHtml {
  const at = `${ctx.base}/users/${view.user.id}`;
  const memberOf = new Set(view.groups.map((g) => g.id));
  const groupChoices = (view.allGroups ?? view.groups.map((g) => ({ ...g, permissions: [] }))).map((g) => ({
    value: g.id,
    label: g.name,
    checked: memberOf.has(g.id),
  }));
  const editGroups = mayChange && view.allGroups !== null;
  const held = new Set(view.permissions);
  const permissionChoices = (
    view.allPermissions ?? view.permissions.map((codename) => ({ id: codename, codename, name: codename }))
  ).map((p) => ({ value: p.codename, label: p.codename, hint: p.name, checked: held.has(p.codename) }));
  const editPermissions = mayChange && view.allPermissions !== null;
  const groups = checkboxList({
    name: 'groups',
    legend: 'Groups',
    choices: groupChoices,
    readOnly: !editGroups,
  });
  const permissions = checkboxList({
    name: 'permissions',
    legend: 'Direct permissions',
    choices: permissionChoices,
    readOnly: !editPermissions,
  });
  return html`${
    editGroups
      ? html`<form method="post" action="${at}/groups">${groups}<button type="submit">Save groups</button></form>`
      : groups
  }
${
  editPermissions
    ? html`<form method="post" action="${at}/permissions">${permissions}<button type="submit">Save permissions</button></form>`
    : permissions
}`;
}

function sessionsSection(ctx: DashboardContext, view: UserDetailView, mayChange: boolean): SafeHtml {
  const at = `${ctx.base}/users/${view.user.id}`;
  const rows = view.sessions.map((s) => [
    html`${s.userAgent ?? 'Unknown device'}${s.impersonated ? html` ${badge('Staff acting as the user', 'warn')}` : ''}`,
    html`${s.ip ?? '—'}`,
    html`${when(s.createdAt)}`,
    html`${when(s.lastSeenAt)}`,
    mayChange
      ? postButton(`${at}/sessions/revoke`, 'Sign out', {
          fields: { id: s.id },
          secondary: true,
          ariaLabel: `Sign out the session from ${s.userAgent ?? 'an unknown device'} started ${when(s.createdAt)}`,
        })
      : null,
  ]);
  return html`<section class="gh-card" aria-labelledby="sessions-heading"><h2 id="sessions-heading">Sessions</h2>
${
  view.sessions.length === 0
    ? html`<p class="gh-muted">Not signed in anywhere.</p>`
    : dataTable(
        'Live sessions',
        ['Device', 'Address', 'Started', 'Last active', ...(mayChange ? ['Actions'] : [])],
        rows,
      )
}
${mayChange && view.sessions.length > 0 ? postButton(`${at}/sessions/revoke-all`, 'Sign out everywhere', { secondary: true }) : ''}
</section>`;
}

function linkedAccountsSection(ctx: DashboardContext, view: UserDetailView, mayChange: boolean): SafeHtml {
  const at = `${ctx.base}/users/${view.user.id}`;
  const rows = view.linkedAccounts.map((a) => [
    html`${a.providerName}`,
    html`${a.email ?? '—'}`,
    html`${when(a.createdAt)}`,
    html`${when(a.lastUsedAt)}`,
    mayChange
      ? postButton(`${at}/linked-accounts/unlink`, 'Unlink', {
          fields: { id: a.id },
          secondary: true,
          ariaLabel: `Unlink ${a.providerName}${a.email ? ` (${a.email})` : ''}`,
        })
      : null,
  ]);
  return html`<section class="gh-card" aria-labelledby="linked-heading"><h2 id="linked-heading">Linked accounts</h2>
${dataTable('Linked accounts', ['Provider', 'Email', 'Linked', 'Last used', ...(mayChange ? ['Actions'] : [])], rows)}
</section>`;
}

function mfaSection(
  ctx: DashboardContext,
  view: UserDetailView,
  mfa: NonNullable<UserDetailView['mfa']>,
  mayChange: boolean,
): SafeHtml {
  const any = mfa.totp.enabled || mfa.passkeys > 0;
  const facts = [
    mfa.totp.enabled ? 'Authenticator app on' : 'No authenticator app',
    `${mfa.passkeys} passkey${mfa.passkeys === 1 ? '' : 's'}`,
    `${mfa.recoveryCodes.remaining} recovery code${mfa.recoveryCodes.remaining === 1 ? '' : 's'} left`,
  ];
  return html`<section class="gh-card" aria-labelledby="mfa-heading"><h2 id="mfa-heading">Two-step verification</h2>
<p>${facts.join(' · ')}${mfa.required && !any ? html` ${badge('Required, not set up', 'warn')}` : ''}</p>
${
  mayChange && any
    ? html`<p class="gh-muted">For a user who lost their device: removes their authenticator app, passkeys and recovery codes, and forgets their remembered browsers.</p>
${postButton(`${ctx.base}/users/${view.user.id}/mfa`, 'Reset two-step verification', { secondary: true })}`
    : ''
}
</section>`;
}

function passwordSection(ctx: DashboardContext, view: UserDetailView): SafeHtml {
  const form = view.password ?? { values: {}, errors: {}, formError: null };
  return html`<section class="gh-card" aria-labelledby="password-heading"><h2 id="password-heading">Set a password</h2>
<p class="gh-muted">The user's sessions all end; tell them the new password another way.</p>
${errorSummary(translate, form.formError, form.errors, { password: 'New password' })}
<form method="post" action="${ctx.base}/users/${view.user.id}/password" novalidate>
${field({ name: 'password', label: 'New password', type: 'password', errors: form.errors, autocomplete: 'new-password', required: true })}
<button type="submit">Set password</button>
</form>
<p class="gh-muted">Or let the user choose one: the link works once, for an hour.</p>
${postButton(`${ctx.base}/users/${view.user.id}/reset-link`, 'Send a password reset link', { secondary: true })}
</section>`;
}

function auditSection(ctx: DashboardContext, events: AuditEventJson[]): SafeHtml {
  const rows = events.map((e) => [
    html`${when(e.at)}`,
    html`${e.type}`,
    e.actorId && e.actorId !== e.userId
      ? html`<a href="${ctx.base}/users/${e.actorId}">${e.actorId}</a>`
      : html`—`,
    html`${e.ip ?? '—'}`,
  ]);
  return html`<section class="gh-card" aria-labelledby="history-heading"><h2 id="history-heading">History</h2>
${events.length === 0 ? html`<p class="gh-muted">Nothing recorded.</p>` : dataTable('Recorded events', ['When', 'Event', 'By', 'Address'], rows)}
</section>`;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
