import type { PageContext } from '../context.js';
import { html } from '../html.js';
import { page } from '../layout.js';

/** The standalone server's `/`: who is signed in, and where to go. */
export function homePage(ctx: PageContext, email: string | null, dashboardUrl: string | null): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('homeTitle')}</h1>
${
  email
    ? html`<p>${t('signedInAs', { name: email })}</p>
<div class="gh-row"><a class="gh-button" href="${ctx.ui}/account">${t('goToAccount')}</a>
${dashboardUrl ? html`<a href="${dashboardUrl}">${t('goToDashboard')}</a>` : ''}
<form method="post" action="${ctx.ui}/signout"><button type="submit" class="gh-secondary">${t('signOutButton')}</button></form></div>`
    : html`<p>${t('notSignedIn')}</p>
<div class="gh-row"><a class="gh-button" href="${ctx.ui}/signin">${t('signInTitle')}</a>
${ctx.signUpEnabled ? html`<a href="${ctx.ui}/signup">${t('signUpTitle')}</a>` : ''}</div>`
}
</div>`;
  return page({ lang: ctx.lang, title: t('homeTitle'), brand: ctx.brand, t, body });
}
