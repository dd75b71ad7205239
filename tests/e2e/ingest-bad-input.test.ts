import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../support/hub';
import {
  COL,
  agencyId,
  cliEnv,
  csvRecords,
  csvRow,
  getText,
  incidentCountOf,
  progressLines,
  rejectsOf,
  runCli,
  sampleRows,
  sha256,
  streetCsv,
  streetFile,
  streetRows,
  STREET_HEADER,
  submissionRow,
  tableCounts,
  upload,
  waitForNoOpenTransactions,
  writeLargeStreetFile,
  type StoredReject,
  type UploadResponse,
} from './ingest/support';

const LEICS_ANALYST = demoEmail('charnwood', 'police.analyst');
const THAMES_VALLEY_ANALYST = demoEmail('west-oxfordshire', 'police.analyst');
const STREET = 'police.street';
const MB = 1024 * 1024;

/** Windows-1252 bytes for text that is ASCII except for a few characters Excel would write. */
const CP1252: Record<string, number> = { '\u00e9': 0xe9, '\u2019': 0x92, '\u00a3': 0xa3 };
function windows1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const byte = code < 0x80 ? code : CP1252[text[i]!];
    if (byte === undefined) throw new Error(`no Windows-1252 byte for ${text[i]}`);
    out[i] = byte;
  }
  return out;
}

/** Index (1-based data row) of the first row at or after `from` whose Location starts "On or near ". */
function locatedRowFrom(rows: string[][], from: number): number {
  const i = rows.findIndex((f, k) => k + 1 >= from && f[COL.location]!.startsWith('On or near ') && f[COL.crimeId] !== '');
  if (i < 0) throw new Error('no located row');
  return i + 1;
}

