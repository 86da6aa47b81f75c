/**
 * The routes of API.md "Accounts and sessions". Each route is one object:
 * the router mounts `handle`, the OpenAPI document is generated from the rest.
 */
import type { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { CreateUserInput, UpdateUserInput } from '../accounts/users.js';
import type { Executor } from '../db/transaction.js';
import { AuthError, type ErrorCode, invalidRequest, isAuthError } from '../errors.js';
import type { Session } from '../sessions/sessions.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import { challengeSecondFactor, type FirstFactor, needsSecondFactor } from './mfa-challenge.js';
import type { Throttle } from './rate-limits/throttle.js';
import { later, sendLink } from './recovery-routes.js';
import { empty, json, seeOther } from './responses.js';
import {
  coerceFormFields,
  parseBody,
  passwordChangeBody,
  profileBody,
  sessionDataBody,
  signInBody,
  signOutBody,
  signUpBody,
  withTimestamps,
} from './schemas.js';
import {
  admitToTenant,
  membershipOnSignUp,
  mustEnroll,
  requireAllowedDomain,
  requireMethod,
  requireOpenSignUp,
} from './tenant-gate.js';
import { sessionListItem, sessionView, userView } from './views.js';

export interface RouteSpec<F extends CustomFields> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the base path, in the router's syntax (`/sessions/:id`). */
  path: string;
  summary: string;
  /** Whether the route needs a signed-in session. */
  signedIn: boolean;
  /**
   * A state-changing route other sites may post to (a provider's `form_post`
   * callback): no origin check — the route must carry its own proof.
   */
  crossSite?: true;
  /** The permission a staff user needs for this route (checked before `handle`; superusers hold all). */
  permission?: string;
  /**
   * The permission a tenant route checks itself (`Exchange.requireTenantPermission`):
   * held globally by the installation's staff, or in the tenant by its admins. Documented only.
   */
  tenantPermission?: string;
  body?: z.ZodType;
  /** The query string's parameters, for the OpenAPI document (the route parses them). */
  query?: z.ZodObject;
  success: { status: number; description: string };
  errors: readonly ErrorCode[];
  handle(exchange: Exchange<F>, params: Record<string, string>): Promise<Response>;
}

