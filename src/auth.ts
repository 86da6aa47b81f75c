/**
 * `createAuth`: the domain (users, passwords, sessions, signals) plus the
 * HTTP API as a web-standard handler. This file and `index.ts` compose the
 * layers; nothing below them imports the HTTP door.
 */
import type { CustomFields, NoCustomFields } from './accounts/custom-fields.js';
import type { GatehouseConfig } from './config.js';
import { type AuthCore, createCore } from './core.js';
import { createDashboard } from './dashboard/dashboard.js';
import { type ConnectionInfo, createApi } from './http/api.js';
import type { SignedIn } from './http/exchange.js';
import { Metrics } from './http/metrics.js';
import type { SessionSource } from './http/request-auth.js';
import { pathOf } from './http/route-table.js';
import type { ResolvedRequest } from './http/tenant-resolution.js';
import { createUi, type Ui } from './ui/ui.js';

export interface Auth<F extends CustomFields = NoCustomFields> extends AuthCore<F> {
  /**
   * Answers a request to the JSON API (under `basePath`, `/auth` by default).
   * Mount it in any framework that speaks `Request`/`Response`; pass the
   * client's socket address as `connection.ip` so rate limits see it.
   */
  handler(request: Request, connection?: ConnectionInfo): Promise<Response>;
  /** The signed-in user and session of a request (cookie or bearer token), or null. */
  getSession(request: SessionSource): Promise<SignedIn<F> | null>;
  /** Request counts and latencies of `handler`, in Prometheus text by `metrics.render()`. */
  readonly metrics: Metrics;
  /** The pre-built pages (served by `handler` under `{basePath}/ui`), or null when `ui.enabled` is false. */
  readonly ui: Ui | null;
}

/**
 * Creates a Gatehouse instance. Nothing touches the database until the first
 * call that needs it; run `auth.migrate()` (or `gatehouse migrate`) once
 * before serving.
 *
 * @example
 * const auth = createAuth({ user: { fields: { phoneNumber: { type: 'string', optional: true } } } });
 * await auth.migrate();
 * const user = await auth.users.create({ email: 'ada@example.com', password: 'correct horse battery' });
 */
export function createAuth<const F extends CustomFields = NoCustomFields>(
  config: GatehouseConfig<F> = {},
): Auth<F> {
  const core = createCore<F>(config);
  const metrics = new Metrics();
  const api = createApi(core, { metrics });
  const ui = config.ui?.enabled === false ? null : createUi(core, api);
  const dashboard = ui && config.dashboard?.enabled !== false ? createDashboard(core, api, ui) : null;
  const mounts = [ui, dashboard].filter((mount) => mount !== null);
  /** Pages by prefix; anything else is the API — in the request's tenant, resolved before. */
  function dispatch(resolved: ResolvedRequest, connection: ConnectionInfo | undefined): Promise<Response> {
    const { request } = resolved;
    const scoped = { ...connection, tenant: resolved };
    const path = pathOf(request.url);
    for (const mount of mounts) {
      const prefix = mount.basePath;
      if (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/')) {
        return mount.handle(request, scoped);
      }
    }
    return api.fetch(request, scoped);
  }

  async function resolveThenDispatch(incoming: Request, connection: ConnectionInfo | undefined) {
    let resolved: ResolvedRequest;
    try {
      resolved = await api.resolveTenant(incoming);
    } catch {
      // An unknown or disabled tenant: the API answers the refusal in its usual shape.
      return api.fetch(incoming, connection);
    }
    return dispatch(resolved, connection);
  }

  return Object.assign(core, {
    handler(incoming: Request, connection?: ConnectionInfo) {
      if (mounts.length === 0) return api.fetch(incoming, connection);
      const now = api.resolveTenantNow(incoming);
      return now ? dispatch(now, connection) : resolveThenDispatch(incoming, connection);
    },
    getSession: (request: SessionSource) => api.getSession(request),
    metrics,
    ui,
  });
}
