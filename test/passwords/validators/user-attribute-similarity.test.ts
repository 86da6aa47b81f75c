import { describe, expect, it } from 'vitest';
import { userAttributeSimilarityValidator } from '../../../src/passwords/index.js';

const user = { email: 'jane.doe@example.com', username: 'jdoe_1987', firstName: 'Jane', lastName: 'Doe' };

describe('userAttributeSimilarityValidator', () => {
  const validator = userAttributeSimilarityValidator();

  it.each([
    ['the email address itself', 'jane.doe@example.com', 'email address'],
    ['the email’s local part with digits', 'janedoe2024', 'email address'],
    ['the username in capitals', 'JDOE_1987', 'username'],
    ['the username’s parts', 'jdoe1987', 'username'],
  ])('refuses %s', async (_, password, label) => {
    expect(await validator.validate(password, user)).toBe(`The password is too similar to your ${label}.`);
  });

  it('accepts a password unrelated to the user', async () => {
    expect(await validator.validate('correct horse battery staple', user)).toBeNull();
  });

  it('compares NFKC forms: a full-width spelling of the username is still refused', async () => {
    expect(await validator.validate('\uff4a\uff44\uff4f\uff45\uff11\uff19\uff18\uff17', user)).not.toBeNull();
  });

  it('accepts anything when no user is given, and skips empty or non-text attributes', async () => {
    expect(await validator.validate('jane.doe@example.com')).toBeNull();
    expect(await validator.validate('12345678', { email: null, username: '', age: 12345678 })).toBeNull();
  });

  it('checks the configured attributes, labelled in words', async () => {
    const custom = userAttributeSimilarityValidator({ attributes: ['phoneNumber'] });
    expect(await custom.validate('+33612345678', { phoneNumber: '+33 6 12 34 56 78', email: 'x@y.z' })).toBe(
      'The password is too similar to your phone number.',
    );
    expect(await custom.validate('jane.doe@example.com', user)).toBeNull();
  });

  it('refuses only near-identical passwords with maxSimilarity 1', async () => {
    const strict = userAttributeSimilarityValidator({ maxSimilarity: 1 });
    expect(await strict.validate('janedoe2024', user)).toBeNull();
    expect(await strict.validate('Jane.Doe', user)).not.toBeNull();
  });

  it('does not compare passwords too long to be compared cheaply', async () => {
    expect(
      await validator.validate('jane.doe@example.com'.repeat(30), {
        email: 'jane.doe@example.com'.repeat(30),
      }),
    ).toBeNull();
  });

  it.each([0, 0.05, 1.5, Number.NaN])('refuses maxSimilarity %s at construction', (maxSimilarity) => {
    expect(() => userAttributeSimilarityValidator({ maxSimilarity })).toThrow(RangeError);
  });
});
