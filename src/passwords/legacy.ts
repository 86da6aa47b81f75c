/**
 * Lazy migration from another system: a user imported without a password
 * hash carries the marker `legacy$` instead of one. At their first successful
 * sign-in the old system confirms the password once; it is then stored as a
 * native hash in place of the marker, so the old system is never asked again
 * (see `Users` in accounts/).
 *
 * Invariants, and the threat each guards against:
 * - The marker is no hash: no hasher matches it, so a registry asked to verify
 *   it locally answers "no match" (after its dummy hash, as for any unknown
 *   format).
 * - The password travels only over HTTPS (plain http is allowed for a loopback
 *   address alone, and only when asked for, for tests), and redirects are
 *   refused: a redirect must not carry the password to another host.
 * - Every failure of the old system (time-out, network error, unexpected
 *   status or body, a verifier function that throws) is a refused sign-in and
 *   a log line, never an exception: an outage there must not become a 500 here
 *   nor a sign-in without a check (fail closed).
 * - The password is never logged, nor the secret.
 */
import type { Logger } from '../logger.js';

/** What `password_hash` holds for a user whose password only the old system can check. */
export const LEGACY_PASSWORD_MARKER = 'legacy$';

/** True for the marker of a password still to be checked by the old system. */
export function isLegacyPasswordMarker(encoded: string | null | undefined): encoded is string {
  return typeof encoded === 'string' && encoded.startsWith(LEGACY_PASSWORD_MARKER);
}

/** The old system behind an HTTPS endpoint: Gatehouse POSTs `{email, username, password}` as JSON. */
export interface LegacyPasswordWebhook {
  /** `https://…`; it must answer 200 `{"valid": true}` for a correct password. */
  url: string;
  /** Sent as `Authorization: Bearer <secret>` so the endpoint can tell Gatehouse from anyone else. */
  secret?: string;
  /** How long to wait for the answer (default 5000). A time-out refuses the sign-in and is logged. */
  timeoutMs?: number;
  /** Allow `http://` to a loopback address (127.0.0.0/8, ::1, localhost). For tests only. */
  allowInsecureLoopback?: boolean;
}

/** Your own check against the old system; resolve true only for the right password. */
export interface LegacyPasswordFunction<U> {
  verify: (input: { user: U; password: string }) => Promise<boolean>;
}

/** `passwords.legacy`: how to check the passwords of users imported without a hash. */
export type LegacyPasswordsConfig<U = { email: string; username: string | null }> =
  | LegacyPasswordFunction<U>
  | LegacyPasswordWebhook;

export type LegacyPasswordVerifier<U> = (input: { user: U; password: string }) => Promise<boolean>;

export const DEFAULT_LEGACY_TIMEOUT_MS = 5000;

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Why the webhook URL is not acceptable, or null. Shared by the config check and the verifier. */
export function legacyUrlProblem(url: string, allowInsecureLoopback = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an https:// URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials; use secret instead';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.test(parsed.hostname)) {
    return allowInsecureLoopback
      ? null
      : 'must be https:// (plain http to loopback needs allowInsecureLoopback)';
  }
  return 'must be an https:// URL: the password is sent to it';
}

/**
 * The function `Users` calls for a user still carrying the marker: true only
 * when the old system confirmed the password. Never throws.
 *
 * @example
 * const verify = legacyPasswordVerifier({ url: 'https://old.example.com/check-password' }, logger);
 * const valid = await verify({ user, password });
 */
export function legacyPasswordVerifier<U extends { email: string; username: string | null }>(
  config: LegacyPasswordsConfig<U>,
  logger: Logger,
): LegacyPasswordVerifier<U> {
  if ('verify' in config) {
    const verify = config.verify;
    return async (input) => {
      try {
        return (await verify(input)) === true;
      } catch (error) {
        logger.error(
          { err: error },
          'The legacy password verifier threw; the sign-in is refused. Check passwords.legacy.verify.',
        );
        return false;
      }
    };
  }
  const problem = legacyUrlProblem(config.url, config.allowInsecureLoopback);
  if (problem) throw new Error(`passwords.legacy.url ${problem}.`);
  return webhookVerifier(config, logger);
}

function webhookVerifier<U extends { email: string; username: string | null }>(
  config: LegacyPasswordWebhook,
  logger: Logger,
): LegacyPasswordVerifier<U> {
  const timeoutMs = config.timeoutMs ?? DEFAULT_LEGACY_TIMEOUT_MS;
  // Only the endpoint's origin and path reach the logs: a query string may hold a token.
  const parsed = new URL(config.url);
  const endpoint = `${parsed.origin}${parsed.pathname}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.secret) headers.authorization = `Bearer ${config.secret}`;

  return async ({ user, password }) => {
    const body = JSON.stringify({ email: user.email, username: user.username, password });
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(config.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => {});
        // 401/403 are how many endpoints say "wrong password"; anything else is the endpoint's problem.
        if (response.status !== 401 && response.status !== 403) {
          logger.error(
            { endpoint, status: response.status },
            'The legacy password verifier answered with an unexpected status; the sign-in is refused.',
          );
        }
        return false;
      }
      answer = await response.json();
    } catch (error) {
      const timedOut = (error as Error | undefined)?.name === 'TimeoutError';
      logger.error(
        { endpoint, ...(timedOut ? { timeoutMs } : { err: error }) },
        timedOut
          ? 'The legacy password verifier did not answer in time; the sign-in is refused.'
          : 'The legacy password verifier could not be asked; the sign-in is refused.',
      );
      return false;
    }
    return typeof answer === 'object' && answer !== null && (answer as { valid?: unknown }).valid === true;
  };
}
