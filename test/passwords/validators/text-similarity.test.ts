import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { similarity, similarityUpperBound } from '../../../src/passwords/validators/text-similarity.js';

const chars = (text: string) => [...text];

describe('similarity', () => {
  it('gives known answers', () => {
    expect(similarity(chars('johnsmith1990'), chars('johnsmith'))).toBeCloseTo(18 / 22);
    expect(similarity(chars('password'), chars('a'))).toBeCloseTo(2 / 9);
    expect(similarity(chars('abc'), chars('abc'))).toBe(1);
    expect(similarity(chars('abc'), chars('xyz'))).toBe(0);
    expect(similarity(chars('kitten'), chars('sitting'))).toBeCloseTo(8 / 13);
  });

  it('is symmetric, between 0 and 1, and never above its upper bound (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const ab = similarity(chars(a), chars(b));
        expect(ab).toBeCloseTo(similarity(chars(b), chars(a)));
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(similarityUpperBound(chars(a).length, chars(b).length));
        expect(similarityUpperBound(chars(a).length, chars(b).length)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('reaches the upper bound when one string is a subsequence of the other', () => {
    expect(similarity(chars('axbxcx'), chars('abc'))).toBeCloseTo(similarityUpperBound(6, 3));
  });
});
