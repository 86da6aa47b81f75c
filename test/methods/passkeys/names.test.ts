import { describe, expect, it } from 'vitest';
import { isAuthError } from '../../../src/errors.js';
import { defaultPasskeyName, parsePasskeyName } from '../../../src/methods/passkeys/names.js';

function refusal(input: string): string | undefined {
  try {
    parsePasskeyName(input);
  } catch (error) {
    if (isAuthError(error, 'invalid_request')) return error.fields?.name;
    throw error;
  }
  return undefined;
}

describe('passkey names', () => {
  it('accepts 1 to 60 characters, trimmed, counting code points', () => {
    expect(parsePasskeyName('  Work laptop ')).toBe('Work laptop');
    expect(parsePasskeyName('x')).toBe('x');
    expect(parsePasskeyName('a'.repeat(60))).toBe('a'.repeat(60));
    expect(parsePasskeyName('🔑'.repeat(60))).toBe('🔑'.repeat(60));
    expect(parsePasskeyName('Clé « maison »')).toBe('Clé « maison »');
  });

  it('rejects empty, blank, too long and multi-line names with a reason on `name`', () => {
    expect(refusal('')).toBe('Enter a name for the passkey.');
    expect(refusal(' \t ')).toBe('Enter a name for the passkey.');
    expect(refusal('a'.repeat(61))).toBe('Enter at most 60 characters.');
    expect(refusal(' '.repeat(10) + 'a'.repeat(61))).toBe('Enter at most 60 characters.');
    expect(refusal('line one\nline two')).toBe('Enter the name on one line, without control characters.');
    expect(refusal('nul\u0000byte')).toBe('Enter the name on one line, without control characters.');
    expect(refusal('escape\u001b[31m')).toBe('Enter the name on one line, without control characters.');
  });

  it('names a new passkey after its provider when the AAGUID is known, else "Passkey" and the day', () => {
    const day = new Date('2026-11-26T23:59:00Z');
    expect(defaultPasskeyName('fbfc3007-154e-4ecc-8c0b-6e020557d7bd', day)).toBe('iCloud Keychain');
    expect(defaultPasskeyName('EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4', day)).toBe('Google Password Manager');
    expect(defaultPasskeyName('01020304-0506-0708-0102-030405060708', day)).toBe('Passkey 2026-11-26');
    expect(defaultPasskeyName(null, day)).toBe('Passkey 2026-11-26');
  });
});
