/**
 * The pages of passwordless sign-in: asking for a magic link or a code, the
 * "check your mail" answer, the link's landing page and the code entry form.
 * The landing page signs in with a button, not on opening: mail scanners open
 * links, and a GET must not spend a token. The link works in any browser.
 */
import type { FormState, PageContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { errorSummary, field, notice, page } from '../layout.js';

const nextQuery = (next: string | null) => (next ? `?next=${encodeURIComponent(next)}` : '');

/** "Email me a sign-in link · Email me a sign-in code", each only if the tenant offers it. */
export function passwordlessLinks(ctx: PageContext, next: string | null): SafeHtml {
  const { t } = ctx;
  const links = [
    ctx.methods.magicLink
      ? html`<a href="${ctx.ui}/magic-link${nextQuery(next)}">${t('magicLinkLink')}</a>`
      : null,
    ctx.methods.emailCode ? html`<a href="${ctx.ui}/otp${nextQuery(next)}">${t('otpLink')}</a>` : null,
  ].filter((link) => link !== null);
  if (links.length === 0) return html``;
  return html`<p>${links.map((link, i) => (i === 0 ? link : html` · ${link}`))}</p>`;
}

export function magicLinkRequestPage(
  ctx: PageContext,
  next: string | null,
  form: FormState,
  sent: boolean,
): string {
  const { t } = ctx;
  const labels = { email: t('email') };
  const title = sent ? t('checkMailTitle') : t('magicLinkTitle');
  const body = html`<div class="gh-card">
<h1>${title}</h1>
${sent ? notice(t('magicLinkSent')) : html`<p class="gh-muted">${t('magicLinkIntro')}</p>`}
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/magic-link/send${nextQuery(next)}" novalidate>
${field({ name: 'email', label: labels.email, type: 'email', value: form.values.email ?? '', errors: form.errors, autocomplete: 'email', required: true })}
<button type="submit">${sent ? t('sendAgainButton') : t('sendMagicLinkButton')}</button>
</form>
</div>
${ctx.methods.emailCode ? html`<p><a href="${ctx.ui}/otp${nextQuery(next)}">${t('otpLink')}</a></p>` : ''}
<p><a href="${ctx.ui}/signin${nextQuery(next)}">${t('backToSignIn')}</a></p>`;
  return page({ lang: ctx.lang, title, brand: ctx.brand, t, body });
}

/** Where the mailed link leads: a button that spends the token, or why it cannot be used. */
export function magicLinkLandingPage(ctx: PageContext, token: string, problem: string | null): string {
  const { t } = ctx;
  const content = problem
    ? html`${errorSummary(t, problem, {}, {})}
<p><a href="${ctx.ui}/magic-link">${t('askNewLink')}</a></p>`
    : html`<p>${t('magicLinkLandingIntro', { product: ctx.brand.productName })}</p>
<form method="post" action="${ctx.ui}/magic-link"><input type="hidden" name="token" value="${token}"><button type="submit">${t('signInButton')}</button></form>`;
  const body = html`<div class="gh-card">
<h1>${t('signInTitle')}</h1>
${content}
</div>`;
  return page({ lang: ctx.lang, title: t('signInTitle'), brand: ctx.brand, t, body });
}

export function otpRequestPage(ctx: PageContext, next: string | null, form: FormState): string {
  const { t } = ctx;
  const labels = { email: t('email') };
  const body = html`<div class="gh-card">
<h1>${t('otpTitle')}</h1>
<p class="gh-muted">${t('otpIntro')}</p>
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/otp/send${nextQuery(next)}" novalidate>
${field({ name: 'email', label: labels.email, type: 'email', value: form.values.email ?? '', errors: form.errors, autocomplete: 'email', required: true })}
<button type="submit">${t('sendCodeButton')}</button>
</form>
</div>
${ctx.methods.magicLink ? html`<p><a href="${ctx.ui}/magic-link${nextQuery(next)}">${t('magicLinkLink')}</a></p>` : ''}
<p><a href="${ctx.ui}/signin${nextQuery(next)}">${t('backToSignIn')}</a></p>`;
  return page({ lang: ctx.lang, title: t('otpTitle'), brand: ctx.brand, t, body });
}

/** The code entry form, for the address the code was sent to. */
export function otpCodePage(
  ctx: PageContext,
  next: string | null,
  email: string,
  form: FormState,
  sent: boolean,
): string {
  const { t } = ctx;
  const labels = { code: t('code'), email: t('email') };
  const body = html`<div class="gh-card">
<h1>${t('checkMailTitle')}</h1>
${sent ? notice(t('otpSent', { email })) : ''}
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/otp${nextQuery(next)}" novalidate>
<input type="hidden" name="email" value="${email}">
${field({ name: 'code', label: labels.code, errors: form.errors, autocomplete: 'one-time-code', required: true })}
<button type="submit">${t('signInButton')}</button>
</form>
</div>
<p><a href="${ctx.ui}/otp${nextQuery(next)}">${t('askNewCode')}</a></p>`;
  return page({ lang: ctx.lang, title: t('checkMailTitle'), brand: ctx.brand, t, body });
}
