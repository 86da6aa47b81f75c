/** The JSON shapes of API.md: users without any secret, sessions without their token. */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { AnonymousSession } from '../sessions/anonymous-sessions.js';
import type { Session } from '../sessions/sessions.js';

export function userView<F extends CustomFields>(fields: F, user: User<F>): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    isActive: user.isActive,
    isStaff: user.isStaff,
    isSuperuser: user.isSuperuser,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
  for (const name of Object.keys(fields)) view[name] = (user as Record<string, unknown>)[name];
  return view;
}

export function sessionView(session: Session | AnonymousSession) {
  return {
    id: session.id,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    amr: 'amr' in session ? session.amr : [],
    data: session.data,
    /** The staff member acting as the user, when this is an impersonation. */
    impersonator: 'impersonator' in session ? (session.impersonator?.userId ?? null) : null,
    /** The tenant the session belongs to (`default` unless the app has tenants). */
    tenantId: 'tenantId' in session ? session.tenantId : null,
  };
}

export function sessionListItem(session: Session, currentId: string | undefined) {
  return {
    id: session.id,
    current: session.id === currentId,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    expiresAt: session.expiresAt,
    ip: session.ip,
    userAgent: session.userAgent,
    amr: session.amr,
    impersonated: session.impersonator !== null,
  };
}

/** A user as the admin API shows them: the public view plus what staff need to see. */
export function adminUserView<F extends CustomFields>(fields: F, user: User<F>): Record<string, unknown> {
  return {
    ...userView(fields, user),
    hasUsablePassword: user.hasUsablePassword,
    updatedAt: user.updatedAt,
    metadata: user.metadata,
  };
}
