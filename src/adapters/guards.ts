/**
 * Route guards, the analogue of Django's `login_required` and
 * `user_passes_test`: one decision, made here, that every adapter only
 * translates. No session: browsers asking for HTML (with `loginRequired`) are
 * sent to the sign-in page with a safe `next`; everyone else gets 401 JSON.
 * Signed in without the right: 403 JSON.
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { Auth } from '../auth.js';
import { AuthError } from '../errors.js';
import type { SignedIn } from '../http/exchange.js';
import type { SessionSource } from '../http/request-auth.js';
import { pathOf } from '../http/route-table.js';

export interface GuardOptions {
  /** Send browsers (an `Accept` that prefers HTML) to the sign-in page instead of answering 401. */
  loginRequired?: boolean;
  /** The sign-in page. Default: the pre-built one, `{basePath}/ui/signin`. */
  signInUrl?: string;
}

export type Requirement<F extends CustomFields = NoCustomFields> = {
  /** What the refusal says. */
  message: string;
  test(user: User<F>): boolean | Promise<boolean>;
};

export const signedIn: Requirement<CustomFields> = { message: 'Sign in first.', test: () => true };
export const staff: Requirement<CustomFields> = {
  message: 'This needs a staff account.',
  test: (user) => user.isStaff,
};
export const superuser: Requirement<CustomFields> = {
  message: 'This needs a superuser account.',
  test: (user) => user.isSuperuser,
};

/** Every one of these permissions (Django's `permission_required`). */
export function permissionsRequirement<F extends CustomFields>(
  auth: Auth<F>,
  codenames: readonly string[],
): Requirement<CustomFields> {
  return {
    message: `This needs the permission${codenames.length === 1 ? '' : 's'} ${codenames.join(', ')}.`,
    test: (user) => auth.permissions.hasPerms(user as User<F>, codenames),
  };
}

export type GuardOutcome<F extends CustomFields> =
  | { ok: true; signedIn: SignedIn<F> }
  | { ok: false; response: Response };

/**
 * What an adapter already knows of the session: undefined when its middleware
 * did not run (the guard looks the session up), null when nobody is signed in.
 */
export function knownSession<F extends CustomFields>(
  user: SignedIn<F>['user'] | null | undefined,
  session: SignedIn<F>['session'] | null | undefined,
): SignedIn<F> | null | undefined {
  if (user === undefined) return undefined;
  return user && session ? { user, session } : null;
}

export async function checkGuard<F extends CustomFields>(
  auth: Auth<F>,
  request: SessionSource,
  requirement: Requirement<CustomFields>,
  options: GuardOptions = {},
  known?: SignedIn<F> | null,
): Promise<GuardOutcome<F>> {
  const current = known === undefined ? await auth.getSession(request) : known;
  if (!current) {
    if (options.loginRequired && prefersHtml(request)) {
      const signInUrl = options.signInUrl ?? `${auth.config.basePath ?? '/auth'}/ui/signin`;
      const url = new URL(request.url);
      const next = `${pathOf(request.url)}${url.search}`;
      return { ok: false, response: redirect(`${signInUrl}?next=${encodeURIComponent(next)}`) };
    }
    return { ok: false, response: refusal(new AuthError('unauthenticated', signedIn.message)) };
  }
  if (!(await requirement.test(current.user as User<CustomFields>))) {
    return { ok: false, response: refusal(new AuthError('forbidden', requirement.message)) };
  }
  return { ok: true, signedIn: current };
}

function prefersHtml(request: SessionSource): boolean {
  const accept = request.headers.get('accept') ?? '';
  return accept.includes('text/html');
}

function refusal(error: AuthError): Response {
  return new Response(JSON.stringify(error), {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } });
}
