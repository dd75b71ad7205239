import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import yazl from 'yazl';
import { bytesOf } from '@csp-hub/adapter-kit';
import { ingestFile, istvSubmissionCsv, type IngestOptions, type IngestResult } from '@csp-hub/ingest';
import { startTestHub, type TestHub } from '../support/hub';
import { COL, crimeId, sampleRows, sha256, streetCsv, streetFile, streetRows, tally, upload } from './ingest/support';

/**
 * How the hub keeps every published row and every figure equal to the source
 * (issue #11): rows sharing a Crime ID, a month republished as a snapshot,
 * an older extract arriving late, another force's file, and input that is not
 * what it claims (compressed, binary, header only, from the future, all bad).
 */

const STREET = 'police.street';
const SUBMITTER = { userId: null, label: 'revision tests', via: 'cli' as const };

/** A .zip file of the given entries (deflated), written with a zip library independent of the product's reader. */
async function writeZip(file: string, entries: Record<string, string>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** What the source says of a row, for comparing stored rows with a file as multisets. */
function contentKey(f: readonly string[]): string {
  const coordinate = (v: string | undefined) => (v ? String(Number(v)) : '');
  return [f[COL.crimeId], f[COL.month], coordinate(f[COL.longitude]), coordinate(f[COL.latitude]), f[COL.location], f[COL.lsoaCode], f[COL.crimeType], f[COL.outcome]].join('|');
}

describe('ingest: every published row, revisions and as-of', () => {
  let hub: TestHub;
  let police: number;
  let tmp: string;

  beforeAll(async () => {
    hub = await startTestHub('ingest-revisions');
    police = (await hub.db.pool.query(`select id from agency where code = 'leicestershire-police'`)).rows[0].id;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-revisions-'));
  });
  afterAll(async () => {
    await hub?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const ingest = (content: string | Buffer, fileName: string, more: Partial<IngestOptions> = {}): Promise<IngestResult> =>
    ingestFile(hub.db.pool, { agencyId: police, feed: STREET, submitter: SUBMITTER, fileName, source: bytesOf(content), ...more });

  /** The rows in force (not retired) of a month, as source-content keys. */
  async function inForce(month: string): Promise<Record<string, number>> {
    const rows = await hub.db.pool.query<{ k: string }>(
      `select concat_ws('|', coalesce(source_ref, ''), to_char(occurred_month, 'YYYY-MM'), coalesce(longitude::text, ''), coalesce(latitude::text, ''),
         coalesce(location_text, 'No Location'), coalesce(lsoa_code, ''), source_category, coalesce(outcome, '')) as k
       from incident where agency_id = $1 and feed = $2 and occurred_month = $3::date and retired_at is null`,
      [police, STREET, `${month}-01`],
    );
    return tally(rows.rows, (r) => r.k);
  }

  function expected(rows: readonly (readonly string[])[]): Record<string, number> {
    return tally(rows, (f) => contentKey(f.map((v, i) => (i === COL.location && v === 'No Location' ? 'No Location' : v))));
  }

  it('keeps every row that shares a Crime ID (different place or outcome, or identical), notes them, and counts equal the file', async () => {
    const base = sampleRows(12, '2030-01', 'shared');
    const shared = crimeId('shared-group');
    // Three published rows with one Crime ID: two places and an outcome that differs, as real files have.
    const group = [base[0]!.slice(), base[1]!.slice(), base[2]!.slice()];
    for (const r of group) r[COL.crimeId] = shared;
    group[2]![COL.outcome] = 'Offender given a caution';
    // An identical twin of another row, id and all.
    const twin = base[3]!.slice();
    const rows = [...group, ...base.slice(3), twin];
    const result = await ingest(streetCsv(rows), 'shared-ids.csv', { today: '2030-02-10' });
    expect(result).toMatchObject({ status: 'accepted', rowsRead: rows.length, rowsAccepted: rows.length, rowsRejected: 0, rowsInserted: rows.length });
    expect(result.quality).toEqual([{ code: 'SHARED_SOURCE_ID', rows: 5, message: expect.stringContaining('5 rows share 2 source ids') }]);
    expect(await inForce('2030-01')).toEqual(expected(rows));
    const notes = await hub.db.pool.query(`select row_number, reason, severity, value from ingest_reject where submission_id = $1 order by row_number`, [result.submissionId]);
    expect(notes.rows).toEqual([
      { row_number: 1, reason: 'SHARED_SOURCE_ID', severity: 'note', value: shared },
      { row_number: 2, reason: 'SHARED_SOURCE_ID', severity: 'note', value: shared },
      { row_number: 3, reason: 'SHARED_SOURCE_ID', severity: 'note', value: shared },
      { row_number: 4, reason: 'SHARED_SOURCE_ID', severity: 'note', value: twin[COL.crimeId] },
      { row_number: rows.length, reason: 'SHARED_SOURCE_ID', severity: 'note', value: twin[COL.crimeId] },
    ]);
    // The same rows in another order give the same keys: a resubmission changes nothing.
    const again = await ingest(streetCsv([...rows].reverse()), 'shared-ids-reordered.csv', { today: '2030-02-10' });
    expect(again).toMatchObject({ status: 'accepted', rowsInserted: 0, rowsUpdated: 0, rowsRetired: 0 });
    expect(await inForce('2030-01')).toEqual(expected(rows));
  });

  it('a republished month supersedes the earlier file: edits update, dropped rows retire, twins reconcile by count', async () => {
    const base = sampleRows(20, '2030-03', 'snapshot');
    const asb = (n: number) => {
      const row = base[19]!.slice();
      row[COL.crimeId] = '';
      row[COL.crimeType] = 'Anti-social behaviour';
      row[COL.outcome] = '';
      return Array.from({ length: n }, () => row.slice());
    };
    const first = [...base.slice(0, 18), ...asb(3)];
    const v1 = await ingest(streetCsv(first), '2030-03-v1.csv', { today: '2030-04-10' });
    expect(v1).toMatchObject({ status: 'accepted', rowsInserted: 21, periods: ['2030-03'], revises: [] });
    const beforeRows = (await hub.db.pool.query(`select count(*)::int as n from incident where feed = $1 and occurred_month = '2030-03-01'`, [STREET])).rows[0].n;

    // v2: two rows dropped, one outcome edited, a new crime, one ASB twin fewer; and a shared id appears.
    const second = first.filter((_, i) => i !== 4 && i !== 7 && i < 18).map((r) => r.slice());
    second[0]![COL.outcome] = 'Court result unavailable';
    const added = sampleRows(1, '2030-03', 'snapshot-new')[0]!;
    const sharing = second[1]!.slice();
    sharing[COL.location] = 'On or near Another Street';
    const v2rows = [...second, added, sharing, ...asb(2)];
    const v2 = await ingest(streetCsv(v2rows), '2030-03-v2.csv', { today: '2030-04-11' });
    // The crime that now shares its id keeps its record (same content); its new sibling is inserted.
    expect(v2).toMatchObject({ status: 'accepted', rowsInserted: 2, rowsUpdated: 1, rowsRetired: 3, rowsKeptNewer: 0, revises: [v1.submissionId] });
    const group = await hub.db.pool.query(`select natural_key, location_text from incident where source_ref = $1 order by natural_key`, [sharing[COL.crimeId]]);
    expect(group.rows).toEqual([
      { natural_key: sharing[COL.crimeId], location_text: second[1]![COL.location] },
      { natural_key: `${sharing[COL.crimeId]}#2`, location_text: 'On or near Another Street' },
    ]);
    expect(await inForce('2030-03')).toEqual(expected(v2rows));
    // Retired rows stay for history and audit.
    const after = await hub.db.pool.query(`select count(*)::int as n, count(*) filter (where retired_at is not null)::int as retired from incident where feed = $1 and occurred_month = '2030-03-01'`, [STREET]);
    expect(after.rows[0]).toEqual({ n: beforeRows + 2, retired: 3 });

    // v3: the ASB twins come back to four; a retired crime is published again and returns.
    const v3rows = [...v2rows.filter((r) => r[COL.crimeId] !== ''), first[4]!, ...asb(4)];
    const v3 = await ingest(streetCsv(v3rows), '2030-03-v3.csv', { today: '2030-04-12' });
    // The returning crime and the third twin come back (updated: revived); the fourth twin is new.
    expect(v3).toMatchObject({ status: 'accepted', rowsInserted: 1, rowsUpdated: 2, rowsRetired: 0, revises: [v1.submissionId, v2.submissionId] });
    expect(await inForce('2030-03')).toEqual(expected(v3rows));
    // Other months are untouched by a snapshot of this one.
    expect(await inForce('2030-01')).not.toEqual({});
  });

  it('an older extract arriving after a newer one changes nothing, retires nothing, and says how many rows it kept newer', async () => {
    const older = sampleRows(10, '2030-05', 'as-of');
    const newer = older.slice(0, 8).map((r) => r.slice());
    newer[0]![COL.outcome] = 'Offender sent to prison';
    newer[1]![COL.outcome] = 'Offender fined';
    const n = await ingest(streetCsv(newer), '2030-05-newer.csv', { today: '2030-06-20', asOf: '2030-06-15T09:00:00Z' });
    expect(n).toMatchObject({ status: 'accepted', rowsInserted: 8, asOf: '2030-06-15T09:00:00.000Z', asOfSource: 'submitter' });
    const o = await ingest(streetCsv(older), '2030-05-older.csv', { today: '2030-06-20', asOf: '2030-06-01T09:00:00Z' });
    // The two rows the newer file dropped come back? No: they are new to the store (never retired), so they are added;
    // the two edited rows keep the newer outcome; nothing the newer file published is retired.
    expect(o).toMatchObject({ status: 'accepted', rowsInserted: 2, rowsUpdated: 0, rowsKeptNewer: 2, rowsRetired: 0 });
    const outcomes = await hub.db.pool.query(`select outcome from incident where natural_key = any($1) order by outcome`, [[newer[0]![COL.crimeId], newer[1]![COL.crimeId]]]);
    expect(outcomes.rows.map((r) => r.outcome)).toEqual(['Offender fined', 'Offender sent to prison']);
    // A later extract does change them.
    const later = await ingest(streetCsv(older), '2030-05-later.csv', { today: '2030-06-20', asOf: '2030-06-18T09:00:00Z' });
    expect(later).toMatchObject({ status: 'duplicate' });
    const edited = older.map((r) => r.slice());
    edited[9]![COL.outcome] = 'Investigation complete; no suspect identified';
    const latest = await ingest(streetCsv(edited), '2030-05-latest.csv', { today: '2030-06-20', asOf: '2030-06-18T09:00:00Z' });
    expect(latest).toMatchObject({ status: 'accepted', rowsUpdated: 3, rowsKeptNewer: 0 });
    expect(await inForce('2030-05')).toEqual(expected(edited));
    // An as-of in the future is refused.
    const future = await ingest(streetCsv(edited.slice(0, 2)), 'future.csv', { today: '2030-06-20', asOf: '2031-01-01T00:00:00Z' });
    expect(future).toMatchObject({ status: 'refused', errorCode: 'INVALID_AS_OF' });
  });

  it("rows without a source id keep their keys whatever the database session's time zone", async () => {
    // ISTV rows have no id: their key hashes when, what and where. A server or
    // pooler set to Europe/London must not re-key them (and so duplicate them).
    const health = (await hub.db.pool.query(`select id from agency where code = 'llr-icb'`)).rows[0].id as number;
    const period = { start: '2030-07-01', end: '2030-07-31', siteCode: 'RWEAA' };
    const assault = (day: number, place: string) => ({
      arrivalAt: `2030-07-${String(day).padStart(2, '0')}T23:50:00`, assaultAt: `2030-07-${String(day).padStart(2, '0')}T23:10:00`,
      method: 'Body part', methodOther: '', locationType: 'Public place', locationDescription: place,
    });
    const first = [assault(3, 'Market Place'), assault(3, 'Market Place'), assault(12, 'Bus station')];
    const london = new pg.Pool({ connectionString: hub.db.url, max: 1, options: '-c TimeZone=Europe/London' });
    try {
      const a = await ingestFile(london, { agencyId: health, feed: 'health.istv', submitter: SUBMITTER, fileName: 'istv-july.csv', source: bytesOf(istvSubmissionCsv(period, first)), today: '2030-08-10' });
      expect(a).toMatchObject({ status: 'accepted', rowsInserted: 3 });
    } finally {
      await london.end();
    }
    // The same period re-sent with one assault more, through a UTC session.
    const again = await ingestFile(hub.db.pool, {
      agencyId: health, feed: 'health.istv', submitter: SUBMITTER, fileName: 'istv-july-v2.csv',
      source: bytesOf(istvSubmissionCsv(period, [...first, assault(20, 'Park')])), today: '2030-08-10',
    });
    expect(again).toMatchObject({ status: 'accepted', rowsInserted: 1, rowsUpdated: 0 });
    const stored = await hub.db.pool.query(`select count(*)::int as n from incident where agency_id = $1 and occurred_month = '2030-07-01'`, [health]);
    expect(stored.rows[0].n).toBe(4);
  });

  it("a file of another force is refused whole, naming both forces; nothing is stored", async () => {
    const rows = sampleRows(5, '2030-07', 'wrong-force').map((r) => {
      const row = r.slice();
      row[COL.reportedBy] = 'Nottinghamshire Police';
      row[COL.fallsWithin] = 'Nottinghamshire Police';
      return row;
    });
    const before = (await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const result = await ingest(streetCsv(rows), 'notts.csv', { today: '2030-08-01' });
    expect(result).toMatchObject({ status: 'refused', errorCode: 'WRONG_FORCE', rowsRead: 0 });
    expect(result.errorMessage).toContain('Nottinghamshire Police');
    expect(result.errorMessage).toContain('Leicestershire Police');
    expect((await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
    // One row of another force among the force's own refuses the file too.
    const mixed = sampleRows(4, '2030-07', 'mixed-force');
    mixed[2]![COL.reportedBy] = 'Derbyshire Constabulary';
    mixed[2]![COL.fallsWithin] = 'Derbyshire Constabulary';
    const m = await ingest(streetCsv(mixed), 'mixed.csv', { today: '2030-08-01' });
    expect(m).toMatchObject({ status: 'refused', errorCode: 'WRONG_FORCE' });
    expect(m.errorMessage).toContain('row 3 is reported by Derbyshire Constabulary');
    // A row reported by another force but falling within this one (an area download) is the force's to submit.
    const area = sampleRows(2, '2030-07', 'area-download');
    area[1]![COL.reportedBy] = 'British Transport Police';
    expect(await ingest(streetCsv(area), 'area.csv', { today: '2030-08-01' })).toMatchObject({ status: 'accepted', rowsInserted: 2 });
  });

  it('reads .gz and a .zip holding one file as their content; a second copy of the same content is a duplicate', async () => {
    const rows = sampleRows(6, '2030-09', 'compressed');
    const csv = streetCsv(rows);
    const gz = gzipSync(Buffer.from(csv));
    const viaGzip = await ingest(gz, 'month.csv.gz', { today: '2030-10-01' });
    expect(viaGzip).toMatchObject({ status: 'accepted', container: 'gzip', rowsInserted: 6, checksum: sha256(csv), bytes: gz.length });
    const plainAgain = await ingest(csv, 'month.csv', { today: '2030-10-01' });
    expect(plainAgain).toMatchObject({ status: 'duplicate', duplicateOf: viaGzip.submissionId });

    const other = streetCsv(sampleRows(4, '2030-09', 'zipped'));
    const dir = mkdtempSync(path.join(tmp, 'zip-'));
    await writeZip(path.join(dir, 'one.zip'), { 'september.csv': other, '__MACOSX/._september.csv': 'resource fork' });
    const zipped = await ingestFile(hub.db.pool, { agencyId: police, feed: STREET, submitter: SUBMITTER, fileName: 'one.zip', path: path.join(dir, 'one.zip'), today: '2030-10-01' });
    expect(zipped).toMatchObject({ status: 'accepted', container: 'zip', rowsInserted: 4, checksum: sha256(other) });

    await writeZip(path.join(dir, 'two.zip'), { 'september.csv': other, 'october.csv': other });
    const two = await ingestFile(hub.db.pool, { agencyId: police, feed: STREET, submitter: SUBMITTER, fileName: 'two.zip', path: path.join(dir, 'two.zip') });
    expect(two).toMatchObject({ status: 'refused', errorCode: 'ZIP_NOT_ONE_FILE', container: 'zip' });
    expect(two.errorMessage).toContain('holds 2 files (september.csv, october.csv)');

    const broken = await ingest(gz.subarray(0, gz.length - 20), 'cut.csv.gz');
    expect(broken).toMatchObject({ status: 'refused', errorCode: 'BAD_ARCHIVE' });
  });

  it('a binary file is refused as not a text file, without encoding advice; UTF-16 is named', async () => {
    const xlsxLike = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2000, 0), Buffer.from('Crime ID,Month')]);
    const binary = await ingest(xlsxLike, 'crimes.xls');
    expect(binary).toMatchObject({ status: 'refused', errorCode: 'NOT_TEXT' });
    expect(binary.errorMessage).toContain('not a text file');
    expect(binary.errorMessage).not.toMatch(/encoding|windows-1252|utf-8/i);
    const utf16 = await ingest(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(streetCsv(sampleRows(1, '2030-09', 'u16')), 'utf16le')]), 'unicode.txt');
    expect(utf16).toMatchObject({ status: 'refused', errorCode: 'NOT_TEXT' });
    expect(utf16.errorMessage).toContain('UTF-16');
  });

  it('a header-only file is refused as having no data rows', async () => {
    const result = await ingest(streetCsv([]), 'header-only.csv');
    expect(result).toMatchObject({ status: 'refused', errorCode: 'NO_DATA_ROWS', rowsRead: 0 });
  });

  it('a month later than the submission date rejects its row; the rest are stored', async () => {
    const rows = sampleRows(3, '2030-11', 'future');
    rows[1]![COL.month] = '2030-12';
    const result = await ingest(streetCsv(rows), 'future.csv', { today: '2030-11-20' });
    expect(result).toMatchObject({ status: 'accepted', rowsAccepted: 2, rowsRejected: 1 });
    expect(result.firstRejects).toEqual([{ rowNumber: 2, column: null, reason: 'FUTURE_MONTH', message: 'the month 2030-12 is after the month of submission (2030-11)' }]);
  });

  it('a file whose rows are all rejected ends as refused, with its rejects kept for the agency', async () => {
    const rows = sampleRows(3, '2030-11', 'all-bad').map((r) => {
      const row = r.slice();
      row[COL.crimeType] = 'Jaywalking';
      return row;
    });
    const before = (await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const result = await ingest(streetCsv(rows), 'all-bad.csv', { today: '2030-11-20' });
    expect(result).toMatchObject({ status: 'refused', errorCode: 'ALL_ROWS_REJECTED', rowsRead: 3, rowsAccepted: 0, rowsRejected: 3 });
    expect(result.firstRejects.map((r) => r.reason)).toEqual(['UNKNOWN_CATEGORY', 'UNKNOWN_CATEGORY', 'UNKNOWN_CATEGORY']);
    const kept = await hub.db.pool.query(`select count(*)::int as n from ingest_reject where submission_id = $1 and severity = 'reject'`, [result.submissionId]);
    expect(kept.rows[0].n).toBe(3);
    expect((await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
  });

  it('a failure inside the pipeline is recorded as failed with a plain reason, audited, and stores nothing', async () => {
    const before = (await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const audited: string[] = [];
    const result = await ingest(streetCsv(sampleRows(3, '2030-11', 'crash')), 'crash.csv', {
      today: '2030-11-20',
      beforeCommit: async (tx, outcome) => {
        if (outcome.status === 'accepted') throw new Error('the audit store broke');
        await tx.query(`select 1`);
        audited.push(`${outcome.status}:${outcome.errorCode}`);
      },
    });
    expect(result).toMatchObject({ status: 'failed', errorCode: 'INTERNAL_ERROR' });
    expect(result.errorMessage).not.toContain('audit store broke');
    expect(audited).toEqual(['failed:INTERNAL_ERROR']);
    expect((await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
    const recorded = await hub.db.pool.query('select status, error_code from submission where id = $1', [result.submissionId]);
    expect(recorded.rows[0]).toEqual({ status: 'failed', error_code: 'INTERNAL_ERROR' });
  });

  it('a submission stopped part-way (the client went away) is rolled back and recorded as interrupted', async () => {
    const rows = streetRows(streetFile('2024-02'));
    const csv = Buffer.from(streetCsv(rows));
    const stop = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < csv.length; i += 64 * 1024) {
        if (i >= 512 * 1024) stop.abort('the client went away');
        yield csv.subarray(i, i + 64 * 1024);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const before = (await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const result = await ingestFile(hub.db.pool, { agencyId: police, feed: STREET, submitter: SUBMITTER, fileName: 'slow.csv', source: slow(), signal: stop.signal });
    expect(result).toMatchObject({ status: 'failed', errorCode: 'INTERRUPTED' });
    expect(result.errorMessage).toContain('the client went away');
    expect((await hub.db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
  });

  it('two uploads of the same file at the same moment: one is accepted, the other answers duplicate', async () => {
    const token = await hub.tokenFor('police.analyst@charnwood.demo.csp-hub.test');
    const csv = streetCsv(sampleRows(40, '2024-01', 'race'));
    const answers = await Promise.all([1, 2, 3].map(() => upload(hub.base, token, csv, { feed: STREET, fileName: 'race.csv' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(answers.map((a) => a.submission!.status).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    const accepted = answers.find((a) => a.status === 201)!.submission!.submissionId;
    expect(answers.filter((a) => a.status === 200).map((a) => a.submission!.duplicateOf)).toEqual([accepted, accepted]);
  });

  it('over HTTP a .gz upload is accepted and an oversized declared body gets 413', async () => {
    const token = await hub.tokenFor('police.analyst@charnwood.demo.csp-hub.test');
    const gz = gzipSync(Buffer.from(streetCsv(sampleRows(5, '2024-01', 'http-gz'))));
    const res = await upload(hub.base, token, gz, { feed: STREET, fileName: 'jan.csv.gz' });
    expect(res.status).toBe(201);
    expect(res.submission).toMatchObject({ status: 'accepted', container: 'gzip', rowsInserted: 5 });
    // A body declared larger than the limit is answered 413 before any of it is read.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${hub.base}/api/submissions?feed=${STREET}&fileName=big.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(600 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
      req.write('Crime ID,Month\n');
    });
    expect(status).toBe(413);
  });
});
