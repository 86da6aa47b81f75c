/**
 * A tenant's login policy: which ways in it offers, whether it requires a
 * second factor, which email domains may join it, and whether anyone may sign
 * up. Stored as JSON on the tenant; read through `normalisePolicy`, which
 * fills what a stored policy leaves out, so rules never see a missing key.
 */
import { z } from 'zod';

export type SignInMethod = 'password' | 'magicLink' | 'emailCode' | 'passkey' | 'social';

export interface TenantPolicy {
  methods: {
    password: boolean;
    magicLink: boolean;
    emailCode: boolean;
    passkey: boolean;
    /** The social providers offered (ids from `oauth.providers`); null: every configured one. */
    social: readonly string[] | null;
  };
  /** Every member must sign in with a second factor (and is sent to enrol one). */
  mfaRequired: boolean;
  /** Lower-case domains whose addresses may sign up or be invited; empty: any. */
  allowedEmailDomains: readonly string[];
  /** Whether a visitor may create an account (isolated pool) or join (shared pool) without an invitation. */
  signUp: boolean;
}

/** What a stored or submitted policy may say; every key optional. */
export type TenantPolicyInput = {
  methods?: Partial<TenantPolicy['methods']>;
  mfaRequired?: boolean;
  allowedEmailDomains?: readonly string[];
  signUp?: boolean;
};

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export const tenantPolicySchema = z
  .object({
    methods: z
      .object({
        password: z.boolean(),
        magicLink: z.boolean(),
        emailCode: z.boolean(),
        passkey: z.boolean(),
        social: z.array(z.string().min(1).max(64)).max(50).nullable(),
      })
      .partial()
      .strict(),
    mfaRequired: z.boolean(),
    allowedEmailDomains: z
      .array(z.string().trim().toLowerCase())
      .max(100)
      .superRefine((domains, ctx) => {
        const bad = domains.filter((domain) => !DOMAIN.test(domain));
        if (bad.length > 0)
          ctx.addIssue({
            code: 'custom',
            message: `Not a domain: ${bad.join(', ')}. Use a domain such as example.com, without @ or scheme.`,
          });
      }),
    signUp: z.boolean(),
  })
  .partial()
  .strict();

/**
 * The policy with every gap filled. By default every method the server has
 * on is offered, MFA is the server's policy, any domain may join, and sign-up
 * is open in an isolated pool and by invitation in a shared-pool
 * organisation (the default tenant follows `signUp.enabled`).
 */
export function normalisePolicy(stored: unknown, defaults: { signUp: boolean }): TenantPolicy {
  const parsed = tenantPolicySchema.safeParse(stored ?? {});
  const input: TenantPolicyInput = parsed.success ? parsed.data : {};
  return {
    methods: {
      password: input.methods?.password ?? true,
      magicLink: input.methods?.magicLink ?? true,
      emailCode: input.methods?.emailCode ?? true,
      passkey: input.methods?.passkey ?? true,
      social: input.methods?.social ?? null,
    },
    mfaRequired: input.mfaRequired ?? false,
    allowedEmailDomains: input.allowedEmailDomains ?? [],
    signUp: input.signUp ?? defaults.signUp,
  };
}

/** A policy changed by a partial one (methods merged key by key). */
export function mergePolicy(current: TenantPolicy, change: TenantPolicyInput): TenantPolicyInput {
  return {
    methods: { ...current.methods, ...change.methods },
    mfaRequired: change.mfaRequired ?? current.mfaRequired,
    allowedEmailDomains: change.allowedEmailDomains ?? current.allowedEmailDomains,
    signUp: change.signUp ?? current.signUp,
  };
}

/** Whether the policy offers this way in (`provider`: the social provider's id). */
export function offersMethod(policy: TenantPolicy, method: SignInMethod, provider?: string): boolean {
  if (method !== 'social') return policy.methods[method];
  const { social } = policy.methods;
  return social === null || (provider !== undefined && social.includes(provider));
}

/** Whether an address of this (normalised) email may join under the policy. */
export function admitsEmail(policy: TenantPolicy, email: string): boolean {
  if (policy.allowedEmailDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return policy.allowedEmailDomains.includes(domain);
}
