/**
 * Which tenant a request is for: the path prefix `{basePath}/t/{slug}/…`
 * (always on; links in mail use it), else the configured header, else the
 * host's subdomain, else the default tenant. The prefix is taken off the
 * request, so the routes and pages behind see their usual paths; the prefix
 * is kept to build links that stay in the tenant.
 *
 * An unknown slug is 404 `not_found`; a disabled tenant is 403
 * `tenant_disabled`. The default tenant's requests cost a cache lookup.
 */
import type { TenantConfig } from '../config.js';
import type { AuthCore } from '../core.js';
import { AuthError } from '../errors.js';
import { DEFAULT_TENANT_ID, type Tenant } from '../tenants/tenants.js';
import { pathOf } from './route-table.js';

export interface TenantOfRequest {
  tenant: Tenant;
  /** `/t/{slug}` when the path named the tenant, else empty: what links back into this tenant insert after the base path. */
  prefix: string;
}

export interface ResolvedRequest extends TenantOfRequest {
  /** The request with the tenant prefix taken off its path. */
  request: Request;
}

export interface TenantResolver {
  /** The request's tenant (404/403 as `AuthError`s), and the request without the tenant prefix. */
  resolve(request: Request): Promise<ResolvedRequest>;
  /**
   * The same, answered at once in the common case — a request that names no
   * tenant while the default tenant is cached — else null (use `resolve`).
   */
  resolveNow(request: Request): ResolvedRequest | null;
  /** The slug a request names by header or subdomain, if any (the app's own routes have no tenant prefix). */
  named(url: string, headers: { get(name: string): string | null }): string | null;
}

/** Makes the resolver for one server (its base path and tenant settings). */
export function tenantResolver(
  core: Pick<AuthCore, 'tenants'>,
  basePath: string,
  config: TenantConfig = {},
): TenantResolver {
  const marker = `${basePath}/t/`;
  const header = config.header?.toLowerCase();
  const domain = config.subdomainOf ? `.${config.subdomainOf}` : null;

  return { resolve, resolveNow, named };

  function resolveNow(request: Request): ResolvedRequest | null {
    if (request.url.includes(marker) || named(request.url, request.headers) !== null) return null;
    const tenant = core.tenants.cached(DEFAULT_TENANT_ID);
    return tenant ? { tenant, prefix: '', request } : null;
  }

  async function resolve(request: Request): Promise<ResolvedRequest> {
    const path = pathOf(request.url);
    if (path.startsWith(marker)) {
      const end = path.indexOf('/', marker.length);
      const slug = path.slice(marker.length, end === -1 ? path.length : end);
      const tenant = await found(slug);
      const url = new URL(request.url);
      url.pathname = basePath + (end === -1 ? '' : path.slice(end));
      return { tenant, prefix: `/t/${slug}`, request: withUrl(request, url) };
    }
    const slug = named(request.url, request.headers);
    if (slug) return { tenant: await found(slug), prefix: '', request };
    return { tenant: await core.tenants.defaultTenant(), prefix: '', request };
  }

  function named(url: string, headers: { get(name: string): string | null }): string | null {
    return (header && headers.get(header)?.toLowerCase()) || subdomain(url) || null;
  }

  async function found(slug: string): Promise<Tenant> {
    const tenant = slug === '' ? null : await core.tenants.resolve(slug);
    if (!tenant) throw new AuthError('not_found', 'There is no such tenant.');
    if (!tenant.isActive) throw new AuthError('tenant_disabled', 'This organisation is disabled.');
    return tenant;
  }

  function subdomain(url: string): string | null {
    if (!domain) return null;
    const host = new URL(url).hostname;
    if (!host.endsWith(domain)) return null;
    const label = host.slice(0, -domain.length);
    return label === '' || label === 'www' || label.includes('.') ? null : label;
  }
}

/** The same request at another URL (the body streams through, unread). */
function withUrl(request: Request, url: URL): Request {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  } as RequestInit);
}
