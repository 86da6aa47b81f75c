import { readBool, readDate, readJson, readOptionalDate } from '../db/values.js';
import { isUsable } from '../passwords/index.js';
import {
  type CustomFields,
  type CustomFieldValues,
  type NoCustomFields,
  readCustomFields,
} from './custom-fields.js';

export type UserId = `usr_${string}`;

/** The shared user pool: the default tenant's. */
export const DEFAULT_POOL = 'default';

/** The built-in fields of every user. The password hash is never part of it. */
export interface CoreUser {
  id: UserId;
  email: string;
  emailVerified: boolean;
  emailVerifiedAt: Date | null;
  username: string | null;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** False for users who sign in only by other means (social login, magic link). */
  hasUsablePassword: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Free-form JSON an app keeps on the user; not validated. */
  metadata: Record<string, unknown>;
  /** The tenant whose user pool holds the account: `default` (the shared pool) or an isolated tenant's id. */
  poolId: string;
}

/** A user with the app's custom fields, typed from its config. */
export type User<F extends CustomFields = NoCustomFields> = CoreUser & CustomFieldValues<F>;

/** Names a custom field may not take (its camelCase or snake_case form). */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'id',
  'email',
  'emailVerified',
  'emailVerifiedAt',
  'email_verified_at',
  'username',
  'password',
  'passwordHash',
  'password_hash',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'isActive',
  'is_active',
  'isStaff',
  'is_staff',
  'isSuperuser',
  'is_superuser',
  'hasUsablePassword',
  'lastLoginAt',
  'last_login_at',
  'createdAt',
  'created_at',
  'updatedAt',
  'updated_at',
  'metadata',
  'sessionEpoch',
  'session_epoch',
  'tenant',
  'tenantId',
  'tenant_id',
  'pool',
  'poolId',
  'pool_id',
]);

export function userFromRow<F extends CustomFields>(fields: F, row: Record<string, unknown>): User<F> {
  const emailVerifiedAt = readOptionalDate(row.email_verified_at);
  const metadata = readJson(row.metadata);
  const core: CoreUser = {
    id: row.id as UserId,
    email: row.email as string,
    emailVerified: emailVerifiedAt !== null,
    emailVerifiedAt,
    username: (row.username as string | null) ?? null,
    firstName: row.first_name as string,
    lastName: row.last_name as string,
    isActive: readBool(row.is_active),
    isStaff: readBool(row.is_staff),
    isSuperuser: readBool(row.is_superuser),
    hasUsablePassword: isUsable(row.password_hash as string | null),
    lastLoginAt: readOptionalDate(row.last_login_at),
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
    metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {},
    poolId: (row.pool_id as string | undefined) ?? DEFAULT_POOL,
  };
  return { ...core, ...readCustomFields(fields, row) } as User<F>;
}
