/**
 * The request bodies of the API as zod schemas. The same objects validate
 * requests and, through `z.toJSONSchema`, describe them in the OpenAPI
 * document, so the two cannot drift apart.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { invalidRequest } from '../errors.js';

export const MAX_PASSWORD = 4096;
const identifier = z.string().min(1, 'Enter your email or username.').max(320);
const password = z.string().min(1, 'Enter a password.').max(MAX_PASSWORD);
/** Where a browser goes next (checked against the trusted origins by the route, not here). */
const redirectTo = z.string().max(2048).optional();

export const signInBody = z
  .strictObject({
    email: identifier.optional(),
    username: identifier.optional(),
    password,
    redirectTo,
  })
  .refine((body) => (body.email === undefined) !== (body.username === undefined), {
    message: 'Enter your email or your username.',
    path: ['email'],
  });

export const passwordChangeBody = z.strictObject({
  currentPassword: z.string().min(1, 'Enter your current password.').max(MAX_PASSWORD),
  newPassword: z.string().min(1, 'Enter a new password.').max(MAX_PASSWORD),
});

export const signOutBody = z.strictObject({ redirectTo });

export const emailBody = z.strictObject({ email: z.string().min(1, 'Enter an email address.').max(320) });
export const emailChangeBody = z.strictObject({
  newEmail: z.string().min(1, 'Enter the new email address.').max(320),
});
const oneTimeToken = z.string().min(1, 'The link has no token.').max(200);
export const tokenBody = z.strictObject({ token: oneTimeToken });
export const tokenPasswordBody = z.strictObject({
  token: oneTimeToken,
  newPassword: z.string().min(1, 'Enter a new password.').max(MAX_PASSWORD),
});

export const sessionDataBody = z.strictObject({
  // The body reader has already bounded its depth and checked its text; JSON.parse made it JSON.
  data: z.record(z.string(), z.unknown()),
});

/** Sign-up takes the built-in profile fields and the app's custom fields, nothing else (no `isStaff`). */
export function signUpBody(fields: CustomFields) {
  const custom = customFieldSchemas(fields);
  return z.strictObject({
    email: z.string().min(1, 'Enter an email address.').max(320),
    password: z.string().min(1, 'Enter a password.').max(MAX_PASSWORD),
    username: z.string().max(150).optional(),
    firstName: z.string().max(150).optional(),
    lastName: z.string().max(150).optional(),
    redirectTo,
    ...custom,
  });
}

/** What a user may change of their own profile: names and custom fields (email changes are confirmed by mail). */
export function profileBody(fields: CustomFields) {
  const custom = customFieldSchemas(fields);
  return z.strictObject({
    username: z.string().max(150).nullable().optional(),
    firstName: z.string().max(150).optional(),
    lastName: z.string().max(150).optional(),
    ...custom,
  });
}

/** One optional schema per custom field (the user store checks each field's own rules after). */
export function customFieldSchemas(fields: CustomFields): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [name, customFieldSchema(field.type).optional()]),
  );
}

function customFieldSchema(type: string) {
  switch (type) {
    case 'integer':
    case 'number':
      return z.number().nullable();
    case 'boolean':
      return z.boolean().nullable();
    case 'timestamp':
      return z.iso.datetime({ offset: true }).nullable();
    default:
      return z.string().nullable();
  }
}

/**
 * Form posts carry strings only: custom fields of other types are converted
 * before validation (`on`/`true`/`1` for booleans, numerals for numbers).
 */
export function coerceFormFields(
  fields: CustomFields,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const [name, field] of Object.entries(fields)) {
    const value = out[name];
    if (typeof value !== 'string') continue;
    if (value === '' && field.type !== 'string') out[name] = null;
    else if (field.type === 'boolean') out[name] = ['on', 'true', '1'].includes(value.toLowerCase());
    else if ((field.type === 'integer' || field.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) {
      out[name] = Number(value);
    }
  }
  return out;
}

/** Custom timestamp fields arrive as ISO strings; the user store takes Dates. */
export function withTimestamps(
  fields: CustomFields,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...input };
  for (const [name, field] of Object.entries(fields)) {
    if (field.type === 'timestamp' && typeof out[name] === 'string')
      out[name] = new Date(out[name] as string);
  }
  return out;
}

/** Parses `body` with `schema`, or throws `invalid_request` naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  // No prototype: a refused field called `constructor` or `toString` must still be named.
  const fields: Record<string, string> = Object.create(null);
  const add = (key: string, why: string) => {
    if (!Object.hasOwn(fields, key)) fields[key] = why;
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(key.slice(0, 100), 'This field is not accepted here.');
      continue;
    }
    const key = String(issue.path[0] ?? 'body');
    add(key, issue.code === 'invalid_type' ? describeType(issue.expected) : issue.message);
  }
  throw invalidRequest(fields);
}

function describeType(expected: string): string {
  if (expected === 'string') return 'Enter text.';
  if (expected === 'number') return 'Enter a number.';
  if (expected === 'boolean') return 'Enter true or false.';
  if (expected === 'record' || expected === 'object') return 'Send a JSON object.';
  return `Expected ${expected}.`;
}
