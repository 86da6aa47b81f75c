/**
 * Webhook signatures, in the form Stripe made familiar:
 *
 *     gatehouse-signature: t=1718000000,v1=5257a869…
 *
 * `v1` is the hex HMAC-SHA256, keyed with the webhook's secret, of
 * `${t}.${body}` — the Unix time of the attempt, a dot, and the exact bytes
 * of the request body. Signing the time with the body is what lets a receiver
 * refuse a captured delivery replayed later: it checks the HMAC, then that
 * `t` is within a few minutes of its own clock. Comparisons are constant-time.
 *
 * This file depends on `node:crypto` alone, so a receiver can use it without
 * loading the rest of Gatehouse.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the signature. */
export const SIGNATURE_HEADER = 'gatehouse-signature';

/** How far `t` may be from the receiver's clock, by default: five minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookSignatureCheck =
  | { ok: true /** The signed Unix time of the attempt. */; timestamp: number }
  | {
      ok: false;
      /**
       * `malformed`: no header, or not `t=…,v1=…`; `mismatch`: no `v1` matches
       * (another secret, or a body changed on the way — verify the raw bytes,
       * not re-serialised JSON); `expired`: the signature is right but `t` is
       * outside the tolerance (a replay, or a clock far off).
       */
      reason: 'malformed' | 'mismatch' | 'expired';
    };

export interface VerifyWebhookSignatureOptions {
  /** Largest accepted distance between `t` and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The receiver's clock (default `Date.now()`); for tests. */
  now?: Date | number;
}

/** The `gatehouse-signature` header value for `body` sent at `timestampSeconds`. */
export function signWebhookPayload(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/**
 * Checks a delivery's `gatehouse-signature` header against the raw request
 * body. Pass several secrets while rotating one (any may match). A result,
 * never an exception: accept the delivery only when `ok` is true.
 *
 * @example
 * const check = verifyWebhookSignature(process.env.WEBHOOK_SECRET, req.headers['gatehouse-signature'], rawBody);
 * if (!check.ok) return res.writeHead(400).end(check.reason);
 */
export function verifyWebhookSignature(
  secret: string | readonly string[],
  header: string | null | undefined,
  body: string | Uint8Array,
  options: VerifyWebhookSignatureOptions = {},
): WebhookSignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let matched = false;
  for (const key of secrets) {
    const expected = Buffer.from(hmacHex(key, parsed.timestamp, body), 'hex');
    for (const candidate of parsed.signatures) {
      // Both are 32 bytes (the header parser admits only 64 hex digits), so the comparison is constant-time.
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched) return { ok: false, reason: 'mismatch' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  if (Math.abs(nowMs / 1000 - parsed.timestamp) > tolerance) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp: parsed.timestamp };
}

function hmacHex(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

/** `t=<digits>` once and one or more `v1=<64 hex digits>`; other schemes are ignored (room for a `v2`). */
function parseSignatureHeader(
  header: string | null | undefined,
): { timestamp: number; signatures: Buffer[] } | null {
  if (typeof header !== 'string' || header.length > 2048) return null;
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}
