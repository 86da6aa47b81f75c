import type { PageContext } from '../context.js';
import { html } from '../html.js';
import { page } from '../layout.js';

export function notFoundPage(ctx: PageContext): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('notFoundTitle')}</h1>
<p><a href="${ctx.ui}/account">${t('goToAccount')}</a></p>
</div>`;
  return page({ lang: ctx.lang, title: t('notFoundTitle'), brand: ctx.brand, t, body });
}
