import type { PageContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';

/**
 * "Continue with …" links for the configured social providers: plain links to
 * the API's start route (a GET: starting a sign-in changes nothing until the
 * provider answers), carrying where to land afterwards.
 */
export function providerButtons(ctx: PageContext, next: string | null): SafeHtml {
  if (ctx.providers.length === 0) return html``;
  const target = encodeURIComponent(next ?? ctx.defaultRedirect);
  return html`<div class="gh-providers">
<p class="gh-divider"><span>${ctx.t('orDivider')}</span></p>
${ctx.providers.map(
  (provider) =>
    html`<a class="gh-button gh-secondary" href="${ctx.api}/oauth/${encodeURIComponent(provider.id)}?redirectTo=${target}">${ctx.t('continueWith', { provider: provider.name })}</a>`,
)}
</div>`;
}
