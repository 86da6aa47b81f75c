import { describe, expect, it } from 'vitest';
import {
  ARGON2_VERIFY_LIMIT,
  isWithinCostLimit,
  parseArgon2Phc,
} from '../../../src/passwords/hashers/argon2-phc.js';

describe('parseArgon2Phc', () => {
  it('reads variant, version, costs and decoded lengths', () => {
    expect(
      parseArgon2Phc(
        '$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLXNhbHQtMQ$WWugU8yGgWS2FDCPdaTGVBn5o/9opubcTgvuzQSB9Zk',
      ),
    ).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      saltBytes: 16,
      hashBytes: 32,
    });
  });

  it('reads a missing version field as argon2 version 0x10', () => {
    expect(
      parseArgon2Phc('$argon2i$m=1024,t=1,p=1$b2xkc2FsdG9sZHNhbHQxNg$OqvWz4+lYCfUash4sbHPHQ')?.version,
    ).toBe(16);
  });

  it.each([
    '',
    'argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA',
    '$argon2x$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA',
    '$argon2id$v=19$t=1,m=1,p=1$c2FsdA$aGFzaA',
    '$argon2id$v=19$m=1,t=1,p=1$c2FsdA==$aGFzaA',
    '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA$',
    '$argon2id$v=19$m=12345678901,t=1,p=1$c2FsdA$aGFzaA',
  ])('returns null for %j', (encoded) => {
    expect(parseArgon2Phc(encoded)).toBeNull();
  });
});

describe('isWithinCostLimit', () => {
  const base = { variant: 'argon2id', version: 19, saltBytes: 16, hashBytes: 32 } as const;

  it('accepts Django’s and OWASP’s parameters and refuses anything past the limit', () => {
    expect(
      isWithinCostLimit({ ...base, memoryCost: 102400, timeCost: 2, parallelism: 8 }, ARGON2_VERIFY_LIMIT),
    ).toBe(true);
    expect(
      isWithinCostLimit(
        { ...base, memoryCost: 1024 * 1024 + 1, timeCost: 2, parallelism: 1 },
        ARGON2_VERIFY_LIMIT,
      ),
    ).toBe(false);
    expect(
      isWithinCostLimit({ ...base, memoryCost: 19456, timeCost: 65, parallelism: 1 }, ARGON2_VERIFY_LIMIT),
    ).toBe(false);
  });
});
