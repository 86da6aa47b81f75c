/**
 * Where an invitation link leads: whom it is for and which organisation,
 * then one button (an account with the address exists: it joins, then signs
 * in as usual) or a short form that creates the account. Opening the link
 * spends nothing: only the button does.
 */
import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, page } from '../layout.js';

export interface InvitationView {
  token: string;
  email: string;
  groups: string[];
  expiresAt: string;
  accountExists: boolean;
}

export function invitationPage(
  ctx: PageContext,
  next: string | null,
  view: InvitationView,
  form: FormState,
): string {
  const { t } = ctx;
  const title = t('invitationTitle', { tenant: ctx.brand.productName });
  const action = `${ctx.ui}/invitation${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  const labels = { firstName: t('firstName'), lastName: t('lastName'), password: t('password') };
  const token = html`<input type="hidden" name="token" value="${view.token}">`;
  const accept = view.accountExists
    ? html`<p>${t('invitationExisting')}</p>
<form method="post" action="${action}">${token}<button type="submit">${t('acceptInvitationButton')}</button></form>`
    : html`<p>${t('invitationNew')}</p>
<form method="post" action="${action}" novalidate>
${token}
<input type="text" name="username" value="${view.email}" autocomplete="username" hidden>
${field({ name: 'firstName', label: labels.firstName, value: form.values.firstName ?? '', errors: form.errors, autocomplete: 'given-name', optionalText: t('optional') })}
${field({ name: 'lastName', label: labels.lastName, value: form.values.lastName ?? '', errors: form.errors, autocomplete: 'family-name', optionalText: t('optional') })}
${ctx.methods.password ? field({ name: 'password', label: labels.password, type: 'password', errors: form.errors, autocomplete: 'new-password', required: true }) : ''}
<button type="submit">${t('acceptAndCreateButton')}</button>
</form>`;
  const body = html`<div class="gh-card">
<h1>${title}</h1>
<p>${t('invitationFor', { email: view.email })}</p>
${view.groups.length > 0 ? html`<p>${t('invitationRoles', { groups: view.groups.join(', ') })}</p>` : ''}
<p class="gh-muted">${t('invitationExpires', { when: view.expiresAt.slice(0, 10) })}</p>
${errorSummary(t, form.formError, form.errors, labels)}
${accept}
</div>`;
  return page({ lang: ctx.lang, title, brand: ctx.brand, t, body });
}

/** A link that cannot be used (expired, used, withdrawn, mistyped), or why accepting failed. */
export function invitationProblemPage(ctx: PageContext, problem: string): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('invitationInvalidTitle')}</h1>
${errorSummary(t, problem, {}, {})}
</div>
<p><a href="${ctx.ui}/signin">${t('backToSignIn')}</a></p>`;
  return page({ lang: ctx.lang, title: t('invitationInvalidTitle'), brand: ctx.brand, t, body });
}
