/**
 * Passkeys on the sign-in and account pages. What needs WebAuthn (signing
 * in, adding one) is marked for `passkey-script.js` and stays hidden in a
 * browser that cannot use it; renaming and removing are plain forms.
 */
import { MAX_PASSKEY_NAME } from '../../methods/passkeys/names.js';
import type { PageContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { errorSummary } from '../layout.js';

export interface PasskeyItem {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * A button that answers a WebAuthn authentication with a passkey (see
 * `passkey-script.js`): options from `options`, the browser's response posted
 * to `verify` in `field` with `body`'s fields, then on to the answer's
 * `redirectTo` or `next`. The page must load `ctx.passkeyScripts`.
 */
export function passkeyButton(
  ctx: PageContext,
  ceremony: {
    options: string;
    verify: string;
    next: string;
    label: string;
    failed: string;
    body?: Record<string, unknown>;
    field?: string;
  },
): SafeHtml {
  if (ctx.passkeyScripts === null) return html``;
  return html`<div class="gh-passkey" data-gh-passkey="authenticate" data-options="${ceremony.options}" data-verify="${ceremony.verify}" data-body="${JSON.stringify(ceremony.body ?? {})}" data-field="${ceremony.field ?? 'response'}" data-next="${ceremony.next}" data-reauth="${ctx.ui}/reauthenticate" data-failed="${ceremony.failed}" hidden>
<button type="button" class="gh-secondary">${ceremony.label}</button>
<p class="gh-passkey-error" aria-live="assertive" data-gh-passkey-error></p>
</div>`;
}

/** "Sign in with a passkey" (usernameless), landing on `next` or the default page; only where the tenant offers it. */
export function passkeySignIn(ctx: PageContext, next: string | null): SafeHtml {
  if (!ctx.methods.passkey) return html``;
  const target = next ?? ctx.defaultRedirect;
  return passkeyButton(ctx, {
    options: `${ctx.api}/passkeys/signin/options`,
    verify: `${ctx.api}/passkeys/signin/verify`,
    body: { redirectTo: target },
    next: target,
    label: ctx.t('passkeySignInButton'),
    failed: ctx.t('passkeySignInFailed'),
  });
}

/** The account's passkeys (each with Rename and Remove), and the form that adds one. */
export function passkeysSection(ctx: PageContext, passkeys: readonly PasskeyItem[], refusal: string | null) {
  const { t } = ctx;
  return html`<section class="gh-card" aria-labelledby="passkeys-heading">
<h2 id="passkeys-heading">${t('passkeysHeading')}</h2>
${errorSummary(t, refusal, {}, {})}
<p class="gh-muted">${t('passkeysIntro')}</p>
${
  passkeys.length === 0
    ? html`<p>${t('noPasskeys')}</p>`
    : html`<ul class="gh-sessions">${passkeys.map((passkey) => passkeyItem(ctx, passkey))}</ul>`
}
<form data-gh-passkey="register" data-options="${ctx.api}/passkeys/register/options" data-verify="${ctx.api}/passkeys/register/verify" data-next="${ctx.ui}/account?done=passkey_added" data-reauth="${ctx.ui}/reauthenticate" data-failed="${t('passkeyAddFailed')}" data-exists="${t('passkeyExists')}" hidden novalidate>
<div class="gh-field">
<label for="field-passkey-name">${t('passkeyNameLabel')} <span class="gh-hint">(${t('optional')})</span></label>
<input type="text" id="field-passkey-name" name="name" maxlength="${MAX_PASSKEY_NAME}" autocomplete="off">
</div>
<button type="submit">${t('addPasskeyButton')}</button>
<p class="gh-passkey-error" aria-live="assertive" data-gh-passkey-error></p>
</form>
<p class="gh-muted" data-gh-passkey-fallback>${t('passkeysNeedBrowser')}</p>
</section>`;
}

function passkeyItem(ctx: PageContext, passkey: PasskeyItem): SafeHtml {
  const { t } = ctx;
  const used = passkey.lastUsedAt
    ? t('passkeyLastUsed', { when: passkey.lastUsedAt.slice(0, 10) })
    : t('passkeyNeverUsed');
  const nameId = `passkey-name-${passkey.id}`;
  return html`<li>
<div><strong>${passkey.name}</strong><br>
<span class="gh-muted">${t('passkeyAddedOn', { when: passkey.createdAt.slice(0, 10) })} · ${used}</span>
<details><summary>${t('renamePasskey')}</summary>
<form method="post" action="${ctx.ui}/account/passkeys/rename">
<input type="hidden" name="id" value="${passkey.id}">
<div class="gh-field"><label for="${nameId}">${t('newPasskeyName', { name: passkey.name })}</label>
<input type="text" id="${nameId}" name="name" value="${passkey.name}" maxlength="${MAX_PASSKEY_NAME}" required></div>
<button type="submit" class="gh-secondary">${t('saveNameButton')}</button>
</form>
</details></div>
<form method="post" action="${ctx.ui}/account/passkeys/remove"><input type="hidden" name="id" value="${passkey.id}"><button type="submit" class="gh-secondary" aria-label="${t('removePasskeyButton')}: ${passkey.name}">${t('removePasskeyButton')}</button></form>
</li>`;
}
