/**
 * Cross-site request forgery defence for cookie-authenticated requests.
 *
 * A browser attaches cookies to requests other sites make it send; it does
 * not let those sites choose the `Origin` header. So a state-changing request
 * that authenticates with a cookie is accepted only when its origin is one of
 * the trusted origins: from `Origin`, or from `Referer` when `Origin` is
 * absent or `null`; failing both, only a browser's own `Sec-Fetch-Site:
 * same-origin` counts. A request with no evidence at all is refused: clients
 * that are not browsers authenticate with bearer tokens, which are exempt.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

export function checkRequestOrigin(
  method: string,
  headers: { get(name: string): string | null },
  trustedOrigins: ReadonlySet<string>,
): CsrfVerdict {
  if (SAFE_METHODS.has(method.toUpperCase())) return { ok: true };
  const origin = headers.get('origin');
  const claimed = origin && origin !== 'null' ? originOf(origin) : originOf(headers.get('referer'));
  if (claimed !== null) {
    return trustedOrigins.has(claimed)
      ? { ok: true }
      : { ok: false, reason: `origin ${claimed} is not trusted` };
  }
  if (headers.get('sec-fetch-site') === 'same-origin') return { ok: true };
  return { ok: false, reason: 'the request names no origin' };
}

/** The serialised origin of a URL, or null when it has none (unparseable, `null`, opaque schemes). */
function originOf(value: string | null): string | null {
  if (!value) return null;
  try {
    const { origin } = new URL(value);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
