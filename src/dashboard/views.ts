/** The admin API's JSON as the dashboard reads it (dates arrive as ISO strings). */

export interface UserJson extends Record<string, unknown> {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string | null;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  hasUsablePassword: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface GroupJson {
  id: string;
  name: string;
  permissions: string[];
}

export interface PermissionJson {
  id: string;
  codename: string;
  name: string;
}

export interface SessionJson {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
  impersonated: boolean;
}

export interface AuditEventJson {
  id: string;
  at: string;
  type: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** A timestamp as staff read it: minutes, UTC. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fullName(user: { firstName: string; lastName: string }): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

export interface WebhookJson {
  name: string;
  url: string;
  events: string[] | null;
}

export interface DeliveryJson {
  id: string;
  webhook: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** The tenant of requests that name none: it cannot be disabled, and its sign-up creates shared-pool accounts. */
export const DEFAULT_TENANT_ID = 'default';

export interface TenantPolicyJson {
  methods: {
    password: boolean;
    magicLink: boolean;
    emailCode: boolean;
    passkey: boolean;
    /** Provider ids offered; null: every configured one. */
    social: string[] | null;
  };
  mfaRequired: boolean;
  allowedEmailDomains: string[];
  signUp: boolean;
}

export interface TenantJson {
  id: string;
  slug: string;
  name: string;
  pool: 'shared' | 'isolated';
  isActive: boolean;
  logoUrl: string | null;
  policy: TenantPolicyJson;
  createdAt: string;
  updatedAt: string;
}

export interface MemberJson {
  user: UserJson;
  /** Group names held in the tenant. */
  groups: string[];
  joinedAt: string;
}

export interface InvitationJson {
  id: string;
  email: string;
  groups: string[];
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}
