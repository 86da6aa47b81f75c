/**
 * What `npm run bench:permissions` checks permissions against, in its own
 * process (`bench/permissions.ts`) and in its Hono server
 * (`bench/server-permissions.ts`): a fresh, migrated Gatehouse and one user
 * in {@link GROUPS} groups of {@link PER_GROUP} permissions each, all distinct,
 * created through the public API. The user holds {@link HELD} through the
 * last group only.
 */
import type { User } from '../src/accounts/user.js';
import { type Auth, createAuth } from '../src/index.js';

export const GROUPS = 50;
export const PER_GROUP = 50;
/** The permission the checks ask for: the last one of the last group. */
export const HELD = 'post.view';
/** A permission nobody holds (and that does not exist). */
export const NOT_HELD = 'post.delete';

export const groupName = (group: number) => `bench-group-${String(group).padStart(2, '0')}`;

/** The codenames of one group: `resource_07.action_00`… and, in the last group, {@link HELD} last. */
export function codenamesOf(group: number): string[] {
  const pad = (n: number) => String(n).padStart(2, '0');
  return Array.from({ length: PER_GROUP }, (_, action) =>
    group === GROUPS - 1 && action === PER_GROUP - 1 ? HELD : `resource_${pad(group)}.action_${pad(action)}`,
  );
}

export interface PermissionFixture {
  auth: Auth;
  user: User;
}

/**
 * Opens Gatehouse on `database` (a SQLite path, or a PostgreSQL URL and
 * schema), migrates it, and creates the user, the permissions and the groups.
 */
export async function permissionFixture(database: {
  url: string;
  schema?: string;
}): Promise<PermissionFixture> {
  const auth = createAuth({ database, rateLimits: false, logLevel: 'silent' });
  try {
    await auth.migrate();
    const user = await auth.users.create({
      email: 'bench-permissions@example.com',
      password: `bench-password-${process.pid}-long-enough`,
    });
    for (let group = 0; group < GROUPS; group++) {
      const codenames = codenamesOf(group);
      for (const codename of codenames) await auth.permissions.create(codename);
      await auth.permissions.createGroup(groupName(group));
      await auth.permissions.grantToGroup(groupName(group), codenames);
      await auth.permissions.addUserToGroup(user.id, groupName(group));
    }
    const held = await auth.permissions.getAllPermissions(user);
    if (held.size !== GROUPS * PER_GROUP || !held.has(HELD)) {
      throw new Error(`the user holds ${held.size} permissions, expected ${GROUPS * PER_GROUP} with ${HELD}`);
    }
    return { auth, user };
  } catch (error) {
    await auth.close();
    throw error;
  }
}
