/**
 * Which credential a request presents. An `Authorization` header wins and is
 * then the only thing looked at — a request never falls back from a bad
 * bearer token to a cookie.
 */
import { readCookie } from './cookies.js';

/** What finding a request's session needs of it: its URL and a way to read a header. */
export interface SessionSource {
  url: string;
  headers: { get(name: string): string | null };
}

export interface PresentedToken {
  token: string;
  via: 'cookie' | 'bearer';
}

/** `cookieName` null: cookies are not a credential for this request (bearer mode). */
export function presentedToken(
  headers: SessionSource['headers'],
  cookieName: string | null,
): PresentedToken | null {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(authorization);
    return match?.[1] ? { token: match[1], via: 'bearer' } : null;
  }
  if (cookieName === null) return null;
  const token = readCookie(headers.get('cookie'), cookieName);
  return token ? { token, via: 'cookie' } : null;
}

/** Bearer mode: the client authenticates with a header, or asks for its token in the body. */
export function isBearerMode(headers: SessionSource['headers']): boolean {
  return headers.get('authorization') !== null || headers.get('x-auth-mode')?.toLowerCase() === 'bearer';
}
