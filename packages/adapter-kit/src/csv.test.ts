import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HubError } from '@csp-hub/taxonomy';
import { openCsv, type CsvOptions } from './csv';
import { bytesOf } from './source';

const options: CsvOptions = { feedLabel: 'test feed', requiredColumns: ['A', 'B', 'C'], encoding: 'utf-8' };

async function read(content: string | Uint8Array, opts: Partial<CsvOptions> = {}, chunk = 7) {
  const csv = await openCsv(bytesOf(content, chunk), { ...options, ...opts });
  const records: { row: number; fields: string[] }[] = [];
  const rejects: { rowNumber: number; reason: string; message: string }[] = [];
  for await (const b of csv.batches()) {
    records.push(...b.records);
    rejects.push(...b.rejects);
  }
  return { csv, records, rejects };
}

async function refusal(content: string | Uint8Array, opts: Partial<CsvOptions> = {}): Promise<HubError> {
  try {
    await read(content, opts);
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('openCsv', () => {
  it('reads rows with quoted commas, quotes and line breaks, across tiny chunks', async () => {
    const { records, rejects } = await read('A,B,C\n1,"two, and ""2""","three\nlines"\n4,5,6\n');
    expect(rejects).toEqual([]);
    expect(records).toEqual([
      { row: 1, fields: ['1', 'two, and "2"', 'three\nlines'] },
      { row: 2, fields: ['4', '5', '6'] },
    ]);
  });

  it('handles a BOM and CRLF line endings', async () => {
    const { csv, records } = await read('\uFEFFA,B,C\r\n1,2,3\r\n4,5,6\r\n');
    expect(csv.header).toEqual(['A', 'B', 'C']);
    expect(records.map((r) => r.fields)).toEqual([['1', '2', '3'], ['4', '5', '6']]);
  });

  it('accepts columns in any order and maps them by name', async () => {
    const { csv, records } = await read('C,A,B,Extra\n3,1,2,x\n');
    expect(csv.column).toEqual({ A: 1, B: 2, C: 0 });
    expect(records[0]!.fields[csv.column.A!]).toBe('1');
  });

  it('refuses a wrong header whole, naming the missing and expected columns', async () => {
    const error = await refusal('X,Y,Z\n1,2,3\n');
    expect(error.reason).toBe('WRONG_HEADER');
    expect(error.message).toContain('missing columns A, B, C');
    expect(error.message).toContain('Expected the test feed columns: A, B, C');
  });

  it('points out a header that differs only in case', async () => {
    const error = await refusal('a,B,C\n1,2,3\n');
    expect(error.message).toContain('"a" differs only in case from "A"');
  });

  it('keeps two headers that differ by case apart (FixMyStreet ward/Ward)', async () => {
    const { csv, records } = await read('ward,Ward,A,B,C\nNewbridge,35,1,2,3\n', { optionalColumns: ['ward', 'Ward'] });
    expect(records[0]!.fields[csv.column.ward!]).toBe('Newbridge');
    expect(records[0]!.fields[csv.column.Ward!]).toBe('35');
  });

  it('refuses an exact duplicate of a column it uses', async () => {
    expect((await refusal('A,B,C,A\n1,2,3,4\n')).message).toContain('names A more than once');
  });

  it('refuses an empty file', async () => {
    expect((await refusal('')).reason).toBe('EMPTY_FILE');
    expect((await refusal('  \n')).reason).toBe('EMPTY_FILE');
  });

  it('rejects rows of the wrong width with their row numbers and keeps the rest', async () => {
    const { records, rejects } = await read('A,B,C\n1,2,3\n1,2\n1,2,3,4\n7,8,9\n');
    expect(records.map((r) => r.row)).toEqual([1, 4]);
    expect(rejects).toMatchObject([
      { rowNumber: 2, reason: 'COLUMN_COUNT', message: 'Expected 3 fields, found 2' },
      { rowNumber: 3, reason: 'COLUMN_COUNT', message: 'Expected 3 fields, found 4' },
    ]);
  });

  it('refuses a file cut off part-way through its last row', async () => {
    const error = await refusal('A,B,C\n1,2,3\n4,5');
    expect(error.reason).toBe('TRUNCATED_FILE');
    expect(error.message).toContain('row 2');
  });

  it('refuses a quote that never closes', async () => {
    const error = await refusal('A,B,C\n1,"2,3\n4,5,6\n');
    expect(error.reason).toBe('MALFORMED_QUOTING');
  });

  it('refuses a runaway quoted field without reading the whole file into memory', async () => {
    const error = await refusal(`A,B,C\n1,"${'x'.repeat(200_000)}`, { maxFieldChars: 1000 });
    expect(error.reason).toBe('MALFORMED_QUOTING');
    expect(error.message).toContain('more than 1,000 characters');
  });

  it('rejects a row with a stray quote inside a quoted field', async () => {
    const { records, rejects } = await read('A,B,C\n1,"2"x",3\n4,5,6\n');
    expect(rejects).toMatchObject([{ rowNumber: 1, reason: 'MALFORMED_QUOTING' }]);
    expect(records.map((r) => r.row)).toEqual([2]);
  });

  it('skips blank lines', async () => {
    const { records } = await read('A,B,C\n1,2,3\n\n4,5,6\n\n');
    expect(records.map((r) => r.fields[0])).toEqual(['1', '4']);
  });

  it('refuses invalid UTF-8 with the byte offset, or reads it as Windows-1252 when asked', async () => {
    const bytes = Buffer.concat([Buffer.from('A,B,C\n1,2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const error = await refusal(bytes);
    expect(error.reason).toBe('INVALID_ENCODING');
    expect(error.message).toContain('invalid byte 0xe9 at byte offset 13');
    const { records } = await read(bytes, { encoding: 'windows-1252' });
    expect(records[0]!.fields[2]).toBe('café');
    const auto = await read(bytes, { encoding: 'auto' });
    expect(auto.records[0]!.fields[2]).toBe('café');
  });

  it('keeps multi-byte characters split across chunk boundaries intact', async () => {
    const { records } = await read('A,B,C\nÉé,“quoted”,£5\n', {}, 1);
    expect(records[0]!.fields).toEqual(['Éé', '“quoted”', '£5']);
  });

  it('reads any table of safe-ish strings back exactly (property)', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é', '1') });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 50 }), async (rows, chunk) => {
        const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
        const text = `A,B,C\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`;
        const { records, rejects } = await read(text, {}, chunk);
        expect(rejects).toEqual([]);
        expect(records.map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });
});

describe('openCsv header boundary', () => {
  it('keeps the first data row in unquoted files, whatever the chunk size', async () => {
    for (const chunk of [1, 5, 9, 64 * 1024]) {
      const { records } = await read('A,B,C\n1,2,3\n4,5,6\n', {}, chunk);
      expect(records.map((r) => r.row)).toEqual([1, 2]);
    }
  });
});

describe('Windows-1252 decoding', () => {
  it('maps the 0x80-0x9F range to the right characters (Node 20 one-shot decode gets these wrong)', async () => {
    const bytes = Buffer.concat([Buffer.from('A,B,C\n'), Buffer.from([0x96, 0x2c, 0x80, 0x2c, 0x93, 0x71, 0x94]), Buffer.from('\n')]);
    for (const chunk of [1, 3, 1024]) {
      const { records } = await read(bytes, { encoding: 'windows-1252' }, chunk);
      expect(records[0]!.fields).toEqual(['–', '€', '“q”']);
      const auto = await read(bytes, { encoding: 'auto' }, chunk);
      expect(auto.records[0]!.fields).toEqual(['–', '€', '“q”']);
    }
  });
});

describe('openCsv with an unterminated quote in a large file', () => {
  it('refuses it instead of parsing the same text forever (64 KiB chunks, quote early)', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i},b,c`);
    rows[3] = '3,"b,c';
    const text = `A,B,C\n${rows.join('\n')}\n`;
    const started = Date.now();
    const error = await refusal(Buffer.from(text), { maxFieldChars: 100_000 });
    expect(error.reason).toBe('MALFORMED_QUOTING');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
