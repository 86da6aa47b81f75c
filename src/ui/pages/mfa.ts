/**
 * The second-factor screens: the sign-in challenge, enrolling an
 * authenticator app (QR code, then recovery codes shown once), the step-up
 * prompt, and the account page's two-factor section.
 */
import type { FormState, PageContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { errorSummary, field, notice, page } from '../layout.js';
import { passkeyButton } from './passkeys.js';

const nextQuery = (next: string | null) => (next ? `?next=${encodeURIComponent(next)}` : '');

export interface ChallengeView {
  methods: readonly string[];
  /** The account's address, masked. */
  email: string;
  /** Offer "remember this browser" (`mfa.trustedDevices` on). */
  remember: boolean;
}

/** The sign-in's second step: a code from the app, a recovery code, an emailed code or a passkey. */
export function mfaChallengePage(
  ctx: PageContext,
  next: string | null,
  view: ChallengeView,
  form: FormState,
  state: { emailSent?: boolean; recovery?: boolean } = {},
): string {
  const { t } = ctx;
  const action = `${ctx.ui}/mfa${nextQuery(next)}`;
  const has = (method: string) => view.methods.includes(method);
  const remember = view.remember
    ? field({ name: 'rememberDevice', label: t('mfaRememberDevice'), type: 'checkbox', errors: {} })
    : '';
  const labels = { code: t('mfaCode'), recoveryCode: t('recoveryCode'), emailCode: t('mfaEmailCode') };
  const codeForm =
    state.recovery || !has('totp')
      ? ''
      : html`<form method="post" action="${action}" novalidate>
${field({ name: 'code', label: labels.code, errors: form.errors, autocomplete: 'one-time-code', required: true })}
${remember}
<button type="submit">${t('mfaVerifyButton')}</button>
</form>`;
  const emailForm = state.emailSent
    ? html`${notice(t('mfaEmailSent', { email: view.email }))}
<form method="post" action="${action}" novalidate>
${field({ name: 'emailCode', label: labels.emailCode, errors: form.errors, autocomplete: 'one-time-code', required: true })}
${remember}
<button type="submit">${t('mfaVerifyButton')}</button>
</form>`
    : '';
  const recoveryForm =
    state.recovery || !has('totp')
      ? has('recovery_code')
        ? html`<form method="post" action="${action}" novalidate>
${field({ name: 'recoveryCode', label: labels.recoveryCode, errors: form.errors, autocomplete: 'off', required: true })}
${remember}
<button type="submit">${t('mfaVerifyButton')}</button>
</form>`
        : ''
      : '';
  const others = html`<ul class="gh-plain">
${
  has('passkey')
    ? html`<li>${passkeyButton(ctx, {
        options: `${ctx.api}/mfa/passkey/options`,
        verify: `${ctx.api}/mfa/verify`,
        field: 'passkey',
        next: next ?? ctx.defaultRedirect,
        label: t('mfaUsePasskey'),
        failed: t('mfaPasskeyFailed'),
      })}</li>`
    : ''
}
${has('recovery_code') && !state.recovery && has('totp') ? html`<li><a href="${ctx.ui}/mfa${nextQuery(next)}${next ? '&' : '?'}use=recovery">${t('mfaUseRecoveryCode')}</a></li>` : ''}
${has('totp') && (state.recovery || state.emailSent) ? html`<li><a href="${ctx.ui}/mfa${nextQuery(next)}">${t('mfaUseApp')}</a></li>` : ''}
${
  has('email') && !state.emailSent
    ? html`<li><form method="post" action="${ctx.ui}/mfa/email${nextQuery(next)}"><button type="submit" class="gh-secondary">${t('mfaSendEmailCode', { email: view.email })}</button></form></li>`
    : ''
}
</ul>`;
  const body = html`<div class="gh-card">
<h1>${t('mfaTitle')}</h1>
<p class="gh-muted">${has('totp') && !state.recovery ? t('mfaIntro') : t('mfaIntroOther')}</p>
${errorSummary(t, form.formError, form.errors, labels)}
${state.emailSent ? emailForm : html`${codeForm}${recoveryForm}`}
${others}
</div>
<p><a href="${ctx.ui}/signin">${t('backToSignIn')}</a></p>`;
  return page({
    lang: ctx.lang,
    title: t('mfaTitle'),
    brand: ctx.brand,
    t,
    body,
    scripts: has('passkey') ? ctx.passkeyScripts : null,
  });
}

/** Before a secret exists: what an authenticator app is, and a button that makes one. */
export function totpStartPage(
  ctx: PageContext,
  next: string | null,
  required: boolean,
  form: FormState,
): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('totpSetupTitle')}</h1>
${required ? notice(t('mfaRequiredNotice')) : ''}
${errorSummary(t, form.formError, form.errors, {})}
<p>${t('totpSetupIntro')}</p>
<form method="post" action="${ctx.ui}/mfa/setup${nextQuery(next)}"><button type="submit">${t('totpSetupStart')}</button></form>
</div>
${required ? '' : html`<p><a href="${ctx.ui}/account">${t('backToAccount')}</a></p>`}`;
  return page({ lang: ctx.lang, title: t('totpSetupTitle'), brand: ctx.brand, t, body });
}

/** The new secret as a QR code and as text, and the form for the first code. */
export function totpScanPage(
  ctx: PageContext,
  next: string | null,
  setup: { secret: string; qrSvg: string } | null,
  form: FormState,
): string {
  const { t } = ctx;
  const labels = { code: t('mfaCode') };
  const qr = setup
    ? html`<figure class="gh-qr">
