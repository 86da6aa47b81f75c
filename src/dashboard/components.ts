/** Small building blocks of the dashboard's pages: tables, buttons that post, checkbox lists, form controls. */
import { html, type SafeHtml } from '../ui/html.js';
import type { FieldErrors } from '../ui/layout.js';

export function badge(text: string, tone: 'neutral' | 'warn' = 'neutral'): SafeHtml {
  return html`<span class="gh-badge${tone === 'warn' ? ' gh-badge-warn' : ''}">${text}</span>`;
}

/**
 * A table in a scrolling box (narrow screens scroll it sideways, not the
 * page). Null cells are left out: a column of actions the staff member may
 * not take has no header and no cells.
 */
export function dataTable(
  caption: string,
  headers: readonly string[],
  rows: readonly (SafeHtml | null)[][],
): SafeHtml {
  return html`<div class="gh-table" role="region" aria-label="${caption}" tabindex="0">
<table>
<caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map(
    (cells) => html`<tr>${cells.filter((cell) => cell !== null).map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody>
</table>
</div>`;
}

/** A one-button form posting `fields` to `action`. */
export function postButton(
  action: string,
  label: string,
  options: {
    fields?: Record<string, string>;
    secondary?: boolean;
    danger?: boolean;
    ariaLabel?: string;
  } = {},
): SafeHtml {
  const classes = [options.secondary ? 'gh-secondary' : '', options.danger ? 'gh-danger' : '']
    .filter(Boolean)
    .join(' ');
  return html`<form method="post" action="${action}" class="gh-inline">${Object.entries(
    options.fields ?? {},
  ).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit"${classes ? html` class="${classes}"` : ''}${
    options.ariaLabel ? html` aria-label="${options.ariaLabel}"` : ''
  }>${label}</button></form>`;
}

export interface Choice {
  value: string;
  label: string;
  hint?: string;
  checked: boolean;
}

/** Checkboxes named `name`, one per choice, in a fieldset with a legend; read-only as a plain list. */
export function checkboxList(options: {
  name: string;
  legend: string;
  choices: readonly Choice[];
  readOnly?: boolean;
}): SafeHtml {
  if (options.readOnly) {
    const held = options.choices.filter((c) => c.checked);
    return html`<h3>${options.legend}</h3>${
      held.length === 0
        ? html`<p class="gh-muted">None.</p>`
        : html`<ul class="gh-plain">${held.map((c) => html`<li>${c.label}</li>`)}</ul>`
    }`;
  }
  return html`<fieldset class="gh-checks"><legend>${options.legend}</legend>${
    options.choices.length === 0 ? html`<p class="gh-muted">None to choose from.</p>` : ''
  }${options.choices.map((choice, i) => {
    const id = `${options.name}-${i}`;
    return html`<div class="gh-check"><input type="checkbox" id="${id}" name="${options.name}" value="${choice.value}"${
      choice.checked ? html` checked` : ''
    }><label for="${id}">${choice.label}${choice.hint ? html` <span class="gh-hint">${choice.hint}</span>` : ''}</label></div>`;
  })}</fieldset>`;
}

/** A labelled select for a filter form. */
export function select(
  name: string,
  label: string,
  value: string | undefined,
  options: readonly (readonly [value: string, text: string])[],
): SafeHtml {
  return html`<div class="gh-field"><label for="filter-${name}">${label}</label><select id="filter-${name}" name="${name}">${options.map(
    ([v, text]) => html`<option value="${v}"${(value ?? '') === v ? html` selected` : ''}>${text}</option>`,
  )}</select></div>`;
}

/** A "yes / no / either" select for a filter form. */
export function yesNoFilter(name: string, label: string, value: string | undefined): SafeHtml {
  return select(name, label, value, [
    ['', 'Either'],
    ['true', 'Yes'],
    ['false', 'No'],
  ]);
}

/** The API's error for a form control, and the attributes that tie it to the control (as `field` does). */
function controlError(name: string, errors: FieldErrors) {
  const error = errors[name];
  const id = `field-${name}-error`;
  return {
    attributes: error ? html` aria-describedby="${id}" aria-invalid="true"` : html``,
    message: error ? html`<p class="gh-error" id="${id}">${error}</p>` : html``,
  };
}

/** A labelled select in a form (id `field-{name}`, so the error summary links to it). */
export function selectField(options: {
  name: string;
  label: string;
  value: string;
  choices: readonly (readonly [value: string, text: string])[];
  errors: FieldErrors;
}): SafeHtml {
  const { attributes, message } = controlError(options.name, options.errors);
  return html`<div class="gh-field"><label for="field-${options.name}">${options.label}</label><select id="field-${options.name}" name="${options.name}"${attributes}>${options.choices.map(
    ([v, text]) => html`<option value="${v}"${options.value === v ? html` selected` : ''}>${text}</option>`,
  )}</select>${message}</div>`;
}

/** A labelled multi-line text box in a form. */
export function textArea(options: {
  name: string;
  label: string;
  hint?: string;
  value: string;
  errors: FieldErrors;
}): SafeHtml {
  const { attributes, message } = controlError(options.name, options.errors);
  return html`<div class="gh-field"><label for="field-${options.name}">${options.label}${
    options.hint ? html` <span class="gh-hint">(${options.hint})</span>` : ''
  }</label><textarea id="field-${options.name}" name="${options.name}" rows="4" cols="40"${attributes}>${options.value}</textarea>${message}</div>`;
}

/** Radio buttons named `name` in a fieldset with a legend. */
export function radioList(options: {
  name: string;
  legend: string;
  value: string;
  choices: readonly (readonly [value: string, text: string])[];
}): SafeHtml {
  return html`<fieldset class="gh-checks"><legend>${options.legend}</legend>${options.choices.map(
    ([v, text]) =>
      html`<div class="gh-check"><input type="radio" id="${options.name}-${v}" name="${options.name}" value="${v}"${
        options.value === v ? html` checked` : ''
      }><label for="${options.name}-${v}">${text}</label></div>`,
  )}</fieldset>`;
}
