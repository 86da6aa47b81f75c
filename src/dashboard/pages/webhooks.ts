/** The configured webhooks and their delivery log (filter by status, type, webhook), with retry for failures. */
import { html } from '../../ui/html.js';
import { notice } from '../../ui/layout.js';
import { badge, dataTable, postButton } from '../components.js';
import type { DashboardContext } from '../context.js';
import { dashboardPage } from '../shell.js';
import { type DeliveryJson, type WebhookJson, when } from '../views.js';

export const DELIVERY_FILTERS = ['status', 'type', 'webhook'] as const;

export function webhooksPage(
  ctx: DashboardContext,
  view: {
    webhooks: WebhookJson[];
    deliveries: DeliveryJson[];
    nextCursor: string | null;
    query: Record<string, string>;
    notice: string | null;
    error: string | null;
  },
): string {
  const { base, staff } = ctx;
  const { query } = view;
  const hooks = view.webhooks.map((w) => [
    html`${w.name}`,
    html`<code>${w.url}</code>`,
    html`${w.events ? w.events.join(', ') : 'Every event'}`,
  ]);
  const rows = view.deliveries.map((d) => [
    html`${when(d.createdAt)}`,
    html`${d.webhook}`,
    html`<code>${d.eventType}</code>`,
    d.status === 'failed'
      ? badge('Failed', 'warn')
      : html`${d.status === 'delivered' ? 'Delivered' : 'Pending'}`,
    html`${String(d.attempts)}${d.lastStatusCode ? html` · HTTP ${String(d.lastStatusCode)}` : ''}${
      d.lastError ? html`<br><span class="gh-muted">${d.lastError}</span>` : ''
    }`,
    html`${d.status === 'pending' ? `next ${when(d.nextAttemptAt)}` : when(d.deliveredAt ?? d.lastAttemptAt)}`,
    d.status === 'failed' && staff?.can('webhook.change')
      ? postButton(`${base}/webhooks/deliveries/${d.id}/retry`, 'Retry', {
          secondary: true,
          ariaLabel: `Retry the ${d.eventType} delivery to ${d.webhook}`,
        })
      : null,
  ]);
  const next = view.nextCursor
    ? `${base}/webhooks?${new URLSearchParams({ ...query, cursor: view.nextCursor })}`
    : null;
  const statuses: [string, string][] = [
    ['', 'Any'],
    ['pending', 'Pending'],
    ['delivered', 'Delivered'],
    ['failed', 'Failed'],
  ];
  const body = html`<h1>Webhooks</h1>
${notice(view.notice)}
${view.error ? html`<div class="gh-alert" role="alert"><p>${view.error}</p></div>` : ''}
${
  view.webhooks.length === 0
    ? html`<p>No webhooks are configured (<code>webhooks</code> in the configuration).</p>`
    : dataTable('Configured webhooks', ['Name', 'URL', 'Events'], hooks)
}
<h2>Deliveries</h2>
<form method="get" action="${base}/webhooks" class="gh-filters" aria-label="Filter deliveries">
<div class="gh-field"><label for="filter-status">Status</label><select id="filter-status" name="status">${statuses.map(
    ([value, label]) =>
      html`<option value="${value}"${(query.status ?? '') === value ? html` selected` : ''}>${label}</option>`,
  )}</select></div>
<div class="gh-field"><label for="filter-type">Event type</label><input type="text" id="filter-type" name="type" value="${query.type ?? ''}"></div>
<div class="gh-field"><label for="filter-webhook">Webhook</label><input type="text" id="filter-webhook" name="webhook" value="${query.webhook ?? ''}"></div>
<button type="submit">Filter</button>
</form>
${
  view.deliveries.length === 0
    ? html`<p>No deliveries match.</p>`
    : dataTable(
        'Deliveries',
        [
          'Queued',
          'Webhook',
          'Event',
          'Status',
          'Attempts',
          'When',
          ...(staff?.can('webhook.change') ? ['Actions'] : []),
        ],
        rows,
      )
}
${next ? html`<p><a href="${next}" rel="next">Older deliveries</a></p>` : ''}`;
  return dashboardPage(ctx, { title: 'Webhooks', section: 'webhooks', body });
}