<img src="data:image/svg+xml;base64,${Buffer.from(setup.qrSvg).toString('base64')}" alt="${t('totpQrAlt')}" width="200" height="200">
<figcaption>${t('totpSecretText')} <code class="gh-secret">${groups(setup.secret)}</code></figcaption>
</figure>`
    : html`<p>${t('totpScanAgain')}</p>`;
  const body = html`<div class="gh-card">
<h1>${t('totpSetupTitle')}</h1>
<ol>
<li>${t('totpStepScan')}</li>
<li>${t('totpStepCode')}</li>
</ol>
${qr}
${errorSummary(t, form.formError, form.errors, labels)}
<form method="post" action="${ctx.ui}/mfa/setup/confirm${nextQuery(next)}" novalidate>
${field({ name: 'code', label: labels.code, errors: form.errors, autocomplete: 'one-time-code', required: true })}
<button type="submit">${t('totpConfirmButton')}</button>
</form>
<form method="post" action="${ctx.ui}/mfa/setup${nextQuery(next)}"><button type="submit" class="gh-secondary">${t('totpStartOver')}</button></form>
</div>`;
  return page({ lang: ctx.lang, title: t('totpSetupTitle'), brand: ctx.brand, t, body });
}

/** Recovery codes, shown once: after enrolment or after asking for a new set. */
export function recoveryCodesPage(ctx: PageContext, codes: readonly string[], continueTo: string): string {
  const { t } = ctx;
  const body = html`<div class="gh-card">
<h1>${t('recoveryCodesTitle')}</h1>
${notice(t('recoveryCodesIntro'))}
<ul class="gh-codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p><a class="gh-button" href="${continueTo}">${t('recoveryCodesDone')}</a></p>
</div>`;
  return page({ lang: ctx.lang, title: t('recoveryCodesTitle'), brand: ctx.brand, t, body });
}

/** Step-up: prove it is you again before a sensitive change. */
export function reauthenticatePage(
  ctx: PageContext,
  next: string | null,
  options: { password: boolean; totp: boolean; passkey: boolean },
  form: FormState,
): string {
  const { t } = ctx;
  const action = `${ctx.ui}/reauthenticate${nextQuery(next)}`;
  const labels = { password: t('password'), code: t('mfaCode') };
  const body = html`<div class="gh-card">
