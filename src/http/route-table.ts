/**
 * The API's router: an exact-match map for fixed paths and a short list for
 * paths with `:name` segments. The routes are few and known when the API is
 * built, so matching is one map lookup for nearly every request, and nothing
 * is allocated for a fixed path.
 */

interface Dynamic<T> {
  method: string;
  segments: string[];
  value: T;
}

export interface Match<T> {
  value: T;
  params: Record<string, string>;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class RouteTable<T> {
  readonly #fixed = new Map<string, T>();
  readonly #dynamic: Dynamic<T>[] = [];

  add(method: string, pattern: string, value: T): void {
    if (pattern.includes('/:')) this.#dynamic.push({ method, segments: pattern.split('/'), value });
    else this.#fixed.set(`${method} ${pattern}`, value);
  }

  /** The route for this method and path (`HEAD` is served by `GET`), or null. */
  match(method: string, path: string): Match<T> | null {
    const verb = method === 'HEAD' ? 'GET' : method;
    const fixed = this.#fixed.get(`${verb} ${path}`);
    if (fixed !== undefined) return { value: fixed, params: NO_PARAMS };
    const parts = path.split('/');
    for (const route of this.#dynamic) {
      if (route.method !== verb || route.segments.length !== parts.length) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { value: route.value, params };
    }
    return null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const actual = parts[i] as string;
    if (expected.startsWith(':')) {
      if (actual === '') return null;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

/** The path of a request URL, without query or fragment. */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query !== -1) end = query;
  const hash = url.indexOf('#', start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end);
}
