/**
 * Authentication backends, Django's `AUTHENTICATION_BACKENDS`: an ordered list
 * of ways to turn credentials into a user. `authenticate` asks each in turn;
 * the first user wins. A backend answers null for "not me / no match" and
 * throws an `AuthError` to stop the chain (Django's `PermissionDenied`).
 *
 * Failures emit `login_failed` with the credentials cleansed: a value whose key
 * looks secret (password, token, code, …) is replaced, never passed on.
 */
import { AuthError } from '../errors.js';
import type { Emitter } from '../events.js';
import type { CustomFields, NoCustomFields } from './custom-fields.js';
import type { User } from './user.js';
import type { Users } from './users.js';

export type Credentials = Record<string, unknown>;

export interface BackendContext<F extends CustomFields = NoCustomFields> {
  users: Users<F>;
  /** The HTTP request being served, when there is one. */
  request?: Request;
  /**
   * The user pool the sign-in happens in (an isolated tenant's id), when not
   * the shared pool: a backend finding users by email or username looks there.
   */
  pool?: string;
}

export interface AuthenticationBackend<F extends CustomFields = NoCustomFields> {
  readonly name: string;
  authenticate(credentials: Credentials, context: BackendContext<F>): Promise<User<F> | null>;
}

export interface AuthenticationEvents {
  login_failed: {
    /** The credentials with every secret-looking value replaced by `********`. */
    credentials: Credentials;
    /** The refusal's code: `invalid_credentials` when no backend matched. */
    reason: string;
  };
}

/** Email (or username) and password, checked against the stored hash. */
export const passwordBackend: AuthenticationBackend = {
  name: 'password',
  async authenticate(credentials, { users, pool }) {
    const { password } = credentials;
    const identifier = credentials.email ?? credentials.username ?? credentials.identifier;
    if (typeof password !== 'string' || typeof identifier !== 'string') return null;
    return users.verifyCredentials(identifier, password, pool !== undefined ? { pool } : {});
  },
};

const SECRET_KEY = /pass|secret|token|code|key|otp|signature|credential|assertion/i;

export function cleanseCredentials(credentials: Credentials): Credentials {
  return Object.fromEntries(
    Object.entries(credentials).map(([key, value]) => [key, SECRET_KEY.test(key) ? '********' : value]),
  );
}

export class Authenticator<F extends CustomFields> {
  readonly #backends: readonly AuthenticationBackend<F>[];
  readonly #users: Users<F>;
  readonly #events: Emitter<AuthenticationEvents>;

  constructor(options: {
    backends: readonly AuthenticationBackend<F>[];
    users: Users<F>;
    events: Emitter<AuthenticationEvents>;
  }) {
    this.#backends = options.backends;
    this.#users = options.users;
    this.#events = options.events;
  }

  /**
   * The user these credentials belong to, or null. Inactive users are refused
   * whichever backend found them. An `AuthError` thrown by a backend stops the
   * chain and is rethrown after `login_failed` is emitted.
   */
  async authenticate(
    credentials: Credentials,
    options: { request?: Request; pool?: string } = {},
  ): Promise<User<F> | null> {
    const context: BackendContext<F> = { users: this.#users, ...options };
    for (const backend of this.#backends) {
      let user: User<F> | null;
      try {
        user = await backend.authenticate(credentials, context);
      } catch (error) {
        if (error instanceof AuthError) this.#failed(credentials, error.code);
        throw error;
      }
      if (user?.isActive) return user;
    }
    this.#failed(credentials, 'invalid_credentials');
    return null;
  }

  #failed(credentials: Credentials, reason: string): void {
    this.#events.emit('login_failed', { credentials: cleanseCredentials(credentials), reason });
  }
}
