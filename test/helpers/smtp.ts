/**
 * A real SMTP server on loopback for tests (`smtp-server`), which parses what
 * it receives with `mailparser`. It can also misbehave: refuse every
 * connection with 421 (`reject`), refuse recipients with 550
 * (`reject-recipients`), or accept connections and never greet (`hang`).
 *
 * @example
 * const sink = await startSmtpSink();
 * const auth = createAuth({ mail: { smtpUrl: sink.url } });
 * // ... trigger a mail ...
 * const mail = await sink.waitFor((m) => m.to === 'ada@example.com');
 */
import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope recipient (RCPT TO); one entry per recipient, lower-cased. */
  to: string;
  /** The envelope sender (MAIL FROM). */
  envelopeFrom: string;
  /** The `From` header as text, e.g. `"Gatehouse" <no-reply@localhost>`. */
  from: string;
  /** The `To` header as text. */
  toHeader: string;
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  /** Every header, lower-cased names. */
  headers: Map<string, unknown>;
  /** The first http(s) link of the text body, if any. */
  link: string | undefined;
  /** The first 6-digit number of the text body, if any. */
  code: string | undefined;
}

export type SinkMode = 'accept' | 'reject' | 'reject-recipients' | 'hang';

export interface SmtpSink {
  /** `smtp://127.0.0.1:port` (with the credentials when the sink requires them). */
  url: string;
  port: number;
  /** What arrived, in order. */
  messages: ReceivedMail[];
  /** Resolves with the first message (already received or yet to come) matching `predicate`. */
  waitFor(predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** How the sink treats the next connections. */
  setMode(mode: SinkMode): void;
  /** Connections opened so far (including refused ones). */
  readonly connections: number;
  stop(): Promise<void>;
}

export async function startSmtpSink(
  options: { port?: number; auth?: { user: string; pass: string }; mode?: SinkMode } = {},
): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const hung = new Set<() => void>();
  let mode: SinkMode = options.mode ?? 'accept';
  let connections = 0;
  const server = new SMTPServer({
    secure: false,
    // No STARTTLS: the sink has no certificate a client would trust; loopback needs none.
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections += 1;
      if (mode === 'reject') {
        callback(Object.assign(new Error('Service not available, try later'), { responseCode: 421 }));
      } else if (mode === 'hang') {
        hung.add(() => callback(new Error('Closing')));
      } else {
        callback();
      }
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      }
    },
    onRcptTo(_address, _session, callback) {
      if (mode === 'reject-recipients') {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      } else {
        callback();
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          for (const recipient of session.envelope.rcptTo) {
            messages.push({
              to: recipient.address.toLowerCase(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              from: parsed.from?.text ?? '',
              toHeader: addressText(parsed.to),
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId,
              headers: parsed.headers as Map<string, unknown>,
              link: /https?:\/\/\S+/.exec(text)?.[0],
              code: /\b\d{6}\b/.exec(text)?.[0],
            });
          }
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`
    : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    get connections() {
      return connections;
    },
    setMode(next) {
      mode = next;
      if (next !== 'hang') {
        for (const release of hung) release();
        hung.clear();
      }
    },
    waitFor(predicate = () => true, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(onMessage);
          resolve(found);
          return true;
        };
        const onMessage = () => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(onMessage);
          reject(new Error(`No matching mail within ${timeoutMs} ms (received ${messages.length}).`));
        }, timeoutMs);
        if (!check()) waiters.add(onMessage);
      });
    },
    stop() {
      for (const release of hung) release();
      hung.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}
