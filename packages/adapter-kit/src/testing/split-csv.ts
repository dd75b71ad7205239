/**
 * Test-only: splits a whole CSV text into rows of fields, honouring double
 * quotes (commas, doubled quotes and line breaks inside them). Deliberately
 * independent of adapter-kit's streaming reader, so tests can count a source
 * file a second way. Blank lines are skipped; a leading BOM is dropped.
 */
export function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') endRow();
    else if (ch === '\r' && s[i + 1] === '\n') {
      endRow();
      i++;
    } else field += ch;
  }
  if (quoted) throw new Error('splitCsv: a quoted field never closes');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** A file split into its header and a lookup of each data row's field by column name (exact, case-sensitive). */
export function csvTable(text: string): { header: string[]; rows: string[][]; get: (row: string[], column: string) => string } {
  const [header, ...rows] = splitCsv(text);
  if (!header) throw new Error('csvTable: no header');
  const index = (column: string): number => {
    const i = header.indexOf(column);
    if (i < 0 || header.indexOf(column, i + 1) >= 0) throw new Error(`csvTable: column ${column} is missing or repeated`);
    return i;
  };
  return { header, rows, get: (row, column) => row[index(column)]! };
}
