/**
 * A tenant's login policy on its page: the form that edits it, or the facts
 * for staff who may only read it. The form's values keep lists joined (the
 * methods and providers by commas, the domains as typed), so a refused form
 * shows again as it was posted.
 */
import type { FormState } from '../../ui/context.js';
import { html, type SafeHtml } from '../../ui/html.js';
import { errorSummary, field } from '../../ui/layout.js';
import { checkboxList, radioList, textArea } from '../components.js';
import { translate } from '../context.js';
import { DEFAULT_TENANT_ID, type TenantJson, type TenantPolicyJson } from '../views.js';

type Method = 'password' | 'magicLink' | 'emailCode' | 'passkey';

const METHODS: readonly (readonly [Method, string])[] = [
  ['password', 'Password'],
  ['magicLink', 'Link by email'],
  ['emailCode', 'Code by email'],
  ['passkey', 'Passkey'],
];

const LABELS = { allowedEmailDomains: 'Allowed email domains' };

export interface Provider {
  id: string;
  name: string;
}

/** The policy as the form's values. */
export function policyValues(policy: TenantPolicyJson): Record<string, string> {
  return {
    methods: METHODS.filter(([method]) => policy.methods[method])
      .map(([method]) => method)
      .join(','),
    social: policy.methods.social === null ? 'all' : 'some',
    providers: (policy.methods.social ?? []).join(','),
    mfaRequired: policy.mfaRequired ? 'on' : '',
    allowedEmailDomains: policy.allowedEmailDomains.join('\n'),
    signUp: policy.signUp ? 'on' : '',
  };
}

/**
 * The API's `policy` from the form's values. Social sign-in is left as it is
 * when no provider is configured (the form has no choice to make then).
 */
export function policyBody(values: Record<string, string>, providers: readonly Provider[]) {
  const methods = new Set(list(values.methods));
  return {
    methods: {
      ...Object.fromEntries(METHODS.map(([method]) => [method, methods.has(method)])),
      ...(providers.length > 0 ? { social: values.social === 'some' ? list(values.providers) : null } : {}),
    },
    mfaRequired: values.mfaRequired === 'on',
    allowedEmailDomains: list(values.allowedEmailDomains),
    signUp: values.signUp === 'on',
  };
}

/** Items separated by commas or white space (new lines). */
function list(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean);
}

export function policySection(
  tenant: TenantJson,
  options: { action: string; editable: boolean; providers: readonly Provider[]; form?: FormState },
): SafeHtml {
  const heading = html`<h2 id="policy-heading">Login policy</h2>`;
  if (!options.editable) {
    return html`<section class="gh-card" aria-labelledby="policy-heading">${heading}${policyFacts(tenant, options.providers)}</section>`;
  }
  const form = options.form ?? { values: policyValues(tenant.policy), errors: {}, formError: null };
  const { values, errors } = form;
  const methods = new Set(list(values.methods));
  const offered = new Set(list(values.providers));
  const { providers } = options;
  const signUpLabel =
    tenant.pool === 'isolated' || tenant.id === DEFAULT_TENANT_ID
      ? 'Open sign-up: anyone may create an account here'
      : 'Open sign-up: anyone with an account may join';
  return html`<section class="gh-card" aria-labelledby="policy-heading">${heading}
${errorSummary(translate, form.formError, errors, LABELS)}
<form method="post" action="${options.action}" novalidate>
${checkboxList({
  name: 'methods',
  legend: 'Ways to sign in',
  choices: METHODS.map(([value, label]) => ({ value, label, checked: methods.has(value) })),
})}
${
  providers.length === 0
    ? html`<p class="gh-muted">No social sign-in provider is configured.</p>`
    : html`${radioList({
        name: 'social',
        legend: 'Social sign-in',
        value: values.social === 'some' ? 'some' : 'all',
        choices: [
          ['all', 'Every configured provider, and any added later'],
          ['some', 'Only the providers checked below (none checked: no social sign-in)'],
        ],
      })}
${checkboxList({
  name: 'providers',
  legend: 'Providers',
  choices: providers.map((p) => ({ value: p.id, label: p.name, checked: offered.has(p.id) })),
})}`
}
${field({ name: 'mfaRequired', label: 'Require two-step verification of every member', type: 'checkbox', checked: values.mfaRequired === 'on', errors })}
${textArea({ name: 'allowedEmailDomains', label: 'Allowed email domains', hint: 'one per line or separated by commas; none: any address', value: values.allowedEmailDomains ?? '', errors })}
${field({ name: 'signUp', label: signUpLabel, type: 'checkbox', checked: values.signUp === 'on', errors })}
<button type="submit">Save login policy</button>
</form></section>`;
}

function policyFacts(tenant: TenantJson, providers: readonly Provider[]): SafeHtml {
  const { policy } = tenant;
  const { social } = policy.methods;
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const facts: [string, string][] = [
    [
      'Ways to sign in',
      METHODS.filter(([method]) => policy.methods[method])
        .map(([, label]) => label)
        .join(', ') || 'None',
    ],
    [
      'Social sign-in',
      social === null ? 'Every configured provider' : social.map(nameOf).join(', ') || 'None',
    ],
    [
      'Two-step verification',
      policy.mfaRequired ? 'Required of every member' : 'Not required by this tenant',
    ],
    ['Allowed email domains', policy.allowedEmailDomains.join(', ') || 'Any'],
    ['Sign-up', policy.signUp ? 'Open' : 'By invitation only'],
  ];
  return html`<dl class="gh-facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}
