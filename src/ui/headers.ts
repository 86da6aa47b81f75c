/**
 * The headers of every HTML page: no caching, no sniffing, no framing, a strict CSP, HSTS on https.
 * `scripts`: the page loads the passkey scripts, so it may run and fetch from its own origin.
 */
export function pageHeaders(options: {
  lang: string;
  formTargets: string;
  https: boolean;
  scripts?: boolean;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'content-language': options.lang,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'content-security-policy': `default-src 'none';${options.scripts ? " script-src 'self'; connect-src 'self';" : ''} style-src 'self'; img-src 'self' data: https:; form-action 'self'${options.formTargets ? ` ${options.formTargets}` : ''}; frame-ancestors 'none'; base-uri 'none'`,
  };
  if (options.https) headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return headers;
}
