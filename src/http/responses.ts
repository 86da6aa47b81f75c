/**
 * Responses of the API: JSON with the headers every auth response carries
 * (API.md "Caching and headers"). Headers are a plain object, not a `Headers`
 * instance: the Node server writes such a response without converting it.
 */
import type { AuthError } from '../errors.js';
import { corsHeaders } from './cors.js';

export type ResponseHeaders = Record<string, string>;

const BASE_HEADERS: Readonly<ResponseHeaders> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const HSTS = 'max-age=63072000; includeSubDomains';

/** The headers of an answer to `request`: the base set, HSTS on https, CORS for a trusted origin. */
export function responseHeaders(
  request: Request,
  options: { https: boolean; corsOrigins: ReadonlySet<string> },
): ResponseHeaders {
  const headers: ResponseHeaders = { ...BASE_HEADERS };
  if (options.https) headers['strict-transport-security'] = HSTS;
  corsHeaders(request.headers.get('origin'), options.corsOrigins, headers);
  return headers;
}

export function json(status: number, body: unknown, headers: ResponseHeaders): Response {
  headers['content-type'] = 'application/json; charset=utf-8';
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
}

/** Sends a browser on after a form post (303: the next request is a GET). */
export function seeOther(location: string, headers: ResponseHeaders): Response {
  headers.location = location;
  return new Response(null, { status: 303, headers });
}

export function empty(status: number, headers: ResponseHeaders): Response {
  return new Response(null, { status, headers });
}

export function errorResponse(error: AuthError, headers: ResponseHeaders): Response {
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return json(error.status, error, headers);
}
