import type { CustomFields } from '../accounts/custom-fields.js';
import type { Brand } from './layout.js';
import type { Translate } from './messages.js';

export interface SignInMethods {
  password: boolean;
  magicLink: boolean;
  emailCode: boolean;
  passkey: boolean;
}

/** What every page knows: its language, its text, the brand, and where the UI and the API live. */
export interface PageContext {
  lang: string;
  t: Translate;
  /** Puts one of the API's (English) field errors into the page's language. */
  translateField: (message: string) => string;
  brand: Brand;
  /** The UI's base path with the tenant's prefix, e.g. `/auth/ui` or `/auth/t/acme/ui`: links stay in the tenant. */
  ui: string;
  fields: CustomFields;
  /** Whether a visitor may create an account here: the server's setting and the tenant's policy. */
  signUpEnabled: boolean;
  /** The API's base path with the tenant's prefix, e.g. `/auth` or `/auth/t/acme`. */
  api: string;
  /** Where a sign-in lands without `next`. */
  defaultRedirect: string;
  /** The social sign-in providers the tenant offers, in configuration order. */
  providers: readonly { id: string; name: string }[];
  /** The other ways in the tenant offers (`passkey`: and the server has passkeys on). */
  methods: SignInMethods;
  /** The scripts a page offering passkeys loads (see `passkey-script.js`); null: passkeys are off. */
  passkeyScripts: readonly string[] | null;
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  formError: string | null;
}

export const emptyForm: FormState = { values: {}, errors: {}, formError: null };
