import type { CustomFields } from '../accounts/custom-fields.js';
import type { Brand } from './layout.js';
import type { Translate } from './messages.js';

/** What every page knows: its language, its text, the brand, and where the UI and the API live. */
export interface PageContext {
  lang: string;
  t: Translate;
  /** Puts one of the API's (English) field errors into the page's language. */
  translateField: (message: string) => string;
  brand: Brand;
  /** The UI's base path, e.g. `/auth/ui`. */
  ui: string;
  fields: CustomFields;
  signUpEnabled: boolean;
  /** The API's base path, e.g. `/auth`. */
  api: string;
  /** Where a sign-in lands without `next`. */
  defaultRedirect: string;
  /** The social sign-in providers, in configuration order. */
  providers: readonly { id: string; name: string }[];
  /** The scripts a page offering passkeys loads (see `passkey-script.js`); null: passkeys are off. */
  passkeyScripts: readonly string[] | null;
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  formError: string | null;
}

export const emptyForm: FormState = { values: {}, errors: {}, formError: null };
