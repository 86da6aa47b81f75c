/**
 * The UI routes of tenants: the picker (`/tenants`, and `/tenants/switch`,
 * which moves the session to another organisation and lands on its account
 * page) and accepting an invitation (`/invitation?token=…`). Like every UI
 * route they call the JSON API in process, in the request's tenant.
 */
import type { ConnectionInfo } from '../http/api.js';
import type { Tenant } from '../tenants/tenants.js';
import type { ApiReply } from './api-client.js';
import { emptyForm, type FormState, type PageContext } from './context.js';
import { type InvitationView, invitationPage, invitationProblemPage } from './pages/invitation.js';
import { tenantsPage } from './pages/tenants.js';
import { tenantUi } from './tenant-frame.js';

export interface TenantScreenDeps {
  /** The API's base path without any tenant prefix, e.g. `/auth`. */
  apiBase: string;
  tenants: {
    get(id: string): Promise<Tenant | null>;
    resolve(slug: string): Promise<Tenant | null>;
  };
  /** The session a request presents, whichever tenant it belongs to. */
  getSession(request: Request): Promise<{ session: { tenantId: string } } | null>;
  call(
    request: Request,
    connection: ConnectionInfo | undefined,
    method: string,
    path: string,
    body?: Record<string, unknown>,
  ): Promise<ApiReply>;
  send(ctx: PageContext, body: string, status?: number): Response;
  redirect(ctx: PageContext, location: string, reply?: ApiReply): Response;
  readForm(request: Request): Promise<Record<string, string>>;
  formError(ctx: PageContext, reply: ApiReply, values: Record<string, string>): FormState;
  nextOf(request: Request): string | null;
  /** Where a sign-in's answer sends the browser (see `ui.ts`); null when it was refused. */
  afterSignIn(ctx: PageContext, reply: ApiReply, next: string | null): Response | null;
}

export function tenantScreens(deps: TenantScreenDeps) {
  const { call, send, redirect, readForm, formError, nextOf } = deps;
  const signIn = (ui: string, back: string) => `${ui}/signin?next=${encodeURIComponent(back)}`;

  async function picker(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
    problem: string | null,
    status = 200,
  ): Promise<Response> {
    const reply = await call(request, connection, 'GET', '/tenants');
    if (reply.status === 401) return signedInElsewhere(request, connection, ctx);
    const refusal = reply.status === 200 ? null : formError(ctx, reply, {}).formError;
    const tenants = reply.status === 200 ? reply.body.tenants : [];
    return send(ctx, tenantsPage(ctx, tenants, problem ?? refusal), status);
  }

  /**
   * The picker lists the user's tenants, whichever the session is in: a
   * browser signed in to another tenant goes to that tenant's picker, one
   * signed out to this tenant's sign-in page.
   */
  async function signedInElsewhere(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
  ): Promise<Response> {
    const found = await deps.getSession(request);
    const home =
      found && found.session.tenantId !== connection?.tenant?.tenant.id
        ? await deps.tenants.get(found.session.tenantId)
        : null;
    const ui = home?.isActive ? tenantUi(deps.apiBase, home) : ctx.ui;
    if (ui !== ctx.ui) return redirect(ctx, `${ui}/tenants`);
    return redirect(ctx, signIn(ctx.ui, `${ctx.ui}/tenants`));
  }

  async function switchTenant(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
  ): Promise<Response> {
    const slug = (await readForm(request)).tenant ?? '';
    const reply = await call(request, connection, 'POST', '/tenants/switch', { tenant: slug });
    if (reply.status === 200) return redirect(ctx, `${reply.body.tenant.basePath}/ui/account`, reply);
    const code = reply.body?.error?.code;
    const target = code === 'reauthentication_required' ? await deps.tenants.resolve(slug) : null;
    if (target) {
      const ui = tenantUi(deps.apiBase, target);
      return redirect(ctx, signIn(ui, `${ui}/account`));
    }
    if (code === 'unauthenticated') return redirect(ctx, signIn(ctx.ui, `${ctx.ui}/tenants`));
    const problem = code === 'not_found' ? ctx.t('switchNotMember') : formError(ctx, reply, {}).formError;
    return picker(request, connection, ctx, problem, reply.status);
  }

  /** The invitation a link's token names, or the reply that says why there is none. */
  async function peek(
    request: Request,
    connection: ConnectionInfo | undefined,
    token: string,
  ): Promise<InvitationView | ApiReply | null> {
    if (token === '') return null;
    const reply = await call(request, connection, 'POST', '/invitations/peek', { token });
    if (reply.status !== 200) return reply;
    const { invitation, accountExists } = reply.body;
    return {
      token,
      email: invitation.email,
      groups: invitation.groups,
      expiresAt: invitation.expiresAt,
      accountExists,
    };
  }

  function unusable(ctx: PageContext, reply: ApiReply | null): Response {
    const refused = reply ? formError(ctx, reply, {}) : null;
    const why =
      !refused || refused.errors.token
        ? ctx.t('invitationInvalid')
        : (refused.formError ?? ctx.t('somethingWrong'));
    return send(ctx, invitationProblemPage(ctx, why), reply?.status ?? 400);
  }

  async function showInvitation(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
  ): Promise<Response> {
    const token = new URL(request.url).searchParams.get('token') ?? '';
    const view = await peek(request, connection, token);
    if (view === null || 'status' in view) return unusable(ctx, view);
    return send(ctx, invitationPage(ctx, nextOf(request), view, emptyForm));
  }

  async function acceptInvitation(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
  ): Promise<Response> {
    const form = await readForm(request);
    const next = nextOf(request);
    // Peeked first: the answer for an existing account does not name the address the sign-in page fills in.
    const view = await peek(request, connection, form.token ?? '');
    if (view === null || 'status' in view) return unusable(ctx, view);
    const names = {
      firstName: (form.firstName ?? '').trim(),
      lastName: (form.lastName ?? '').trim(),
    };
    const reply = await call(request, connection, 'POST', '/invitations/accept', {
      token: view.token,
      ...(form.password !== undefined ? { password: form.password } : {}),
      ...(names.firstName ? { firstName: names.firstName } : {}),
      ...(names.lastName ? { lastName: names.lastName } : {}),
      ...(next ? { redirectTo: next } : {}),
    });
    if (reply.status === 200 && reply.body.joined) {
      const query = `done=joined&email=${encodeURIComponent(view.email)}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
      return redirect(ctx, `${ctx.ui}/signin?${query}`);
    }
    const signedIn = deps.afterSignIn(ctx, reply, next);
    if (signedIn) return signedIn;
    const refused = formError(ctx, reply, names);
    if (refused.errors.token) return unusable(ctx, reply);
    return send(ctx, invitationPage(ctx, next, view, refused), reply.status);
  }

  /** Answers the UI routes of this module; null for any other path. */
  return function handle(
    request: Request,
    connection: ConnectionInfo | undefined,
    ctx: PageContext,
    path: string,
    method: string,
  ): Promise<Response> | null {
    if (path === '/tenants' && method === 'GET') return picker(request, connection, ctx, null);
    if (path === '/tenants/switch' && method === 'POST') return switchTenant(request, connection, ctx);
    if (path === '/invitation' && method === 'GET') return showInvitation(request, connection, ctx);
    if (path === '/invitation' && method === 'POST') return acceptInvitation(request, connection, ctx);
    return null;
  };
}
