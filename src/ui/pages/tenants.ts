/** The tenant picker: the organisations the signed-in user belongs to, each with a Switch button. */
import type { PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, page } from '../layout.js';

export interface TenantItem {
  slug: string;
  name: string;
  logoUrl: string | null;
  groups: string[];
  current: boolean;
}

export function tenantsPage(
  ctx: PageContext,
  tenants: readonly TenantItem[],
  problem: string | null,
): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('tenantsTitle')}</h1>
${errorSummary(t, problem, {}, {})}
${
  tenants.length === 0
    ? html`<p>${t('noTenants')}</p>`
    : html`<p class="gh-muted">${t('tenantsIntro')}</p>
<ul class="gh-sessions">${tenants.map((tenant) => tenantItem(ctx, tenant))}</ul>`
}
</div>
<p><a href="${ctx.ui}/account">${t('backToAccount')}</a></p>`;
  return page({ lang: ctx.lang, title: t('tenantsTitle'), brand: ctx.brand, t, body });
}

function tenantItem(ctx: PageContext, tenant: TenantItem) {
  const { t } = ctx;
  return html`<li>
<div class="gh-tenant">${tenant.logoUrl ? html`<img src="${tenant.logoUrl}" alt="">` : ''}<div><strong>${tenant.name}</strong>${
    tenant.groups.length > 0
      ? html`<br><span class="gh-muted">${t('tenantRoles', { groups: tenant.groups.join(', ') })}</span>`
      : ''
  }</div></div>
${
  tenant.current
    ? html`<span class="gh-badge">${t('currentTenant')}</span>`
    : html`<form method="post" action="${ctx.ui}/tenants/switch"><input type="hidden" name="tenant" value="${tenant.slug}"><button type="submit" class="gh-secondary" aria-label="${t('switchTenantButton')}: ${tenant.name}">${t('switchTenantButton')}</button></form>`
}
</li>`;
}
