/**
 * Hooks: an app's say in each flow, for what signals cannot do (signals run
 * after the fact and cannot refuse). A hook refuses by throwing an
 * `AuthError`, whose code and message reach the client as they are; any other
 * error is logged and answered with `internal_error`.
 */
import type { CustomFields, NoCustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { Executor } from '../db/transaction.js';
import type { Session } from '../sessions/sessions.js';

export interface SignUpAdditions {
  fields?: Record<string, unknown>;
}

export interface AuthHooks<F extends CustomFields = NoCustomFields> {
  /**
   * Before a sign-up is validated. Return `{ fields }` to add or override
   * fields of the new user (e.g. a default plan); the result is validated like
   * the client's input.
   */
  beforeSignUp?(context: {
    input: Record<string, unknown>;
    request: Request;
  }): SignUpAdditions | undefined | Promise<SignUpAdditions | undefined>;
  /**
   * In the transaction that inserts the user, after the insert: rows written
   * through `db` commit with the user, and throwing leaves no user behind.
   */
  afterSignUp?(context: { user: User<F>; request: Request; db: Executor }): void | Promise<void>;
  /** After the credentials proved right, before any session exists: throw to refuse the sign-in. */
  beforeSignIn?(context: { user: User<F>; request: Request }): void | Promise<void>;
  /** After the session is created; throwing ends that session and refuses the sign-in. */
  afterSignIn?(context: { user: User<F>; session: Session; request: Request }): void | Promise<void>;
}
