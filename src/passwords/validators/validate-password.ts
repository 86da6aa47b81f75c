import { AuthError } from '../../errors.js';
import { defaultPasswordValidators } from './default-validators.js';
import type { PasswordUserAttributes, PasswordValidator } from './password-validator.js';

let defaults: readonly PasswordValidator[] | undefined;

/**
 * Runs every validator and returns every refusal, in validator order, so the
 * user sees all reasons at once instead of fixing them one round trip at a time.
 * An empty array means the password is acceptable.
 *
 * @example
 * await validatePassword('12345678', { email: 'ada@example.com' }, defaultPasswordValidators());
 * // ['This password is too common. …', 'The password cannot be made of digits only.']
 */
export async function validatePassword(
  password: string,
  user?: PasswordUserAttributes | null,
  validators?: readonly PasswordValidator[],
): Promise<string[]> {
  defaults ??= defaultPasswordValidators();
  const results = await Promise.all(
    (validators ?? defaults).map((validator) => validator.validate(password, user ?? undefined)),
  );
  return results.filter((message): message is string => message !== null);
}

/**
 * Like `validatePassword`, but throws `AuthError('password_invalid')` with every
 * reason joined under `fields.password`.
 *
 * @example
 * await assertValidPassword(input.password, user, validators); // throws if any validator refuses
 */
export async function assertValidPassword(
  password: string,
  user?: PasswordUserAttributes | null,
  validators?: readonly PasswordValidator[],
): Promise<void> {
  const messages = await validatePassword(password, user, validators);
  if (messages.length > 0) {
    throw new AuthError('password_invalid', 'The password is not strong enough.', {
      fields: { password: messages.join(' ') },
    });
  }
}
