import { describe, expect, it } from 'vitest';
import {
  challengeOf,
  isCounterRegression,
  isUserHandleOf,
  signCountOf,
  userHandleOf,
} from '../../../src/methods/passkeys/webauthn-data.js';

const encode = (text: string) => Buffer.from(text).toString('base64url');

describe('reading a WebAuthn response before its signature is checked', () => {
  it('reads the challenge from the client data, and nothing from anything malformed', () => {
    expect(challengeOf(encode('{"type":"webauthn.get","challenge":"abc_-123","origin":"https://x"}'))).toBe(
      'abc_-123',
    );
    expect(challengeOf(encode('{"challenge":""}'))).toBeNull();
    expect(challengeOf(encode('{"challenge":42}'))).toBeNull();
    expect(challengeOf(encode(`{"challenge":"${'a'.repeat(257)}"}`))).toBeNull();
    expect(challengeOf(encode('null'))).toBeNull();
    expect(challengeOf(encode('not json'))).toBeNull();
    expect(challengeOf('')).toBeNull();
  });

  it('reads the signature counter at bytes 33–36, big-endian (WebAuthn §6.1)', () => {
    const data = Buffer.alloc(37);
    data.writeUInt32BE(0x01020304, 33);
    expect(signCountOf(data.toString('base64url'))).toBe(0x01020304);
    data.writeUInt32BE(0xffffffff, 33);
    expect(signCountOf(data.toString('base64url'))).toBe(4294967295);
    expect(signCountOf(Buffer.alloc(36).toString('base64url'))).toBeNull();
  });

  it('calls a counter that does not go up a clone, once the authenticator counts', () => {
    expect(isCounterRegression(0, 0)).toBe(false); // never counts (synced passkeys)
    expect(isCounterRegression(0, 7)).toBe(false);
    expect(isCounterRegression(5, 6)).toBe(false);
    expect(isCounterRegression(5, 5)).toBe(true);
    expect(isCounterRegression(5, 4)).toBe(true);
    expect(isCounterRegression(5, 0)).toBe(true);
  });

  it("gives a credential the user's id as its handle, and matches handles exactly", () => {
    const handle = Buffer.from(userHandleOf('usr_01abc')).toString('base64url');
    expect(handle).toBe(encode('usr_01abc'));
    expect(isUserHandleOf(handle, 'usr_01abc')).toBe(true);
    expect(isUserHandleOf(handle, 'usr_01ab')).toBe(false);
    expect(isUserHandleOf(encode('usr_01abd'), 'usr_01abc')).toBe(false);
  });
});
