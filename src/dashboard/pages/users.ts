/** The users list: search, filters, keyset pages; and the form that creates a user. */

import type { FormState } from '../../ui/context.js';
import { html } from '../../ui/html.js';
import { errorSummary, field, notice } from '../../ui/layout.js';
import { badge, dataTable, select, yesNoFilter } from '../components.js';
import { customFields, type DashboardContext, translate } from '../context.js';
import { dashboardPage } from '../shell.js';
import { fullName, type UserJson, when } from '../views.js';

/** The list's query parameters, passed through to `GET /admin/users`. */
export const USER_FILTERS = [
  'q',
  'match',
  'active',
  'staff',
  'superuser',
  'verified',
  'group',
  'sort',
  'order',
] as const;

export interface UsersView {
  users: UserJson[];
  /** The groups to filter by (empty without `group.view`). */
  groups: { id: string; name: string }[];
  nextCursor: string | null;
  query: Record<string, string>;
  notice: string | null;
  error: string | null;
}

export function usersPage(ctx: DashboardContext, view: UsersView): string {
  const { base, staff } = ctx;
  const { query } = view;
  const rows = view.users.map((user) => [
    html`<a href="${base}/users/${user.id}">${user.email}</a>`,
    html`${fullName(user)}`,
    html`${user.isActive ? 'Active' : badge('Inactive', 'warn')} ${user.isSuperuser ? badge('Superuser') : user.isStaff ? badge('Staff') : ''}`,
    html`${when(user.createdAt)}`,
    html`${when(user.lastLoginAt)}`,
  ]);
  const next = view.nextCursor
    ? `${base}/users?${new URLSearchParams({ ...query, cursor: view.nextCursor })}`
    : null;
  const body = html`<div class="gh-heading"><h1>Users</h1>${
    staff?.can('user.add') ? html`<a class="gh-button" href="${base}/users/new">Add user</a>` : ''
  }</div>
${notice(view.notice)}
${view.error ? html`<div class="gh-alert" role="alert"><p>${view.error}</p></div>` : ''}
<form method="get" action="${base}/users" class="gh-filters" role="search" aria-label="Find users">
<div class="gh-field"><label for="filter-q">Search</label><input type="text" id="filter-q" name="q" value="${query.q ?? ''}" placeholder="Email, username or name"></div>
${select('match', 'Match', query.match, [
  ['', 'Automatic'],
  ['prefix', 'Starts with'],
  ['contains', 'Contains'],
])}
${yesNoFilter('active', 'Active', query.active)}
${yesNoFilter('staff', 'Staff', query.staff)}
${yesNoFilter('superuser', 'Superuser', query.superuser)}
${yesNoFilter('verified', 'Email verified', query.verified)}
${view.groups.length > 0 ? select('group', 'Group', query.group, [['', 'Any'], ...view.groups.map((g): [string, string] => [g.id, g.name])]) : ''}
${select('sort', 'Sort by', query.sort, [
  ['', 'Joined'],
  ['email', 'Email'],
  ['lastLogin', 'Last sign-in'],
])}
${select('order', 'Order', query.order, [
  ['', 'Ascending'],
  ['desc', 'Descending'],
])}
<button type="submit">Search</button>
</form>
${
  view.users.length === 0
    ? html`<p>No users match.</p>`
    : dataTable('Users', ['Email', 'Name', 'Status', 'Joined', 'Last sign-in'], rows)
}
${next ? html`<p><a href="${next}" rel="next">Next page</a></p>` : ''}`;
  return dashboardPage(ctx, { title: 'Users', section: 'users', body });
}

export function newUserPage(ctx: DashboardContext, form: FormState): string {
  const { values, errors } = form;
  const t = translate;
  const labels: Record<string, string> = {
    email: 'Email',
    username: 'Username',
    firstName: 'First name',
    lastName: 'Last name',
    password: 'Password',
  };
  const body = html`<p><a href="${ctx.base}/users">← Users</a></p>
<h1>Add user</h1>
${errorSummary(t, form.formError, errors, labels)}
<form method="post" action="${ctx.base}/users/new" class="gh-card" novalidate>
${field({ name: 'email', label: 'Email', type: 'email', value: values.email ?? '', errors, required: true })}
${field({ name: 'username', label: 'Username', value: values.username ?? '', errors, optionalText: 'optional' })}
${field({ name: 'firstName', label: 'First name', value: values.firstName ?? '', errors, optionalText: 'optional' })}
${field({ name: 'lastName', label: 'Last name', value: values.lastName ?? '', errors, optionalText: 'optional' })}
${field({ name: 'password', label: 'Password', type: 'password', errors, autocomplete: 'new-password', optionalText: 'leave empty: the user cannot sign in with a password' })}
${customFields(ctx, values, errors)}
${field({ name: 'isStaff', label: 'Staff (may open this dashboard)', type: 'checkbox', checked: values.isStaff === 'on', errors })}
${field({ name: 'emailVerified', label: 'Email verified', type: 'checkbox', checked: values.emailVerified === 'on', errors })}
${ctx.staff?.isSuperuser ? field({ name: 'isSuperuser', label: 'Superuser (every permission)', type: 'checkbox', checked: values.isSuperuser === 'on', errors }) : ''}
<button type="submit">Create user</button>
</form>`;
  return dashboardPage(ctx, { title: 'Add user', section: 'users', body });
}
