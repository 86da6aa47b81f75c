/**
 * The pages of the mail flows: asking for a reset link, choosing a new
 * password from it, confirming an email address and confirming a new one. The confirmation is a
 * button, not the link itself: mail scanners open links, and a GET must not
 * spend a token.
 */
import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, notice, page } from '../layout.js';

export function forgotPasswordPage(ctx: PageContext, form: FormState, sent: boolean): string {
  const { t } = ctx;
  const labels = { email: t('email') };
  const body = html`<div class="gh-card">
<h1>${t('forgotTitle')}</h1>
${sent ? notice(t('resetSent')) : html`<p class="gh-muted">${t('forgotIntro')}</p>`}
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/forgot-password" novalidate>
${field({ name: 'email', label: labels.email, type: 'email', value: form.values.email ?? '', errors: form.errors, autocomplete: 'email', required: true })}
<button type="submit">${t('sendResetButton')}</button>
</form>
</div>
<p><a href="${ctx.ui}/signin">${t('backToSignIn')}</a></p>`;
  return page({ lang: ctx.lang, title: t('forgotTitle'), brand: ctx.brand, t, body });
}

export function resetPasswordPage(ctx: PageContext, token: string, form: FormState): string {
  const { t } = ctx;
  const labels = { newPassword: t('newPassword') };
  const linkDead = 'token' in form.errors;
  const body = html`<div class="gh-card">
<h1>${t('resetTitle')}</h1>
${errorSummary(t, linkDead ? (form.errors.token ?? null) : form.formError, linkDead ? {} : form.errors, labels)}
${
  linkDead
    ? html`<p><a href="${ctx.ui}/forgot-password">${t('askNewLink')}</a></p>`
    : html`<form method="post" action="${ctx.ui}/reset-password" novalidate>
<input type="hidden" name="token" value="${token}">
${field({ name: 'newPassword', label: labels.newPassword, type: 'password', errors: form.errors, autocomplete: 'new-password', required: true })}
<button type="submit">${t('changePasswordButton')}</button>
</form>`
}
</div>`;
  return page({ lang: ctx.lang, title: t('resetTitle'), brand: ctx.brand, t, body });
}

export function verifyEmailPage(ctx: PageContext, token: string, outcome: 'ask' | 'done' | string): string {
  const { t } = ctx;
  let content = html`<p>${t('verifyIntro')}</p>
<form method="post" action="${ctx.ui}/verify-email"><input type="hidden" name="token" value="${token}"><button type="submit">${t('verifyButton')}</button></form>`;
  if (outcome === 'done') content = notice(t('emailVerified'));
  else if (outcome !== 'ask') content = errorSummary(t, outcome, {}, {});
  const body = html`<div class="gh-card">
<h1>${t('verifyTitle')}</h1>
${content}
</div>
<p><a href="${ctx.ui}/account">${t('accountTitle')}</a></p>`;
  return page({ lang: ctx.lang, title: t('verifyTitle'), brand: ctx.brand, t, body });
}

/** The landing page of an email-change link: a button confirms (a GET spends nothing). */
export function confirmEmailChangePage(
  ctx: PageContext,
  token: string,
  outcome: 'ask' | { changedTo: string } | { problem: string },
): string {
  const { t } = ctx;
  let content = html`<p>${t('confirmEmailChangeIntro')}</p>
<form method="post" action="${ctx.ui}/confirm-email-change"><input type="hidden" name="token" value="${token}"><button type="submit">${t('confirmEmailChangeButton')}</button></form>`;
  if (typeof outcome === 'object' && 'changedTo' in outcome) {
    content = notice(t('emailChanged', { email: outcome.changedTo }));
  } else if (typeof outcome === 'object') {
    content = errorSummary(t, outcome.problem, {}, {});
  }
  const body = html`<div class="gh-card">
<h1>${t('confirmEmailChangeTitle')}</h1>
${content}
</div>
<p><a href="${ctx.ui}/account">${t('accountTitle')}</a></p>`;
  return page({ lang: ctx.lang, title: t('confirmEmailChangeTitle'), brand: ctx.brand, t, body });
}
