import { describe, expect, it } from 'vitest';
import { defaultPasswordValidators, validatorsFromSettings } from '../../../src/passwords/index.js';

const names = (validators: readonly { name: string }[]) => validators.map((validator) => validator.name);

describe('defaultPasswordValidators', () => {
  it('runs length, similarity, common and numeric checks, and not the breached-password check', () => {
    expect(names(defaultPasswordValidators())).toEqual([
      'minimum_length',
      'maximum_length',
      'user_attribute_similarity',
      'common_password',
      'numeric',
    ]);
  });
});

describe('validatorsFromSettings', () => {
  it('gives the defaults for empty settings', () => {
    expect(names(validatorsFromSettings({}))).toEqual(names(defaultPasswordValidators()));
  });

  it('applies the configured lengths', async () => {
    const [min, max] = validatorsFromSettings({ minLength: 15, maxLength: 64 });
    expect(await min?.validate('a'.repeat(14))).toMatch(/at least 15/);
    expect(await max?.validate('a'.repeat(65))).toMatch(/at most 64/);
  });

  it('leaves out the checks turned off', () => {
    expect(names(validatorsFromSettings({ similarity: false, common: false, numeric: false }))).toEqual([
      'minimum_length',
      'maximum_length',
    ]);
  });

  it('adds the breached-password check when asked, with its options', () => {
    expect(names(validatorsFromSettings({ breached: true }))).toContain('breached_password');
    expect(() => validatorsFromSettings({ breached: { minCount: 0 } })).toThrow(RangeError);
  });

  it('passes similarity options on', async () => {
    const [, , similarity] = validatorsFromSettings({ similarity: { attributes: ['nickname'] } });
    expect(await similarity?.validate('ziggy stardust', { nickname: 'Ziggy Stardust' })).toMatch(/nickname/);
  });
});
