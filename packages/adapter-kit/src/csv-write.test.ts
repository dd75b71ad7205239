import { describe, expect, it } from 'vitest';
import { openCsv } from './csv';
import { csvCell, csvLine } from './csv-write';
import { bytesOf } from './source';

describe('CSV export cells', () => {
  it('neutralises formulas in text but keeps numbers as numbers', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    for (const start of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${start}SUM(A1)`).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell(-1.132)).toBe('-1.132');
    expect(csvCell('On or near Park')).toBe('On or near Park');
    expect(csvCell(null)).toBe('');
  });

  it('round-trips through a CSV reader with the apostrophe as the only change', async () => {
    const line = csvLine(['=1+1', 'a,"b"\nc', 52.1, null]);
    const csv = await openCsv(bytesOf(`A,B,C,D\r\n${line}`), { feedLabel: 't', requiredColumns: ['A', 'B', 'C', 'D'], encoding: 'utf-8' });
    const rows = [];
    for await (const b of csv.batches()) rows.push(...b.records.map((r) => r.fields));
    expect(rows).toEqual([["'=1+1", 'a,"b"\nc', '52.1', '']]);
  });
});
