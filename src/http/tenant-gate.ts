/**
 * The tenant's say in every way in: whether its login policy offers the
 * method, whether an address may create an account or join, whether the
 * account that proved itself may enter this tenant, and whether it must
 * enrol a second factor first.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { Executor } from '../db/transaction.js';
import { AuthError, invalidRequest } from '../errors.js';
import { admitsEmail, offersMethod, type SignInMethod } from '../tenants/policy.js';
import { isDefaultTenant } from '../tenants/tenants.js';
import type { Exchange } from './exchange.js';

/** 403 `method_disabled` unless the tenant's policy offers this way in. */
export function requireMethod<F extends CustomFields>(
  x: Exchange<F>,
  method: SignInMethod,
  provider?: string,
): void {
  if (!offersMethod(x.tenant.policy, method, provider))
    throw new AuthError('method_disabled', 'This way of signing in is not offered here.');
}

/**
 * Refuses a new account (or a new member) the tenant does not take: sign-up
 * closed (403 `method_disabled`), or an address outside the allowed domains
 * (400 naming `email`).
 */
export function requireOpenSignUp<F extends CustomFields>(x: Exchange<F>, email: string): void {
  const { policy } = x.tenant;
  if (!policy.signUp) throw new AuthError('method_disabled', 'Sign-up is closed: ask for an invitation.');
  requireAllowedDomain(x, email);
}

export function requireAllowedDomain<F extends CustomFields>(x: Exchange<F>, email: string): void {
  if (!admitsEmail(x.tenant.policy, email))
    throw invalidRequest({ email: `Use an address at ${x.tenant.policy.allowedEmailDomains.join(', ')}.` });
}

/**
 * Lets a user who proved who they are into the request's tenant: an account
 * of another pool is refused like wrong credentials; in an organisation of
 * the shared pool, a non-member joins only where sign-up is open to their
 * address, else 403 `not_a_member`.
 */
export async function admitToTenant<F extends CustomFields>(x: Exchange<F>, user: User<F>): Promise<void> {
  const { tenant } = x;
  if (user.poolId !== tenant.poolId)
    throw new AuthError('invalid_credentials', 'The email, username or password is not right.');
  if (isDefaultTenant(tenant) || (await x.core.tenants.isMember(tenant.id, user.id))) return;
  if (!tenant.policy.signUp || !admitsEmail(tenant.policy, user.email))
    throw new AuthError('not_a_member', 'Your account is not a member of this organisation.');
  await x.core.tenants.addMember(tenant.id, user.id);
  await x.core.audit.record({
    type: 'tenant_joined',
    userId: user.id,
    ...x.client,
  });
}

/**
 * For `users.create`: makes a new account of a tenant other than the default
 * one a member of it, in the transaction that creates the account.
 */
export function membershipOnSignUp<F extends CustomFields>(
  x: Exchange<F>,
): { pool: string; inTransaction?: (user: User<F>, trx: Executor) => Promise<void> } {
  const { tenant } = x;
  if (isDefaultTenant(tenant)) return { pool: tenant.poolId };
  return {
    pool: tenant.poolId,
    inTransaction: (user, trx) => x.core.tenants.addMember(tenant.id, user.id, {}, trx),
  };
}

/** Whether the user must enrol a second factor now: the server's MFA policy or the tenant's. */
export async function mustEnroll<F extends CustomFields>(x: Exchange<F>, user: User<F>): Promise<boolean> {
  const { mfa } = x.core;
  if (await mfa.mustEnroll(user)) return true;
  return x.tenant.policy.mfaRequired && !(await mfa.hasSecondFactor(user.id));
}
