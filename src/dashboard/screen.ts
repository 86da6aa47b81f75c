/**
 * One dashboard request and what its handler needs: who is asking, the path
 * segments, the posted form, the admin API (called in process with the
 * browser's cookie and origin), and the ways to answer.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { ConnectionInfo } from '../http/api.js';
import type { ApiReply } from '../ui/api-client.js';
import type { FormState } from '../ui/context.js';
import { pageHeaders } from '../ui/headers.js';
import type { DashboardContext } from './context.js';
import { messagePage } from './pages/messages.js';

export type ApiCall = (
  from: Request,
  connection: ConnectionInfo | undefined,
  method: string,
  path: string,
  body?: Record<string, unknown>,
) => Promise<ApiReply>;

export interface ScreenSettings {
  call: ApiCall;
  formTargets: string;
  https: boolean;
  fields: CustomFields;
  /** Where a staff member goes once they act as a user. */
  afterImpersonation: string;
  /** The configured social sign-in providers (a tenant's policy may offer some of them). */
  providers: readonly { id: string; name: string }[];
}

const NOTICES: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  deleted: 'Deleted.',
  password: 'Password set; the user’s sessions have ended.',
  resetlink: 'A password reset link is on its way to the user.',
  sessions: 'Signed out.',
  unlinked: 'Unlinked.',
  mfareset:
    'Two-step verification reset: the user signs in with a password alone until they set it up again.',
  groups: 'Groups saved.',
  permissions: 'Permissions saved.',
  retried: 'Queued again; it will be sent shortly.',
  policy: 'Login policy saved.',
  enabled: 'Enabled: its members can sign in again.',
  disabled: 'Disabled: nobody can sign in to it until it is enabled again.',
  member: 'Member added.',
  removed: 'Member removed; their sessions in this tenant have ended.',
  invited: 'Invitation sent.',
  withdrawn: 'Invitation withdrawn: its link no longer works.',
};

export const emptyForm: FormState = { values: {}, errors: {}, formError: null };

export class Screen {
  readonly url: URL;
  readonly method: string;
  /** The path below the dashboard's base, split and decoded: `['users', 'usr_…', 'delete']`. */
  readonly segments: readonly string[];
  /** A `?done=` confirmation to show, if any. */
  readonly notice: string | null;

  constructor(
    readonly settings: ScreenSettings,
    readonly ctx: DashboardContext,
    readonly request: Request,
    readonly connection: ConnectionInfo | undefined,
    segments: readonly string[],
    /** The posted form's fields in order (empty for a GET). */
    readonly form: readonly [string, string][],
  ) {
    this.url = new URL(request.url);
    this.method = request.method === 'HEAD' ? 'GET' : request.method;
    this.segments = segments;
    this.notice = NOTICES[this.url.searchParams.get('done') ?? ''] ?? null;
  }

  get staff() {
    return this.ctx.staff as NonNullable<DashboardContext['staff']>;
  }

  /** The first value of a posted field, or ''. */
  one(name: string): string {
    return this.form.find(([key]) => key === name)?.[1] ?? '';
  }

  /** Every value of a posted field (a checkbox list). */
  all(name: string): string[] {
    return this.form.filter(([key]) => key === name).map(([, value]) => value);
  }

  /** The posted form as one value per name. */
  values(): Record<string, string> {
    return Object.fromEntries(this.form);
  }

  /** The non-empty query parameters among `names`. */
  query(names: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = this.url.searchParams.get(name)?.trim();
      if (value) out[name] = value;
    }
    return out;
  }

  get(apiPath: string): Promise<ApiReply> {
    return this.settings.call(this.request, this.connection, 'GET', apiPath);
  }

  change(verb: string, apiPath: string, body?: Record<string, unknown>): Promise<ApiReply> {
    return this.settings.call(this.request, this.connection, verb, apiPath, body);
  }

  send(body: string, status = 200): Response {
    return new Response(body, { status, headers: this.#headers() });
  }

  redirect(location: string, reply?: ApiReply): Response {
    const headers = this.#headers();
    headers.location = location;
    const response = new Response(null, { status: 303, headers });
    for (const cookie of reply?.setCookies ?? []) response.headers.append('set-cookie', cookie);
    return response;
  }

  refused(text = 'Your account does not have the permission this needs.'): Response {
    return this.send(messagePage(this.ctx, 'Not allowed', text), 403);
  }

  notFound(): Response {
    return this.send(messagePage(this.ctx, 'Not found', 'There is no such page or record.'), 404);
  }

  /** The answer to an API refusal that the page cannot show beside a form's fields. */
  failure(reply: ApiReply): Response {
    if (reply.status === 401) {
      const back = this.method === 'GET' ? this.url.pathname + this.url.search : this.url.pathname;
      return this.redirect(`${this.ctx.ui}/signin?next=${encodeURIComponent(back)}`);
    }
    if (reply.status === 403) return this.refused(reply.body?.error?.message);
    if (reply.status === 404) return this.notFound();
    const text = reply.body?.error?.message ?? 'Try again.';
    return this.send(messagePage(this.ctx, 'Something went wrong', text), reply.status);
  }

  #headers(): Record<string, string> {
    return pageHeaders({ lang: 'en', formTargets: this.settings.formTargets, https: this.settings.https });
  }
}

/** Whether the API refused the form's content (shown beside the fields) rather than the request. */
export function isFormError(reply: ApiReply): boolean {
  return reply.status === 400 || reply.status === 409;
}

/** A refused form, to render again: its values, the API's field errors, or one sentence. */
export function formState(reply: ApiReply, values: Record<string, string>): FormState {
  const error = reply.body?.error ?? {};
  const errors: Record<string, string> = Object.create(null);
  for (const [name, message] of Object.entries((error.fields ?? {}) as Record<string, string>)) {
    errors[name] = message;
  }
  return {
    values,
    errors,
    formError: Object.keys(errors).length === 0 ? (error.message ?? 'That was refused.') : null,
  };
}

/** The error text of a refused query (a filter the API would not take), or of a refused button with no fields. */
export function queryError(reply: ApiReply): string {
  const error = reply.body?.error ?? {};
  return Object.values((error.fields ?? {}) as Record<string, string>).join(' ') || error.message;
}
