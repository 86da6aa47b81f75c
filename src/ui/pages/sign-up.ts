import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, page } from '../layout.js';
import { customFieldInputs, customFieldLabels } from './custom-fields.js';
import { passwordlessLinks } from './passwordless.js';
import { providerButtons } from './providers.js';

/** The sign-up form where the tenant offers passwords; the other ways in it offers either way. */
export function signUpPage(ctx: PageContext, next: string | null, form: FormState): string {
  const { t } = ctx;
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  const labels = {
    email: t('email'),
    password: t('password'),
    username: t('username'),
    firstName: t('firstName'),
    lastName: t('lastName'),
    ...customFieldLabels(ctx),
  };
  const optional = t('optional');
  const v = form.values;
  const body = html`<div class="gh-card">
<h1>${t('signUpTitle')}</h1>
<p class="gh-muted">${t('signUpIntro', { product: ctx.brand.productName })}</p>
${errorSummary(t, form.formError, form.errors, labels)}
${
  ctx.methods.password
    ? html`<form method="post" action="${ctx.ui}/signup${query}" novalidate>
${field({ name: 'email', label: labels.email, type: 'email', value: v.email ?? '', errors: form.errors, autocomplete: 'email', required: true })}
${field({ name: 'password', label: labels.password, type: 'password', errors: form.errors, autocomplete: 'new-password', required: true })}
${field({ name: 'username', label: labels.username, value: v.username ?? '', errors: form.errors, autocomplete: 'username', optionalText: optional })}
${field({ name: 'firstName', label: labels.firstName, value: v.firstName ?? '', errors: form.errors, autocomplete: 'given-name', optionalText: optional })}
${field({ name: 'lastName', label: labels.lastName, value: v.lastName ?? '', errors: form.errors, autocomplete: 'family-name', optionalText: optional })}
${customFieldInputs(ctx, v, form.errors)}
<button type="submit">${t('signUpButton')}</button>
</form>`
    : passwordlessLinks(ctx, next)
}
${providerButtons(ctx, next)}
</div>
<p>${t('haveAccount')} <a href="${ctx.ui}/signin${query}">${t('signInTitle')}</a></p>`;
  return page({ lang: ctx.lang, title: t('signUpTitle'), brand: ctx.brand, t, body });
}
