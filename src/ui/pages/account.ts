import { impersonationBanner } from '../banner.js';
import type { FormState, PageContext } from '../context.js';
import { html } from '../html.js';
import { errorSummary, field, notice, page } from '../layout.js';
import { customFieldInputs, customFieldLabels } from './custom-fields.js';
import { type DeviceItem, type MfaSummary, mfaSection } from './mfa.js';
import { type PasskeyItem, passkeysSection } from './passkeys.js';

export interface AccountView {
  user: Record<string, unknown> & {
    email: string;
    username: string | null;
    firstName: string;
    lastName: string;
  };
  sessions: {
    id: string;
    current: boolean;
    lastSeenAt: string;
    userAgent: string | null;
    ip: string | null;
  }[];
  /** Set while a staff member acts as this user. */
  impersonated: boolean;
  linkedAccounts: {
    id: string;
    provider: string;
    providerName: string;
    email: string | null;
    createdAt: string;
  }[];
  passkeys: PasskeyItem[];
  /** The second factors (null when the API would not say). */
  mfa: MfaSummary | null;
  /** Browsers that skip the second factor. */
  devices: DeviceItem[];
  /** The user belongs to another tenant than this one: the page links to the picker. */
  otherTenants: boolean;
}

export function accountPage(
  ctx: PageContext,
  view: AccountView,
  state: {
    profile?: FormState;
    password?: FormState;
    email?: FormState;
    /** A refusal about linked accounts (linking or unlinking). */
    linking?: string | null;
    /** A refusal about passkeys (renaming or removing). */
    passkeys?: string | null;
    /** A refused two-step verification action. */
    mfa?: FormState;
    notice?: string | null;
  },
): string {
  const { t } = ctx;
  const { user } = view;
  const profile = state.profile ?? {
    values: Object.fromEntries(
      ['username', 'firstName', 'lastName', ...Object.keys(ctx.fields)].map((name) => [
        name,
        asText(user[name]),
      ]),
    ),
    errors: {},
    formError: null,
  };
  const password = state.password ?? { values: {}, errors: {}, formError: null };
  const email = state.email ?? { values: {}, errors: {}, formError: null };
  const emailLabels = { newEmail: t('newEmail') };
  const profileLabels = {
    username: t('username'),
    firstName: t('firstName'),
    lastName: t('lastName'),
    ...customFieldLabels(ctx),
  };
  const passwordLabels = { currentPassword: t('currentPassword'), newPassword: t('newPassword') };
  const body = html`<h1>${t('accountTitle')}</h1>
<p>${t('signedInAs', { name: user.email })}${view.otherTenants ? html` <a href="${ctx.ui}/tenants">${t('switchTenantLink')}</a>` : ''}</p>
${notice(state.notice ?? null)}
<section class="gh-card" aria-labelledby="profile-heading">
<h2 id="profile-heading">${t('profileHeading')}</h2>
${errorSummary(t, profile.formError, profile.errors, profileLabels)}
<form method="post" action="${ctx.ui}/account/profile" novalidate>
${field({ name: 'username', label: profileLabels.username, value: profile.values.username ?? '', errors: profile.errors, autocomplete: 'username', optionalText: t('optional') })}
${field({ name: 'firstName', label: profileLabels.firstName, value: profile.values.firstName ?? '', errors: profile.errors, autocomplete: 'given-name' })}
${field({ name: 'lastName', label: profileLabels.lastName, value: profile.values.lastName ?? '', errors: profile.errors, autocomplete: 'family-name' })}
${customFieldInputs(ctx, profile.values, profile.errors)}
<button type="submit">${t('saveButton')}</button>
</form>
</section>
<section class="gh-card" aria-labelledby="email-heading">
<h2 id="email-heading">${t('emailHeading')}</h2>
<p>${t('currentEmail', { email: user.email })}</p>
${errorSummary(t, email.formError, email.errors, emailLabels)}
<form method="post" action="${ctx.ui}/account/email" novalidate>
${field({ name: 'newEmail', label: emailLabels.newEmail, type: 'email', value: email.values.newEmail ?? '', errors: email.errors, autocomplete: 'email', required: true })}
<button type="submit">${t('changeEmailButton')}</button>
</form>
</section>
<section class="gh-card" aria-labelledby="password-heading">
<h2 id="password-heading">${t('passwordHeading')}</h2>
${errorSummary(t, password.formError, password.errors, passwordLabels)}
<form method="post" action="${ctx.ui}/account/password" novalidate>
<input type="text" name="username" value="${user.email}" autocomplete="username" hidden>
${field({ name: 'currentPassword', label: passwordLabels.currentPassword, type: 'password', errors: password.errors, autocomplete: 'current-password', required: true })}
${field({ name: 'newPassword', label: passwordLabels.newPassword, type: 'password', errors: password.errors, autocomplete: 'new-password', required: true })}
<button type="submit">${t('changePasswordButton')}</button>
</form>
</section>
${ctx.passkeyScripts === null ? '' : passkeysSection(ctx, view.passkeys, state.passkeys ?? null)}
${view.mfa ? mfaSection(ctx, view.mfa, view.devices, state.mfa ?? { values: {}, errors: {}, formError: null }) : ''}
${ctx.providers.length > 0 || view.linkedAccounts.length > 0 ? linkedAccounts(ctx, view, state.linking ?? null) : ''}
<section class="gh-card" aria-labelledby="sessions-heading">
<h2 id="sessions-heading">${t('sessionsHeading')}</h2>
<ul class="gh-sessions">${view.sessions.map(
    (session) => html`<li>
<div><strong>${session.current ? t('thisDevice') : (session.userAgent ?? t('unknownDevice'))}</strong><br>
<span class="gh-muted">${t('lastSeen', { when: `${new Date(session.lastSeenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` })}${session.ip ? ` · ${session.ip}` : ''}</span></div>
${session.current ? '' : html`<form method="post" action="${ctx.ui}/account/sessions/revoke"><input type="hidden" name="id" value="${session.id}"><button type="submit" class="gh-secondary" aria-label="${t('revokeButton')}: ${session.userAgent ?? t('unknownDevice')}">${t('revokeButton')}</button></form>`}
</li>`,
  )}</ul>
<div class="gh-row">
${view.sessions.length > 1 ? html`<form method="post" action="${ctx.ui}/account/sessions/revoke-others"><button type="submit" class="gh-secondary">${t('revokeOthersButton')}</button></form>` : ''}
<form method="post" action="${ctx.ui}/signout"><button type="submit">${t('signOutButton')}</button></form>
</div>
</section>`;
  const banner = view.impersonated
    ? impersonationBanner({
        ui: ctx.ui,
        email: user.email,
        text: t('impersonating', { name: user.email }),
        button: t('impersonationEndButton'),
      })
    : undefined;
  return page({
    lang: ctx.lang,
    title: t('accountTitle'),
    brand: ctx.brand,
    t,
    body,
    wide: true,
    scripts: ctx.passkeyScripts,
    ...(banner ? { banner } : {}),
  });
}

