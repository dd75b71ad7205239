import Papa from 'papaparse';
import { HubError, type RowReject } from '@csp-hub/taxonomy';
import { decodeText, type ByteSource, type DetectedEncoding, type Encoding } from './decode';

export interface CsvOptions {
  /** Feed name for messages, e.g. "police street-level crime". */
  feedLabel: string;
  /** Columns that must be present (exact names, any order). */
  requiredColumns: readonly string[];
  /** Columns used when present. */
  optionalColumns?: readonly string[];
  encoding: Encoding;
  /** A quoted field longer than this (characters) is treated as a quote that never closes. */
  maxFieldChars?: number;
  onEncoding?: (encoding: DetectedEncoding) => void;
}

/** One data row: its 1-based number (the header is row 0) and its fields. */
export interface CsvRecord {
  row: number;
  fields: string[];
}

export interface CsvBatch {
  records: CsvRecord[];
  rejects: RowReject[];
}

export interface CsvReader {
  /** Header names as in the file (BOM stripped, trimmed). */
  header: string[];
  /** Index of each column this feed uses (required and optional present). */
  column: Readonly<Record<string, number>>;
  batches(): AsyncGenerator<CsvBatch>;
}

const DEFAULT_MAX_FIELD = 1_000_000;

/**
 * Streams a CSV file: decodes, checks the header, then yields batches of rows
 * of the right width. Rows of the wrong width or with malformed quotes become
 * rejects; a wrong header, an unterminated quote or a cut-off last row refuse
 * the whole file (HubError invalid_input).
 */
