import type { PasskeyConfig } from '../../config.js';

/** Who the passkeys belong to, as WebAuthn names it, and which pages may use them. */
export interface RelyingParty {
  /** The RP ID: a host name, which every expected origin's host must equal or end with. */
  rpId: string;
  /** Shown by the browser when a passkey is created. */
  rpName: string;
  /** The origins a response's client data may name (`https://app.example.com`). */
  expectedOrigins: readonly string[];
}

/**
 * The relying party from the configuration, for a server at `serverOrigin`
 * (the public URL's origin, else the request's own): the RP ID defaults to
 * that origin's host name, the expected origins to that origin alone.
 */
export function relyingParty(
  config: { passkeys?: PasskeyConfig; ui?: { productName?: string } },
  serverOrigin: string,
): RelyingParty {
  const passkeys = config.passkeys ?? {};
  return {
    rpId: passkeys.rpId ?? new URL(serverOrigin).hostname,
    rpName: passkeys.rpName ?? config.ui?.productName ?? 'Gatehouse',
    expectedOrigins: passkeys.origins ?? [serverOrigin],
  };
}
