/**
 * Refusals: one error type with a stable, machine-readable code.
 *
 * The code is part of the public contract (API.md): clients branch on it, so a
 * code is never renamed. The message is public text for a person; internal
 * detail goes in `cause`, which is logged and never rendered.
 */

/** Every code Gatehouse can answer with, mapped to its HTTP status. */
export const errorStatus = {
  invalid_request: 400,
  password_invalid: 400,
  invalid_redirect: 400,
  /** A social sign-in's callback did not hold up (state, replay, the provider's refusal or answer). */
  oauth_failed: 400,
  invalid_credentials: 401,
  /** A refresh token that is unknown, expired, of another tenant, or spent (which ends its session). */
  invalid_token: 401,
  unauthenticated: 401,
  mfa_required: 401,
  reauthentication_required: 401,
  forbidden: 403,
  csrf_failed: 403,
  /** Sign-in refused until the address is confirmed (`emailVerification.required`); a new link was mailed. */
  email_not_verified: 403,
  /** The tenant the request names is disabled. */
  tenant_disabled: 403,
  /** The tenant's login policy does not offer this way in (or this sign-up). */
  method_disabled: 403,
  /** The account exists but is not a member of this tenant (and may not join it by itself). */
  not_a_member: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** Field name → why it was refused (several reasons joined into one sentence each). */
export type FieldErrors = Record<string, string>;

export interface AuthErrorOptions {
  fields?: FieldErrors;
  cause?: unknown;
  /** For `rate_limited`: when to try again (sent as `Retry-After`). */
  retryAfterSeconds?: number;
}

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = errorStatus[code];
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The public body of API.md: `{error: {code, message, fields?}}`. */
  toJSON(): { error: { code: ErrorCode; message: string; fields?: FieldErrors } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

export function isAuthError(value: unknown, code?: ErrorCode): value is AuthError {
  return value instanceof AuthError && (code === undefined || value.code === code);
}

/** A 400 listing each refused field; the shape every validator in the core reports through. */
export function invalidRequest(fields: FieldErrors, message = 'Some fields are invalid.'): AuthError {
  return new AuthError('invalid_request', message, { fields });
}
