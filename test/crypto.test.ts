import { describe, expect, it } from 'vitest';
import { createSealer, deriveToken } from '../src/crypto.js';

const SECRET = 'a server secret of at least thirty-two characters';

describe('sealing values at rest', () => {
  const sealer = createSealer(SECRET, 'provider tokens');

  it('opens what it sealed, for the same context', () => {
    const sealed = sealer.seal('gho_token', 'acc_1:access_token');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('gho_token');
    expect(sealer.open(sealed, 'acc_1:access_token')).toBe('gho_token');
  });

  it('seals the same text differently each time', () => {
    expect(sealer.seal('same', 'c')).not.toBe(sealer.seal('same', 'c'));
  });

  it('does not open a value moved to another context, tampered with, or sealed under another key', () => {
    const sealed = sealer.seal('gho_token', 'acc_1:access_token');
    expect(sealer.open(sealed, 'acc_2:access_token')).toBeNull();
    const [version, iv, body = ''] = sealed.split('.');
    const flipped = `${body.slice(0, 2)}${body[2] === 'A' ? 'B' : 'A'}${body.slice(3)}`;
    expect(sealer.open(`${version}.${iv}.${flipped}`, 'acc_1:access_token')).toBeNull();
    expect(createSealer(`${SECRET}!`, 'provider tokens').open(sealed, 'acc_1:access_token')).toBeNull();
    expect(createSealer(SECRET, 'other purpose').open(sealed, 'acc_1:access_token')).toBeNull();
    expect(sealer.open('v2.x.y', 'acc_1:access_token')).toBeNull();
    expect(sealer.open('v1.short.AA', 'acc_1:access_token')).toBeNull();
  });
});

describe('derived tokens', () => {
  it('are stable per secret and label, and differ across labels and secrets', () => {
    expect(deriveToken('s1', 'state')).toBe(deriveToken('s1', 'state'));
    expect(deriveToken('s1', 'state')).not.toBe(deriveToken('s1', 'nonce'));
    expect(deriveToken('s1', 'state')).not.toBe(deriveToken('s2', 'state'));
    expect(deriveToken('s1', 'state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
