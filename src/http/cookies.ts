/**
 * The session cookie (API.md): `__Host-gh_session` — `Secure`, no `Domain`,
 * `Path=/`, so no subdomain can set or shadow it — when the public URL is
 * https; plain `gh_session` only for http development. Always `HttpOnly` and
 * `SameSite=Lax`.
 */

export interface CookiePolicy {
  name: string;
  secure: boolean;
}

const SECURE: CookiePolicy = Object.freeze({ name: '__Host-gh_session', secure: true });
const PLAIN: CookiePolicy = Object.freeze({ name: 'gh_session', secure: false });

/** The cookie for a server at this origin (or URL, or bare scheme). */
export function cookiePolicyFor(origin: string): CookiePolicy {
  return origin.startsWith('https:') ? SECURE : PLAIN;
}

export function sessionCookie(policy: CookiePolicy, token: string, maxAgeSeconds: number): string {
  return cookieLine(policy.name, token, maxAgeSeconds, policy.secure, 'Lax');
}

/** A host-only, `Path=/`, `HttpOnly` cookie: the only kind Gatehouse sets. */
function cookieLine(
  name: string,
  value: string,
  maxAgeSeconds: number,
  secure: boolean,
  sameSite: 'Lax' | 'None',
) {
  return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly${secure ? '; Secure' : ''}; SameSite=${sameSite}`;
}

export function clearedSessionCookie(policy: CookiePolicy): string {
  return sessionCookie(policy, '', 0);
}

/** The value of cookie `name` in a `Cookie` header, without building a map of all of them. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const equals = header.indexOf('=', start);
    if (equals !== -1 && equals < end && header.slice(start, equals).trim() === name) {
      return header.slice(equals + 1, end).trim();
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * The cookie that ties a social sign-in's callback to the browser that
 * started it: `__Host-gh_oauth` on https, like the session cookie, and
 * `SameSite=Lax` so that it rides along the provider's top-level redirect back.
 */
export function oauthCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-gh_oauth' : 'gh_oauth';
}

export function oauthCookie(
  policy: CookiePolicy,
  value: string,
  maxAgeSeconds: number,
  /**
   * For a provider that posts its answer (`form_post`), a cross-site POST:
   * `SameSite=None` on https, or the cookie would not come along. It is only
   * a binder — a cross-site request carrying it still needs the state derived
   * from it, which only this browser's provider round trip knows.
   */
  crossSitePost = false,
): string {
  const sameSite = crossSitePost && policy.secure ? 'None' : 'Lax';
  return cookieLine(oauthCookieName(policy), value, maxAgeSeconds, policy.secure, sameSite);
}

/**
 * The cookie that carries a sign-in's MFA challenge from the first factor's
 * answer (often a redirect: magic link, social callback) to the challenge
 * page: `__Host-gh_mfa` on https. It opens only the second-factor routes.
 */
export function mfaCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-gh_mfa' : 'gh_mfa';
}

export function mfaCookie(policy: CookiePolicy, value: string, maxAgeSeconds: number): string {
  return cookieLine(mfaCookieName(policy), value, maxAgeSeconds, policy.secure, 'Lax');
}

/** The cookie of a remembered browser (`mfa.trustedDevices`): `__Host-gh_device` on https. */
export function deviceCookieName(policy: CookiePolicy): string {
  return policy.secure ? '__Host-gh_device' : 'gh_device';
}

export function deviceCookie(policy: CookiePolicy, value: string, maxAgeSeconds: number): string {
  return cookieLine(deviceCookieName(policy), value, maxAgeSeconds, policy.secure, 'Lax');
}
