/**
 * CSV as RFC 4180 writes it, for `gatehouse users import|export`: fields
 * separated by commas, optionally quoted with `"`, a quote inside a quoted
 * field doubled (`""`), records ending in CRLF or LF (a lone CR is accepted
 * too), line breaks allowed inside quoted fields. The parser streams: it takes
 * text in chunks of any size (a chunk may end anywhere, even inside a field)
 * and never holds more than the record being read.
 *
 * Malformed input is an error naming its line, not a guess: a character after
 * a closing quote, or a quoted field still open at the end of the file.
 */

export interface CsvRecord {
  fields: string[];
  /** The line the record starts on (1-based); records with quoted line breaks span several. */
  line: number;
}

export class CsvParseError extends Error {
  override readonly name = 'CsvParseError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

enum State {
  /** At the start of a field. */
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a `"` inside a quoted field: either an escaped quote or the field's end. */
  QuoteInQuoted,
}

export class CsvParser {
  #state = State.FieldStart;
  /** The current field's text carried over from earlier chunks (or with unescaped quotes). */
  #field = '';
  #fields: string[] = [];
  #line = 1;
  #recordLine = 1;
  /** The previous chunk ended a record on CR: an LF starting this one belongs to it. */
  #afterCr = false;
  #started = false;

  /** Parses a chunk; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not data
    }
    const n = text.length;
    let i = 0;
    let segment = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      switch (this.#state) {
        case State.FieldStart: {
          if (this.#afterCr) {
            this.#afterCr = false;
            if (c === LF) {
              i++;
              continue;
            }
          }
          if (c === QUOTE) {
            this.#state = State.Quoted;
            segment = ++i;
            continue;
          }
          this.#state = State.Unquoted;
          segment = i;
          continue;
        }
        case State.Unquoted: {
          let j = i;
          let d = c;
          while (d !== COMMA && d !== CR && d !== LF) {
            if (++j === n) break;
            d = text.charCodeAt(j);
          }
          if (j === n) {
            this.#field += text.slice(segment, n);
            i = n;
            continue;
          }
          this.#endField(this.#field + text.slice(segment, j));
          i = j + 1;
          if (d !== COMMA) this.#endRecord(records, d === CR);
          continue;
        }
        case State.Quoted: {
          const q = text.indexOf('"', i);
          const end = q === -1 ? n : q;
          const part = text.slice(segment, end);
          this.#line += countNewlines(part);
          this.#field += part;
          if (q === -1) {
            i = n;
            continue;
          }
          this.#state = State.QuoteInQuoted;
          i = q + 1;
          continue;
        }
        case State.QuoteInQuoted: {
          if (c === QUOTE) {
            this.#field += '"';
            this.#state = State.Quoted;
            segment = ++i;
            continue;
          }
          if (c === COMMA || c === CR || c === LF) {
            this.#endField(this.#field);
            i++;
            if (c !== COMMA) this.#endRecord(records, c === CR);
            continue;
          }
          throw new CsvParseError(this.#line, 'a quoted field must end at a comma or the end of the line.');
        }
      }
    }
    // A field cut by the chunk's end goes on in the next chunk, from its first character.
    return records;
  }

  /** The last record, if the text did not end with a line break. */
  end(): CsvRecord[] {
    if (this.#state === State.Quoted) {
      throw new CsvParseError(this.#recordLine, 'a quoted field is not closed before the end of the file.');
    }
    const records: CsvRecord[] = [];
    if (this.#state !== State.FieldStart || this.#fields.length > 0) {
      this.#endField(this.#field);
      this.#endRecord(records, false);
      this.#line--; // no line break was read
    }
    return records;
  }

  #endField(value: string): void {
    this.#fields.push(value);
    this.#field = '';
    this.#state = State.FieldStart;
  }

  #endRecord(records: CsvRecord[], cr: boolean): void {
    const fields = this.#fields;
    this.#fields = [];
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: this.#recordLine });
    this.#line++;
    this.#recordLine = this.#line;
    this.#afterCr = cr;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Records of a text stream (say `createReadStream(path, 'utf8')`), read as it arrives. */
export async function* parseCsv(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.push(text);
  }
  const rest = decoder.decode();
  if (rest) yield* parser.push(rest);
  yield* parser.end();
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One record, fields quoted where needed, ending in CRLF. */
export function formatCsvRecord(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (i > 0) out += ',';
    out += NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }
  return `${out}\r\n`;
}
