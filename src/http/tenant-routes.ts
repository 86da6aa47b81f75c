/**
 * What a client needs of tenants without being an admin: the tenant a
 * request is for (its brand and the ways in it offers), the signed-in user's
 * tenants and the switch between them, and accepting an invitation.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import { AuthError, invalidRequest } from '../errors.js';
import { offersMethod } from '../tenants/policy.js';
import { isDefaultTenant, type Tenant } from '../tenants/tenants.js';
import { readBody } from './body.js';
import type { Exchange } from './exchange.js';
import { json } from './responses.js';
import { completeSignIn, createWithHooks, type RouteSpec } from './routes.js';
import { MAX_PASSWORD, parseBody } from './schemas.js';
import { requireAllowedDomain } from './tenant-gate.js';
import { sessionView } from './views.js';

const INVALID_INVITATION =
  'This invitation link is not valid: it may have expired, been used or been withdrawn.';
/** `amr` values that prove more than one factor: a session carrying one may enter a tenant that requires MFA. */
const MULTI_FACTOR = new Set(['mfa', 'passkey']);

const switchBody = z.strictObject({ tenant: z.string().min(1).max(100) });
const invitationTokenBody = z.strictObject({ token: z.string().min(1).max(200) });
const acceptBody = z.strictObject({
  token: z.string().min(1).max(200),
  password: z.string().min(1).max(MAX_PASSWORD).optional(),
  firstName: z.string().max(150).optional(),
  lastName: z.string().max(150).optional(),
  redirectTo: z.string().max(2048).optional(),
});

