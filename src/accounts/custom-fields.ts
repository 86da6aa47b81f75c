/**
 * Custom user fields: what an app adds to its users, the way a Django project
 * subclasses `AbstractUser`. Each declared field becomes a real column of
 * `users` (see `./user-field-columns.ts`), is validated on create and update,
 * and appears, typed, on the user object.
 */

import { readBool, readDate } from '../db/values.js';
import type { FieldErrors } from '../errors.js';

interface FieldBase {
  /** When true the field may be null; a field with a `default` is never null. */
  optional?: boolean;
  /** Shown in forms and error messages; defaults to the field name. */
  label?: string;
}

export interface StringField extends FieldBase {
  type: 'string';
  /** Longest accepted value in characters (default 255). */
  maxLength?: number;
  /** When set, the only accepted values. */
  choices?: readonly string[];
  default?: string;
}

export interface IntegerField extends FieldBase {
  type: 'integer';
  min?: number;
  max?: number;
  default?: number;
}

export interface NumberField extends FieldBase {
  type: 'number';
  min?: number;
  max?: number;
  default?: number;
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
  default?: boolean;
}

export interface TimestampField extends FieldBase {
  type: 'timestamp';
}

export type CustomFieldDefinition = StringField | IntegerField | NumberField | BooleanField | TimestampField;
export type CustomFieldType = CustomFieldDefinition['type'];
export type CustomFields = Record<string, CustomFieldDefinition>;
/** The custom fields of an app that declares none. */
export type NoCustomFields = Record<never, never>;

type FieldValue<D> = D extends { type: 'string'; choices: readonly (infer C)[] }
  ? C
  : D extends { type: 'string' }
    ? string
    : D extends { type: 'integer' | 'number' }
      ? number
      : D extends { type: 'boolean' }
        ? boolean
        : Date;

type IsNullable<D> = D extends { default: unknown } ? false : D extends { optional: true } ? true : false;
type IsRequiredInput<D> = D extends { default: unknown }
  ? false
  : D extends { optional: true }
    ? false
    : true;

/** The custom fields as they appear on a user object. */
export type CustomFieldValues<F extends CustomFields> = {
  -readonly [K in keyof F]: FieldValue<F[K]> | (IsNullable<F[K]> extends true ? null : never);
};

/** The custom fields as accepted when creating a user: required ones must be given. */
export type CustomFieldInput<F extends CustomFields> = {
  -readonly [K in keyof F as IsRequiredInput<F[K]> extends true ? K : never]: FieldValue<F[K]>;
} & {
  -readonly [K in keyof F as IsRequiredInput<F[K]> extends true ? never : K]?: FieldValue<F[K]> | null;
};

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
const DEFAULT_MAX_LENGTH = 255;
const FIELD_NAME = /^[a-z][A-Za-z0-9]{0,40}$/;

/** camelCase field name → snake_case column name. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Startup check of the declarations; returns every problem found, one sentence each. */
export function customFieldProblems(fields: CustomFields, reserved: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const columns = new Map<string, string>();
  for (const [name, field] of Object.entries(fields)) {
    const column = columnName(name);
    if (!FIELD_NAME.test(name)) problems.push(`"${name}" must be camelCase letters and digits (at most 41).`);
    if (reserved.has(name) || reserved.has(column)) problems.push(`"${name}" is a built-in user field.`);
    const clash = columns.get(column);
    if (clash) problems.push(`"${name}" and "${clash}" would both be stored in column "${column}".`);
    columns.set(column, name);
    if ('default' in field && field.default !== undefined) {
      const problem = valueProblem(field, field.default);
      if (problem) problems.push(`The default of "${name}" is invalid: ${problem}`);
    }
  }
  return problems;
}

/** Why a value is not acceptable for the field, or null. `null` itself is judged by the caller. */
function valueProblem(field: CustomFieldDefinition, value: unknown): string | null {
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return 'Enter text.';
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH;
      if ([...value].length > max) return `Enter at most ${max} characters.`;
      if (field.choices && !field.choices.includes(value))
        return `Choose one of: ${field.choices.join(', ')}.`;
      return null;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number.';
      if (field.type === 'integer' && (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)) {
        return `Enter a whole number between ${INT32_MIN} and ${INT32_MAX}.`;
      }
      if (field.min !== undefined && value < field.min) return `Enter a number of at least ${field.min}.`;
      if (field.max !== undefined && value > field.max) return `Enter a number of at most ${field.max}.`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'Enter true or false.';
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? null : 'Enter a date and time.';
  }
}

function acceptsNull(field: CustomFieldDefinition): boolean {
  return field.optional === true && !('default' in field && field.default !== undefined);
}

/**
 * Validates the custom fields present in `input` and returns their column
 * values. On create, absent fields take their default (or null when
 * optional) and a missing required field is an error; on update, absent fields
 * are left alone.
 */
export function validateCustomFields(
  fields: CustomFields,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): { columns: Record<string, unknown>; errors: FieldErrors } {
  const columns: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [name, field] of Object.entries(fields)) {
    let value = input[name];
    if (value === undefined) {
      if (mode === 'update') continue;
      value = 'default' in field && field.default !== undefined ? field.default : null;
    }
    if (value === null) {
      if (acceptsNull(field)) columns[columnName(name)] = null;
      else errors[name] = 'This field is required.';
      continue;
    }
    const problem = valueProblem(field, value);
    if (problem) errors[name] = problem;
    else columns[columnName(name)] = value;
  }
  return { columns, errors };
}

/** Reads the custom fields of a `users` row (dialect-specific values) into their typed form. */
export function readCustomFields(
  fields: CustomFields,
  row: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const raw = row[columnName(name)];
    if (raw === null || raw === undefined) {
      values[name] = null;
      continue;
    }
    if (field.type === 'boolean') values[name] = readBool(raw);
    else if (field.type === 'timestamp') values[name] = readDate(raw);
    else if (field.type === 'integer' || field.type === 'number') values[name] = Number(raw);
    else values[name] = raw;
  }
  return values;
}

/** The SQL type of a field's column on each dialect. */
export function columnType(type: CustomFieldType, dialect: 'sqlite' | 'postgres'): string {
  const types: Record<CustomFieldType, [sqlite: string, postgres: string]> = {
    string: ['text', 'text'],
    integer: ['integer', 'integer'],
    number: ['real', 'double precision'],
    boolean: ['boolean', 'boolean'],
    timestamp: ['text', 'timestamptz'],
  };
  return types[type][dialect === 'sqlite' ? 0 : 1];
}
