/**
 * The contract of a password validator, after Django's AUTH_PASSWORD_VALIDATORS:
 * each checks one rule and explains a refusal in words a person can act on
 * (NIST SP 800-63B-4 asks that a refused password come with its reason).
 */

/** What validators may compare a password with. Unknown keys are allowed for custom user fields. */
export interface PasswordUserAttributes {
  email?: string | null;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  [key: string]: unknown;
}

export interface PasswordValidator {
  /** Stable identifier, for configuration and logs. */
  readonly name: string;
  /** Null when the password passes; otherwise a sentence saying why it was refused. */
  validate(password: string, user?: PasswordUserAttributes): string | null | Promise<string | null>;
}
