import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appleClientSecret } from '../../../src/methods/oauth/apple.js';
import { defineProvider, providerProblems } from '../../../src/methods/oauth/providers.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const apple = { clientId: 'com.example.web', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: pem };

function decode(part: string | undefined) {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString());
}

describe('Sign in with Apple', () => {
  it('signs a client secret (ES256) naming the team, the client, Apple and the key', () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const secret = appleClientSecret(apple, apple.clientId, () => now);
    const jwt = secret();
    const [header, claims, signature] = jwt.split('.');
    expect(decode(header)).toEqual({ alg: 'ES256', kid: 'KEY1234567', typ: 'JWT' });
    const seconds = now.getTime() / 1000;
    expect(decode(claims)).toEqual({
      iss: 'TEAM123456',
      sub: 'com.example.web',
      aud: 'https://appleid.apple.com',
      iat: seconds,
      exp: seconds + 3600,
    });
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature ?? '', 'base64url'),
    );
    expect(valid).toBe(true);
    // Kept for half its life, then a new one.
    now = new Date(now.getTime() + 1_000_000);
    expect(secret()).toBe(jwt);
    now = new Date(now.getTime() + 1_000_000);
    expect(secret()).not.toBe(jwt);
  });

  it('asks for the name and address with form_post, and takes names from the posted user', () => {
    const provider = defineProvider('apple', apple);
    expect(provider.issuer).toBe('https://appleid.apple.com');
    expect(provider.responseMode).toBe('form_post');
    expect(provider.scopes).toEqual(['openid', 'email', 'name']);
    expect(typeof provider.clientSecret).toBe('function');
    expect(provider.mapProfile({ user: { name: { firstName: 'Tim', lastName: 'Apple' } } })).toEqual({
      firstName: 'Tim',
      lastName: 'Apple',
    });
    expect(provider.emailVerified({ email_verified: 'true' })).toBe(true);
    expect(provider.emailVerified({ email_verified: 'false' })).toBe(false);
  });

  it('needs the team id, the key id and an EC P-256 key, and no fixed secret', () => {
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const problems = providerProblems('apple', {
      clientId: 'x',
      clientSecret: 'fixed',
      privateKey: rsa.export({ format: 'pem', type: 'pkcs8' }).toString(),
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'clientSecret',
      'keyId',
      'privateKey',
      'teamId',
    ]);
    expect(providerProblems('apple', apple)).toEqual([]);
  });
});

describe('the address a provider verified', () => {
  it('is verified only by a boolean true for every other provider', () => {
    const google = defineProvider('google', { clientId: 'x', clientSecret: 'y' });
    expect(google.emailVerified({ email_verified: true })).toBe(true);
    expect(google.emailVerified({ email_verified: 'true' })).toBe(false);
    expect(google.emailVerified({})).toBe(false);
  });
});
