/**
 * Invitations to join a tenant: a single-use, expiring link (a one-time
 * token of purpose `invitation`, 7 days by default, issued in the tenant and
 * usable there only) mailed to an address, carrying the groups the new member
 * gets. Inviting an address again replaces nothing: each invitation is its
 * own link until it is used, revoked or expired.
 */
import { parseEmail } from '../accounts/email.js';
import { AuthError, invalidRequest } from '../errors.js';
import type { OneTimeToken, OneTimeTokens } from '../tokens/one-time-tokens.js';
import { admitsEmail } from './policy.js';
import type { Tenant } from './tenants.js';

export interface Invitation {
  id: string;
  tenantId: string;
  email: string;
  /** Group names the member gets in the tenant. */
  groups: string[];
  /** The user who sent it, if a user did. */
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export class Invitations {
  readonly #tokens: OneTimeTokens;
  readonly #now: () => Date;

  constructor(options: { tokens: OneTimeTokens; now: () => Date }) {
    this.#tokens = options.tokens;
    this.#now = options.now;
  }

  /**
   * Issues an invitation; returns it with the secret for the link (the only
   * time it exists). An address outside the tenant's allowed domains is
   * refused (400 naming `email`).
   */
  async invite(
    tenant: Tenant,
    input: { email: string; groups?: readonly string[]; invitedBy?: string | null },
  ): Promise<{ invitation: Invitation; token: string }> {
    const parsed = parseEmail(input.email);
    if ('problem' in parsed) throw invalidRequest({ email: parsed.problem });
    const { email } = parsed;
    if (!admitsEmail(tenant.policy, email))
      throw invalidRequest({ email: `Use an address at ${tenant.policy.allowedEmailDomains.join(', ')}.` });
    const groups = [...new Set(input.groups ?? [])];
    const invitedBy = input.invitedBy ?? null;
    const createdAt = this.#now();
    const issued = await this.#tokens.issue({
      purpose: 'invitation',
      email,
      data: { groups, invitedBy },
      tenantId: tenant.id,
    });
    return {
      invitation: {
        id: issued.id,
        tenantId: tenant.id,
        email,
        groups,
        invitedBy,
        createdAt,
        expiresAt: issued.expiresAt,
      },
      token: issued.token,
    };
  }

  /** The invitation a link's secret names in this tenant, if it is still usable (nothing is spent). */
  async peek(tenantId: string, secret: unknown): Promise<Invitation | null> {
    const token = await this.#tokens.peek('invitation', secret, { tenantId });
    return token ? invitationOf(token) : null;
  }

  /** Spends the invitation (once: of racing calls, one gets it); null if it is not usable here. */
  async take(tenantId: string, secret: unknown): Promise<Invitation | null> {
    const token = await this.#tokens.consume('invitation', secret, { tenantId });
    return token ? invitationOf(token) : null;
  }

  /** The tenant's invitations not yet used, revoked or expired; newest first. */
  async pending(tenantId: string): Promise<Invitation[]> {
    return (await this.#tokens.pending('invitation', { tenantId })).map(invitationOf);
  }

  /** Withdraws an invitation; `not_found` if the tenant has no such pending one. */
  async revoke(tenantId: string, id: string): Promise<void> {
    if (!(await this.#tokens.revoke(id, 'invitation', { tenantId })))
      throw new AuthError('not_found', 'There is no such invitation.');
  }
}

function invitationOf(token: OneTimeToken): Invitation {
  const { groups, invitedBy } = token.data;
  return {
    id: token.id,
    tenantId: token.tenantId,
    email: token.email,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    invitedBy: typeof invitedBy === 'string' ? invitedBy : null,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
  };
}
