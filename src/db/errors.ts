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
