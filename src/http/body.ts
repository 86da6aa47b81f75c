/**
 * Request bodies: JSON objects or HTML form posts, nothing else, and never
 * more than `maxBytes` — a body without a `Content-Length` is counted while
 * it is read, so it cannot grow past the limit either.
 */
import { AuthError, invalidRequest } from '../errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RequestBody {
  fields: Record<string, unknown>;
  /** True for a form post, whose values are all strings. */
  form: boolean;
}

export async function readBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<RequestBody> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = await readText(request, maxBytes);
  if (type === 'application/json' || type.endsWith('+json'))
    return { fields: parseJsonObject(text), form: false };
  if (type === 'application/x-www-form-urlencoded') return { fields: parseForm(text), form: true };
  if (text.trim() === '') return { fields: {}, form: false };
  throw new AuthError('invalid_request', 'Send the body as application/json or as a form.');
}

/**
 * A form post as its list of fields, repeats kept in order (checkbox lists):
 * the same limits and text checks as `readBody`.
 */
export async function readFormFields(
  request: Request,
  maxBytes = MAX_BODY_BYTES,
): Promise<[name: string, value: string][]> {
  const entries = [...new URLSearchParams(await readText(request, maxBytes))];
  for (const [name, value] of entries)
    if (!isStorableText(name) || !isStorableText(value)) throw unstorable();
  return entries;
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // With a declared length (which the HTTP parser holds the client to), read at once: servers take a faster path.
  if (length !== null && Number.isInteger(declared)) {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
    return new TextDecoder().decode(bytes);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthError('invalid_request', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('invalid_request', 'The body must be a JSON object.');
  }
  checkStorable(value);
  return value as Record<string, unknown>;
}

/** How deep a JSON body may nest; the API's own bodies need three levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses what later steps could not handle: nesting deep enough to exhaust a
 * recursive walk, and text no database can store (NUL, which PostgreSQL text
 * refuses, and lone UTF-16 surrogates, which are not Unicode). Iterative, so
 * the check itself cannot overflow the stack.
 */
function checkStorable(root: object): void {
  const pending: Array<[value: unknown, depth: number]> = [[root, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop() as [unknown, number];
    if (typeof value === 'string') {
      if (!isStorableText(value)) throw unstorable();
    } else if (typeof value === 'object' && value !== null) {
      if (depth > MAX_JSON_DEPTH) {
        throw new AuthError('invalid_request', `The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
      }
      for (const [key, child] of Object.entries(value)) {
        if (!isStorableText(key)) throw unstorable();
        pending.push([child, depth + 1]);
      }
    }
  }
}

function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

function unstorable(): AuthError {
  return new AuthError('invalid_request', 'The body contains a NUL character or malformed Unicode.');
}

/** Form fields as strings; a field sent twice is refused rather than silently picking one. */
function parseForm(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null);
  const repeated: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, key)) repeated[key] = 'Send this field once.';
    fields[key] = value;
  }
  if (Object.keys(repeated).length > 0) throw invalidRequest(repeated);
  checkStorable(fields);
  return fields;
}

function tooLarge(maxBytes: number): AuthError {
  return new AuthError('payload_too_large', `The body is larger than ${maxBytes} bytes.`);
}
