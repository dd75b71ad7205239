/**
 * CSV output that spreadsheets cannot execute: a text cell starting with = + - @
 * tab or carriage return is prefixed with an apostrophe (OWASP "CSV injection"),
 * so `=HYPERLINK(...)` stays text when an analyst opens the export in Excel.
 * Numbers are written as numbers (a negative longitude is not a formula).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
