import type { PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, page } from '../layout.js';

/** Sign-out is a POST: a link or an image cannot sign anyone out. This page asks, then posts. */
export function signOutPage(ctx: PageContext, formError: string | null = null): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('signOutTitle')}</h1>
<p>${t('signOutQuestion', { product: ctx.brand.productName })}</p>
${errorSummary(t, formError, {}, {})}
<form method="post" action="${ctx.ui}/signout"><button type="submit">${t('signOutButton')}</button></form>
</div>`;
  return page({ lang: ctx.lang, title: t('signOutTitle'), brand: ctx.brand, t, body });
}
