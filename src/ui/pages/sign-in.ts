import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, page } from '../layout.js';
import { passkeySignIn } from './passkeys.js';
import { passwordlessLinks } from './passwordless.js';
import { providerButtons } from './providers.js';

/** The ways in the tenant offers: the password form, a passkey, a mailed link or code, social providers. */
export function signInPage(
  ctx: PageContext,
  next: string | null,
  form: FormState,
  notice: string | null,
): string {
  const { t } = ctx;
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  const labels = { identifier: t('emailOrUsername'), password: t('password') };
  const passwordForm = ctx.methods.password
    ? html`<form method="post" action="${ctx.ui}/signin${query}" novalidate>
${field({ name: 'identifier', label: labels.identifier, value: form.values.identifier ?? '', errors: form.errors, autocomplete: 'username', required: true })}
${field({ name: 'password', label: labels.password, type: 'password', errors: form.errors, autocomplete: 'current-password', required: true })}
<button type="submit">${t('signInButton')}</button>
</form>`
    : '';
  const body = html`<div class="gh-card">
<h1>${t('signInTitle')}</h1>
<p class="gh-muted">${t('signInIntro', { product: ctx.brand.productName })}</p>
${notice ? html`<p class="gh-notice" role="status">${notice}</p>` : ''}
${errorSummary(t, form.formError, form.errors, labels)}
${passwordForm}
${passkeySignIn(ctx, next)}
${ctx.methods.password ? html`<p><a href="${ctx.ui}/forgot-password">${t('forgotLink')}</a></p>` : ''}
${passwordlessLinks(ctx, next)}
${providerButtons(ctx, next)}
</div>
${ctx.signUpEnabled ? html`<p>${t('noAccount')} <a href="${ctx.ui}/signup${query}">${t('signUpTitle')}</a></p>` : ''}`;
  return page({
    lang: ctx.lang,
    title: t('signInTitle'),
    brand: ctx.brand,
    t,
    body,
    scripts: ctx.methods.passkey ? ctx.passkeyScripts : null,
  });
}
