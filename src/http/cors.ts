/**
 * CORS for single-page apps on other origins: only an exact trusted origin is
 * echoed, credentials are allowed only with that exact match, and every
 * answer varies on `Origin` so no cache hands one origin's answer to another.
 */

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-Auth-Mode';

export function applyCors(origin: string | null, trusted: ReadonlySet<string>, headers: Headers): void {
  headers.append('vary', 'Origin');
  if (origin === null || !trusted.has(origin)) return;
  headers.set('access-control-allow-origin', origin);
  headers.set('access-control-allow-credentials', 'true');
}

/** The answer to a preflight: 204, with permissions only for a trusted origin. */
export function preflight(origin: string | null, trusted: ReadonlySet<string>, headers: Headers): Response {
  applyCors(origin, trusted, headers);
  if (origin !== null && trusted.has(origin)) {
    headers.set('access-control-allow-methods', ALLOWED_METHODS);
    headers.set('access-control-allow-headers', ALLOWED_HEADERS);
    headers.set('access-control-max-age', '600');
  }
  return new Response(null, { status: 204, headers });
}
