import { describe, expect, it } from 'vitest';
import { maximumLengthValidator, minimumLengthValidator } from '../../../src/passwords/index.js';

describe('minimumLengthValidator', () => {
  it('refuses 7 characters and accepts 8 by default (PW-01)', async () => {
    const validator = minimumLengthValidator();
    expect(await validator.validate('abcdefg')).toBe('The password must contain at least 8 characters.');
    expect(await validator.validate('abcdefgh')).toBeNull();
  });

  it('uses the configured minimum', async () => {
    const validator = minimumLengthValidator(15);
    expect(await validator.validate('a'.repeat(14))).toMatch(/at least 15 characters/);
    expect(await validator.validate('a'.repeat(15))).toBeNull();
  });

  it('counts code points, so 8 emoji are 8 characters and 7 are too few (PW-04)', async () => {
    const validator = minimumLengthValidator(8);
    expect(await validator.validate('🔑'.repeat(8))).toBeNull();
    expect(await validator.validate('🔑'.repeat(7))).not.toBeNull();
  });

  it('counts the NFKC form: e + combining accent is one character, the ﬃ ligature three', async () => {
    expect(await minimumLengthValidator(2).validate('e\u0301')).not.toBeNull();
    expect(await minimumLengthValidator(3).validate('\ufb03')).toBeNull();
  });

  it.each([0, -3, 2.5])('refuses a minimum of %s at construction', (min) => {
    expect(() => minimumLengthValidator(min)).toThrow(RangeError);
  });
});

describe('maximumLengthValidator', () => {
  it('accepts 256 characters and refuses 257 by default', async () => {
    const validator = maximumLengthValidator();
    expect(await validator.validate('a'.repeat(256))).toBeNull();
    expect(await validator.validate('a'.repeat(257))).toBe(
      'The password must contain at most 256 characters.',
    );
  });

  it('accepts 64- and 128-character passwords (PW-02) and counts code points', async () => {
    const validator = maximumLengthValidator(128);
    expect(await validator.validate('x'.repeat(64))).toBeNull();
    expect(await validator.validate('🔑'.repeat(128))).toBeNull();
    expect(await validator.validate('🔑'.repeat(129))).not.toBeNull();
  });

  it('refuses a maximum of 0 at construction', () => {
    expect(() => maximumLengthValidator(0)).toThrow(RangeError);
  });
});
