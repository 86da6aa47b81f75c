/**
 * Black-box access to the API: requests go through `auth.handler` exactly as
 * a framework would send them, from a browser on the server's own origin
 * unless a test says otherwise. A cookie jar per client follows `Set-Cookie`.
 */
import type { CustomFields } from '../../src/accounts/custom-fields.js';
import type { GatehouseConfig } from '../../src/index.js';
import { createTestAuth, type TestAuth } from './auth.js';

export const ORIGIN = 'http://localhost:3000';

export interface SendOptions {
  body?: unknown;
  /** Send the body as a form post instead of JSON. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The client address the socket would report. Default 203.0.113.7. */
  ip?: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert each.
  body: any;
  text: string;
}

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly handler: (request: Request, connection?: { ip?: string | null }) => Promise<Response>,
    private readonly defaults: { origin: string | null; ip: string },
  ) {}

  async send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const headers = new Headers(options.headers);
    if (this.defaults.origin && !headers.has('origin')) headers.set('origin', this.defaults.origin);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    let body: string | undefined;
    if (options.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await this.handler(new Request(`${ORIGIN}${path}`, { method, headers, body }), {
      ip: options.ip ?? this.defaults.ip,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((a) => a.trim().toLowerCase() === 'max-age=0');
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  get(path: string, options?: SendOptions) {
    return this.send('GET', path, options);
  }
  post(path: string, body?: unknown, options?: SendOptions) {
    return this.send('POST', path, { ...options, ...(body === undefined ? {} : { body }) });
  }
  delete(path: string, options?: SendOptions) {
    return this.send('DELETE', path, options);
  }
}

export interface TestApi<F extends CustomFields> extends TestAuth<F> {
  /** A browser on the server's origin with its own cookie jar. */
  client(options?: { origin?: string | null; ip?: string }): Client;
}

export async function createTestApi<const F extends CustomFields = Record<never, never>>(
  config: GatehouseConfig<F> = {},
): Promise<TestApi<F>> {
  const testAuth = await createTestAuth<F>(config);
  return {
    ...testAuth,
    client: (options = {}) =>
      new Client((request, connection) => testAuth.auth.handler(request, connection), {
        origin: options.origin === undefined ? ORIGIN : options.origin,
        ip: options.ip ?? '203.0.113.7',
      }),
  };
}

export const PASSWORD = 'correct horse battery staple';
