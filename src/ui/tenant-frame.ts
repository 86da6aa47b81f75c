/**
 * What a page's tenant changes: the prefix that keeps its links and forms in
 * the tenant, the brand (an organisation's name and logo instead of the
 * product's), and the ways in its login policy offers. The default tenant
 * keeps the product's brand. Built per request from the resolved tenant: no
 * lookup, a few fields.
 */
import type { TenantOfRequest } from '../http/tenant-resolution.js';
import { offersMethod } from '../tenants/policy.js';
import { isDefaultTenant, type Tenant } from '../tenants/tenants.js';
import type { PageContext } from './context.js';
import type { Brand } from './layout.js';

/** What the server offers whatever the tenant. */
export interface Site {
  /** The API's base path, e.g. `/auth`. */
  apiBase: string;
  brand: Brand;
  providers: readonly { id: string; name: string }[];
  signUpEnabled: boolean;
  passkeys: boolean;
  /** `ui.defaultRedirect` if set; else a sign-in lands on the tenant's account page. */
  defaultRedirect: string | null;
}

export type TenantFrame = Pick<
  PageContext,
  'ui' | 'api' | 'brand' | 'providers' | 'signUpEnabled' | 'defaultRedirect' | 'methods'
>;

export function tenantFrame(site: Site, of: TenantOfRequest | undefined): TenantFrame {
  const api = site.apiBase + (of?.prefix ?? '');
  const ui = `${api}/ui`;
  const defaultRedirect = site.defaultRedirect ?? `${ui}/account`;
  if (!of) {
    const methods = { password: true, magicLink: true, emailCode: true, passkey: site.passkeys };
    const { brand, providers, signUpEnabled } = site;
    return { ui, api, brand, providers, signUpEnabled, defaultRedirect, methods };
  }
  const { tenant } = of;
  const { policy } = tenant;
  return {
    ui,
    api,
    defaultRedirect,
    brand: isDefaultTenant(tenant)
      ? site.brand
      : { ...site.brand, productName: tenant.name, logoUrl: tenant.logoUrl },
    providers: site.providers.filter((provider) => offersMethod(policy, 'social', provider.id)),
    signUpEnabled: site.signUpEnabled && policy.signUp,
    methods: {
      password: policy.methods.password,
      magicLink: policy.methods.magicLink,
      emailCode: policy.methods.emailCode,
      passkey: site.passkeys && policy.methods.passkey,
    },
  };
}

/** The UI's base path in another tenant, by the path prefix (which works however the server names tenants). */
export function tenantUi(apiBase: string, tenant: Tenant): string {
  return isDefaultTenant(tenant) ? `${apiBase}/ui` : `${apiBase}/t/${tenant.slug}/ui`;
}
