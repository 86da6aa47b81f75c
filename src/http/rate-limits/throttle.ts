/**
 * Brute-force defence for sign-in and sign-up, and a brake on mail sending.
 *
 * Four counters, each a fixed window in a `RateLimitStore`:
 * - every sign-in attempt from one address (IPv6 by its /64);
 * - attempts on one account from one address, reset by a success — the
 *   strict one: it stops password guessing, and only the guesser waits;
 * - attempts on one account from anywhere, against guessing spread over many
 *   addresses. It does not apply to addresses that have signed into that
 *   account before, so an attacker who trips it cannot lock the owner out:
 *   the owner's usual address still gets in;
 * - sign-ups from one address.
 * Accounts are keyed by the identifier as typed (normalised), whether or not
 * it exists, so a limit never tells an account apart from a non-account.
 */
import { createHash } from 'node:crypto';
import { AuthError } from '../../errors.js';
import { rateLimitKey } from '../client-ip.js';
import type { RateLimitStore } from './rate-limit-store.js';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  signIn: {
    perIp: Limit | false;
    perAccountAndIp: Limit | false;
    perAccount: Limit | false;
  };
  signUp: { perIp: Limit | false };
  /** Requests that send mail (reset, verification): refused per address, silently dropped per email. */
  mail: { perIp: Limit | false; perEmail: Limit | false };
}

export const defaultRateLimits: RateLimitSettings = {
  signIn: {
    perIp: { max: 60, windowSeconds: 5 * 60 },
    perAccountAndIp: { max: 10, windowSeconds: 15 * 60 },
    perAccount: { max: 100, windowSeconds: 60 * 60 },
  },
  signUp: { perIp: { max: 20, windowSeconds: 60 * 60 } },
  mail: { perIp: { max: 20, windowSeconds: 60 * 60 }, perEmail: { max: 5, windowSeconds: 60 * 60 } },
};

/** How long a successful sign-in makes an address "known" to an account. */
const KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600;

export class Throttle {
  readonly #store: RateLimitStore;
  readonly #limits: RateLimitSettings;
  readonly #now: () => Date;

  constructor(options: { store: RateLimitStore; limits: RateLimitSettings; now: () => Date }) {
    this.#store = options.store;
    this.#limits = options.limits;
    this.#now = options.now;
  }

  /**
   * Counts a sign-in attempt before the password is checked; throws
   * `rate_limited` when any limit is exceeded. Returns the handle that records
   * the outcome.
   */
  async beginSignIn(ip: string | null, identifier: string): Promise<{ succeeded(): Promise<void> }> {
    const { perIp, perAccountAndIp, perAccount } = this.#limits.signIn;
    const address = addressKey(ip);
    const account = accountKey(identifier);
    const now = this.#now();
    await this.#count(`signin:ip:${address}`, perIp, now);
    const pairKey = `signin:pair:${account}:${address}`;
    const knownKey = `signin:known:${account}:${address}`;
    await this.#count(pairKey, perAccountAndIp, now);
    if (perAccount && !(await this.#store.peek(knownKey, now))) {
      await this.#count(`signin:account:${account}`, perAccount, now);
    }
    return {
      succeeded: async () => {
        await this.#store.reset(pairKey);
        await this.#store.hit(knownKey, KNOWN_ADDRESS_SECONDS, this.#now());
      },
    };
  }

  /** Counts a failed re-entry of the current password (password change) like a failed sign-in. */
  async countPasswordCheck(ip: string | null, userId: string): Promise<void> {
    const limit = this.#limits.signIn.perAccountAndIp;
    await this.#count(`password:pair:${userId}:${addressKey(ip)}`, limit, this.#now());
  }

  /**
   * Counts a try at a second factor (sign-in challenge or re-authentication)
   * for the account, with the per-account-and-address limit, whatever the
   * challenge: a new challenge does not buy more guesses. Returns the handle
   * that clears the count on success.
   */
  async beginSecondFactor(ip: string | null, userId: string): Promise<{ succeeded(): Promise<void> }> {
    const now = this.#now();
    await this.#count(`mfa:ip:${addressKey(ip)}`, this.#limits.signIn.perIp, now);
    const key = `mfa:account:${userId}`;
    await this.#count(key, this.#limits.signIn.perAccountAndIp, now);
    return { succeeded: () => this.#store.reset(key) };
  }

  /** Counts a social sign-in started from an address, against the per-address sign-in limit. */
  async countSocialStart(ip: string | null): Promise<void> {
    await this.#count(`oauth:ip:${addressKey(ip)}`, this.#limits.signIn.perIp, this.#now());
  }

  /** Counts a passkey sign-in started from an address (each stores a challenge), against the per-address sign-in limit. */
  async countPasskeyStart(ip: string | null): Promise<void> {
    await this.#count(`passkey:ip:${addressKey(ip)}`, this.#limits.signIn.perIp, this.#now());
  }

  async beginSignUp(ip: string | null): Promise<void> {
    await this.#count(`signup:ip:${addressKey(ip)}`, this.#limits.signUp.perIp, this.#now());
  }

  /**
   * Counts a request that would send mail to `email`. Too many from one
   * address is `rate_limited`; too many for one email returns false: the
   * caller answers as usual and sends nothing, so the limit reveals nothing
   * about the account and cannot be used to find out whether it exists.
   */
  async countMailRequest(ip: string | null, email: string): Promise<boolean> {
    const { perIp, perEmail } = this.#limits.mail;
    const now = this.#now();
    await this.#count(`mail:ip:${addressKey(ip)}`, perIp, now);
    if (!perEmail) return true;
    const { count } = await this.#store.hit(`mail:email:${accountKey(email)}`, perEmail.windowSeconds, now);
    return count <= perEmail.max;
  }

  async #count(key: string, limit: Limit | false, now: Date): Promise<void> {
    if (!limit) return;
    const { count, resetAt } = await this.#store.hit(key, limit.windowSeconds, now);
    if (count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
      throw new AuthError('rate_limited', 'Too many attempts. Try again later.', {
        retryAfterSeconds: retryAfter,
      });
    }
  }
}

function addressKey(ip: string | null): string {
  return ip ? rateLimitKey(ip) : 'unknown';
}

/** Identifiers are hashed so that typed emails do not sit in the counters table. */
function accountKey(identifier: string): string {
  const normalized = identifier.normalize('NFKC').trim().toLowerCase();
  return createHash('sha256').update(normalized).digest('base64url').slice(0, 22);
}
