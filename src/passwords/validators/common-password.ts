/**
 * Refuses passwords found in a list of common passwords, the first guesses of
 * every online and offline attack (NIST SP 800-63B-4 blocklist; ASVS 6.2.4).
 *
 * The whole password is compared, case-insensitively and ignoring surrounding
 * spaces, never a substring: "password" is refused, a passphrase containing
 * "password" is not. A listed password with digits or symbols appended
 * ("password1234567", "Dragon2024!") counts as listed: appending them is the
 * first variation every cracking tool tries. The shipped list (about 50,000
 * entries; scripts/build-common-passwords.mjs names its sources and licences)
 * is read once, lazily, and kept in a Set.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { normalizePassword } from '../password-input.js';
import type { PasswordValidator } from './password-validator.js';

const gunzipAsync = promisify(gunzip);

// The list is published at src/passwords/common-passwords.txt.gz. This module runs from
// src/passwords/validators/ in development and from dist/src/passwords/validators/ once built.
const BUNDLED_LIST = [
  new URL('../common-passwords.txt.gz', import.meta.url),
  new URL('../../../../src/passwords/common-passwords.txt.gz', import.meta.url),
];

// Digits, punctuation, symbols and spaces, tested one character at a time: a `[…]+$` pattern would
// backtrack quadratically on a long run of them followed by a letter.
const DECORATION = /^[\p{N}\p{P}\p{S}\s]$/u;
// What remains must be a word, not one or two letters: "ab1234567" is left to the other rules.
const MIN_WORD_LENGTH = 4;

const lists = new Map<string, Promise<ReadonlySet<string>>>();

/**
 * @param listPath A gzip-compressed or plain text file, one password per line. Default: the shipped list.
 * @example
 * await commonPasswordValidator().validate('Password1'); // 'This password is too common. …'
 */
export function commonPasswordValidator(listPath?: string): PasswordValidator {
  return {
    name: 'common_password',
    async validate(password) {
      const list = await loadList(listPath ?? bundledListPath());
      return isListed(list, fold(password))
        ? 'This password is too common. Choose one that would be harder to guess.'
        : null;
    },
  };
}

function isListed(list: ReadonlySet<string>, folded: string): boolean {
  if (list.has(folded)) return true;
  const chars = [...folded];
  let end = chars.length;
  while (end > 0 && DECORATION.test(chars[end - 1] ?? '')) end--;
  return end < chars.length && end >= MIN_WORD_LENGTH && list.has(chars.slice(0, end).join(''));
}

function bundledListPath(): string {
  const found = BUNDLED_LIST.find((url) => existsSync(url));
  if (!found) throw new Error('The common password list is missing from the gatehouse package.');
  return fileURLToPath(found);
}

function loadList(path: string): Promise<ReadonlySet<string>> {
  let list = lists.get(path);
  if (!list) {
    list = readList(path);
    lists.set(path, list);
    // A failed read is not cached, so fixing the file does not need a restart.
    list.catch(() => lists.delete(path));
  }
  return list;
}

async function readList(path: string): Promise<ReadonlySet<string>> {
  const raw = await readFile(path);
  // gzip's magic number; anything else is read as plain text.
  const text =
    raw[0] === 0x1f && raw[1] === 0x8b ? (await gunzipAsync(raw)).toString('utf8') : raw.toString('utf8');
  const entries = new Set<string>();
  for (const line of text.split('\n')) {
    const entry = fold(line);
    if (entry !== '') entries.add(entry);
  }
  return entries;
}

function fold(text: string): string {
  return normalizePassword(text).trim().toLowerCase();
}
