/**
 * Email addresses: one canonical form per mailbox, and only addresses that
 * name exactly one mailbox.
 *
 * Normalisation happens before validation (NFKC first, so a full-width `＠`
 * becomes `@` and is then judged like any other `@`), and the stored,
 * normalised address is the only one mail is ever sent to. Anything that could
 * make a mail transport address a second recipient — commas, quotes, angle
 * brackets, whitespace, control characters — is refused rather than cleaned.
 */

export const MAX_EMAIL_LENGTH = 254;

/** Trim, NFKC, lower-case. Pure: it neither validates nor throws. */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

// Local part: letters and digits of any script plus RFC 5322 atext specials, dot-separated atoms.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
// Domain: one or more labels of letters, digits and inner hyphens.
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Returns why the (already normalised) address is refused, or null when it is acceptable. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'Enter an email address.';
  if (email.length > MAX_EMAIL_LENGTH) return `An email address has at most ${MAX_EMAIL_LENGTH} characters.`;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at !== email.indexOf('@'))
    return 'Enter a single email address of the form name@example.com.';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local))
    return 'The part before @ contains characters that are not allowed.';
  if (!domain.split('.').every((label) => DOMAIN_LABEL.test(label)))
    return 'The domain after @ is not valid.';
  return null;
}

/** Normalises and validates; the result is either the canonical address or the reason it is refused. */
export function parseEmail(raw: unknown): { email: string } | { problem: string } {
  if (typeof raw !== 'string') return { problem: 'Enter an email address.' };
  const email = normalizeEmail(raw);
  const problem = emailProblem(email);
  return problem === null ? { email } : { problem };
}
