/** `/webhooks`: the configured webhooks and their delivery log; retrying a failed delivery. */
import { DELIVERY_FILTERS, webhooksPage } from '../pages/webhooks.js';
import { queryError, type Screen } from '../screen.js';

export async function webhookRoutes(s: Screen): Promise<Response | null> {
  const [section, id, deliveryId, verb] = s.segments;
  if (section !== 'webhooks') return null;
  if (id === undefined && s.method === 'GET') {
    const query = s.query(DELIVERY_FILTERS);
    const [hooks, deliveries] = await Promise.all([
      s.get('/admin/webhooks'),
      s.get(`/admin/webhooks/deliveries?${new URLSearchParams({ ...query, ...s.query(['cursor']) })}`),
    ]);
    if (hooks.status !== 200) return s.failure(hooks);
    const shown = { webhooks: hooks.body.webhooks, query, notice: s.notice };
    if (deliveries.status === 400) {
      const error = queryError(deliveries);
      return s.send(webhooksPage(s.ctx, { ...shown, deliveries: [], nextCursor: null, error }), 400);
    }
    if (deliveries.status !== 200) return s.failure(deliveries);
    return s.send(webhooksPage(s.ctx, { ...shown, ...deliveries.body, error: null }));
  }
  if (id === 'deliveries' && deliveryId && verb === 'retry' && s.method === 'POST') {
    const reply = await s.change(
      'POST',
      `/admin/webhooks/deliveries/${encodeURIComponent(deliveryId)}/retry`,
    );
    return reply.status === 200 ? s.redirect(`${s.ctx.base}/webhooks?done=retried`) : s.failure(reply);
  }
  return null;
}
