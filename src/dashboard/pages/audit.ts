/** The audit log: filters (type, user, actor, dates), newest first, pages, and a CSV download of the selection. */
import { html } from '../../ui/html.js';
import { dataTable } from '../components.js';
import type { DashboardContext } from '../context.js';
import { dashboardPage } from '../shell.js';
import { type AuditEventJson, when } from '../views.js';

export const AUDIT_FILTERS = ['type', 'user', 'actor', 'since', 'until'] as const;

export function auditPage(
  ctx: DashboardContext,
  view: {
    events: AuditEventJson[];
    nextCursor: string | null;
    query: Record<string, string>;
    csvUrl: string;
    error: string | null;
  },
): string {
  const { base } = ctx;
  const { query } = view;
  const userLink = (id: string | null) => (id ? html`<a href="${base}/users/${id}">${id}</a>` : html`—`);
  const rows = view.events.map((e) => [
    html`${when(e.at)}`,
    html`<code>${e.type}</code>`,
    userLink(e.userId),
    userLink(e.actorId),
    html`${e.ip ?? '—'}`,
    html`<span class="gh-muted">${Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : ''}</span>`,
  ]);
  const next = view.nextCursor
    ? `${base}/audit?${new URLSearchParams({ ...query, cursor: view.nextCursor })}`
    : null;
  const input = (name: string, label: string, hint: string) =>
    html`<div class="gh-field"><label for="filter-${name}">${label}</label><input type="text" id="filter-${name}" name="${name}" value="${query[name] ?? ''}" placeholder="${hint}"></div>`;
  const body = html`<h1>Audit log</h1>
${view.error ? html`<div class="gh-alert" role="alert"><p>${view.error}</p></div>` : ''}
<form method="get" action="${base}/audit" class="gh-filters" aria-label="Filter events">
${input('type', 'Event type', 'signin_failed')}
${input('user', 'User id', 'usr_…')}
${input('actor', 'Actor id', 'usr_…')}
${input('since', 'From', '2026-01-01T00:00:00Z')}
${input('until', 'Until', '2026-02-01T00:00:00Z')}
<button type="submit">Filter</button>
</form>
<p><a href="${view.csvUrl}" download>Download these events as CSV</a></p>
${view.events.length === 0 ? html`<p>No events match.</p>` : dataTable('Audit events', ['When', 'Event', 'User', 'Actor', 'Address', 'Details'], rows)}
${next ? html`<p><a href="${next}" rel="next">Older events</a></p>` : ''}`;
  return dashboardPage(ctx, { title: 'Audit log', section: 'audit', body });
}