<h1>${t('reauthTitle')}</h1>
<p class="gh-muted">${t('reauthIntro')}</p>
${errorSummary(t, form.formError, form.errors, labels)}
${
  options.password
    ? html`<form method="post" action="${action}" novalidate>
${field({ name: 'password', label: labels.password, type: 'password', errors: form.errors, autocomplete: 'current-password', required: true })}
<button type="submit">${t('reauthButton')}</button>
</form>`
    : ''
}
${
  options.totp
    ? html`<form method="post" action="${action}" novalidate>
${field({ name: 'code', label: labels.code, errors: form.errors, autocomplete: 'one-time-code', required: true })}
<button type="submit">${t('reauthButton')}</button>
</form>`
    : ''
}
${
  options.passkey
    ? passkeyButton(ctx, {
        options: `${ctx.api}/reauthenticate/passkey/options`,
        verify: `${ctx.api}/reauthenticate`,
        field: 'passkey',
        next: next ?? `${ctx.ui}/account`,
        label: t('reauthPasskey'),
        failed: t('mfaPasskeyFailed'),
      })
    : ''
}
${options.password || options.totp ? '' : html`<p>${t('reauthSignOutIntro')} <a href="${ctx.ui}/signout">${t('reauthSignInAgain')}</a></p>`}
</div>`;
  return page({
    lang: ctx.lang,
    title: t('reauthTitle'),
    brand: ctx.brand,
    t,
    body,
    scripts: options.passkey ? ctx.passkeyScripts : null,
  });
}

export interface MfaSummary {
  totp: { enabled: boolean };
  recoveryCodes: { remaining: number };
  passkeys: number;
  required: boolean;
}

export interface DeviceItem {
  id: string;
  current: boolean;
  userAgent: string | null;
  lastUsedAt: string;
  expiresAt: string;
}

/** The account page's two-factor section: the app, recovery codes and remembered browsers. */
export function mfaSection(
  ctx: PageContext,
  mfa: MfaSummary,
  devices: readonly DeviceItem[],
  form: FormState,
): SafeHtml {
  const { t } = ctx;
  const labels = { code: t('mfaCode'), recoveryCode: t('recoveryCode') };
  const app = mfa.totp.enabled
    ? html`<p>${t('totpOn')}</p>
<form method="post" action="${ctx.ui}/account/mfa/disable" novalidate>
${field({ name: 'code', label: labels.code, errors: form.errors, autocomplete: 'one-time-code', required: true })}
<button type="submit" class="gh-danger">${t('totpDisableButton')}</button>
</form>`
    : html`<p>${t('totpOff')}</p>
<p><a class="gh-button" href="${ctx.ui}/mfa/setup">${t('totpSetupStart')}</a></p>`;
  const codes =
    mfa.totp.enabled || mfa.passkeys > 0
      ? html`<h3>${t('recoveryCodesTitle')}</h3>
<p>${t('recoveryCodesLeft', { count: String(mfa.recoveryCodes.remaining) })}</p>
<form method="post" action="${ctx.ui}/account/mfa/recovery-codes"><button type="submit" class="gh-secondary">${t('recoveryCodesNew')}</button></form>`
      : '';
  const remembered =
    devices.length > 0
      ? html`<h3>${t('devicesHeading')}</h3>
<ul class="gh-sessions">${devices.map(
          (device) => html`<li>
<span>${device.userAgent ?? t('unknownDevice')}${device.current ? html` <strong>(${t('thisDevice')})</strong>` : ''}</span>
<form method="post" action="${ctx.ui}/account/devices/forget"><input type="hidden" name="id" value="${device.id}"><button type="submit" class="gh-secondary" aria-label="${t('forgetDevice')}: ${device.userAgent ?? t('unknownDevice')}">${t('forgetDevice')}</button></form>
</li>`,
        )}</ul>`
      : '';
  return html`<section class="gh-card" aria-labelledby="mfa-heading">
<h2 id="mfa-heading">${t('mfaHeading')}</h2>
${mfa.required && !mfa.totp.enabled && mfa.passkeys === 0 ? notice(t('mfaRequiredNotice')) : ''}
${errorSummary(t, form.formError, form.errors, labels)}
${app}
${codes}
${remembered}
</section>`;
}

/** `JBSWY3DPEHPK3PXP…` in groups of four, easier to type. */
function groups(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
