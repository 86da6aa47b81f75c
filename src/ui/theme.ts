/**
 * The look of the UI: one stylesheet built at start-up from CSS variables,
 * which the configured colours override. Defaults keep body text above 7:1
 * and controls above 4.5:1 contrast on the background (WCAG AA and better).
 */

import type { UiColors } from '../config.js';

const DEFAULT_COLORS: Required<UiColors> = {
  primary: '#1d4ed8',
  onPrimary: '#ffffff',
  background: '#f3f4f6',
  surface: '#ffffff',
  text: '#111827',
  muted: '#4b5563',
  danger: '#b91c1c',
  success: '#166534',
  border: '#9ca3af',
};

export function stylesheet(colors: UiColors = {}): string {
  const merged = { ...DEFAULT_COLORS, ...colors };
  const variables = Object.entries(merged)
    .map(([name, value]) => `  --gh-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${value};`)
    .join('\n');
  return `:root {\n${variables}\n  --gh-radius: 8px;\n  --gh-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;\n}\n${RULES}`;
}

const RULES = `
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { font-family: var(--gh-font); color: var(--gh-text); background: var(--gh-background); line-height: 1.5; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; }
.gh-skip { position: absolute; left: -999px; }
.gh-skip:focus { left: 1rem; top: 1rem; background: var(--gh-surface); padding: .5rem 1rem; }
header.gh-brand { margin: 2rem 0 1rem; display: flex; align-items: center; gap: .75rem; font-size: 1.25rem; font-weight: 600; }
header.gh-brand img { height: 40px; width: auto; }
main { width: 100%; max-width: 28rem; padding: 0 1rem 3rem; }
main.gh-wide { max-width: 44rem; }
.gh-card { background: var(--gh-surface); border: 1px solid var(--gh-border); border-radius: var(--gh-radius); padding: 1.5rem; margin-bottom: 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 0 0 1rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
p { margin: 0 0 1rem; }
.gh-muted { color: var(--gh-muted); }
.gh-field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
.gh-hint { font-weight: 400; color: var(--gh-muted); }
input[type=text], input[type=email], input[type=password], input[type=number], input[type=datetime-local], select {
  width: 100%; padding: .6rem .7rem; font: inherit; color: var(--gh-text); background: var(--gh-surface);
  border: 1px solid var(--gh-border); border-radius: calc(var(--gh-radius) / 2);
}
input[aria-invalid=true] { border: 2px solid var(--gh-danger); }
.gh-error, .gh-passkey-error { color: var(--gh-danger); margin: .25rem 0 0; font-weight: 600; }
.gh-passkey-error:empty { margin: 0; }
button, .gh-button {
  display: inline-block; font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: calc(var(--gh-radius) / 2);
  border: 2px solid var(--gh-primary); background: var(--gh-primary); color: var(--gh-on-primary); cursor: pointer; text-decoration: none;
}
button.gh-secondary, .gh-button.gh-secondary { background: var(--gh-surface); color: var(--gh-primary); }
.gh-providers { display: flex; flex-direction: column; gap: .5rem; margin-top: 1rem; }
.gh-providers .gh-button { text-align: center; }
.gh-passkey { margin: 1rem 0; }
.gh-passkey button { width: 100%; }
.gh-divider { text-align: center; color: var(--gh-muted); margin: 0; }
a { color: var(--gh-primary); }
:focus-visible { outline: 3px solid var(--gh-primary); outline-offset: 2px; }
.gh-alert { border-radius: calc(var(--gh-radius) / 2); padding: .75rem 1rem; margin-bottom: 1rem; border: 2px solid var(--gh-danger); }
.gh-alert h2 { font-size: 1rem; margin: 0 0 .25rem; color: var(--gh-danger); }
.gh-alert ul { margin: 0; padding-left: 1.25rem; }
.gh-notice { border: 2px solid var(--gh-success); color: var(--gh-success); border-radius: calc(var(--gh-radius) / 2); padding: .75rem 1rem; margin-bottom: 1rem; font-weight: 600; }
.gh-sessions { list-style: none; margin: 0 0 1rem; padding: 0; }
.gh-sessions li { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .75rem 0; border-bottom: 1px solid var(--gh-border); }
.gh-sessions form { margin: 0; }
.gh-sessions details { margin-top: .25rem; }
.gh-sessions summary { cursor: pointer; color: var(--gh-primary); font-weight: 600; }
.gh-sessions details form { margin-top: .5rem; }
.gh-tenant { display: flex; align-items: center; gap: .75rem; }
.gh-tenant img { height: 32px; width: auto; }
.gh-row { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; }
footer { margin: auto 0 1.5rem; color: var(--gh-muted); font-size: .9rem; }
.gh-field:has(> input[type=checkbox]) { display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: center; gap: .5rem; }
.gh-field:has(> input[type=checkbox]) label { margin: 0; }
.gh-banner { width: 100%; background: var(--gh-text); color: var(--gh-surface); padding: .6rem 1rem; display: flex; gap: 1rem; justify-content: center; align-items: center; flex-wrap: wrap; }
.gh-banner button { background: var(--gh-surface); color: var(--gh-text); border-color: var(--gh-surface); }
main.gh-admin { max-width: 72rem; }
main.gh-admin h1, main.gh-admin p, .gh-facts dd, .gh-banner strong { overflow-wrap: anywhere; min-width: 0; }
.gh-nav { width: 100%; max-width: 72rem; padding: 0 1rem 1rem; display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
.gh-nav ul { list-style: none; display: flex; gap: .25rem 1rem; flex-wrap: wrap; margin: 0; padding: 0; }
.gh-nav a[aria-current=page] { font-weight: 700; text-decoration-thickness: 3px; }
.gh-nav form, form.gh-inline { display: inline; margin: 0; }
.gh-heading { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
.gh-badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: .1rem .5rem; border-radius: 999px; border: 1px solid var(--gh-border); color: var(--gh-text); }
.gh-badge-warn { border-color: var(--gh-danger); color: var(--gh-danger); }
.gh-table { overflow-x: auto; margin-bottom: 1rem; background: var(--gh-surface); border: 1px solid var(--gh-border); border-radius: var(--gh-radius); }
.gh-table table { width: 100%; border-collapse: collapse; }
.gh-table caption { text-align: left; font-weight: 600; padding: .5rem .75rem; }
.gh-table th, .gh-table td { text-align: left; padding: .5rem .75rem; border-top: 1px solid var(--gh-border); vertical-align: top; }
.gh-filters { display: flex; gap: .75rem; flex-wrap: wrap; align-items: flex-end; margin-bottom: 1rem; }
.gh-filters .gh-field { margin-bottom: 0; min-width: 10rem; }
fieldset.gh-checks { border: 1px solid var(--gh-border); border-radius: calc(var(--gh-radius) / 2); margin: 0 0 1rem; padding: .5rem 1rem; max-height: 24rem; overflow-y: auto; }
.gh-check { display: flex; gap: .5rem; align-items: baseline; padding: .2rem 0; }
.gh-check label { font-weight: 400; margin: 0; }
.gh-facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
.gh-facts dt { font-weight: 600; }
.gh-facts dd { margin: 0; }
.gh-plain { margin: 0 0 1rem; padding-left: 1.25rem; }
button.gh-danger, .gh-button.gh-danger { background: var(--gh-danger); border-color: var(--gh-danger); color: var(--gh-on-primary); }
.gh-danger-zone { border-color: var(--gh-danger); }
code { font-size: .95em; }
`;
