/**
 * Brings the `users` table in line with the declared custom fields: adds a
 * column for each new field and records it in `gatehouse_user_fields`.
 *
 * It never loses data on its own: a field that disappeared from the config, or
 * whose type changed, stops the migration with an explanation; a column is
 * dropped only when the operator names it (`gatehouse migrate --drop-field`).
 * The plan is made and applied in one locked transaction, so two processes
 * migrating at once cannot both add the same column.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { lockedTransaction } from '../db/migrator.js';
import type { Executor } from '../db/transaction.js';
import { type CustomFieldDefinition, type CustomFields, columnName, columnType } from './custom-fields.js';

export interface UserFieldChange {
  action: 'add' | 'drop';
  field: string;
  column: string;
  type: string;
}

export interface UserFieldPlan {
  changes: UserFieldChange[];
  /** Reasons the plan cannot be applied; each says what to do about it. */
  problems: string[];
}

export class UserFieldMigrationError extends Error {
  override readonly name = 'UserFieldMigrationError';
  constructor(readonly problems: string[]) {
    super(`The custom user fields cannot be migrated:\n- ${problems.join('\n- ')}`);
  }
}

async function plan(
  trx: Executor,
  database: Database,
  fields: CustomFields,
  dropFields: readonly string[],
): Promise<UserFieldPlan> {
  const registered = await trx.selectFrom('gatehouse_user_fields').selectAll().execute();
  const registeredByName = new Map(registered.map((row) => [row.name, row]));
  const changes: UserFieldChange[] = [];
  const problems: string[] = [];
  const userCount = await countUsers(trx);
  const existingColumns = await usersColumns(trx, database);

  for (const [field, definition] of Object.entries(fields)) {
    const column = columnName(field);
    const known = registeredByName.get(field);
    if (known) {
      if (known.type !== definition.type) {
        problems.push(
          `"${field}" is stored as ${known.type} but now declared as ${definition.type}; ` +
            `a column's type is never changed automatically. Add a new field and copy the values, ` +
            `or restore the declaration.`,
        );
      }
      continue;
    }
    if (dropFields.includes(field)) problems.push(`"${field}" is declared, so it cannot be dropped.`);
    if (existingColumns.has(column)) {
      problems.push(`Column "${column}" already exists in users but is not a recorded custom field.`);
      continue;
    }
    if (isRequiredWithoutDefault(definition) && userCount > 0) {
      problems.push(
        `"${field}" is required and has no default, but ${userCount} user(s) already exist: ` +
          `give it a default or make it optional.`,
      );
      continue;
    }
    changes.push({ action: 'add', field, column, type: definition.type });
  }

  for (const row of registered) {
    if (row.name in fields) continue;
    if (dropFields.includes(row.name)) {
      changes.push({ action: 'drop', field: row.name, column: row.column_name, type: row.type });
      continue;
    }
    const withValues = await countNonNull(trx, row.column_name);
    problems.push(
      `"${row.name}" is no longer declared, but its column "${row.column_name}" still exists ` +
        `(${withValues} user(s) have a value). Declare it again to keep it, or run ` +
        `\`gatehouse migrate --drop-field ${row.name}\` to delete the column and its data.`,
    );
  }
  for (const name of dropFields) {
    if (!registeredByName.has(name)) problems.push(`--drop-field ${name}: there is no such custom field.`);
  }
  return { changes, problems };
}

function isRequiredWithoutDefault(definition: CustomFieldDefinition): boolean {
  return definition.optional !== true && !('default' in definition && definition.default !== undefined);
}

async function countUsers(trx: Executor): Promise<number> {
  const row = await trx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countNonNull(trx: Executor, column: string): Promise<number> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(${sql.ref(column)}) as n from users`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

async function usersColumns(trx: Executor, database: Database): Promise<Set<string>> {
  const { rows } =
    database.dialect === 'postgres'
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_name = 'users' and table_schema = current_schema()`.execute(trx)
      : await sql<{ name: string }>`select name from pragma_table_info('users')`.execute(trx);
  return new Set(rows.map((row) => row.name));
}

/** What `migrateUserFields` would do, without doing it. */
export async function planUserFields(
  database: Database,
  fields: CustomFields,
  dropFields: readonly string[] = [],
): Promise<UserFieldPlan> {
  // Read-only, but under the same lock so the answer is consistent with a concurrent migration.
  return lockedTransaction(database, (trx) => plan(trx, database, fields, dropFields));
}

/** Applies the plan, or throws `UserFieldMigrationError` listing every problem and changes nothing. */
export async function migrateUserFields(
  database: Database,
  fields: CustomFields,
  options: { dropFields?: readonly string[]; now?: () => Date } = {},
): Promise<UserFieldChange[]> {
  return lockedTransaction(database, async (trx) => {
    const { changes, problems } = await plan(trx, database, fields, options.dropFields ?? []);
    if (problems.length > 0) throw new UserFieldMigrationError(problems);
    for (const change of changes) {
      if (change.action === 'drop') {
        await trx.schema.alterTable('users').dropColumn(change.column).execute();
        await trx.deleteFrom('gatehouse_user_fields').where('name', '=', change.field).execute();
        continue;
      }
      const definition = fields[change.field] as CustomFieldDefinition;
      await trx.schema
        .alterTable('users')
        .addColumn(change.column, sql.raw(columnType(definition.type, database.dialect)))
        .execute();
      if ('default' in definition && definition.default !== undefined) {
        await trx
          .updateTable('users')
          .set({ [change.column]: definition.default } as never)
          .execute();
      }
      await trx
        .insertInto('gatehouse_user_fields')
        .values({
          name: change.field,
          column_name: change.column,
          type: change.type,
          added_at: options.now?.() ?? new Date(),
        })
        .execute();
    }
    return changes;
  });
}