export function tenantRoutes<F extends CustomFields>(deps: { fields: F; basePath: string }): RouteSpec<F>[] {
  const { fields } = deps;

  /** A tenant as anyone may see it: its brand and the ways in it offers. */
  function publicView(x: Exchange<F>, tenant: Tenant) {
    const { policy } = tenant;
    return {
      slug: tenant.slug,
      name: tenant.name,
      logoUrl: tenant.logoUrl,
      pool: tenant.pool,
      methods: {
        password: policy.methods.password,
        magicLink: policy.methods.magicLink,
        emailCode: policy.methods.emailCode,
        passkey: policy.methods.passkey && x.core.config.passkeys?.enabled !== false,
        social: x.core.oauth
          .list()
          .filter((provider) => offersMethod(policy, 'social', provider.id))
          .map((provider) => provider.id),
      },
      signUp: policy.signUp,
      mfaRequired: policy.mfaRequired,
      /** Where this tenant's API lives: the base path with its prefix. */
      basePath: isDefaultTenant(tenant) ? deps.basePath : `${deps.basePath}/t/${tenant.slug}`,
    };
  }

  return [
    {
      method: 'GET',
      path: '/tenant',
      summary:
        'The tenant this request is for: name, logo, the sign-in methods it offers, whether sign-up is open',
      signedIn: false,
      success: {
        status: 200,
        description: '`{tenant: {slug, name, logoUrl, pool, methods, signUp, mfaRequired, basePath}}`',
      },
      errors: [],
      async handle(x) {
        return json(200, { tenant: publicView(x, x.tenant) }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/tenants',
      summary: "The signed-in user's tenants (the tenant picker), the current one marked",
      signedIn: true,
      success: { status: 200, description: '`{tenants: [{slug, name, logoUrl, …, groups, current}]}`' },
      errors: ['unauthenticated'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const memberships = await x.core.tenants.tenantsOf(user.id);
        const tenants = memberships.map(({ tenant, groups }) => ({
          ...publicView(x, tenant),
          groups,
          current: tenant.id === x.tenant.id,
        }));
        return json(200, { tenants }, x.headers);
      },
    },
    {
      method: 'POST',
      path: '/tenants/switch',
      summary:
        "Move the session to another of the user's tenants (by slug): a new session bound to it replaces this one",
      signedIn: true,
      body: switchBody,
      success: {
        status: 200,
        description: '`{tenant, session}` and the new session cookie (or `token` in bearer mode)',
      },
      errors: ['invalid_request', 'unauthenticated', 'reauthentication_required', 'not_found', 'csrf_failed'],
      async handle(x) {
        const { user, session } = await x.requireSignedIn();
        const { tenant: slug } = parseBody(switchBody, (await readBody(x.request)).fields);
        const target = await x.core.tenants.resolve(slug);
        const member =
          target?.isActive &&
          target.poolId === user.poolId &&
          (isDefaultTenant(target) || (await x.core.tenants.isMember(target.id, user.id)));
        if (!target || !member)
          throw new AuthError('not_found', 'You are not a member of that organisation.');
        if (session.impersonator)
          throw new AuthError('forbidden', 'Return to your own account before switching organisations.');
        // The session's proof must satisfy the target's policy: its first factor offered there, MFA where required.
        const mfaProved = session.amr.some((value) => MULTI_FACTOR.has(value));
        if (!offersFirstFactor(target, session.amr) || (target.policy.mfaRequired && !mfaProved))
          throw new AuthError('reauthentication_required', `Sign in to ${target.name} to continue.`);
        const next = await x.core.sessions.create(user.id, {
          ...x.client,
          amr: session.amr,
          data: session.data,
          tenantId: target.id,
        });
        await x.core.sessions.revoke(session.id);
        await x.core.audit.record({
          type: 'tenant_switched',
          userId: user.id,
          ...x.client,
          tenantId: target.id,
          details: { from: x.tenant.id },
        });
        x.setSessionCookie(next.token);
        return json(
          200,
          {
            tenant: publicView(x, target),
            session: sessionView(next.session),
            ...(x.bearerMode ? { token: next.token } : {}),
          },
          x.headers,
        );
      },
    },
    {
      method: 'POST',
      path: '/invitations/peek',
      summary:
        'What an invitation link is for, without using it: the address, the tenant, and whether the address has an account here',
      signedIn: false,
      // Changes nothing and needs the link's secret: a page opened from a mail (no Origin) may read it.
      crossSite: true,
      body: invitationTokenBody,
      success: {
        status: 200,
        description: '`{invitation: {email, groups, expiresAt}, tenant, accountExists}`',
      },
      errors: ['invalid_request', 'csrf_failed'],
      async handle(x) {
        const { token } = parseBody(invitationTokenBody, (await readBody(x.request)).fields);
        const invitation = await x.core.invitations.peek(x.tenant.id, token);
        if (!invitation) throw invalidRequest({ token: INVALID_INVITATION });
        const existing = await x.core.users.getByEmail(invitation.email, x.pool);
        return json(
          200,
          {
            invitation: {
              email: invitation.email,
              groups: invitation.groups,
              expiresAt: invitation.expiresAt.toISOString(),
            },
            tenant: publicView(x, x.tenant),
            accountExists: existing !== null,
          },
          x.headers,
        );
      },
    },
    {
      method: 'POST',
      path: '/invitations/accept',
      summary:
        'Accept an invitation: an existing account of the address joins (and signs in as usual); a new one is created (verified address, `password` optional) and signed in',
      signedIn: false,
      body: acceptBody,
      success: {
        status: 200,
        description:
          '`{joined: true, signInRequired: true}` for an existing account; `{user, session}` and the cookie for a new one',
      },
      errors: [
        'invalid_request',
        'invalid_redirect',
        'password_invalid',
        'conflict',
        'not_a_member',
        'mfa_required',
        'csrf_failed',
      ],
      async handle(x) {
        const { core } = x;
        const body = parseBody(acceptBody, (await readBody(x.request)).fields);
        const redirect = x.redirectTarget(body.redirectTo);
        const invitation = await core.invitations.peek(x.tenant.id, body.token);
        if (!invitation) throw invalidRequest({ token: INVALID_INVITATION });
        requireAllowedDomain(x, invitation.email);
        const groups = { groups: invitation.groups };
        const existing = await core.users.getByEmail(invitation.email, x.pool);
        if (existing) {
          if (!existing.isActive || !(await core.invitations.take(x.tenant.id, body.token)))
            throw invalidRequest({ token: INVALID_INVITATION });
          const held = (await core.tenants.member(x.tenant.id, existing.id))?.groups ?? [];
          await core.tenants.addMember(x.tenant.id, existing.id, { groups: [...held, ...invitation.groups] });
          await accepted(x, existing, invitation.id);
          return json(200, { joined: true, signInRequired: true }, x.headers);
        }
        // A new account: made first (the address's unique index settles a race), then the invitation spent.
        const user = await createWithHooks(
          x,
          fields,
          {
            email: invitation.email,
            emailVerified: true,
            ...(body.password !== undefined ? { password: body.password } : {}),
            ...(body.firstName !== undefined ? { firstName: body.firstName } : {}),
            ...(body.lastName !== undefined ? { lastName: body.lastName } : {}),
          },
          {
            details: { via: 'invitation', invitation: invitation.id },
            alongside: (created, trx) => core.tenants.addMember(x.tenant.id, created.id, groups, trx),
            invited: true,
          },
        );
        if (!(await core.invitations.take(x.tenant.id, body.token))) {
          await core.users.delete(user.id);
          throw invalidRequest({ token: INVALID_INVITATION });
        }
        await accepted(x, user, invitation.id);
        // The link reached the address: that proves it, as a magic link would.
        return completeSignIn(x, user, {
          amr: ['email'],
          redirect,
          form: false,
          details: { method: 'invitation' },
        });
      },
    },
  ];
}

function offersFirstFactor(tenant: Tenant, amr: readonly string[]): boolean {
  const { methods } = tenant.policy;
  if (amr.includes('passkey')) return methods.passkey;
  if (amr.includes('pwd')) return methods.password;
  if (amr.includes('oauth')) return methods.social === null || methods.social.length > 0;
  if (amr.includes('otp')) return methods.emailCode;
  if (amr.includes('email')) return methods.magicLink;
  return false;
}

function accepted<F extends CustomFields>(x: Exchange<F>, user: User<F>, invitationId: string) {
  return x.core.audit.record({
    type: 'invitation_accepted',
    userId: user.id,
    ...x.client,
    tenantId: x.tenant.id,
    details: { invitation: invitationId },
  });
}
