/**
 * The webhook delivery log for staff: the configured webhooks (never their
 * secrets), the deliveries newest first, and a retry of a failed one.
 * `webhook.view` reads, `webhook.change` retries (an audit event names who).
 *
 * Deliveries are shown without their payload: it is the audit event, with
 * the client's address, which `audit.view` guards, not `webhook.view`.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { AuthError, type ErrorCode } from '../errors.js';
import type { WebhookDelivery } from '../webhooks/webhooks.js';
import { json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { parseBody } from './schemas.js';

const GUARDED: readonly ErrorCode[] = ['unauthenticated', 'forbidden'];

export const deliveryListQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  type: z.string().max(100).optional(),
  webhook: z.string().max(200).optional(),
  cursor: z.string().max(100).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'Enter a whole number from 1 to 200.')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'Enter a whole number from 1 to 200.')
    .optional(),
});

export function adminWebhookRoutes<F extends CustomFields>(): RouteSpec<F>[] {
  return [
    {
      method: 'GET',
      path: '/admin/webhooks',
      summary: 'The configured webhooks: name, URL (without credentials), events, payload fields',
      signedIn: true,
      permission: 'webhook.view',
      success: {
        status: 200,
        description: '`{webhooks: [{name, url, events, include}]}`; `events: null` is all',
      },
      errors: GUARDED,
      async handle(x) {
        return json(200, { webhooks: x.core.webhooks.list() }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/webhooks/deliveries',
      summary:
        'Webhook deliveries, newest first: filter by status, event type and webhook; keyset pagination',
      signedIn: true,
      permission: 'webhook.view',
      query: deliveryListQuery,
      success: { status: 200, description: '`{deliveries, nextCursor}`; pass `nextCursor` as `cursor`' },
      errors: [...GUARDED, 'invalid_request'],
      async handle(x) {
        const query = parseBody(deliveryListQuery, Object.fromEntries(new URL(x.request.url).searchParams));
        const limit = query.limit ?? 50;
        const found = await x.core.webhooks.listDeliveries({
          limit: limit + 1,
          ...(query.status ? { status: query.status } : {}),
          ...(query.type ? { type: query.type } : {}),
          ...(query.webhook ? { webhook: query.webhook } : {}),
          ...(query.cursor ? { before: query.cursor } : {}),
        });
        const page = found.slice(0, limit);
        const nextCursor = found.length > limit ? (page.at(-1)?.id ?? null) : null;
        return json(200, { deliveries: page.map(deliveryView), nextCursor }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/webhooks/deliveries/:id/retry',
      summary: 'Queue a failed delivery again, due now (one more attempt)',
      signedIn: true,
      permission: 'webhook.change',
      success: { status: 200, description: '`{delivery}`, pending' },
      errors: [...GUARDED, 'csrf_failed', 'not_found', 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const delivery = await x.core.webhooks.retry(params.id ?? '');
        if (!delivery) throw new AuthError('not_found', 'There is no such delivery.');
        await x.core.audit.record({
          type: 'webhook_delivery_retried',
          actorId: actor.id,
          ...x.client,
          details: { delivery: delivery.id, webhook: delivery.webhook, eventId: delivery.eventId },
        });
        return json(200, { delivery: deliveryView(delivery) }, x.headers);
      },
    },
  ];
}

function deliveryView({ payload: _payload, ...delivery }: WebhookDelivery) {
  return delivery;
}
