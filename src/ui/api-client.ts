/**
 * The UI's calls to the JSON API, made in process through the API's own
 * handler: every rule (CSRF origin check, rate limits, hooks, validation,
 * audit) is the API's, and the browser's origin, cookie, agent and address go
 * along as they came.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { Api, ConnectionInfo } from '../http/api.js';

const FORWARDED = ['origin', 'referer', 'sec-fetch-site', 'cookie', 'user-agent', 'x-forwarded-for'];

export interface ApiReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field by the pages.
  body: any;
  /** The API's `Set-Cookie` lines, to pass on to the browser (a sign-in may set two). */
  setCookies: string[];
  retryAfter: string | null;
}

export function apiCaller<F extends CustomFields>(api: Api<F>) {
  return async (
    from: Request,
    connection: ConnectionInfo | undefined,
    method: string,
    path: string,
    body?: Record<string, unknown>,
  ): Promise<ApiReply> => {
    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = from.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    if (body !== undefined) headers.set('content-type', 'application/json');
    const url = new URL(api.settings.basePath + path, from.url);
    const response = await api.fetch(
      new Request(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
      connection,
    );
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      setCookies: response.headers.getSetCookie(),
      retryAfter: response.headers.get('retry-after'),
    };
  };
}
