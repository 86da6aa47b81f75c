import { invalidRequest } from '../errors.js';

/** A token is 32 bytes in base64url: anything else is not worth a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isSessionToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

/** Session data as stored: a JSON object of at most `maxBytes` bytes. */
export function encodeSessionData(data: unknown, maxBytes: number): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalidRequest({ data: 'Session data is a JSON object.' });
  }
  const encoded = JSON.stringify(data);
  if (Buffer.byteLength(encoded) > maxBytes) {
    throw invalidRequest({ data: `Session data is limited to ${maxBytes} bytes of JSON.` });
  }
  return encoded;
}
