/** The page shell every screen shares: language, title, brand, skip link, main landmark, footer. */
import { html, type SafeHtml } from './html.js';
import type { Translate } from './messages.js';

export interface Brand {
  productName: string;
  logoUrl: string | null;
  stylesheetUrl: string;
}

export function page(options: {
  lang: string;
  title: string;
  brand: Brand;
  t: Translate;
  body: SafeHtml;
  wide?: boolean;
  /** Shown above everything (the impersonation bar). */
  banner?: SafeHtml;
  /** Scripts to load, in order, after the document is parsed (the page's CSP must allow them). */
  scripts?: readonly string[] | null;
}): string {
  const { brand } = options;
  return html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${brand.productName}</title>
<link rel="stylesheet" href="${brand.stylesheetUrl}">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="gh-skip" href="#main">${options.t('skipToContent')}</a>
${options.banner ?? ''}
<header class="gh-brand">${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="">` : ''}<span>${brand.productName}</span></header>
<main id="main"${options.wide ? html` class="gh-wide"` : ''}>
${options.body}
</main>
<footer>${brand.productName}</footer>
</body>
</html>
`.value;
}

export interface FieldErrors {
  [field: string]: string;
}

/** A labelled input; its error, if any, is tied to it by `aria-describedby` and marks it `aria-invalid`. */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  errors: FieldErrors;
  autocomplete?: string;
  required?: boolean;
  optionalText?: string;
  choices?: readonly string[];
  checked?: boolean;
}): SafeHtml {
  const id = `field-${options.name}`;
  const error = options.errors[options.name];
  const errorId = `${id}-error`;
  const describedBy = error ? errorId : null;
  const hint = options.optionalText ? html` <span class="gh-hint">(${options.optionalText})</span>` : '';
  const common = html`id="${id}" name="${options.name}"${describedBy ? html` aria-describedby="${describedBy}" aria-invalid="true"` : ''}${options.required ? html` required` : ''}`;
  let control: SafeHtml;
  if (options.choices) {
    control = html`<select ${common}><option value=""></option>${options.choices.map(
      (choice) =>
        html`<option value="${choice}"${choice === options.value ? html` selected` : ''}>${choice}</option>`,
    )}</select>`;
  } else if (options.type === 'checkbox') {
    control = html`<input type="checkbox" value="on" ${common}${options.checked ? html` checked` : ''}>`;
  } else {
    control = html`<input type="${options.type ?? 'text'}" value="${options.value ?? ''}" ${common}${
      options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''
    }>`;
  }
  return html`<div class="gh-field">
<label for="${id}">${options.label}${hint}</label>
${control}
${error ? html`<p class="gh-error" id="${errorId}">${error}</p>` : ''}
</div>`;
}

/** The list of problems at the top of a form, focusable and announced, each linking to its field. */
export function errorSummary(
  t: Translate,
  formError: string | null,
  errors: FieldErrors,
  labels: Record<string, string>,
): SafeHtml {
  const entries = Object.entries(errors);
  if (!formError && entries.length === 0) return html``;
  // A field the form does not show (rare: a hook's own check) is still listed, without a link.
  return html`<div class="gh-alert" role="alert" tabindex="-1" id="error-summary">
<h2>${t('errorSummary')}</h2>
<ul>${formError ? html`<li>${formError}</li>` : ''}${entries.map(([name, message]) =>
    name in labels
      ? html`<li><a href="#field-${name}">${labels[name]}: ${message}</a></li>`
      : html`<li>${message}</li>`,
  )}</ul>
</div>`;
}

export function notice(text: string | null): SafeHtml {
  return text ? html`<p class="gh-notice" role="status">${text}</p>` : html``;
}
