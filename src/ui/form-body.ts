import type { CustomFields } from '../accounts/custom-fields.js';

/**
 * A form's strings as the API's JSON: empty optional text left out (or null
 * when `clearing` a profile), numbers and booleans typed, local date-times
 * read as UTC.
 */
export function toApiBody(
  fields: CustomFields,
  form: Record<string, string>,
  coreNames: readonly string[],
  clearing = false,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of coreNames) {
    const value = form[name];
    if (value === undefined) continue;
    if (value === '' && name === 'username') {
      if (clearing) body[name] = null;
      continue;
    }
    if (value === '' && (name === 'firstName' || name === 'lastName') && !clearing) continue;
    body[name] = value;
  }
  for (const [name, field] of Object.entries(fields)) {
    const value = form[name];
    if (field.type === 'boolean') {
      body[name] = value === 'on' || value === 'true';
      continue;
    }
    if (value === undefined) continue;
    if (value === '') {
      if (clearing) body[name] = null;
      continue;
    }
    if (field.type === 'integer' || field.type === 'number') body[name] = Number(value);
    else if (field.type === 'timestamp')
      body[name] = /Z$|[+-]\d\d:\d\d$/.test(value)
        ? value
        : `${value.length === 16 ? `${value}:00` : value}Z`;
    else body[name] = value;
  }
  return body;
}
