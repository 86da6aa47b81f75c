/**
 * The admin API of API.md "Administration": users, groups and permissions,
 * for staff. Each route names the permission it needs on Gatehouse's own
 * `user`, `group` and `permission` resources, checked before it runs (see
 * `Exchange.requirePermission`). Two more rules keep staff from raising
 * anyone's privileges above their own:
 *
 * - only a superuser may create, change, sign out or delete a superuser, or
 *   make one;
 * - staff act only on users who hold no permission they lack themselves (else
 *   setting such a user's password would be a way to acquire it);
 * - staff hand out (to a user or to a group) only permissions they hold.
 *
 * Every change is an audit event naming the actor (`actorId`) and, where
 * there is one, the user acted on (`userId`).
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { CreateUserInput, UpdateUserInput } from '../accounts/users.js';
import { AuthError } from '../errors.js';
import {
  audit,
  CHANGES,
  changeableUser,
  GUARDED,
  groupOf,
  onlySuperusers,
  requireHeld,
  userOf,
} from './admin-access.js';
import {
  adminPasswordBody,
  adminUserCreateBody,
  adminUserPatchBody,
  groupCreateBody,
  groupPatchBody,
  permissionCreateBody,
  userGroupsBody,
  userListQuery,
  userPermissionsBody,
} from './admin-schemas.js';
import { readBody } from './body.js';
import { sendLink } from './recovery-routes.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { parseBody, withTimestamps } from './schemas.js';
import { adminUserView } from './views.js';

export function adminRoutes<F extends CustomFields>(deps: {
  fields: F;
  /** The page reset links lead to. */
  resetPasswordPage: string;
}): RouteSpec<F>[] {
  const { fields } = deps;
  const createSchema = adminUserCreateBody(fields);
  const patchSchema = adminUserPatchBody(fields);
  const view = (user: User<F>) => adminUserView(fields, user);

  return [
    {
      method: 'GET',
      path: '/admin/users',
      summary: 'List users, oldest first: search (q), filters, keyset pagination',
      signedIn: true,
      permission: 'user.view',
      query: userListQuery,
      success: { status: 200, description: '`{users, nextCursor}`; pass `nextCursor` as `cursor`' },
      errors: [...GUARDED, 'invalid_request'],
      async handle(x) {
        const query = parseBody(userListQuery, Object.fromEntries(new URL(x.request.url).searchParams));
        const page = await x.core.users.list({
          limit: query.limit ?? 50,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.q ? { search: query.q } : {}),
          ...(query.match ? { match: query.match } : {}),
          ...(query.active !== undefined ? { isActive: query.active } : {}),
          ...(query.staff !== undefined ? { isStaff: query.staff } : {}),
          ...(query.superuser !== undefined ? { isSuperuser: query.superuser } : {}),
          ...(query.verified !== undefined ? { emailVerified: query.verified } : {}),
          ...(query.group ? { groupId: query.group } : {}),
          ...(query.sort ? { sort: query.sort } : {}),
          ...(query.order ? { order: query.order } : {}),
        });
        return json(200, { users: page.users.map(view), nextCursor: page.nextCursor }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/users',
      summary: 'Create a user (without a password, the user cannot sign in with one)',
      signedIn: true,
      permission: 'user.add',
      body: createSchema,
      success: { status: 201, description: '`{user}`' },
      errors: [...GUARDED, 'csrf_failed', 'invalid_request', 'password_invalid', 'conflict'],
      async handle(x) {
        const { user: actor } = await x.requireSignedIn();
        const body = parseBody(createSchema, (await readBody(x.request)).fields);
        if (body.isSuperuser === true) onlySuperusers(actor, 'make a superuser');
        const user = await x.core.users.create(withTimestamps(fields, body) as CreateUserInput<F>);
        await audit(x, actor, { type: 'user_created', userId: user.id });
        return json(201, { user: view(user) }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/users/:id',
      summary: 'A user, with their groups and direct permissions',
      signedIn: true,
      permission: 'user.view',
      success: {
        status: 200,
        description:
          '`{user, groups: [{id, name}], permissions: [codename], effectivePermissions: [codename]}`: direct, and all held',
      },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const user = await userOf(x, params);
        const { permissions } = x.core;
        const [groups, direct, effective] = await Promise.all([
          permissions.memberships(user.id),
          permissions.directPermissionsOf(user.id),
          permissions.getAllPermissions(user),
        ]);
        const body = {
          user: view(user),
          groups,
          permissions: direct,
          effectivePermissions: [...effective].sort(),
        };
        return json(200, body, x.headers);
      },
    },
    {
      method: 'PATCH',
      path: '/admin/users/:id',
      summary: "Change a user's fields and flags (active, staff, superuser, email verified)",
      signedIn: true,
      permission: 'user.change',
      body: patchSchema,
      success: { status: 200, description: '`{user}`; deactivating ends every session of the user' },
      errors: [...CHANGES, 'invalid_request', 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const body = parseBody(patchSchema, (await readBody(x.request)).fields);
        if (body.isSuperuser !== undefined && body.isSuperuser !== target.isSuperuser) {
          onlySuperusers(actor, 'make or unmake a superuser');
        }
        if (target.id === actor.id) {
          for (const flag of ['isActive', 'isStaff', 'isSuperuser'] as const) {
            if (body[flag] === false) {
              throw new AuthError('conflict', 'You cannot take away your own access; ask another admin.', {
                fields: { [flag]: 'You cannot take this away from yourself.' },
              });
            }
          }
        }
        const user = await x.core.users.update(target.id, withTimestamps(fields, body) as UpdateUserInput<F>);
        await audit(x, actor, {
          type: 'user_updated',
          userId: user.id,
          details: { changed: Object.keys(body) },
        });
        return json(200, { user: view(user) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id',
      summary: 'Delete a user, with their sessions and assignments',
      signedIn: true,
      permission: 'user.delete',
      success: { status: 204, description: 'Deleted' },
      errors: [...CHANGES, 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        if (target.id === actor.id)
          throw new AuthError('conflict', 'You cannot delete your own account here.');
        if (!(await x.core.users.delete(target.id)))
          throw new AuthError('not_found', 'There is no such user.');
        await audit(x, actor, { type: 'user_deleted', userId: target.id, details: { email: target.email } });
        return empty(204, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id/sessions',
      summary: 'Sign a user out everywhere',
      signedIn: true,
      permission: 'user.change',
      success: { status: 204, description: 'Every session of the user has ended' },
      errors: CHANGES,
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const ended = await x.core.sessions.revokeAllForUser(target.id);
        await audit(x, actor, { type: 'sessions_revoked', userId: target.id, details: { ended } });
        if (target.id === actor.id) x.clearSessionCookie();
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/users/:id/password',
      summary: "Set a user's password (validated); every session of the user ends",
      signedIn: true,
      permission: 'user.change',
      body: adminPasswordBody,
      success: { status: 204, description: 'Set' },
      errors: [...CHANGES, 'invalid_request', 'password_invalid'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const { password } = parseBody(adminPasswordBody, (await readBody(x.request)).fields);
        await x.core.users.setPassword(target.id, password);
        await x.core.sessions.revokeAllForUser(target.id);
        await audit(x, actor, { type: 'password_changed', userId: target.id });
        if (target.id === actor.id) x.clearSessionCookie();
        return empty(204, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/users/:id/password-reset',
      summary: 'Mail the user a password reset link (their password and sessions stay until they use it)',
      signedIn: true,
      permission: 'user.change',
      success: { status: 202, description: 'Queued' },
      errors: [...CHANGES, 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        if (!target.isActive)
          throw new AuthError('conflict', 'This user is deactivated: activate them first.');
        await sendLink(x, target, 'password_reset', 'password_reset', deps.resetPasswordPage);
        await audit(x, actor, { type: 'password_reset_requested', userId: target.id });
        return empty(202, x.headers);
      },
    },
    {
      method: 'PUT',
      path: '/admin/users/:id/groups',
      summary: "Replace a user's groups (by id)",
      signedIn: true,
      permission: 'user.change',
      body: userGroupsBody,
      success: { status: 200, description: '`{groups: [{id, name}]}`' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const { groups } = parseBody(userGroupsBody, (await readBody(x.request)).fields);
        const { permissions } = x.core;
        const current = new Set((await permissions.memberships(target.id)).map((g) => g.id));
        const added = await permissions.describeGroups(groups.filter((id) => !current.has(id)));
        await requireHeld(
          x,
          actor,
          added.flatMap((group) => group.permissions),
        );
        await permissions.setUserGroups(target.id, groups);
        const now = await permissions.memberships(target.id);
        await audit(x, actor, {
          type: 'user_groups_set',
          userId: target.id,
          details: { groups: now.map((g) => g.name) },
        });
        return json(200, { groups: now }, x.headers);
      },
    },
    {
      method: 'PUT',
      path: '/admin/users/:id/permissions',
      summary: "Replace a user's direct permissions (codenames)",
      signedIn: true,
      permission: 'user.change',
      body: userPermissionsBody,
      success: { status: 200, description: '`{permissions: [codename]}`' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const target = await changeableUser(x, actor, params);
        const body = parseBody(userPermissionsBody, (await readBody(x.request)).fields);
        const { permissions } = x.core;
        const current = new Set(await permissions.directPermissionsOf(target.id));
        await requireHeld(
          x,
          actor,
          body.permissions.filter((codename) => !current.has(codename)),
        );
        await permissions.setUserPermissions(target.id, body.permissions);
        const now = await permissions.directPermissionsOf(target.id);
        await audit(x, actor, {
          type: 'user_permissions_set',
          userId: target.id,
          details: { permissions: now },
        });
        return json(200, { permissions: now }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/groups',
      summary: 'List groups (roles) with their permissions',
      signedIn: true,
      permission: 'group.view',
      success: { status: 200, description: '`{groups: [{id, name, permissions}]}`' },
      errors: GUARDED,
      async handle(x) {
        return json(200, { groups: await x.core.permissions.describeGroups() }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/groups',
      summary: 'Create a group, optionally with permissions',
      signedIn: true,
      permission: 'group.add',
      body: groupCreateBody,
      success: { status: 201, description: '`{group: {id, name, permissions}}`' },
      errors: [...CHANGES, 'invalid_request', 'conflict'],
      async handle(x) {
        const { user: actor } = await x.requireSignedIn();
        const body = parseBody(groupCreateBody, (await readBody(x.request)).fields);
        await requireHeld(x, actor, body.permissions ?? []);
        const group = await x.core.permissions.createGroup(body.name, body.permissions ?? []);
        await audit(x, actor, { type: 'group_created', details: { group: group.id, name: group.name } });
        return json(201, { group }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/groups/:id',
      summary: 'A group with its permissions',
      signedIn: true,
      permission: 'group.view',
      success: { status: 200, description: '`{group: {id, name, permissions}}`' },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        return json(200, { group: await groupOf(x, params) }, x.headers);
      },
    },
    {
      method: 'PATCH',
      path: '/admin/groups/:id',
      summary: 'Rename a group and/or replace its permissions',
      signedIn: true,
      permission: 'group.change',
      body: groupPatchBody,
      success: { status: 200, description: '`{group: {id, name, permissions}}`' },
      errors: [...CHANGES, 'invalid_request', 'conflict'],
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const current = await groupOf(x, params);
        const body = parseBody(groupPatchBody, (await readBody(x.request)).fields);
        const held = new Set(current.permissions);
        await requireHeld(
          x,
          actor,
          (body.permissions ?? []).filter((codename) => !held.has(codename)),
        );
        const group = await x.core.permissions.updateGroup(current.id, body);
        await audit(x, actor, {
          type: 'group_updated',
          details: { group: group.id, name: group.name, changed: Object.keys(body) },
        });
        return json(200, { group }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/groups/:id',
      summary: 'Delete a group; its members lose what it gave them',
      signedIn: true,
      permission: 'group.delete',
      success: { status: 204, description: 'Deleted' },
      errors: CHANGES,
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const group = await groupOf(x, params);
        if (!(await x.core.permissions.deleteGroupById(group.id)))
          throw new AuthError('not_found', 'There is no such group.');
        await audit(x, actor, { type: 'group_deleted', details: { group: group.id, name: group.name } });
        return empty(204, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/permissions',
      summary: 'List every permission',
      signedIn: true,
      permission: 'permission.view',
      success: { status: 200, description: '`{permissions: [{id, codename, name}]}`' },
      errors: GUARDED,
      async handle(x) {
        return json(200, { permissions: await x.core.permissions.list() }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/permissions',
      summary: 'Create a permission (resource.action)',
      signedIn: true,
      permission: 'permission.add',
      body: permissionCreateBody,
      success: { status: 201, description: '`{permission: {id, codename, name}}`' },
      errors: [...GUARDED, 'csrf_failed', 'invalid_request', 'conflict'],
      async handle(x) {
        const { user: actor } = await x.requireSignedIn();
        const body = parseBody(permissionCreateBody, (await readBody(x.request)).fields);
        const { permissions } = x.core;
        if (await permissions.get(body.codename)) {
          throw new AuthError('conflict', 'This permission exists already.', {
            fields: { codename: 'This permission exists already.' },
          });
        }
        const permission = await permissions.create(body.codename, body.name);
        await audit(x, actor, { type: 'permission_created', details: { codename: permission.codename } });
        return json(201, { permission }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/permissions/:codename',
      summary: 'Delete a permission and every assignment of it',
      signedIn: true,
      permission: 'permission.delete',
      success: { status: 204, description: 'Deleted' },
      errors: CHANGES,
      async handle(x, params) {
        const { user: actor } = await x.requireSignedIn();
        const codename = params.codename ?? '';
        if (!(await x.core.permissions.delete(codename)))
          throw new AuthError('not_found', 'There is no such permission.');
        await audit(x, actor, { type: 'permission_deleted', details: { codename } });
        return empty(204, x.headers);
      },
    },
  ];
}
