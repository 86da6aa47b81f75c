/** What every dashboard page knows: the shell's context plus the app's custom user fields. */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { PageContext } from '../ui/context.js';
import type { SafeHtml } from '../ui/html.js';
import { en, translator } from '../ui/messages.js';
import { customFieldInputs } from '../ui/pages/custom-fields.js';
import type { ShellContext } from './shell.js';

export interface DashboardContext extends ShellContext {
  fields: CustomFields;
}

/** The dashboard speaks English; the shared form helpers take their few words from the UI's table. */
export const translate = translator(en);

/** Inputs for the app's custom user fields, as on the account page. */
export function customFields(
  ctx: DashboardContext,
  values: Record<string, string>,
  errors: Record<string, string>,
): SafeHtml[] {
  const page: PageContext = {
    lang: 'en',
    t: translate,
    translateField: (message) => message,
    brand: ctx.brand,
    ui: ctx.ui,
    fields: ctx.fields,
    signUpEnabled: false,
    api: '',
    defaultRedirect: ctx.ui,
    providers: [],
    methods: { password: false, magicLink: false, emailCode: false, passkey: false },
    passkeyScripts: null,
  };
  return customFieldInputs(page, values, errors);
}
