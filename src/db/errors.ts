/** Recognises driver errors that the stores turn into refusals (a unique violation becomes `conflict`). */

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as DriverError;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement timeout)
  'SQLITE_BUSY',
]);

/**
 * Whether the database could not be reached or did not answer in time (a
 * restart, a network cut, a statement timeout): the request may succeed if
 * tried again, so it is answered 503, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as DriverError;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as DriverError;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Whether a unique violation concerns the given column. PostgreSQL names the
 * violated index (`users_email_key`, or `users_pool_email_key` for a key that
 * leads with a scope column), SQLite the columns (`users.email`); both contain
 * the column name, which the migrations keep distinct per table.
 */
export function violatesUniqueColumn(error: unknown, table: string, column: string): boolean {
  if (!isUniqueViolation(error)) return false;
  const { constraint, message } = error as DriverError;
  if (typeof constraint === 'string')
    return constraint.startsWith(`${table}_`) && constraint.endsWith(`_${column}_key`);
  return typeof message === 'string' && message.includes(`${table}.${column}`);
}
