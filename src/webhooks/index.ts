export type { DeliveryQuery } from './delivery-store.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  signWebhookPayload,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
  type WebhookSignatureCheck,
} from './signature.js';
export type { WebhookConfig, WebhookDeliverySettings } from './webhook-config.js';
export type {
  DeliveryRun,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookInfo,
  WebhookPayload,
  Webhooks,
} from './webhooks.js';
