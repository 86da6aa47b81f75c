/**
 * Refuses passwords that appear in Have I Been Pwned's corpus of breached
 * passwords, using its k-anonymity range API: only the first 5 hex characters
 * of the password's SHA-1 leave the server, and the response lists every known
 * suffix under that prefix, so the service never learns which password was
 * checked. `Add-Padding: true` makes every response about the same size, so
 * an observer of the encrypted traffic cannot guess the prefix from its length.
 *
 * Fails open: when the service is unreachable, slow (past `timeoutMs`) or
 * answers with an error, the password is not refused on this ground (the other
 * validators still apply) and `onError` is told. Availability of sign-up must
 * not depend on a third party; operators who prefer to fail closed can wrap
 * this validator.
 */
import { createHash } from 'node:crypto';
import { normalizePassword } from '../password-input.js';
import type { PasswordValidator } from './password-validator.js';

export interface BreachedPasswordOptions {
  /** Range API base; the 5-character prefix is appended. Default `https://api.pwnedpasswords.com/range/`. */
  endpoint?: string;
  /** Give up (and accept the password) after this long. Default 2000. */
  timeoutMs?: number;
  /** Refuse passwords seen at least this many times. Default 1. */
  minCount?: number;
  /** Replaces the global `fetch`, for proxies and tests. */
  fetch?: typeof fetch;
  /** Told why a check could not be made; the password was not refused on this ground. */
  onError?: (error: unknown) => void;
}

/**
 * Off by default: it sends a SHA-1 prefix of each new password to an outside service.
 *
 * @example
 * const validator = breachedPasswordValidator({ timeoutMs: 1500, onError: (e) => logger.warn(e) });
 * await validator.validate('P@ssw0rd'); // 'This password has appeared in a data breach. …'
 */
export function breachedPasswordValidator(options: BreachedPasswordOptions = {}): PasswordValidator {
  const endpoint = options.endpoint ?? 'https://api.pwnedpasswords.com/range/';
  const timeoutMs = options.timeoutMs ?? 2000;
  const minCount = options.minCount ?? 1;
  const fetchRange = options.fetch ?? fetch;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}.`);
  }
  if (!Number.isInteger(minCount) || minCount < 1) {
    throw new RangeError(`minCount must be a positive integer, got ${minCount}.`);
  }

  return {
    name: 'breached_password',
    async validate(password) {
      // The NFKC form is the password Gatehouse stores, so it is the one worth checking.
      const digest = createHash('sha1')
        .update(normalizePassword(password), 'utf8')
        .digest('hex')
        .toUpperCase();
      const prefix = digest.slice(0, 5);
      let body: string;
      try {
        const response = await fetchRange(endpoint + prefix, {
          headers: { 'Add-Padding': 'true' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`The breached password service answered HTTP ${response.status}.`);
        body = await response.text();
      } catch (error) {
        options.onError?.(error);
        return null;
      }
      return timesSeen(body, digest.slice(5)) >= minCount
        ? 'This password has appeared in a data breach. Choose a different one.'
        : null;
    },
  };
}

/** The count on the `SUFFIX:COUNT` line for `suffix`; padding lines carry a count of 0. */
function timesSeen(body: string, suffix: string): number {
  for (const line of body.split('\n')) {
    const separator = line.indexOf(':');
    if (separator !== 35 || line.slice(0, separator).toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(separator + 1), 10);
    return Number.isNaN(count) ? 0 : count;
  }
  return 0;
}
