import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, page } from '../layout.js';
import { passkeySignIn } from './passkeys.js';
import { providerButtons } from './providers.js';

export function signInPage(
  ctx: PageContext,
  next: string | null,
  form: FormState,
  notice: string | null,
): string {
  const { t } = ctx;
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  const labels = { identifier: t('emailOrUsername'), password: t('password') };
  const body = html`<div class="gh-card">
<h1>${t('signInTitle')}</h1>
<p class="gh-muted">${t('signInIntro', { product: ctx.brand.productName })}</p>
${notice ? html`<p class="gh-notice" role="status">${notice}</p>` : ''}
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/signin${query}" novalidate>
${field({ name: 'identifier', label: labels.identifier, value: form.values.identifier ?? '', errors: form.errors, autocomplete: 'username', required: true })}
${field({ name: 'password', label: labels.password, type: 'password', errors: form.errors, autocomplete: 'current-password', required: true })}
<button type="submit">${t('signInButton')}</button>
</form>
${passkeySignIn(ctx, next)}
<p><a href="${ctx.ui}/forgot-password">${t('forgotLink')}</a></p>
<p><a href="${ctx.ui}/magic-link${query}">${t('magicLinkLink')}</a> · <a href="${ctx.ui}/otp${query}">${t('otpLink')}</a></p>
${providerButtons(ctx, next)}
</div>
${ctx.signUpEnabled ? html`<p>${t('noAccount')} <a href="${ctx.ui}/signup${query}">${t('signUpTitle')}</a></p>` : ''}`;
  return page({
    lang: ctx.lang,
    title: t('signInTitle'),
    brand: ctx.brand,
    t,
    body,
    scripts: ctx.passkeyScripts,
  });
}
