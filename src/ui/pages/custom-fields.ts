import type { CustomFieldDefinition } from '../../accounts/custom-fields.js';
import type { PageContext } from '../context.js';
import type { SafeHtml } from '../html.js';
import { field } from '../layout.js';

/** A form control for each custom field, typed by its definition. */
export function customFieldInputs(
  ctx: PageContext,
  values: Record<string, string>,
  errors: Record<string, string>,
): SafeHtml[] {
  return Object.entries(ctx.fields).map(([name, definition]) =>
    field({
      name,
      label: definition.label ?? name,
      ...inputFor(definition, values[name] ?? ''),
      errors,
      ...(definition.optional ? { optionalText: ctx.t('optional') } : {}),
    }),
  );
}

function inputFor(definition: CustomFieldDefinition, value: string) {
  switch (definition.type) {
    case 'integer':
    case 'number':
      return { type: 'number', value };
    case 'boolean':
      return { type: 'checkbox', checked: value === 'true' || value === 'on' };
    case 'timestamp':
      return { type: 'datetime-local', value: value.slice(0, 16) };
    default:
      return definition.choices ? { choices: definition.choices, value } : { value };
  }
}

/** Labels of the custom fields, for error summaries. */
export function customFieldLabels(ctx: PageContext): Record<string, string> {
  return Object.fromEntries(Object.entries(ctx.fields).map(([name, d]) => [name, d.label ?? name]));
}
