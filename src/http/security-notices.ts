/**
 * Mail to an account's owner when a way into the account changes (OWASP ASVS
 * V6.3.7): a second factor added or removed, new recovery codes, a passkey.
 * Sent after the answer, through the mail queue, with the `security_notice`
 * template (`mail.templates` can replace it).
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { Exchange } from './exchange.js';
import { later } from './recovery-routes.js';

const CHANGES = {
  totp_enabled: 'An authenticator app was set up for two-step verification.',
  totp_disabled: 'The authenticator app was turned off: signing in no longer asks for its codes.',
  recovery_codes: 'New recovery codes were made; the earlier ones no longer work.',
  passkey_added: 'A passkey was added.',
  passkey_removed: 'A passkey was removed.',
  mfa_reset:
    'An administrator reset two-step verification: the authenticator app, passkeys and recovery codes were removed.',
} as const;

export type SecurityChange = keyof typeof CHANGES;

export function noticeLater<F extends CustomFields>(
  x: Exchange<F>,
  to: { email: string },
  change: SecurityChange,
): void {
  later(x, async () => {
    await x.core.mail.enqueue({
      to: to.email,
      template: 'security_notice',
      data: { change: CHANGES[change] },
    });
  });
}
