/**
 * The few fields of a WebAuthn response read before its signature is checked:
 * the challenge (which stored ceremony it answers), the signature counter
 * and the user handle. Untrusted bytes: each reader returns null for anything
 * malformed, never throws.
 */

/** The challenge the client data carries (base64url), or null. */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    if (typeof data !== 'object' || data === null) return null;
    const { challenge } = data as { challenge?: unknown };
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256
      ? challenge
      : null;
  } catch {
    return null;
  }
}

/**
 * The signature counter of authenticator data (WebAuthn §6.1: 32 bytes of
 * RP ID hash, 1 byte of flags, then the counter as a 32-bit big-endian
 * integer), or null when the data is too short.
 */
export function signCountOf(authenticatorData: string): number | null {
  const bytes = Buffer.from(authenticatorData, 'base64url');
  return bytes.length < 37 ? null : bytes.readUInt32BE(33);
}

/**
 * Whether a counter shows a cloned authenticator (WebAuthn §6.1.1): once an
 * authenticator has counted, each use must count higher. Authenticators that
 * never count (synced passkeys send 0) are not judged.
 */
export function isCounterRegression(stored: number, received: number): boolean {
  return stored > 0 && received <= stored;
}

/** The user handle Gatehouse gives a credential: the UTF-8 bytes of the user's id. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

/** Whether a response's user handle (base64url) names `userId`. */
export function isUserHandleOf(userHandle: string, userId: string): boolean {
  return Buffer.from(userHandle, 'base64url').toString('utf8') === userId;
}
