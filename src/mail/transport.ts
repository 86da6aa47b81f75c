/**
 * Transports: what hands a rendered message to the world. `MailTransport` is
 * the whole contract, so an app can plug in its provider's API; Gatehouse
 * ships SMTP (nodemailer). Without one, mail goes to the development log (see
 * `Mail`): stored in the outbox and its link or code logged, never sent.
 */
import type { Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers. `Message-ID` is set by the outbox (stable across retries, so receivers can deduplicate). */
  headers?: Record<string, string>;
}

export interface MailTransport {
  /** Shown in the outbox's `transport` column and the logs. Default `custom`. */
  readonly name?: string;
  /**
   * Sends one message; resolves once the server accepted it. Throw to fail the
   * attempt (it is retried with backoff); throw an error with `permanent: true`
   * for a refusal that retrying cannot fix (a rejected recipient).
   */
  send(message: MailMessage): Promise<void>;
  /** Releases connections; called when the worker stops. */
  close?(): void | Promise<void>;
}

/** Why an SMTP URL is refused, or null. Never repeats the URL (it may hold a password). */
export function smtpUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be a URL such as smtp://user:password@smtp.example.com:587';
  const url = new URL(value);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'must start with smtp:// or smtps://';
  if (!url.hostname) return 'must name a host';
  return null;
}

/**
 * SMTP through nodemailer. `smtp://user:pass@host:587` (STARTTLS when the
 * server offers it), `smtps://…:465` (TLS from the start); nodemailer's query
 * options (`?requireTLS=true`, `?tls.rejectUnauthorized=false`, …) work too.
 * `timeoutMs` bounds connecting, the greeting and each wait on the socket;
 * three times it bounds a whole send.
 */
export function smtpTransport(url: string, options: { timeoutMs?: number } = {}): MailTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // nodemailer is loaded at the first send: a server that never mails does not pay for it.
  let transporter: Promise<Transporter> | null = null;
  const connect = () => {
    transporter ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        url,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        // Each attempt opens its own connection: auth mail is low volume and a pool would outlive `stop()`.
        pool: false,
      } as Parameters<typeof createTransport>[0]),
    );
    return transporter;
  };
  return {
    name: 'smtp',
    async send(message) {
      const { 'Message-ID': messageId, ...headers } = message.headers ?? {};
      try {
        await (await connect()).sendMail({
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers,
          ...(messageId ? { messageId } : {}),
          // Each step has its own timeout; this bounds the whole conversation.
          signal: AbortSignal.timeout(timeoutMs * 3),
        });
      } catch (error) {
        throw describeSmtpError(error);
      }
    },
    close() {
      void transporter?.then((t) => t.close());
    },
  };
}

/** A failed send, with `permanent` set when the server refused the recipient (5xx). */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function describeSmtpError(error: unknown): MailSendError {
  const e = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : null;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const text =
    typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(error);
  // A 5xx to the envelope (recipient refused) will be refused again; a 5xx elsewhere may be our configuration.
  const permanent = code === 'EENVELOPE' && responseCode !== null && responseCode >= 500;
  const message = [code, text].filter(Boolean).join(': ');
  return new MailSendError(message, permanent, { cause: error });
}
