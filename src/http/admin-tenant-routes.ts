/**
 * `/admin/tenants…`: tenants, their members and invitations.
 *
 * Two kinds of admin reach these routes. The installation's staff, from the
 * default tenant, with the global `tenant.*` permissions, see every tenant.
 * A tenant's own admins — members holding `tenant.view`, `tenant.change` or
 * `tenant.manage_members` through their groups there — see that tenant only,
 * signed in to it (`/auth/t/{slug}/admin/tenants/{id}/…`); any other tenant
 * is 404 to them. Nobody hands out a group whose permissions they do not
 * hold in that tenant, and only the installation's staff create, disable or
 * re-enable tenants.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { AuthError } from '../errors.js';
import { publicLink } from '../mail/public-link.js';
import type { Invitation } from '../tenants/invitations.js';
import { isDefaultTenant, type Membership, type Tenant } from '../tenants/tenants.js';
import { audit, CHANGES, GUARDED } from './admin-access.js';
import {
  invitationBody,
  memberAddBody,
  memberGroupsBody,
  tenantCreateBody,
  tenantListQuery,
  tenantUpdateBody,
} from './admin-tenant-schemas.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import { developmentOrigin, later } from './recovery-routes.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { parseBody } from './schemas.js';
import { adminUserView } from './views.js';

export function tenantView(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    pool: tenant.pool,
    isActive: tenant.isActive,
    logoUrl: tenant.logoUrl,
    policy: tenant.policy,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

export function invitationView(invitation: Invitation) {
  return {
    id: invitation.id,
    email: invitation.email,
    groups: invitation.groups,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

export function adminTenantRoutes<F extends CustomFields>(deps: {
  fields: F;
  basePath: string;
  /** The invitation page (under the base path: the tenant's prefix is added), `?token=` appended. */
  invitationPage: string;
}): RouteSpec<F>[] {
  const { fields } = deps;
  const memberView = (member: Membership<F>) => ({
    user: adminUserView(fields, member.user),
    groups: member.groups,
    joinedAt: member.joinedAt.toISOString(),
  });

  /** The tenant a route names (by id or slug), if the signed-in user may do `permission` to it. */
  async function tenantFor(
    x: Exchange<F>,
    params: Record<string, string>,
    permission: string,
  ): Promise<{ tenant: Tenant; actor: User<F> }> {
    await x.requireSignedIn();
    const tenant = await x.core.tenants.find(params.id ?? '');
    if (!tenant) throw new AuthError('not_found', 'There is no such tenant.');
    const { user } = await x.requireTenantPermission(tenant.id, permission);
    return { tenant, actor: user };
  }

  /**
   * Refuses groups whose permissions the actor does not hold where they act:
   * everywhere for the installation's staff, in the tenant for its own admins.
   */
  async function requireGrantable(x: Exchange<F>, actor: User<F>, tenant: Tenant, groups: readonly string[]) {
    if (actor.isSuperuser || groups.length === 0) return;
    const { permissions } = x.core;
    const found = await Promise.all(groups.map((name) => permissions.getGroup(name)));
    const ids = found.flatMap((group) => (group ? [group.id] : []));
    const held = isDefaultTenant(x.tenant)
      ? await permissions.getAllPermissions(actor)
      : await permissions.getTenantPermissions(actor, tenant.id);
    const missing = new Set<string>();
    for (const group of await permissions.describeGroups(ids))
      for (const codename of group.permissions) if (!held.has(codename)) missing.add(codename);
    if (missing.size > 0)
      throw new AuthError(
        'forbidden',
        `You cannot grant permissions you do not hold: ${[...missing].join(', ')}.`,
      );
  }

  return [
    {
      method: 'GET',
      path: '/admin/tenants',
      summary: 'List tenants by slug, a page at a time',
      signedIn: true,
      permission: 'tenant.view',
      query: tenantListQuery,
      success: { status: 200, description: '`{tenants, nextCursor}`' },
      errors: [...GUARDED, 'invalid_request'],
      async handle(x) {
        const query = parseBody(tenantListQuery, Object.fromEntries(new URL(x.request.url).searchParams));
        const page = await x.core.tenants.list({
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return json(200, { tenants: page.tenants.map(tenantView), nextCursor: page.nextCursor }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/tenants',
      summary: 'Create a tenant: `pool` is `shared` (organisation of the shared user pool) or `isolated`',
      signedIn: true,
      permission: 'tenant.add',
      body: tenantCreateBody,
      success: { status: 201, description: '`{tenant}`' },
      errors: [...GUARDED, 'csrf_failed', 'invalid_request', 'conflict'],
      async handle(x) {
        const { user: actor } = await x.requireSignedIn();
        const body = parseBody(tenantCreateBody, (await readBody(x.request)).fields);
        const tenant = await x.core.tenants.create(body);
        await audit(x, actor, { type: 'tenant_created', details: { tenant: tenant.id, slug: tenant.slug } });
        return json(201, { tenant: tenantView(tenant) }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/tenants/:id',
      summary: 'One tenant (by id or slug) with its login policy',
      signedIn: true,
      tenantPermission: 'tenant.view',
      success: { status: 200, description: '`{tenant}`' },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const { tenant } = await tenantFor(x, params, 'tenant.view');
        return json(200, { tenant: tenantView(tenant) }, x.headers);
      },
    },
    {
      method: 'PATCH',
      path: '/admin/tenants/:id',
      summary:
        'Rename, rebrand or change the login policy (merged key by key); enabling or disabling is for the installation staff',
      signedIn: true,
      tenantPermission: 'tenant.change',
      body: tenantUpdateBody,
      success: { status: 200, description: '`{tenant}`' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.change');
        const body = parseBody(tenantUpdateBody, (await readBody(x.request)).fields);
        if (body.isActive !== undefined && !isDefaultTenant(x.tenant))
          throw new AuthError('forbidden', 'Only the installation staff enable or disable a tenant.');
        const updated = await x.core.tenants.update(tenant.id, body);
        await audit(x, actor, {
          type: 'tenant_updated',
          tenantId: tenant.id,
          details: { changed: Object.keys(body) },
        });
        return json(200, { tenant: tenantView(updated) }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/tenants/:id/members',
      summary: "A tenant's members with their groups there",
      signedIn: true,
      tenantPermission: 'tenant.view',
      query: tenantListQuery,
      success: { status: 200, description: '`{members: [{user, groups, joinedAt}], nextCursor}`' },
      errors: [...GUARDED, 'not_found', 'invalid_request'],
      async handle(x, params) {
        const { tenant } = await tenantFor(x, params, 'tenant.view');
        const query = parseBody(tenantListQuery, Object.fromEntries(new URL(x.request.url).searchParams));
        const page = await x.core.tenants.members(tenant.id, {
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return json(200, { members: page.members.map(memberView), nextCursor: page.nextCursor }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/tenants/:id/members',
      summary: "Add an existing account of the tenant's pool (by `userId` or `email`) with groups (by name)",
      signedIn: true,
      tenantPermission: 'tenant.manage_members',
      body: memberAddBody,
      success: { status: 201, description: '`{member}`' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.manage_members');
        const body = parseBody(memberAddBody, (await readBody(x.request)).fields);
        await requireGrantable(x, actor, tenant, body.groups ?? []);
        const user =
          body.userId !== undefined
            ? await x.core.users.get(body.userId)
            : await x.core.users.getByEmail(body.email ?? '', { pool: tenant.poolId });
        if (!user || user.poolId !== tenant.poolId)
          throw new AuthError('not_found', 'There is no such user.', {
            fields: { [body.userId !== undefined ? 'userId' : 'email']: 'There is no such user here.' },
          });
        await x.core.tenants.addMember(tenant.id, user.id, { groups: body.groups ?? [] });
        await audit(x, actor, {
          type: 'member_added',
          userId: user.id,
          tenantId: tenant.id,
          details: { groups: body.groups ?? [] },
        });
        const member = await x.core.tenants.member(tenant.id, user.id);
        return json(201, { member: member && memberView(member) }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/tenants/:id/members/:userId',
      summary: 'One member with their groups in the tenant',
      signedIn: true,
      tenantPermission: 'tenant.view',
      success: { status: 200, description: '`{member}`' },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const { tenant } = await tenantFor(x, params, 'tenant.view');
        const member = await x.core.tenants.member(tenant.id, params.userId ?? '');
        if (!member) throw new AuthError('not_found', 'That user is not a member of this tenant.');
        return json(200, { member: memberView(member) }, x.headers);
      },
    },
    {
      method: 'PUT',
      path: '/admin/tenants/:id/members/:userId/groups',
      summary: "Replace a member's groups in the tenant (by name)",
      signedIn: true,
      tenantPermission: 'tenant.manage_members',
      body: memberGroupsBody,
      success: { status: 200, description: '`{member}`' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.manage_members');
        const { groups } = parseBody(memberGroupsBody, (await readBody(x.request)).fields);
        const current = await x.core.tenants.member(tenant.id, params.userId ?? '');
        if (!current) throw new AuthError('not_found', 'That user is not a member of this tenant.');
        await requireGrantable(
          x,
          actor,
          tenant,
          groups.filter((name) => !current.groups.includes(name)),
        );
        await x.core.tenants.setMemberGroups(tenant.id, current.user.id, groups);
        await audit(x, actor, {
          type: 'member_updated',
          userId: current.user.id,
          tenantId: tenant.id,
          details: { groups },
        });
        const member = await x.core.tenants.member(tenant.id, current.user.id);
        return json(200, { member: member && memberView(member) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/tenants/:id/members/:userId',
      summary: 'Remove a member from the tenant (their groups there go too; the account stays)',
      signedIn: true,
      tenantPermission: 'tenant.manage_members',
      success: { status: 204, description: 'Removed' },
      errors: CHANGES,
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.manage_members');
        const userId = params.userId ?? '';
        if (!(await x.core.tenants.removeMember(tenant.id, userId)))
          throw new AuthError('not_found', 'That user is not a member of this tenant.');
        // Their sessions in that tenant end with the membership.
        await x.core.sessions.revokeAllForUser(userId, { tenantId: tenant.id });
        await audit(x, actor, { type: 'member_removed', userId, tenantId: tenant.id });
        return empty(204, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/tenants/:id/invitations',
      summary: "The tenant's pending invitations, newest first",
      signedIn: true,
      tenantPermission: 'tenant.view',
      success: {
        status: 200,
        description: '`{invitations: [{id, email, groups, invitedBy, createdAt, expiresAt}]}`',
      },
      errors: [...GUARDED, 'not_found'],
      async handle(x, params) {
        const { tenant } = await tenantFor(x, params, 'tenant.view');
        const invitations = await x.core.invitations.pending(tenant.id);
        return json(200, { invitations: invitations.map(invitationView) }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/admin/tenants/:id/invitations',
      summary: 'Invite an address to join with groups (by name): a single-use link is mailed, valid 7 days',
      signedIn: true,
      tenantPermission: 'tenant.manage_members',
      body: invitationBody,
      success: { status: 201, description: '`{invitation}` (the link goes by mail only)' },
      errors: [...CHANGES, 'invalid_request'],
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.manage_members');
        const body = parseBody(invitationBody, (await readBody(x.request)).fields);
        const groups = body.groups ?? [];
        await requireGrantable(x, actor, tenant, groups);
        const missing = (await Promise.all(groups.map((name) => x.core.permissions.getGroup(name))))
          .map((group, i) => (group ? null : groups[i]))
          .filter((name) => name !== null);
        if (missing.length > 0)
          throw new AuthError('not_found', `There is no group named ${missing.join(', ')}.`, {
            fields: { groups: `There is no group named ${missing.join(', ')}.` },
          });
        const { invitation, token } = await x.core.invitations.invite(tenant, {
          email: body.email,
          groups,
          invitedBy: actor.id,
        });
        const inviter = [actor.firstName, actor.lastName].join(' ').trim() || actor.email;
        const prefix = isDefaultTenant(tenant) ? '' : `/t/${tenant.slug}`;
        const page = deps.invitationPage.startsWith(`${deps.basePath}/`)
          ? deps.basePath + prefix + deps.invitationPage.slice(deps.basePath.length)
          : deps.invitationPage;
        later(x, async () => {
          const origin = developmentOrigin(x.core, x.request);
          const link = publicLink(x.core.config, page, { token }, origin ? { origin } : {});
          const expiresInSeconds = Math.round(
            (invitation.expiresAt.getTime() - x.core.now().getTime()) / 1000,
          );
          await x.core.mail.enqueue({
            to: invitation.email,
            template: 'invitation',
            data: { link, tenant: tenant.name, invitedBy: inviter, expiresInSeconds },
          });
        });
        await audit(x, actor, {
          type: 'invitation_sent',
          tenantId: tenant.id,
          details: { invitation: invitation.id, groups },
        });
        return json(201, { invitation: invitationView(invitation) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/admin/tenants/:id/invitations/:invitationId',
      summary: 'Withdraw a pending invitation: its link stops working',
      signedIn: true,
      tenantPermission: 'tenant.manage_members',
      success: { status: 204, description: 'Withdrawn' },
      errors: CHANGES,
      async handle(x, params) {
        const { tenant, actor } = await tenantFor(x, params, 'tenant.manage_members');
        await x.core.invitations.revoke(tenant.id, params.invitationId ?? '');
        await audit(x, actor, {
          type: 'invitation_revoked',
          tenantId: tenant.id,
          details: { invitation: params.invitationId },
        });
        return empty(204, x.headers);
      },
    },
  ];
}