/** The identities linked to the account (each with Unlink), and a Link form per provider. */
function linkedAccounts(ctx: PageContext, view: AccountView, refusal: string | null) {
  const { t } = ctx;
  return html`<section class="gh-card" aria-labelledby="linked-heading">
<h2 id="linked-heading">${t('linkedAccountsHeading')}</h2>
${errorSummary(t, refusal, {}, {})}
${
  view.linkedAccounts.length === 0
    ? html`<p class="gh-muted">${t('noLinkedAccounts')}</p>`
    : html`<p class="gh-muted">${t('linkedAccountsIntro')}</p>
<ul class="gh-sessions">${view.linkedAccounts.map(
        (account) => html`<li>
<div><strong>${account.providerName}</strong>${account.email ? ` · ${account.email}` : ''}<br>
<span class="gh-muted">${t('linkedSince', { when: account.createdAt.slice(0, 10) })}</span></div>
<form method="post" action="${ctx.ui}/account/linked-accounts/unlink"><input type="hidden" name="id" value="${account.id}"><button type="submit" class="gh-secondary" aria-label="${t('unlinkButton')}: ${account.providerName}${account.email ? ` (${account.email})` : ''}">${t('unlinkButton')}</button></form>
</li>`,
      )}</ul>`
}
<div class="gh-row">${ctx.providers.map(
    (provider) =>
      html`<form method="post" action="${ctx.api}/oauth/${encodeURIComponent(provider.id)}/link"><input type="hidden" name="redirectTo" value="${ctx.ui}/account?done=linked"><button type="submit" class="gh-secondary">${t('linkButton', { provider: provider.name })}</button></form>`,
  )}</div>
</section>`;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}
