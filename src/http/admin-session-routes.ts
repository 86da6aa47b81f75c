/**
 * Staff and a user's sessions: list them, end one, and impersonation — a
 * staff member with `user.impersonate` opening a short session as a user
 * (never a superuser unless a superuser), returned from with one call. While
 * it lasts, every audit event names both: the user, and the staff member as
 * actor (`details.impersonatorId`).
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import { AuthError } from '../errors.js';
import { audit, CHANGES, changeableUser, GUARDED, userOf } from './admin-access.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { sessionListItem, sessionView, userView } from './views.js';

const DEFAULT_IMPERSONATION_SECONDS = 3600;

export function adminSessionRoutes<F extends CustomFields>(deps: { fields: F }): RouteSpec<F>[] {
  const { fields } = deps;
  return [
    {
      method: 'GET',
      path: '/admin/users/:id/sessions',
      summary: "A user's live sessions",
      signedIn: true,
      permission: 'user.view',
      success: { status: 200, description: '`{sessions: [{id, createdAt, lastSeenAt, …, impersonated}]}`' },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const user = await userOf(x, params);
        const sessions = await x.core.sessions.list(user.id);
        return json(200, { sessions: sessions.map((s) => sessionListItem(s, undefined)) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id/sessions/:sessionId',
      summary: "End one of a user's sessions",
      signedIn: true,
      permission: 'user.change',
      success: { status: 204, description: 'Ended' },
      errors: CHANGES,
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const id = params.sessionId ?? '';
        const theirs = (await x.core.sessions.list(target.id)).some((s) => s.id === id);
        if (!theirs || !(await x.core.sessions.revoke(id)))
          throw new AuthError('not_found', 'There is no such session.');
        await audit(x, actor, { type: 'session_revoked', userId: target.id, details: { session: id } });
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/users/:id/impersonate',
      summary: 'Act as a user for a while: the cookie (or bearer `token`) becomes a session as them',
      signedIn: true,
      permission: 'user.impersonate',
      success: { status: 200, description: '`{user, session}`; `session.impersonator` names you' },
      errors: [...CHANGES, 'conflict'],
      async handle(x, params) {
        const { user: actor, session } = await x.requireSignedIn();
        if (session.impersonator)
          throw new AuthError('forbidden', 'Return to your own account before acting as another user.');
        const target = await changeableUser(x, actor, params);
        if (target.id === actor.id) throw new AuthError('conflict', 'You cannot act as yourself.');
        if (!target.isActive) throw new AuthError('conflict', 'This user is deactivated.');
        const created = await x.core.sessions.create(target.id, {
          ip: x.ip,
          userAgent: x.userAgent,
          amr: ['imp'],
          impersonator: { userId: actor.id, sessionId: session.id },
          ttlSeconds: x.core.config.impersonation?.ttlSeconds ?? DEFAULT_IMPERSONATION_SECONDS,
        });
        x.setSessionCookie(created.token);
        await audit(x, actor, {
          type: 'impersonation_started',
          userId: target.id,
          details: { session: created.session.id },
        });
        const body = {
          user: userView(fields, target),
          session: sessionView(created.session),
          ...(x.bearerMode ? { token: created.token } : {}),
        };
        return json(200, body, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/impersonation/end',
      summary: 'Stop acting as a user and return to your own session',
      signedIn: true,
      success: {
        status: 200,
        description:
          '`{returned, user?}`: cookie clients get a new cookie for their own session (if it is still live); bearer clients go back to their own token',
      },
      errors: ['unauthenticated', 'conflict', 'csrf_failed'],
      async handle(x) {
        const { sessions } = x.core;
        const { user, session } = await x.requireSignedIn();
        const by = session.impersonator;
        if (!by) throw new AuthError('conflict', 'This session is not acting as anyone.');
        await sessions.revoke(session.id);
        await x.core.audit.record({
          type: 'impersonation_ended',
          userId: user.id,
          ...x.client,
          details: { session: session.id },
        });
        if (x.bearerMode) return json(200, { returned: true }, x.headers);
        const original = await sessions.get(by.sessionId);
        if (!original || original.user.id !== by.userId) {
          x.clearSessionCookie();
          return json(200, { returned: false }, x.headers);
        }
        // The original token left the browser when the impersonation began: its session is reissued, not reused.
        const next = await sessions.create(original.user.id, {
          ip: x.ip,
          userAgent: x.userAgent,
          amr: original.session.amr,
          data: original.session.data,
        });
        await sessions.revoke(original.session.id);
        x.setSessionCookie(next.token);
        return json(200, { returned: true, user: userView(fields, original.user) }, x.headers);
      },
    },
  ];
}
