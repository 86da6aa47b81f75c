/**
 * Usernames are optional handles, stored normalised (NFKC, trimmed,
 * lower-case) so that `Ann` and `ann` are one account. They never contain `@`,
 * so a sign-in identifier is unambiguously an email or a username.
 */

export const MAX_USERNAME_LENGTH = 150;

const USERNAME = /^[\p{L}\p{N}_.+-]+$/u;

export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export function parseUsername(raw: unknown): { username: string } | { problem: string } {
  if (typeof raw !== 'string') return { problem: 'A username is text.' };
  const username = normalizeUsername(raw);
  if (username.length === 0) return { problem: 'Enter a username.' };
  if ([...username].length > MAX_USERNAME_LENGTH) {
    return { problem: `A username has at most ${MAX_USERNAME_LENGTH} characters.` };
  }
  if (!USERNAME.test(username)) {
    return { problem: 'A username may contain only letters, digits and the characters _ . + -' };
  }
  return { username };
}
