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

export const userListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  cursor: z.string().max(100).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'Enter a whole number from 1 to 200.')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'Enter a whole number from 1 to 200.')
    .optional(),
  active: yesNo.optional(),
  staff: yesNo.optional(),
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

/** What staff may change of a user: every field and flag but the password (it has its own route). */
export function adminUserPatchBody(fields: CustomFields) {
  return z.strictObject({
    email: z.string().min(1, 'Enter an email address.').max(320).optional(),
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
