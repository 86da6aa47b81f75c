/**
 * CORS for single-page apps on other origins: only an exact trusted origin is
 * echoed, credentials are allowed only with that exact match, and every
 * answer varies on `Origin` so no cache hands one origin's answer to another.
 */

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-Auth-Mode';

export function corsHeaders(
  origin: string | null,
  trusted: ReadonlySet<string>,
  headers: Record<string, string>,
): void {
  headers.vary = 'Origin';
  if (origin === null || !trusted.has(origin)) return;
  headers['access-control-allow-origin'] = origin;
  headers['access-control-allow-credentials'] = 'true';
  // Without this, a page on another origin cannot read when to retry after a 429.
  headers['access-control-expose-headers'] = 'Retry-After';
}

/** The answer to a preflight: 204, with permissions only for a trusted origin. */
export function preflight(
  origin: string | null,
  trusted: ReadonlySet<string>,
  headers: Record<string, string>,
): Response {
  if (origin !== null && trusted.has(origin)) {
    headers['access-control-allow-methods'] = ALLOWED_METHODS;
    headers['access-control-allow-headers'] = ALLOWED_HEADERS;
    headers['access-control-max-age'] = '600';
  }
  return new Response(null, { status: 204, headers });
}