export async function openCsv(source: ByteSource, options: CsvOptions): Promise<CsvReader> {
  const text = decodeText(source, options.encoding, options.onEncoding)[Symbol.asyncIterator]();
  const maxField = options.maxFieldChars ?? DEFAULT_MAX_FIELD;
  let pending = '';
  let done = false;
  // Read until the header line is complete.
  while (!done && pending.indexOf('\n') < 0) {
    const next = await text.next();
    if (next.done) done = true;
    else pending += next.value;
    if (pending.length > maxField) break;
  }
  if (pending.trim() === '') {
    throw HubError.invalidInput('EMPTY_FILE', `The file is empty: a ${options.feedLabel} file starts with a header row.`);
  }
  const newline: '\r\n' | '\n' = /\r\n/.test(pending.slice(0, pending.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
  const headerResult = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"', preview: 1, fastMode: false }).parse(pending, 0, !done);
  const headerFields = headerResult.data[0] as string[] | undefined;
  if (!headerFields) {
    throw HubError.invalidInput('WRONG_HEADER', `The header row could not be read. ${expected(options)}`);
  }
  const header = headerFields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const column = checkHeader(header, options);
  pending = pending.slice(lineEnd(headerResult.meta.cursor, pending, newline));
  const width = header.length;

  async function* batches(): AsyncGenerator<CsvBatch> {
    let row = 0;
    // Set when a parse consumed nothing (an open quote or a long row): read more before parsing again.
    let stalled = false;
    for (;;) {
      if (!done && (pending.length < 64 * 1024 || stalled)) {
        const next = await text.next();
        if (next.done) done = true;
        else {
          pending += next.value;
          stalled = false;
          continue;
        }
      }
      const result = parser.parse(pending, 0, !done);
      const records: CsvRecord[] = [];
      const rejects: RowReject[] = [];
      const quoteErrors = new Map<number, string>();
      for (const error of result.errors) {
        if (error.code === 'MissingQuotes') {
          throw HubError.invalidInput(
            'MALFORMED_QUOTING',
            `Row ${row + (error.row ?? 0) + 1}: a quoted field never closes before the end of the file. Check the quotes in that row.`,
            { row: row + (error.row ?? 0) + 1 },
          );
        }
        if (error.code === 'InvalidQuotes' && error.row !== undefined) quoteErrors.set(error.row, error.message);
      }
      const data = result.data as string[][];
      const consumedAll = done && result.meta.cursor >= pending.length;
      for (let i = 0; i < data.length; i++) {
        const fields = data[i]!;
        const n = row + i + 1;
        if (fields.length === 1 && fields[0] === '') continue; // blank line
        if (newline === '\n') {
          const last = fields[fields.length - 1]!;
          if (last.endsWith('\r')) fields[fields.length - 1] = last.slice(0, -1);
        }
        if (quoteErrors.has(i)) {
          rejects.push(reject(n, null, fields.join(','), 'MALFORMED_QUOTING', 'A quoted field is not closed properly (a stray " inside it?)'));
        } else if (fields.length !== width) {
          const isLast = consumedAll && i === data.length - 1;
          if (isLast && fields.length < width && !endsWithNewline(pending)) {
            throw HubError.invalidInput(
              'TRUNCATED_FILE',
              `The file ends part-way through row ${n} (${fields.length} of ${width} fields and no final line break): it looks truncated. Nothing was stored; send the complete file.`,
              { row: n },
            );
          }
          rejects.push(
            reject(n, null, fields.join(','), 'COLUMN_COUNT', `Expected ${width} fields, found ${fields.length}`),
          );
        } else {
          records.push({ row: n, fields });
        }
      }
      row += data.length;
      stalled = !done && result.meta.cursor === 0;
      pending = done ? '' : pending.slice(result.meta.cursor);
      if (records.length > 0 || rejects.length > 0) yield { records, rejects };
      if (done) return;
      if (pending.length > maxField) {
        throw HubError.invalidInput(
          'MALFORMED_QUOTING',
          `Row ${row + 1}: a quoted field runs on for more than ${maxField.toLocaleString('en-GB')} characters; a closing quote is probably missing.`,
          { row: row + 1 },
        );
      }
    }
  }

  return { header, column, batches };
}

function lineEnd(cursor: number, text: string, newline: string): number {
  return text.startsWith(newline, cursor) ? cursor + newline.length : cursor;
}

function endsWithNewline(text: string): boolean {
  return text.endsWith('\n') || text.endsWith('\r');
}

function expected(options: CsvOptions): string {
  return `Expected the ${options.feedLabel} columns: ${options.requiredColumns.join(', ')}.`;
}

function checkHeader(header: string[], options: CsvOptions): Record<string, number> {
  const column: Record<string, number> = {};
  const duplicates = new Set<string>();
  header.forEach((name, i) => {
    if (name in column) duplicates.add(name);
    else column[name] = i;
  });
  const missing = options.requiredColumns.filter((c) => !(c in column));
  if (missing.length > 0) {
    const near = missing
      .map((m) => {
        const match = header.find((h) => h.toLowerCase() === m.toLowerCase());
        return match ? ` ("${match}" differs only in case from "${m}")` : '';
      })
      .join('');
    throw HubError.invalidInput(
      'WRONG_HEADER',
      `This is not a ${options.feedLabel} file: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${near}. ` +
        `${expected(options)} Found: ${header.slice(0, 40).join(', ') || '(nothing)'}.`,
      { missing, found: header },
    );
  }
  const used = [...options.requiredColumns, ...(options.optionalColumns ?? [])];
  const ambiguous = used.filter((c) => duplicates.has(c));
  if (ambiguous.length > 0) {
    throw HubError.invalidInput(
      'WRONG_HEADER',
      `The header names ${ambiguous.join(', ')} more than once, so the file cannot be read unambiguously.`,
      { duplicates: ambiguous },
    );
  }
  const picked: Record<string, number> = {};
  for (const c of used) if (c in column) picked[c] = column[c]!;
  return picked;
}

export function reject(row: number, column: string | null, value: string | null, reason: string, message: string): RowReject {
  return { kind: 'reject', rowNumber: row, column, value: value === null ? null : value.slice(0, 1000), reason, message };
}

/** Longest header row read when peeking (a header longer than this is not a CSV header). */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads just the header row of a CSV without losing any bytes: returns the
 * header names (BOM stripped, trimmed) and a source that replays the whole
 * file, so the header can choose how the file is then read (e.g. its layout
 * and encoding). The header is decoded as UTF-8, or Windows-1252 when it is
 * not valid UTF-8.
 */
export async function peekCsvHeader(source: ByteSource, feedLabel: string): Promise<{ header: string[]; source: ByteSource }> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let size = 0;
  let exhausted = false;
  let line: Uint8Array | undefined;
  while (line === undefined) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      line = Buffer.concat(seen);
      break;
    }
    seen.push(next.value);
    size += next.value.byteLength;
    const bytes = Buffer.concat(seen);
    const end = headerEnd(bytes);
    if (end >= 0) line = bytes.subarray(0, end);
    else if (size > MAX_HEADER_BYTES) {
      throw HubError.invalidInput('WRONG_HEADER', `The first ${MAX_HEADER_BYTES.toLocaleString('en-GB')} bytes hold no complete header row: this is not a ${feedLabel} CSV file.`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(line);
  } catch {
    const decoder = new TextDecoder('windows-1252');
    text = decoder.decode(line, { stream: true }) + decoder.decode();
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (text.trim() === '') throw HubError.invalidInput('EMPTY_FILE', `The file is empty: a ${feedLabel} file starts with a header row.`);
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', quoteChar: '"', preview: 1 });
  const header = (parsed.data[0] ?? []).map((h) => h.trim());
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* seen;
    if (exhausted) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { header, source: replay() };
}

/** Index of the line feed that ends the first CSV record (outside quotes), or -1. */
function headerEnd(bytes: Uint8Array): number {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) return i;
  }
  return -1;
}
