import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_REJECTION_LIMIT, createNumericCode, isNumericCode } from '../../src/tokens/codes.js';

/** A random source that hands out the given 32-bit draws, in order. */
function draws(...values: number[]) {
  const queue = [...values];
  return (size: number) => {
    expect(size).toBe(4);
    const value = queue.shift();
    if (value === undefined) throw new Error('ran out of draws');
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value);
    return bytes;
  };
}

describe('createNumericCode', () => {
  it('the rejection limit is the largest multiple of 10^6 within 32 bits', () => {
    expect(CODE_REJECTION_LIMIT % 1_000_000).toBe(0);
    expect(CODE_REJECTION_LIMIT).toBeLessThanOrEqual(2 ** 32);
    expect(CODE_REJECTION_LIMIT + 1_000_000).toBeGreaterThan(2 ** 32);
  });

  it('maps accepted draws by their remainder, zero-padded', () => {
    expect(createNumericCode(draws(0))).toBe('000000');
    expect(createNumericCode(draws(7))).toBe('000007');
    expect(createNumericCode(draws(999_999))).toBe('999999');
    expect(createNumericCode(draws(1_000_000))).toBe('000000');
    expect(createNumericCode(draws(CODE_REJECTION_LIMIT - 1))).toBe('999999');
  });

  it('rejects the draws that would bias low codes, and draws again', () => {
    expect(createNumericCode(draws(CODE_REJECTION_LIMIT, 0xffff_ffff, 42))).toBe('000042');
  });

  it('every code has exactly the same number of accepted draws (uniform by construction)', () => {
    // Accepted draws are [0, LIMIT); code c comes from c, c + 10^6, … — LIMIT / 10^6 draws each.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }),
        fc.nat({ max: CODE_REJECTION_LIMIT / 1_000_000 - 1 }),
        (c, k) => {
          expect(createNumericCode(draws(c + k * 1_000_000))).toBe(String(c).padStart(6, '0'));
        },
      ),
    );
  });

  it('codes from the CSPRNG are 6 digits and spread over the range (sanity check)', () => {
    const n = 50_000;
    const firstDigits = new Array<number>(10).fill(0);
    const lastDigits = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const code = createNumericCode();
      expect(isNumericCode(code)).toBe(true);
      firstDigits[Number(code[0])] = (firstDigits[Number(code[0])] ?? 0) + 1;
      lastDigits[Number(code[5])] = (lastDigits[Number(code[5])] ?? 0) + 1;
    }
    // Chi-square with 9 degrees of freedom: 33.7 is the 0.9999 quantile (a flake is one run in 5,000).
    const chi = (counts: number[]) => counts.reduce((sum, c) => sum + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi(firstDigits)).toBeLessThan(33.7);
    expect(chi(lastDigits)).toBeLessThan(33.7);
  });
});
