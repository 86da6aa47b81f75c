/**
 * The API with real mail: a loopback SMTP sink, `publicUrl` set (links are
 * built from it), the browser's origin trusted, and the mail worker running.
 */
import type { GatehouseConfig } from '../../src/index.js';
import { createTestApi, ORIGIN, type TestApi } from './http.js';
import { type SmtpSink, startSmtpSink } from './smtp.js';

export const MAIL_PUBLIC_URL = 'https://auth.example.com';
/** The session cookie's name under an https `publicUrl`. */
export const SECURE_COOKIE = '__Host-gh_session';

export interface MailTestApi {
  api: TestApi<Record<never, never>>;
  sink: SmtpSink;
  close(): Promise<void>;
}

export async function startMailTestApi(config: GatehouseConfig = {}): Promise<MailTestApi> {
  const sink = await startSmtpSink();
  const api = await createTestApi({
    publicUrl: MAIL_PUBLIC_URL,
    trustedOrigins: [ORIGIN],
    mail: { smtpUrl: sink.url },
    ...config,
  });
  api.auth.mail.start();
  return {
    api,
    sink,
    async close() {
      await api.close();
      await sink.stop();
    },
  };
}