export function accountRoutes<F extends CustomFields>(deps: {
  throttle: Throttle | null;
  signUpEnabled: boolean;
  fields: F;
  /** The page verification links lead to; null: no verification mail on sign-up. */
  verifyEmailPage: string | null;
  /**
   * `emailVerification.required`: the verification page, and password sign-in
   * refuses an unverified address (sign-up then starts no session). Null: off.
   */
  verificationRequired?: string | null;
}): RouteSpec<F>[] {
  const { throttle, fields } = deps;
  const signUpSchema = signUpBody(fields);
  const profileSchema = profileBody(fields);
  const sessionBodies = new WeakMap<Session, { user: User<F>; body: string }>();
  return [
    {
      method: 'POST',
      path: '/signup',
      summary:
        'Create an account and sign in to it (with `emailVerification.required`: create it only, and mail the verification link)',
      signedIn: false,
      body: signUpSchema,
      success: {
        status: 201,
        description:
          '`{user, session}` and the session cookie (or `token` in bearer mode); `{user}` alone, no session, while verification is required',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'password_invalid',
        'conflict',
        'forbidden',
        'method_disabled',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        if (!deps.signUpEnabled) throw new AuthError('forbidden', 'Sign-up is closed.');
        requireMethod(x, 'password');
        await throttle?.beginSignUp(x.ip);
        const { fields: raw, form } = await readBody(x.request);
        const { redirectTo, ...body } = parseBody(signUpSchema, form ? coerceFormFields(fields, raw) : raw);
        const redirect = x.redirectTarget(redirectTo);
        const user = await createWithHooks(x, fields, body);
        const page = deps.verifyEmailPage;
        if (page && !user.emailVerified) {
          later(x, () => sendLink(x, user, 'email_verification', 'verify_email', page));
        }
        // Sign-in waits for the confirmed address: no session yet, and nothing to redirect to.
        if (deps.verificationRequired && !user.emailVerified) {
          return json(201, { user: userView(fields, user) }, x.headers);
        }
        const { session, token } = await startSession(x, user, ['pwd']);
        const enroll = await mustEnroll(x, user);
        return signedInResponse(x, { status: 201, user, session, token, redirect, form, enroll });
      },
    },
    {
      method: 'POST',
      path: '/signin',
      summary: 'Sign in with email (or username) and password',
      signedIn: false,
      body: signInBody,
      success: {
        status: 200,
        description:
          '`{user, session}` and the session cookie (or `token` in bearer mode); a user with a second factor gets 401 `mfa_required` with `{challenge, methods, expiresAt}` instead',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'invalid_credentials',
        'mfa_required',
        'email_not_verified',
        'method_disabled',
        'not_a_member',
        'csrf_failed',
        'rate_limited',
      ],
      async handle(x) {
        const { core } = x;
        const { fields: raw, form } = await readBody(x.request);
        const body = parseBody(signInBody, raw);
        const redirect = x.redirectTarget(body.redirectTo);
        requireMethod(x, 'password');
        const identifier = (body.email ?? body.username) as string;
        const attempt = await throttle?.beginSignIn(x.ip, identifier);
        const credentials = body.email !== undefined ? { email: identifier } : { username: identifier };
        const user = await core.authenticate(
          { ...credentials, password: body.password },
          { request: x.request, ...x.pool },
        );
        if (!user) {
          const known = await core.users.getByIdentifier(identifier, x.pool);
          await core.audit.record({
            type: 'signin_failed',
            userId: known?.id ?? null,
            ...x.client,
            details: known ? { identifier } : {},
          });
          throw new AuthError('invalid_credentials', 'The email, username or password is not right.');
        }
        if (deps.verificationRequired && !user.emailVerified) {
          await refuseUnverified(x, user, deps.verificationRequired, throttle, attempt);
        }
        return completeSignIn(x, user, {
          amr: ['pwd'],
          redirect,
          form,
          ...(attempt ? { accepted: () => attempt.succeeded() } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/signout',
      summary: 'Sign out: revoke the current session and clear its cookie',
      signedIn: false,
      body: signOutBody,
      success: {
        status: 204,
        description:
          'Signed out (also when there was no session); a form post with `redirectTo` gets 303 there',
      },
      errors: ['invalid_request', 'invalid_redirect', 'csrf_failed'],
      async handle(x) {
        const { fields: raw, form } = await readBody(x.request);
        const redirect = x.redirectTarget(parseBody(signOutBody, raw).redirectTo);
        const current = await x.signedIn();
        if (current) {
          await x.core.sessions.revoke(current.session.id);
          await x.core.audit.record({ type: 'signout', userId: current.user.id, ...x.client });
          x.core.events.emit('logout', { ...current, request: x.request });
        } else {
          const anonymous = await x.anonymousSession();
          if (anonymous) await x.core.sessions.anonymous.revoke(anonymous.id);
        }
        x.clearSessionCookie();
        return form && redirect ? seeOther(redirect, x.headers) : empty(204, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/session',
      summary: 'The signed-in user and session',
      signedIn: true,
      success: { status: 200, description: '`{user, session: {id, createdAt, expiresAt, amr, data}}`' },
      errors: ['unauthenticated'],
      async handle(x) {
        const current = await x.signedIn();
        if (!current) throw new AuthError('unauthenticated', 'Sign in first.');
        // Served from the session cache, the same session and user objects come back until either changes.
        const cached = sessionBodies.get(current.session);
        if (cached?.user === current.user) return json(200, cached.body, x.headers);
        const body = JSON.stringify({
          user: userView(fields, current.user),
          session: sessionView(current.session),
        });
        sessionBodies.set(current.session, { user: current.user, body });
        return json(200, body, x.headers);
      },
    },
    {
      method: 'PUT',
      path: '/session/data',
      summary: "Replace the current session's data (starts an anonymous session when those are on)",
      signedIn: false,
      body: sessionDataBody,
      success: { status: 200, description: '`{session}`' },
      errors: ['invalid_request', 'unauthenticated', 'csrf_failed', 'payload_too_large'],
      async handle(x) {
        const { sessions } = x.core;
        const { fields: raw } = await readBody(x.request);
        const { data } = parseBody(sessionDataBody, raw);
        const current = await x.signedIn();
        if (current) {
          await sessions.setData(current.session.id, data);
          return json(200, { session: sessionView({ ...current.session, data }) }, x.headers);
        }
        if (!sessions.policy.anonymous) throw new AuthError('unauthenticated', 'Sign in first.');
        const anonymous = await x.anonymousSession();
        if (anonymous) {
          await sessions.anonymous.setData(anonymous.id, data);
          return json(200, { session: sessionView({ ...anonymous, data }) }, x.headers);
        }
        const created = await sessions.anonymous.create(data);
        x.setSessionCookie(created.token);
        const body = {
          session: sessionView(created.session),
          ...(x.bearerMode ? { token: created.token } : {}),
        };
        return json(200, body, x.headers);
      },
    },
    {
      method: 'PATCH',
      path: '/user',
      summary: 'Change your own profile: names, username and custom fields',
      signedIn: true,
      body: profileSchema,
      success: { status: 200, description: '`{user}`' },
      errors: ['invalid_request', 'conflict', 'unauthenticated', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const { fields: raw, form } = await readBody(x.request);
        const patch = withTimestamps(
          fields,
          parseBody(profileSchema, form ? coerceFormFields(fields, raw) : raw),
        );
        const updated = await x.core.users.update(user.id, patch as UpdateUserInput<F>);
        return json(200, { user: userView(fields, updated) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/user',
      summary: 'Delete your own account and everything tied to it (needs a recent sign-in)',
      signedIn: true,
      success: { status: 204, description: 'Deleted; the session cookie is cleared' },
      errors: ['unauthenticated', 'reauthentication_required', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireRecentAuthentication();
        await x.core.audit.record({
          type: 'user_deleted',
          userId: user.id,
          ...x.client,
          details: { email: user.email, self: true },
        });
        await x.core.users.delete(user.id);
        x.clearSessionCookie();
        return empty(204, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/sessions',
      summary: "The signed-in user's sessions",
      signedIn: true,
      success: {
        status: 200,
        description: '`{sessions: [{id, current, createdAt, lastSeenAt, expiresAt, ip, userAgent, amr}]}`',
      },
      errors: ['unauthenticated'],
      async handle(x) {
        const { session, user } = await x.requireSignedIn();
        const sessions = await x.core.sessions.list(user.id);
        return json(200, { sessions: sessions.map((s) => sessionListItem(s, session.id)) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/sessions/:id',
      summary: 'End one of your sessions; it stops working at once',
      signedIn: true,
      success: { status: 204, description: 'Ended' },
      errors: ['unauthenticated', 'not_found', 'csrf_failed'],
      async handle(x, params) {
        const { session, user } = await x.requireSignedIn();
        const id = params.id ?? '';
        const own = (await x.core.sessions.list(user.id)).some((s) => s.id === id);
        if (!own || !(await x.core.sessions.revoke(id)))
          throw new AuthError('not_found', 'There is no such session.');
        await x.core.audit.record({
          type: 'session_revoked',
          userId: user.id,
          ...x.client,
          details: { session: id },
        });
        if (id === session.id) x.clearSessionCookie();
        return empty(204, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/sessions',
      summary: 'End every session but the current one',
      signedIn: true,
      success: { status: 204, description: 'Ended' },
      errors: ['unauthenticated', 'csrf_failed'],
      async handle(x) {
        const { session, user } = await x.requireSignedIn();
        const ended = await x.core.sessions.revokeAllForUser(user.id, { except: session.id });
        await x.core.audit.record({
          type: 'sessions_revoked',
          userId: user.id,
          ...x.client,
          details: { ended },
        });
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/password/change',
      summary: 'Change your password: other sessions end, the current one gets a new id',
      signedIn: true,
      body: passwordChangeBody,
      success: {
        status: 204,
        description: 'Changed; a new session cookie is set (bearer clients get 200 `{token}` instead)',
      },
      errors: ['invalid_request', 'password_invalid', 'unauthenticated', 'csrf_failed', 'rate_limited'],
      async handle(x) {
        const { core } = x;
        const { session, user } = await x.requireSignedIn();
        const { fields: raw } = await readBody(x.request);
        const body = parseBody(passwordChangeBody, raw);
        await throttle?.countPasswordCheck(x.ip, user.id);
        if (!(await core.users.checkPassword(user.id, body.currentPassword))) {
          throw invalidRequest({ currentPassword: 'This is not your current password.' });
        }
        await core.users.setPassword(user.id, body.newPassword);
        // The password change bumped the epoch, which ended every session; delete their rows and reissue ours.
        await core.sessions.revokeAllForUser(user.id);
        const next = await core.sessions.create(user.id, {
          ...x.client,
          amr: session.amr,
          data: session.data,
        });
        await core.audit.record({ type: 'password_changed', userId: user.id, ...x.client });
        if (x.bearerMode)
          return json(200, { token: next.token, session: sessionView(next.session) }, x.headers);
        x.setSessionCookie(next.token);
        return empty(204, x.headers);
      },
    },
  ];
}

/**
 * Answers a right password for an unverified address while verification is
 * required: 403 `email_not_verified`, and a fresh link (rate-limited like any
 * mail request). Only reached after the password checked out, so the code
 * tells nothing to someone who does not know it.
 */
export async function refuseUnverified<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  page: string,
  throttle: Throttle | null,
  attempt: { succeeded(): Promise<void> } | undefined,
): Promise<never> {
  await attempt?.succeeded();
  // Over the mail limit the refusal still comes, just without another message.
  const allowed = throttle
    ? await throttle.countMailRequest(x.ip, user.email).catch((error: unknown) => {
        if (isAuthError(error, 'rate_limited')) return false;
        throw error;
      })
    : true;
  if (allowed) later(x, () => sendLink(x, user, 'email_verification', 'verify_email', page));
  await x.core.audit.record({
    type: 'signin_failed',
    userId: user.id,
    ...x.client,
    details: { reason: 'email_not_verified' },
  });
  throw new AuthError(
    'email_not_verified',
    'Confirm your email address before signing in: use the link we mailed you.',
  );
}

/**
 * Creates an account through the sign-up hooks: `beforeSignUp` may add
 * fields, `afterSignUp` runs in the insert's transaction (if it throws, no
 * user is created); then the audit event. The account is made in the
 * tenant's pool, as a member of the tenant, if the tenant takes sign-ups
 * from that address.
 */
export async function createWithHooks<F extends CustomFields>(
  x: Exchange<F>,
  fields: F,
  body: Record<string, unknown>,
  options: {
    /** Recorded in the `signup` audit event. */
    details?: Record<string, unknown>;
    /** Writes that must commit with the user (a linked identity), before `afterSignUp`. */
    alongside?: (user: User<F>, trx: Executor) => Promise<void>;
    /** The address was invited: the tenant's sign-up may be closed (its domains still apply). */
    invited?: boolean;
  } = {},
): Promise<User<F>> {
  const { core } = x;
  const { details, alongside } = options;
  if (typeof body.email === 'string') {
    if (options.invited) requireAllowedDomain(x, body.email);
    else requireOpenSignUp(x, body.email);
  }
  const hooks = core.config.hooks;
  const added = await hooks?.beforeSignUp?.({ input: { ...body }, request: x.request });
  const input = withTimestamps(fields, { ...body, ...(added?.fields ?? {}) });
  const afterSignUp = hooks?.afterSignUp;
  const { pool, inTransaction: join } = membershipOnSignUp(x);
  const user = await core.users.create(input as CreateUserInput<F>, {
    pool,
    ...(afterSignUp || alongside || join
      ? {
          async inTransaction(created, db) {
            await join?.(created, db);
            await alongside?.(created, db);
            await afterSignUp?.({ user: created, request: x.request, db });
          },
        }
      : {}),
  });
  await core.audit.record({ type: 'signup', userId: user.id, ...x.client, ...(details ? { details } : {}) });
  return user;
}

/**
 * Goes on with a sign-in once the user proved a first factor, whatever the
 * method: the `beforeSignIn` hook (which may refuse), `accepted` (e.g.
 * clearing the failure counter), then either the MFA challenge (a user with a
 * second factor) or `finishSignIn`.
 */
export async function completeSignIn<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  options: FirstFactor & { accepted?: () => Promise<void> },
): Promise<Response> {
  await admitToTenant(x, user);
  await x.core.config.hooks?.beforeSignIn?.({ user, request: x.request });
  await options.accepted?.();
  if (await needsSecondFactor(x, user, options.amr)) return challengeSecondFactor(x, user, options);
  return finishSignIn(x, user, options);
}

/**
 * Ends a sign-in whose every factor is proved: a new session, `afterSignIn`
 * (a refusal there ends the session), the audit event and the answer — which
 * tells a user the MFA policy covers, and who has no second factor yet, to
 * enrol one (a browser is sent to the enrolment page).
 */
export async function finishSignIn<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  options: FirstFactor,
): Promise<Response> {
  const { core } = x;
  const { session, token } = await startSession(x, user, options.amr);
  try {
    await core.config.hooks?.afterSignIn?.({ user, session, request: x.request });
  } catch (error) {
    await core.sessions.revoke(session.id);
    throw error;
  }
  await core.audit.record({
    type: 'signin_succeeded',
    userId: user.id,
    ...x.client,
    details: { session: session.id, amr: options.amr, ...options.details },
  });
  const enroll = await mustEnroll(x, user);
  const { form } = options;
  const uiOn = core.config.ui?.enabled !== false;
  const redirect =
    enroll && form && uiOn
      ? `${x.tenantPath(`${core.config.basePath ?? '/auth'}/ui/mfa/setup`)}${options.redirect ? `?next=${encodeURIComponent(options.redirect)}` : ''}`
      : options.redirect;
  return signedInResponse(x, { status: 200, user, session, token, redirect, form, enroll });
}

/**
 * Starts a session for a user who just proved who they are. Whatever session
 * the request carried is ended, never reused (no fixation); its data moves to
 * the new session when it was anonymous or the same user's.
 */
export async function startSession<F extends CustomFields>(
  x: Exchange<F>,
  user: User<F>,
  amr: string[],
): Promise<{ session: Session; token: string }> {
  const { sessions } = x.core;
  const previous = await x.signedIn();
  const anonymous = previous ? null : await x.anonymousSession();
  const data = previous?.user.id === user.id ? previous.session.data : (anonymous?.data ?? {});
  const created = await sessions.create(user.id, { ...x.client, amr, data });
  if (previous) await sessions.revoke(previous.session.id);
  if (x.foreignSessionId) await sessions.revoke(x.foreignSessionId);
  if (anonymous) await sessions.anonymous.revoke(anonymous.id);
  x.setSessionCookie(created.token);
  return created;
}

/**
 * Stamps the last login, sends the `login` signal and answers: a form post
 * with a `redirectTo` is sent there (303); anything else gets the user, the
 * session, the normalised `redirectTo` if any, and (bearer mode) the token.
 */
async function signedInResponse<F extends CustomFields>(
  x: Exchange<F>,
  outcome: {
    status: number;
    user: User<F>;
    session: Session;
    token: string;
    redirect: string | null;
    form: boolean;
    /** The MFA policy asks this user to enrol a second factor now. */
    enroll?: boolean;
  },
): Promise<Response> {
  const { user, session, token, redirect } = outcome;
  const signedIn = { ...user, lastLoginAt: await x.core.users.recordLogin(user.id) };
  x.core.events.emit('login', { user: signedIn, session, request: x.request });
  if (outcome.form && redirect !== null) return seeOther(redirect, x.headers);
  const fields = x.core.config.user?.fields ?? {};
  const body = {
    user: userView(fields, signedIn),
    session: sessionView(session),
    ...(redirect !== null ? { redirectTo: redirect } : {}),
    ...(outcome.enroll ? { mfaEnrollmentRequired: true } : {}),
    ...(x.bearerMode ? { token } : {}),
  };
  return json(outcome.status, body, x.headers);
}