describe('ingest: bad input gets a clear error and nothing is half-stored', () => {
  let hub: TestHub;
  let token: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let leicsPolice: number;

  beforeAll(async () => {
    hub = await startTestHub('ingest-bad-input');
    token = await hub.tokenFor(LEICS_ANALYST);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-ingest-bad-'));
    env = cliEnv(hub.db, path.join(tmp, 'data'));
    leicsPolice = await agencyId(hub.db.pool, 'leicestershire-police');
  });
  afterAll(async () => {
    await hub?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const post = (body: Buffer | string, fileName: string, encoding?: string): Promise<UploadResponse> =>
    upload(hub.base, token, body, { feed: STREET, fileName, ...(encoding ? { encoding } : {}) });

  /** Uploads a file that must be refused whole; checks the answer and that only a refused submission was recorded. */
  async function expectRefused(body: Buffer | string, fileName: string, code: string): Promise<{ id: number; message: string }> {
    const before = await tableCounts(hub.db.pool);
    const res = await post(body, fileName);
    expect(res.status).toBe(422);
    expect(res.submission).toMatchObject({
      status: 'refused',
      errorCode: code,
      fileName,
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      rowsInserted: 0,
      rowsUpdated: 0,
      bytes: Buffer.byteLength(body),
      checksum: sha256(body),
    });
    const id = res.submission!.submissionId;
    expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });
    expect(await incidentCountOf(hub.db.pool, id)).toBe(0);
    expect(await rejectsOf(hub.db.pool, id)).toEqual([]);
    expect(await submissionRow(hub.db.pool, id)).toMatchObject({
      status: 'refused',
      error_code: code,
      error_message: res.submission!.errorMessage,
      rows_read: 0,
      rows_accepted: 0,
      rows_rejected: 0,
      bytes: String(Buffer.byteLength(body)),
      checksum: sha256(body),
    });
    return { id, message: res.submission!.errorMessage! };
  }

  /** Uploads a file whose good rows must be stored and whose bad rows must be listed; returns the submission id. */
  async function expectPartial(rows: string[][], body: string, fileName: string, rejects: StoredReject[]): Promise<number> {
    const before = await tableCounts(hub.db.pool);
    const res = await post(body, fileName);
    const good = rows.filter((_, i) => !rejects.some((r) => r.row_number === i + 1));
    expect(res.status).toBe(201);
    expect(res.submission).toMatchObject({
      status: 'accepted',
      rowsRead: rows.length,
      rowsAccepted: good.length,
      rowsRejected: rejects.length,
      rowsInserted: good.length,
      rowsUpdated: 0,
    });
    const id = res.submission!.submissionId;
    expect(await rejectsOf(hub.db.pool, id)).toEqual(rejects);
    const stored = await hub.db.pool.query<{ source_ref: string }>('select source_ref from incident where submission_id = $1', [id]);
    expect(stored.rows.map((r) => r.source_ref).sort()).toEqual(good.map((f) => f[COL.crimeId]!).sort());
    expect(await tableCounts(hub.db.pool)).toEqual({
      incidents: before.incidents + good.length,
      rejects: before.rejects + rejects.length,
      submissions: before.submissions + 1,
    });
    return id;
  }

  describe('wrong header', () => {
    it('a column renamed in case is refused, naming the column and the near miss', async () => {
      const text = readFileSync(streetFile('2024-01'), 'utf8').replace('Crime type', 'Crime Type');
      const { message } = await expectRefused(text, 'renamed.csv', 'WRONG_HEADER');
      expect(message).toContain('This is not a data.police.uk street-level crime file: missing column Crime type ("Crime Type" differs only in case from "Crime type").');
      expect(message).toContain(`Expected the data.police.uk street-level crime columns: ${STREET_HEADER.split(',').join(', ')}.`);
    });

    it('a fire brigade file sent as police street-level crime is refused, listing what is missing and what was found', async () => {
      const file = sharedData('fire', 'lfb-incident-records-excerpt-20rows.csv');
      const bytes = readFileSync(file);
      const found = bytes.toString('utf8').split(/\r?\n/)[0]!.split(',');
      const missing = STREET_HEADER.split(',').filter((c) => !found.includes(c));
      expect(missing.length).toBeGreaterThan(1);
      const { message } = await expectRefused(bytes, 'lfb.csv', 'WRONG_HEADER');
      expect(message).toContain(`missing columns ${missing.join(', ')}.`);
      expect(message).toContain(`Found: ${found.slice(0, 5).join(', ')}`);
    });
  });

  it('a truncated file (cut mid-row, no final newline) is refused naming the row', async () => {
    const text = readFileSync(streetFile('2024-02'), 'utf8');
    const lines = text.split('\n');
    const row = locatedRowFrom(streetRows(streetFile('2024-02')), 5000);
    const line = lines[row]!;
    const locationStart = line.split(',').slice(0, COL.location).join(',').length + 1;
    const cut = `${lines.slice(0, row).join('\n')}\n${line.slice(0, locationStart + 6)}`;
    expect(cut.endsWith('\n')).toBe(false);
    const { message } = await expectRefused(cut, 'truncated.csv', 'TRUNCATED_FILE');
    expect(message).toBe(
      `The file ends part-way through row ${row} (${COL.location + 1} of 12 fields and no final line break): it looks truncated. Nothing was stored; send the complete file.`,
    );
  });

  describe('malformed quoting', () => {
    it('an unterminated quote in a small file refuses the file, naming the row', async () => {
      const rows = sampleRows(5, '2023-06', 'unterminated-small');
      const lines = rows.map((f, i) => (i === 2 ? f.map((v, k) => (k === COL.location ? `"${v}` : v)).join(',') : csvRow(f)));
      const { message } = await expectRefused(`${STREET_HEADER}\n${lines.join('\n')}\n`, 'unterminated.csv', 'MALFORMED_QUOTING');
      expect(message).toBe('Row 3: a quoted field never closes before the end of the file. Check the quotes in that row.');
    });

    it('an unterminated quote in a real month is refused promptly, naming the row (CLI)', async () => {
      const text = readFileSync(streetFile('2024-03'), 'utf8');
      const lines = text.split('\n');
      const row = locatedRowFrom(streetRows(streetFile('2024-03')), 1000);
      lines[row] = lines[row]!.replace(',On or near ', ',"On or near ');
      const file = path.join(tmp, 'unterminated-month.csv');
      writeFileSync(file, lines.join('\n'));
      const before = await tableCounts(hub.db.pool);
      const run = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, file], { env, timeoutMs: 45_000 });
      await waitForNoOpenTransactions(hub.db.pool);
      // Whatever happened, nothing of the file is stored.
      const after = await tableCounts(hub.db.pool);
      expect({ incidents: after.incidents, rejects: after.rejects }).toEqual({ incidents: before.incidents, rejects: before.rejects });
      expect({ timedOut: run.timedOut, code: run.code }).toEqual({ timedOut: false, code: 1 });
      expect(run.stderr).toMatch(new RegExp(`refused \\(MALFORMED_QUOTING\\): Row ${row}: a quoted field`));
      expect(after.submissions).toBe(before.submissions + 1);
    }, 120_000);

    it('a stray quote inside one quoted field rejects that row only', async () => {
      // 6,000 rows (about 1.4 MB): the bad row arrives well past the first chunks of the upload.
      const rows = sampleRows(6000, '2023-07', 'stray');
      const bad = 4321;
      const f = rows[bad - 1]!;
      const lines = rows.map((r, i) =>
        i === bad - 1 ? [...r.slice(0, COL.location), `"On or near "The" ${r[COL.location]!.replace('On or near ', '')}"`, ...r.slice(COL.location + 1)].join(',') : csvRow(r),
      );
      const parsedValue = [...f.slice(0, COL.location), `On or near "The" ${f[COL.location]!.replace('On or near ', '')}`, ...f.slice(COL.location + 1)].join(',');
      await expectPartial(rows, `${STREET_HEADER}\n${lines.join('\n')}\n`, 'stray.csv', [
        { row_number: bad, column_name: null, value: parsedValue, reason: 'MALFORMED_QUOTING', message: 'A quoted field is not closed properly (a stray " inside it?)' },
      ]);
      const strayStored = await hub.db.pool.query('select 1 from incident where source_ref = $1', [f[COL.crimeId]]);
      expect(strayStored.rowCount).toBe(0);
    });
  });

  it('invalid dates reject their rows, naming the Month column and the value', async () => {
    const rows = sampleRows(12, '2023-08', 'dates');
    const bad: [number, string, string][] = [
      [2, '2023-13', '"2023-13" has no month 13'],
      [4, '2023-8', '"2023-8" is not a month in the form YYYY-MM'],
      [6, 'Aug 2023', '"Aug 2023" is not a month in the form YYYY-MM'],
      [8, '', '"" is not a month in the form YYYY-MM'],
      [10, '1899-12', '"1899-12" is outside the years 1990-2100'],
      [11, '2023-08-01', '"2023-08-01" is not a month in the form YYYY-MM'],
    ];
    for (const [row, month] of bad) rows[row - 1]![COL.month] = month;
    await expectPartial(
      rows,
      streetCsv(rows),
      'dates.csv',
      bad.map(([row, value, message]) => ({ row_number: row, column_name: 'Month', value, reason: 'INVALID_DATE', message })),
    );
  });

  it('coordinates out of range or outside the UK reject their rows with the reason', async () => {
    const rows = sampleRows(12, '2023-09', 'coords');
    const set = (row: number, lat: string, lon: string): void => {
      rows[row - 1]![COL.latitude] = lat;
      rows[row - 1]![COL.longitude] = lon;
    };
    set(2, '152.771', '-1.206');
    set(4, '-91', '-1.206');
    set(7, '48.8566', '2.3522');
    set(9, '', '-1.206');
    set(11, 'fifty-two', '-1.206');
    await expectPartial(rows, streetCsv(rows), 'coords.csv', [
      { row_number: 2, column_name: 'Latitude', value: '152.771,-1.206', reason: 'INVALID_COORDINATE', message: 'latitude 152.771 is out of range (-90 to 90)' },
      { row_number: 4, column_name: 'Latitude', value: '-91,-1.206', reason: 'INVALID_COORDINATE', message: 'latitude -91 is out of range (-90 to 90)' },
      { row_number: 7, column_name: 'Latitude', value: '48.8566,2.3522', reason: 'INVALID_COORDINATE', message: '48.8566, 2.3522 is outside the UK' },
      { row_number: 9, column_name: 'Latitude', value: ',-1.206', reason: 'INVALID_COORDINATE', message: 'only one of latitude and longitude is given' },
      { row_number: 11, column_name: 'Latitude', value: 'fifty-two,-1.206', reason: 'INVALID_COORDINATE', message: 'latitude "fifty-two" is not a number' },
    ]);
  });

  it('a longitude out of range rejects the row naming the Longitude column', async () => {
    const rows = sampleRows(3, '2023-09', 'longitude');
    rows[1]![COL.longitude] = '-181.5';
    const latitude = rows[1]![COL.latitude]!;
    await expectPartial(rows, streetCsv(rows), 'longitude.csv', [
      { row_number: 2, column_name: 'Longitude', value: `${latitude},-181.5`, reason: 'INVALID_COORDINATE', message: 'longitude -181.5 is out of range (-180 to 180)' },
    ]);
  });

  it('BOM and CRLF are accepted with exactly the result of the LF, no-BOM original', async () => {
    const original = readFileSync(streetFile('2024-01'));
    const n = streetRows(streetFile('2024-01')).length;
    const text = original.toString('utf8');
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const crlf = Buffer.from(text.replace(/\n/g, '\r\n'));
    const both = Buffer.concat([bom, crlf]);
    expect(both.length).toBe(original.length + 3 + n + 1);

    const lf = await post(original, 'lf.csv');
    expect(lf.status).toBe(201);
    expect(lf.submission).toMatchObject({ status: 'accepted', rowsRead: n, rowsAccepted: n, rowsRejected: 0, rowsInserted: n, encoding: 'utf-8' });
    // The same rows with BOM and CRLF, as another force's file: stored identically, field for field.
    const asThamesValley = Buffer.concat([bom, Buffer.from(text.replace(/Leicestershire Police/g, 'Thames Valley Police').replace(/\n/g, '\r\n'))]);
    const tv = await upload(hub.base, await hub.tokenFor(THAMES_VALLEY_ANALYST), asThamesValley, { feed: STREET, fileName: 'bom-crlf.csv' });
    expect(tv.status).toBe(201);
    expect(tv.submission).toMatchObject({ status: 'accepted', rowsRead: n, rowsAccepted: n, rowsRejected: 0, rowsInserted: n, encoding: 'utf-8' });
    const content = async (submissionId: number): Promise<unknown[]> =>
      (
        await hub.db.pool.query(
          `select natural_key, source_ref, source_category, category, occurred_month, location_text, lsoa_code, ward_code, lad_code,
                  area_method, latitude, longitude, outcome, tier, attributes
           from incident where submission_id = $1 order by natural_key`,
          [submissionId],
        )
      ).rows;
    const lfRows = await content(lf.submission!.submissionId);
    expect(lfRows).toHaveLength(n);
    expect(await content(tv.submission!.submissionId)).toEqual(lfRows);
    expect(await rejectsOf(hub.db.pool, tv.submission!.submissionId)).toEqual([]);

    // And for the same force: BOM only, CRLF only, both: every row recognised as already stored, nothing changed.
    for (const [name, bytes] of [['bom.csv', Buffer.concat([bom, original])], ['crlf.csv', crlf], ['bom-crlf.csv', both]] as const) {
      const before = await tableCounts(hub.db.pool);
      const res = await post(bytes, name);
      expect(res.status).toBe(201);
      expect(res.submission).toMatchObject({ status: 'accepted', rowsRead: n, rowsAccepted: n, rowsRejected: 0, rowsInserted: 0, rowsUpdated: 0 });
      expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });
    }
    const owners = await hub.db.pool.query<{ submission_id: string; n: number }>(
      `select submission_id, count(*)::int as n from incident where agency_id = $1 and occurred_month = '2024-01-01' group by 1`,
      [leicsPolice],
    );
    expect(owners.rows).toEqual([{ submission_id: String(lf.submission!.submissionId), n }]);
  });

  describe('non-UTF-8 bytes', () => {
    const odd = 'On or near Caf\u00e9 \u2019s \u00a35 Street';
    function cp1252Month(month: '2024-02' | '2024-03', from: number): { bytes: Buffer; row: number; ref: string; n: number } {
      const rows = streetRows(streetFile(month));
      const row = locatedRowFrom(rows, from);
      rows[row - 1]![COL.location] = odd;
      return { bytes: windows1252(streetCsv(rows)), row, ref: rows[row - 1]![COL.crimeId]!, n: rows.length };
    }

    it('strict UTF-8 refuses the file naming the byte offset; encoding=windows-1252 decodes it right (HTTP)', async () => {
      const { bytes, ref, n } = cp1252Month('2024-02', 4000);
      const offset = bytes.indexOf(0xe9);
      expect(offset).toBeGreaterThan(64 * 1024);
      const { message } = await expectRefused(bytes, 'excel.csv', 'INVALID_ENCODING');
      expect(message).toBe(
        `The file is not valid UTF-8: invalid byte 0xe9 at byte offset ${offset}. If it was saved by Excel as "CSV" it is probably Windows-1252: submit it again with encoding windows-1252.`,
      );

      const res = await post(bytes, 'excel.csv', 'windows-1252');
      expect(res.status).toBe(201);
      expect(res.submission).toMatchObject({ status: 'accepted', encoding: 'windows-1252', rowsRead: n, rowsAccepted: n, rowsRejected: 0, rowsInserted: n });
      expect(await incidentCountOf(hub.db.pool, res.submission!.submissionId)).toBe(n);
      const stored = await hub.db.pool.query('select location_text from incident where source_ref = $1', [ref]);
      expect(stored.rows).toEqual([{ location_text: odd }]);
    });

    it('strict UTF-8 refuses the file naming the byte offset; --encoding windows-1252 decodes it right (CLI)', async () => {
      const { bytes, ref, n } = cp1252Month('2024-03', 6000);
      const file = path.join(tmp, 'excel-2024-03.csv');
      writeFileSync(file, bytes);
      const before = await tableCounts(hub.db.pool);
      const strict = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, '--as', LEICS_ANALYST, file], { env, timeoutMs: 120_000 });
      expect(strict.code).toBe(1);
      expect(strict.stderr).toContain(`refused (INVALID_ENCODING): The file is not valid UTF-8: invalid byte 0xe9 at byte offset ${bytes.indexOf(0xe9)}.`);
      expect(strict.stderr).toContain('submit it again with encoding windows-1252');
      expect(strict.stderr).toMatch(/submission \d+ records the refusal; nothing was stored\./);
      expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });

      const decoded = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, '--encoding', 'windows-1252', '--as', LEICS_ANALYST, file], {
        env,
        timeoutMs: 120_000,
      });
      expect(decoded.stderr).not.toContain('refused');
      expect(decoded.code).toBe(0);
      const id = Number(/^submission (\d+) accepted/.exec(decoded.stdout)?.[1]);
      expect(await submissionRow(hub.db.pool, id)).toMatchObject({ status: 'accepted', encoding: 'windows-1252', rows_read: n, rows_inserted: n, submitted_via: 'cli' });
      expect(await incidentCountOf(hub.db.pool, id)).toBe(n);
      const stored = await hub.db.pool.query('select location_text from incident where source_ref = $1', [ref]);
      expect(stored.rows).toEqual([{ location_text: odd }]);
    }, 240_000);
  });

  it('formula-like text is stored as given and exported with a leading apostrophe; numbers stay numbers', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", '@SUM(1+1)', '-2+3'];
    const rows = sampleRows(9, '2023-10', 'formula');
    formulas.forEach((f, i) => (rows[i]![COL.location] = f));
    rows[5]![COL.crimeType] = formulas[0]!;
    rows[6]![COL.month] = formulas[2]!;
    rows[7]![COL.lsoaCode] = formulas[1]!;
    rows[8]![COL.month] = formulas[3]!;
    const id = await expectPartial(rows, streetCsv(rows), 'formulas.csv', [
      { row_number: 6, column_name: 'Crime type', value: formulas[0]!, reason: 'UNKNOWN_CATEGORY', message: `"${formulas[0]}" is not a data.police.uk crime type` },
      { row_number: 7, column_name: 'Month', value: formulas[2]!, reason: 'INVALID_DATE', message: `"${formulas[2]}" is not a month in the form YYYY-MM` },
      { row_number: 8, column_name: 'LSOA code', value: formulas[1]!, reason: 'INVALID_AREA_CODE', message: `"${formulas[1]}" is not an ONS LSOA code (e.g. E01025667)` },
      { row_number: 9, column_name: 'Month', value: formulas[3]!, reason: 'INVALID_DATE', message: `"${formulas[3]}" is not a month in the form YYYY-MM` },
    ]);

    // In the database: inert text, exactly as given.
    const stored = await hub.db.pool.query<{ source_ref: string; location_text: string }>(
      'select source_ref, location_text from incident where submission_id = $1',
      [id],
    );
    const byRef = Object.fromEntries(stored.rows.map((r) => [r.source_ref, r.location_text]));
    formulas.forEach((f, i) => expect(byRef[rows[i]![COL.crimeId]!]).toBe(f));

    // The incidents export: the formulas as text with an apostrophe in front, coordinates as plain numbers.
    const exported = await getText(hub.base, token, '/api/exports/incidents.csv?monthFrom=2023-10&monthTo=2023-10&feeds=police.street');
    expect(exported.status).toBe(200);
    expect(exported.contentType).toContain('text/csv');
    const records = csvRecords(exported.text);
    expect(records).toHaveLength(5);
    for (const [i, row] of rows.slice(0, 5).entries()) {
      const record = records.find((r) => r.sourceRef === row[COL.crimeId]);
      expect(record).toBeDefined();
      expect(record!.locationText).toBe(i < formulas.length ? `'${formulas[i]}` : row[COL.location]);
      expect(record!.longitude).toBe(String(Number(row[COL.longitude])));
      expect(record!.longitude).toMatch(/^-\d/);
      expect(record!.latitude).toBe(String(Number(row[COL.latitude])));
      expect(record!.submissionId).toBe(String(id));
    }
    for (const record of records) {
      for (const [field, value] of Object.entries(record)) {
        if (/^[=+\-@]/.test(value)) expect({ field, value }).toEqual({ field: 'longitude', value: expect.stringMatching(/^-\d+(\.\d+)?$/) });
      }
    }

    // The rejects CSV: raw values neutralised the same way, row numbers as numbers.
    const rejects = await getText(hub.base, token, `/api/submissions/${id}/rejects.csv`);
    expect(rejects.status).toBe(200);
    expect(csvRecords(rejects.text)).toEqual([
      { row: '6', column: 'Crime type', value: `'${formulas[0]}`, reason: 'UNKNOWN_CATEGORY', message: `"${formulas[0]}" is not a data.police.uk crime type` },
      { row: '7', column: 'Month', value: `'${formulas[2]}`, reason: 'INVALID_DATE', message: `"${formulas[2]}" is not a month in the form YYYY-MM` },
      { row: '8', column: 'LSOA code', value: `'${formulas[1]}`, reason: 'INVALID_AREA_CODE', message: `"${formulas[1]}" is not an ONS LSOA code (e.g. E01025667)` },
      { row: '9', column: 'Month', value: `'${formulas[3]}`, reason: 'INVALID_DATE', message: `"${formulas[3]}" is not a month in the form YYYY-MM` },
    ]);
  });

  describe('a 200 MB street-level file through the CLI', () => {
    let file: string;
    let generated: Awaited<ReturnType<typeof writeLargeStreetFile>>;
    beforeAll(async () => {
      file = path.join(tmp, 'street-200mb.csv');
      generated = await writeLargeStreetFile(file, 200 * MB, 'large');
      expect(statSync(file).size).toBe(generated.bytes);
    }, 120_000);

    it('killed (SIGKILL) well into the file: no incidents, no rejects and no submission from that run', async () => {
      const before = await tableCounts(hub.db.pool);
      const run = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, file], {
        env,
        timeoutMs: 600_000,
        killWhen: (stderr) => progressLines(stderr).some((m) => Number(m[1]) >= 50),
      });
      expect(run.signal).toBe('SIGKILL');
      expect(run.timedOut).toBe(false);
      const shown = progressLines(run.stderr);
      expect(Number(shown[shown.length - 1]![1])).toBeGreaterThanOrEqual(50);
      expect(Number(shown[shown.length - 1]![1])).toBeLessThan(100);
      expect(run.stdout).toBe('');
      // The server notices the dropped connection and rolls the transaction back.
      await waitForNoOpenTransactions(hub.db.pool);
      expect(await tableCounts(hub.db.pool)).toEqual(before);
      const since = await hub.db.pool.query('select count(*)::int as n from incident where occurred_month < $1', ['2022-01-01']);
      expect(since.rows[0].n).toBe(0);
    }, 660_000);

    it('ingests every row of the same file afterwards, with memory bounded well below the file size', async () => {
      const cappedHeap = ['--max-old-space-size=96'];
      // Baseline: the same command on a small file (2,000 rows), to separate the CLI's fixed footprint from what the file costs.
      const small = path.join(tmp, 'street-small.csv');
      writeFileSync(small, streetCsv(sampleRows(2000, '2018-01', 'baseline')));
      const baseline = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, small], { env, nodeArgs: cappedHeap, timeoutMs: 120_000 });
      expect(baseline.code).toBe(0);
      expect(baseline.peakRssBytes).toBeGreaterThan(0);

      const before = await tableCounts(hub.db.pool);
      const run = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, file], { env, nodeArgs: cappedHeap, timeoutMs: 900_000 });
      expect(run.stderr.split('\n').filter((l) => l !== '' && !progressLines(l).length)).toEqual([]);
      expect(run.code).toBe(0);
      const rows = generated.rows.toLocaleString('en-GB');
      expect(run.stdout).toMatch(new RegExp(`^submission \\d+ accepted: ${rows} rows read, ${rows} accepted \\(${rows} new, 0 updated, 0 unchanged\\), 0 rejected, in [\\d.]+ s\\n$`));
      const id = Number(/^submission (\d+)/.exec(run.stdout)![1]);

      // Progress all along the way, ending at 100%.
      const shown = progressLines(run.stderr).map((m) => Number(m[1]));
      expect(shown.length).toBeGreaterThan(3);
      expect(shown).toEqual([...shown].sort((a, b) => a - b));
      expect(shown[shown.length - 1]).toBe(100);

      // Streaming: with the heap capped at 96 MB, the 200 MB file costs less than half its size in resident memory
      // over what a 2,000-row file costs (holding the file, as strings or buffers, would cost at least its size).
      expect(run.peakRssBytes - baseline.peakRssBytes).toBeLessThan(generated.bytes / 2);

      expect(await incidentCountOf(hub.db.pool, id)).toBe(generated.rows);
      expect(await tableCounts(hub.db.pool)).toEqual({ incidents: before.incidents + generated.rows, rejects: before.rejects, submissions: before.submissions + 1 });
      const byMonthType = await hub.db.pool.query<{ key: string; n: number }>(
        `select to_char(occurred_month, 'YYYY-MM') || ' ' || source_category as key, count(*)::int as n from incident where submission_id = $1 group by 1`,
        [id],
      );
      expect(Object.fromEntries(byMonthType.rows.map((r) => [r.key, r.n]))).toEqual(generated.byMonthType);
      expect(await submissionRow(hub.db.pool, id)).toMatchObject({ status: 'accepted', rows_read: generated.rows, bytes: String(generated.bytes), checksum: generated.checksum });
    }, 960_000);
  });
});
