/** Request bodies and queries of `/auth/admin/tenants…`, as zod schemas. */
import { z } from 'zod';
import { tenantPolicySchema } from '../tenants/policy.js';

const slug = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'Use 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
  );
const name = z.string().trim().min(1, 'Enter a name.').max(150);
const logoUrl = z.string().max(2048).nullable();
const groups = z.array(z.string().min(1).max(150)).max(100);

export const tenantListQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'Enter a whole number from 1 to 100.')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'Enter a whole number from 1 to 100.')
    .optional(),
});

export const tenantCreateBody = z.strictObject({
  slug,
  name,
  pool: z.enum(['shared', 'isolated'], 'Use shared or isolated.').optional(),
  logoUrl: logoUrl.optional(),
  policy: tenantPolicySchema.optional(),
});

export const tenantUpdateBody = z.strictObject({
  name: name.optional(),
  logoUrl: logoUrl.optional(),
  isActive: z.boolean().optional(),
  policy: tenantPolicySchema.optional(),
});

export const memberAddBody = z
  .strictObject({
    userId: z.string().min(1).max(100).optional(),
    email: z.string().min(1, 'Enter an email address.').max(320).optional(),
    groups: groups.optional(),
  })
  .refine((body) => (body.userId === undefined) !== (body.email === undefined), {
    message: 'Name the user by userId or by email (one of them).',
    path: ['userId'],
  });

export const memberGroupsBody = z.strictObject({ groups });

export const invitationBody = z.strictObject({
  email: z.string().min(1, 'Enter an email address.').max(320),
  groups: groups.optional(),
});
