/**
 * The staff dashboard under `{basePath}/dashboard/`: server-rendered pages
 * whose forms work without JavaScript, like the UI's. Every read and every
 * change goes through the admin API in process, with the browser's cookie
 * and origin, so the API's permission checks, CSRF check and audit apply; the
 * pages only leave out what the staff member's permissions would refuse.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { AuthCore } from '../core.js';
import { isAuthError } from '../errors.js';
import type { Api, ConnectionInfo } from '../http/api.js';
import { readFormFields } from '../http/body.js';
import { pathOf } from '../http/route-table.js';
import { apiCaller } from '../ui/api-client.js';
import type { Ui } from '../ui/ui.js';
import type { DashboardContext } from './context.js';
import { messagePage } from './pages/messages.js';
import { auditRoutes } from './routes/audit.js';
import { groupRoutes } from './routes/groups.js';
import { permissionRoutes } from './routes/permissions.js';
import { tenantRoutes } from './routes/tenants.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { Screen, type ScreenSettings } from './screen.js';
import { firstSection, type Staff } from './shell.js';

export interface Dashboard {
  readonly basePath: string;
  handle(request: Request, connection?: ConnectionInfo): Promise<Response>;
}

export function createDashboard<F extends CustomFields>(core: AuthCore<F>, api: Api<F>, ui: Ui): Dashboard {
  const base = `${api.settings.basePath}/dashboard`;
  const settings: ScreenSettings = {
    call: apiCaller(api),
    formTargets: [...api.settings.trustedOrigins].join(' '),
    https: api.settings.cookie?.secure === true,
    fields: (core.config.user?.fields ?? {}) as CustomFields,
    afterImpersonation: core.config.ui?.defaultRedirect ?? `${ui.basePath}/account`,
    providers: core.oauth.list(),
  };
  const sections = [
    userRoutes,
    groupRoutes,
    permissionRoutes,
    tenantRoutes,
    (s: Screen) => auditRoutes(s, api.settings.basePath),
    webhookRoutes,
  ];

  /** The signed-in user as the dashboard sees them, and whom they act as during an impersonation. */
  async function staffOf(request: Request): Promise<{ staff: Staff; actingAs: string | null } | null> {
    const signedIn = await api.getSession(request);
    if (!signedIn) return null;
    const { user, session } = signedIn;
    const held = await core.permissions.getAllPermissions(user);
    const isStaff = user.isActive && (user.isStaff || user.isSuperuser);
    const staff: Staff = {
      id: user.id,
      email: user.email,
      isSuperuser: user.isSuperuser,
      can: (permission) => isStaff && (user.isSuperuser || held.has(permission)),
    };
    return { staff, actingAs: session.impersonator ? user.email : null };
  }

  async function handle(request: Request, connection?: ConnectionInfo): Promise<Response> {
    const url = new URL(request.url);
    const found = await staffOf(request);
    const ctx: DashboardContext = {
      base,
      ui: ui.basePath,
      brand: ui.brand,
      staff: found?.staff ?? null,
      actingAs: found?.actingAs ?? null,
      fields: settings.fields,
    };
    const bare = new Screen(settings, ctx, request, connection, [], []);
    if (!found)
      return bare.redirect(`${ui.basePath}/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
    const first = firstSection(found.staff);
    if (!first) return bare.refused('This dashboard is for staff. Ask an administrator for access.');
    const segments = pathSegments(pathOf(request.url).slice(base.length));
    if (segments === null) return bare.notFound();
    if (segments.length === 0) return bare.redirect(`${base}/${first}`);
    try {
      const form = request.method === 'POST' ? await readFormFields(request) : [];
      const screen = new Screen(settings, ctx, request, connection, segments, form);
      for (const section of sections) {
        const response = await section(screen);
        if (response) return response;
      }
      return screen.notFound();
    } catch (error) {
      if (isAuthError(error)) return bare.send(messagePage(ctx, 'That was refused', error.message), 400);
      core.logger.error({ err: error }, 'Dashboard request failed.');
      return bare.send(messagePage(ctx, 'Something went wrong', 'Try again.'), 500);
    }
  }

  return { basePath: base, handle };
}

/** The path's segments, decoded; null if one is not valid percent-encoding. */
function pathSegments(path: string): string[] | null {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}
