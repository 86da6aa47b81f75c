/**
 * Where a `next` / `redirectTo` parameter may send a browser.
 *
 * Only two kinds of target are followed: a path on the server's own origin,
 * or an absolute URL whose origin is exactly one of the trusted origins. The
 * target is parsed and normalised by the WHATWG URL parser — the one browsers
 * use — and the decision is made on the parsed origin, never on a string
 * prefix, so `//evil.test`, `/\evil.test`, `https://trusted@evil.test`,
 * `https://trusted.evil.test` and their encoded or whitespace-padded variants
 * all land outside the allow-list and are refused.
 */

export interface RedirectPolicy {
  /** The server's public URL; relative targets resolve against it. */
  publicUrl: string;
  /** Origins (`https://app.example.com`) an absolute target may point to. */
  trustedOrigins: readonly string[];
}

const MAX_TARGET_LENGTH = 2048;
// Browsers strip tabs and newlines from URLs and read `\` as `/`: a target containing any is refused outright.
function hasForbiddenCharacter(target: string): boolean {
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * The normalised target — a path for the server's own origin, an absolute URL
 * for a trusted one — or null when it must not be followed.
 */
export function resolveRedirect(target: unknown, policy: RedirectPolicy): string | null {
  if (typeof target !== 'string' || target === '' || target.length > MAX_TARGET_LENGTH) return null;
  if (hasForbiddenCharacter(target)) return null;
  const base = new URL(policy.publicUrl);
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if (url.origin === base.origin) {
    // A path that normalises to `//host` would be read as another origin: give it absolute.
    return url.pathname.startsWith('//') ? url.href : `${url.pathname}${url.search}${url.hash}`;
  }
  const trusted = policy.trustedOrigins.some((origin) => originOf(origin) === url.origin);
  return trusted ? url.href : null;
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
