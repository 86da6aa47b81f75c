/** What configures mail (`config.mail`), its defaults, and the checks `validateConfig` runs. */
import type { MailTemplate, MailTemplateName } from './templates.js';
import type { MailTransport } from './transport.js';

export interface MailConfig {
  /**
   * The SMTP server: `smtp://user:password@smtp.example.com:587` (STARTTLS) or
   * `smtps://…:465`. Default `$SMTP_URL`. With neither (nor `transport`), mail
   * is not sent: each message is stored in `mail_outbox` as sent by `log` and
   * its link or code is logged — for development only.
   */
  smtpUrl?: string;
  /** Your own transport (a provider's HTTP API, say) instead of SMTP. */
  transport?: MailTransport;
  /**
   * The sender: `"Example" <no-reply@example.com>` or a bare address. Default
   * `"<ui.productName>" <no-reply@host>`, the host being the `publicUrl`'s
   * (or `localhost` without one): set it for real delivery.
   */
  from?: string;
  /** Replaces built-in messages: `{ password_reset: ({ link, productName, expiresIn }) => ({ subject, text, html }) }`. */
  templates?: { [K in MailTemplateName]?: MailTemplate<K> };
  /** Days a sent (or given-up) message stays in the outbox before the worker deletes it. Default 14. */
  retentionDays?: number;
  /** Milliseconds the SMTP server has to connect, greet, and answer each command. Default 30000. */
  timeoutMs?: number;
  /**
   * Start the delivery worker in any process that queues a message (its timer
   * does not keep the process alive). Default true; set false in processes
   * that should only queue, and run `auth.mail.start()` elsewhere.
   */
  autoStart?: boolean;
}

export const DEFAULT_MAIL_RETENTION_DAYS = 14;

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

/** A single mailbox: `a@b.example`. No display name, no list, nothing a header could be split on. */
export function isMailbox(value: string): boolean {
  return value.length <= 320 && ADDRESS.test(value);
}

/** Why a `from` value is refused, or null: a bare address, or `Name <address>` on one line. */
export function fromProblem(value: string): string | null {
  if (/[\r\n]/.test(value)) return 'must be on one line';
  const named = /^(.*)<([^<>]+)>$/.exec(value.trim());
  const address = named ? (named[2] ?? '') : value.trim();
  if (!isMailbox(address))
    return 'must be an address such as no-reply@example.com or "Example" <no-reply@example.com>';
  return null;
}

/** `"Product" <no-reply@host>`, the display name quoted so any character in it is safe. */
export function defaultFrom(productName: string, publicUrl: string | undefined): string {
  const host = publicUrl && URL.canParse(publicUrl) ? new URL(publicUrl).hostname : '';
  const domain = host && !/^[\d.]+$|:/.test(host) ? host : 'localhost';
  return `"${productName.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}" <no-reply@${domain}>`;
}
