/**
 * PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
 * https://www.postgresql.org/docs/current/sql-copy.html (Text Format)
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** One COPY text line (with its newline) from values in column order. */
export function copyLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += copyValue(values[i]);
  }
  return `${line}\n`;
}
