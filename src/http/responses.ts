/** Responses of the API: JSON with the headers every auth response carries (API.md "Caching and headers"). */
import type { AuthError } from '../errors.js';

const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export function baseHeaders(hsts: boolean): Headers {
  const headers = new Headers(BASE_HEADERS);
  if (hsts) headers.set('strict-transport-security', 'max-age=63072000; includeSubDomains');
  return headers;
}

export function json(status: number, body: unknown, headers: Headers): Response {
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(body), { status, headers });
}

export function empty(status: number, headers: Headers): Response {
  return new Response(null, { status, headers });
}

export function errorResponse(error: AuthError, headers: Headers): Response {
  if (error.retryAfterSeconds !== undefined) headers.set('retry-after', String(error.retryAfterSeconds));
  return json(error.status, error, headers);
}
