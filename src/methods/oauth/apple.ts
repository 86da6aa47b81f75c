/**
 * Sign in with Apple's client secret: not a fixed string but a short JWT the
 * app signs (ES256) with the private key Apple issued it — `iss` the team id,
 * `sub` the client (Services) id, `aud` Apple, `kid` the key id. Apple accepts
 * one for up to six months; one is minted per hour and kept until then.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';

const AUDIENCE = 'https://appleid.apple.com';
const LIFETIME_SECONDS = 3600;

export interface AppleKey {
  teamId: string;
  keyId: string;
  /** The `.p8` file's PEM text (an EC P-256 private key). */
  privateKey: string;
}

/** A function returning a valid client secret for `clientId`, minted when the previous one is near expiry. */
export function appleClientSecret(key: AppleKey, clientId: string, now: () => Date): () => string {
  const privateKey: KeyObject = createPrivateKey(key.privateKey);
  let current: { jwt: string; renewAt: number } | null = null;
  return () => {
    const seconds = Math.floor(now().getTime() / 1000);
    if (current && seconds < current.renewAt) return current.jwt;
    const header = encode({ alg: 'ES256', kid: key.keyId, typ: 'JWT' });
    const claims = encode({
      iss: key.teamId,
      sub: clientId,
      aud: AUDIENCE,
      iat: seconds,
      exp: seconds + LIFETIME_SECONDS,
    });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const jwt = `${header}.${claims}.${signature.toString('base64url')}`;
    // Renewed well before it expires, so a secret never dies on the way to Apple.
    current = { jwt, renewAt: seconds + LIFETIME_SECONDS / 2 };
    return jwt;
  };
}

/** Whether a PEM text is an EC P-256 private key (what Apple issues). */
export function isApplePrivateKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
