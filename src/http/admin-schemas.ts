/** Request bodies and queries of the admin API (`/auth/admin/…`), as zod schemas. */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { customFieldSchemas, MAX_PASSWORD } from './schemas.js';

const flag = z.boolean();
const codenames = z.array(z.string().max(200)).max(10_000);
const ids = z.array(z.string().max(100)).max(10_000);
const metadata = z.record(z.string(), z.unknown());
/** Query strings carry text: `true`/`false` for a yes/no filter. */
const yesNo = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * `GET /admin/users`: `q` searches the email, username, first and last name
 * (case-insensitive; `match=prefix` by default for 1–2 characters,
 * `contains` from 3); filters; `sort` with `order`; `cursor` is the previous
 * page's `nextCursor` (for the same sort and order).
 */
export const userListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  match: z.enum(['prefix', 'contains'], 'Enter prefix or contains.').optional(),
  cursor: z.string().max(2000).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'Enter a whole number from 1 to 200.')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'Enter a whole number from 1 to 200.')
    .optional(),
  active: yesNo.optional(),
  staff: yesNo.optional(),
  superuser: yesNo.optional(),
  verified: yesNo.optional(),
  group: z.string().min(1).max(100).optional(),
  sort: z.enum(['created', 'email', 'lastLogin'], 'Sort by created, email or lastLogin.').optional(),
  order: z.enum(['asc', 'desc'], 'Enter asc or desc.').optional(),
});

/** A user as staff may create one: any built-in field and flag; no password means none usable. */
export function adminUserCreateBody(fields: CustomFields) {
  return z.strictObject({
    email: z.string().min(1, 'Enter an email address.').max(320),
    password: z.string().min(1, 'Enter a password.').max(MAX_PASSWORD).nullable().optional(),
    username: z.string().max(150).nullable().optional(),
    firstName: z.string().max(150).optional(),
    lastName: z.string().max(150).optional(),
    isActive: flag.optional(),
    isStaff: flag.optional(),
    isSuperuser: flag.optional(),
    emailVerified: flag.optional(),
    metadata: metadata.optional(),
    ...customFieldSchemas(fields),
  });
}

/** What staff may change of a user: any field or flag of the create body but the password (it has its own route). */
export function adminUserPatchBody(fields: CustomFields) {
  return adminUserCreateBody(fields).omit({ password: true }).partial();
}

export const adminPasswordBody = z.strictObject({
  password: z.string().min(1, 'Enter a password.').max(MAX_PASSWORD),
});

export const userGroupsBody = z.strictObject({ groups: ids });
export const userPermissionsBody = z.strictObject({ permissions: codenames });

export const groupCreateBody = z.strictObject({
  name: z.string().min(1, 'Enter a name.').max(150),
  permissions: codenames.optional(),
});

export const groupPatchBody = z.strictObject({
  name: z.string().min(1, 'Enter a name.').max(150).optional(),
  permissions: codenames.optional(),
});

export const permissionCreateBody = z.strictObject({
  codename: z.string().min(1, 'Enter a codename (resource.action).').max(200),
  name: z.string().min(1).max(255).optional(),
});

const instant = z.iso.datetime({ offset: true });

export const auditQuery = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z_]{1,64}$/, 'Enter an event type such as signin_failed.')
    .optional(),
  user: z.string().max(100).optional(),
  actor: z.string().max(100).optional(),
  since: instant.optional(),
  until: instant.optional(),
  cursor: z.string().max(100).optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'Enter a whole number from 1 to 500.')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, 'Enter a whole number from 1 to 500.')
    .optional(),
});
