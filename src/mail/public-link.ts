/**
 * Links that go into mail. They are built from the configured `publicUrl`,
 * never from a request's `Host` header: a reset link pointing at an
 * attacker's host would hand them the token (Host-header poisoning).
 */

export interface PublicLinkOptions {
  /**
   * For development only, when `publicUrl` is not set: the origin to use
   * instead (typically the request's). Ignored when `publicUrl` is set. It
   * comes from the Host header, so never rely on it in production: set `publicUrl`.
   */
  origin?: string;
  /** A fragment (`#…`), e.g. to keep a token out of server logs and `Referer`. */
  hash?: string;
}

/**
 * `publicLink({ publicUrl: 'https://auth.example.com' }, '/auth/ui/reset', { token })`
 * → `https://auth.example.com/auth/ui/reset?token=…`. A path under
 * `publicUrl`'s own path is kept (`https://example.com/id` + `/x` →
 * `https://example.com/id/x`). Throws when `publicUrl` is not set and no
 * development `origin` was passed, or when `path` is not a path.
 */
export function publicLink(
  config: { publicUrl?: string | undefined },
  path: string,
  params: Record<string, string | undefined> = {},
  options: PublicLinkOptions = {},
): string {
  const base = config.publicUrl ?? options.origin;
  if (!base) {
    throw new Error(
      'Set publicUrl (e.g. https://auth.example.com): links in mail are built from it, never from the request.',
    );
  }
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    throw new Error('publicUrl must be an absolute http(s) URL.');
  }
  if (!path.startsWith('/') || path.startsWith('//') || /[\\\s?#]/.test(path)) {
    throw new Error(`"${path}" is not a path such as /auth/ui/reset.`);
  }
  const root = new URL(base);
  const url = new URL(root.origin);
  url.pathname = `${root.pathname.replace(/\/+$/, '')}${path}`;
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  if (options.hash) url.hash = options.hash;
  return url.toString();
}
