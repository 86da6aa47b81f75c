import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/errors.js';
import {
  assertValidPassword,
  minimumLengthValidator,
  numericPasswordValidator,
  type PasswordValidator,
  validatePassword,
} from '../../../src/passwords/index.js';

const user = { email: 'ada@example.com', username: 'ada' };

describe('validatePassword', () => {
  it('returns every refusal, in validator order', async () => {
    expect(await validatePassword('1234567', user)).toEqual([
      'The password must contain at least 8 characters.',
      'This password is too common. Choose one that would be harder to guess.',
      'The password cannot be made of digits only.',
    ]);
  });

  it('returns nothing for an acceptable password', async () => {
    expect(await validatePassword('correct horse battery staple', user)).toEqual([]);
  });

  it('uses the given validators instead of the defaults, passing the user to each', async () => {
    const seen: unknown[] = [];
    const spy: PasswordValidator = {
      name: 'spy',
      validate: (_, attributes) => {
        seen.push(attributes);
        return Promise.resolve('spy says no');
      },
    };
    expect(await validatePassword('1234567', user, [numericPasswordValidator(), spy])).toEqual([
      'The password cannot be made of digits only.',
      'spy says no',
    ]);
    expect(seen).toEqual([user]);
  });

  it('runs the defaults when no validators are given, the similarity check included', async () => {
    expect(await validatePassword('ada@example.com', user)).toContain(
      'The password is too similar to your email address.',
    );
  });
});

describe('assertValidPassword', () => {
  it('throws password_invalid with every reason under fields.password', async () => {
    const error = await assertValidPassword('1234567', user, [
      minimumLengthValidator(8),
      numericPasswordValidator(),
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: 'password_invalid',
      status: 400,
      message: 'The password is not strong enough.',
      fields: {
        password:
          'The password must contain at least 8 characters. The password cannot be made of digits only.',
      },
    });
  });

  it('resolves for an acceptable password', async () => {
    await expect(assertValidPassword('correct horse battery staple', user)).resolves.toBeUndefined();
  });
});
