import { describe, expect, it } from 'vitest';
import { numericPasswordValidator } from '../../../src/passwords/index.js';

describe('numericPasswordValidator', () => {
  const validator = numericPasswordValidator();

  it.each([
    ['ASCII digits', '20240229'],
    ['full-width digits', '\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18'],
    ['Arabic-Indic digits', '\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668'],
  ])('refuses %s only', async (_, password) => {
    expect(await validator.validate(password)).toBe('The password cannot be made of digits only.');
  });

  it.each(['2024022a', '1234 5678', '+33612345678', 'correct horse battery staple'])(
    'accepts %j, which has something besides digits',
    async (password) => {
      expect(await validator.validate(password)).toBeNull();
    },
  );
});
