/** What a passkey is called on the account page: a name the user chose, or one made up at registration. */
import { invalidRequest } from '../../errors.js';

export const MAX_PASSKEY_NAME = 60;

/**
 * Well-known passkey providers by AAGUID (from the community list
 * passkeydeveloper/passkey-authenticator-aaguids). Under `attestation: 'none'`
 * many authenticators send an all-zero AAGUID, which names nothing.
 */
const PROVIDERS: Readonly<Record<string, string>> = {
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'b5397666-4885-aa6b-cebf-e52262a439a2': 'Chromium Browser',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain (Managed)',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  '771b48fd-d3d4-4f74-9232-fc157ab0507a': 'Edge on Mac',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
  'b84e4048-15dc-4dd0-8640-f4f60813c8af': 'NordPass',
};

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** The provider's name for a known AAGUID, else `Passkey` and the day it was added (UTC). */
export function defaultPasskeyName(aaguid: string | null, createdAt: Date): string {
  const known = aaguid ? PROVIDERS[aaguid.toLowerCase()] : undefined;
  return known ?? `Passkey ${createdAt.toISOString().slice(0, 10)}`;
}

/**
 * A name the user typed, trimmed: 1 to 60 characters, no control
 * characters (a name is shown in pages and lists, on one line). Anything
 * else is `invalid_request` on `name`.
 */
export function parsePasskeyName(input: string): string {
  const name = input.trim();
  if (name === '') throw invalidRequest({ name: 'Enter a name for the passkey.' });
  if ([...name].length > MAX_PASSKEY_NAME) {
    throw invalidRequest({ name: `Enter at most ${MAX_PASSKEY_NAME} characters.` });
  }
  if (/\p{Cc}/u.test(name))
    throw invalidRequest({ name: 'Enter the name on one line, without control characters.' });
  return name;
}
