import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { countBy, fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';
import { ingestFile, type IngestOptions } from './ingest';

const STREET = (month: string) => sharedData('police', `${month}-leicestershire-street.csv`);
const CLI = { userId: null, label: 'test', via: 'cli' as const };

function sourceRows(file: string): string[][] {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

describe('ingest: police street-level files into PostgreSQL', () => {
  let db: TestDatabase;
  let police: number;
  let fire: number;
  const ingest = (o: Partial<IngestOptions> & Pick<IngestOptions, 'source' | 'fileName'>) =>
    ingestFile(db.pool, { agencyId: police, feed: 'police.street', submitter: CLI, ...o });

  beforeAll(async () => {
    db = await createTestDatabase('ingest');
    police = (await db.pool.query(`select id from agency where code = 'leicestershire-police'`)).rows[0].id;
    fire = (await db.pool.query(`select id from agency where code = 'leicestershire-fire'`)).rows[0].id;
  });
  afterAll(async () => db?.drop());

  it('stores a real month: counts per crime type per month equal the source file', async () => {
    const file = STREET('2024-01');
    const result = await ingest({ source: fileSource(file), fileName: '2024-01-leicestershire-street.csv' });
    const rows = sourceRows(file);
    expect(result).toMatchObject({ status: 'accepted', rowsRead: rows.length, rowsAccepted: rows.length, rowsRejected: 0, rowsInserted: rows.length, rowsUpdated: 0, format: 'csv', encoding: 'utf-8' });
    const stored = await db.pool.query<{ month: string; source_category: string; n: number }>(
      `select to_char(occurred_month, 'YYYY-MM') as month, source_category, count(*)::int as n
       from incident where submission_id = $1 group by 1, 2`, [result.submissionId]);
    expect(Object.fromEntries(stored.rows.map((r) => [`${r.month} ${r.source_category}`, r.n]))).toEqual(
      Object.fromEntries(Object.entries(countBy(rows, (f) => `${f[1]} ${f[9]}`))),
    );
  });

  it('keeps ASB rows (no Crime ID) under deterministic keys and No Location rows without a place', async () => {
    const rows = sourceRows(STREET('2024-01'));
    const asb = await db.pool.query(`select count(*)::int as n, count(distinct natural_key)::int as keys from incident where source_ref is null and feed = 'police.street'`);
    expect(asb.rows[0]).toEqual({ n: rows.filter((f) => f[0] === '').length, keys: rows.filter((f) => f[0] === '').length });
    const unlocated = await db.pool.query(`select count(*)::int as n from incident where latitude is null and lsoa_code is null and lad_code is null and area_method = 'none'`);
    expect(unlocated.rows[0].n).toBe(rows.filter((f) => f[6] === 'No Location').length);
  });

  it('places incidents in districts through the LSOA lookup, including 2021 LSOAs by name', async () => {
    const byLad = await db.pool.query<{ lad_code: string; n: number }>(
      `select lad_code, count(*)::int as n from incident where lad_code in ('E07000130','E07000135','E07000134','E07000131') group by 1`);
    // PROVENANCE.md: rows per seed district in January 2024, from the LSOA name prefix.
    expect(Object.fromEntries(byLad.rows.map((r) => [r.lad_code, r.n]))).toEqual({ E07000130: 1213, E07000135: 339, E07000134: 628, E07000131: 387 });
    const methods = await db.pool.query(`select area_method, count(*)::int as n from incident group by 1 order by 1`);
    expect(methods.rows.map((r) => r.area_method)).toEqual(['lsoa-name', 'none', 'source']);
    const ward = await db.pool.query(`select count(*)::int as n from incident where area_method = 'source' and ward_code is null`);
    expect(ward.rows[0].n).toBe(0);
  });

  it('refuses the same file a second time as a duplicate and stores nothing new', async () => {
    const before = (await db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const result = await ingest({ source: fileSource(STREET('2024-01')), fileName: 'again.csv' });
    expect(result.status).toBe('duplicate');
    expect(result.errorMessage).toMatch(/already accepted as submission \d+/);
    expect((await db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
  });

  it('updates rather than duplicates when an overlapping file republishes a month', async () => {
    const text = readFileSync(STREET('2024-01'), 'utf8');
    const lines = text.trim().split('\n');
    // A later release: one outcome changed, one new crime, every other row as before.
    const changedIndex = lines.findIndex((l, i) => i > 0 && /^[0-9a-f]{64},/.test(l) && l.includes(',Unable to prosecute suspect,'));
    expect(changedIndex).toBeGreaterThan(0);
    lines[changedIndex] = lines[changedIndex]!.replace('Unable to prosecute suspect', 'Offender given a caution');
    lines.push('f'.repeat(64) + ',2024-01,Leicestershire Police,Leicestershire Police,-1.206,52.771,On or near Park,E01025667,Charnwood 001A,Burglary,Under investigation,');
    const before = (await db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const result = await ingest({ source: bytesOf(`${lines.join('\n')}\n`), fileName: 'republished.csv' });
    expect(result).toMatchObject({ status: 'accepted', rowsInserted: 1, rowsUpdated: 1, rowsRejected: 0 });
    expect((await db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before + 1);
    const id = lines[changedIndex]!.split(',')[0];
    const changed = await db.pool.query('select outcome, submission_id::int from incident where natural_key = $1', [id]);
    expect(changed.rows[0]).toEqual({ outcome: 'Offender given a caution', submission_id: result.submissionId });
  });

  it('applies police outcomes to the crimes they name, and rejects outcomes for crimes not stored', async () => {
    const [, row] = readFileSync(STREET('2024-01'), 'utf8').split('\n');
    const crimeId = row!.split(',')[0]!;
    const csv = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n' +
      `${crimeId},2024-03,Leicestershire Police,Leicestershire Police,,,No Location,,,Offender sent to prison\n` +
      `${'0'.repeat(64)},2024-03,Leicestershire Police,Leicestershire Police,,,No Location,,,Offender fined\n`;
    const result = await ingestFile(db.pool, { agencyId: police, feed: 'police.outcomes', submitter: CLI, source: bytesOf(csv), fileName: 'outcomes.csv' });
    expect(result).toMatchObject({ status: 'accepted', rowsAccepted: 1, rowsRejected: 1, rowsUpdated: 1 });
    const updated = await db.pool.query(`select outcome, attributes->>'outcomeMonth' as month from incident where natural_key = $1`, [crimeId]);
    expect(updated.rows[0]).toEqual({ outcome: 'Offender sent to prison', month: '2024-03' });
    const rejects = await db.pool.query('select row_number, reason, message from ingest_reject where submission_id = $1', [result.submissionId]);
    expect(rejects.rows).toEqual([{ row_number: 2, reason: 'UNMATCHED_ID', message: expect.stringContaining('police.street file for 2024-03 first') }]);
  });

  it('accepts a file with some bad rows and stores its rejects; a file with a wrong header is refused whole', async () => {
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';
    const good = (id: string) => `${id},2024-04,Leicestershire Police,Leicestershire Police,-1.206,52.771,On or near Park,E01025667,Charnwood 001A,Burglary,,`;
    const csv = [header, good('r1'), good('r2').replace('2024-04', '2024-4'), good('r3').replace('52.771', '152.771'), good('r4'), good('r1')].join('\n') + '\n';
    const partial = await ingest({ source: bytesOf(csv), fileName: 'partial.csv' });
    // Row 5 repeats row 1 exactly, id and all: both are published rows, kept with a note, not rejected.
    expect(partial).toMatchObject({ status: 'accepted', rowsRead: 5, rowsAccepted: 3, rowsRejected: 2, rowsInserted: 3 });
    expect(partial.quality).toEqual([{ code: 'SHARED_SOURCE_ID', rows: 2, message: expect.stringContaining('2 rows share 1 source ids') }]);
    const rejects = await db.pool.query('select row_number, column_name, reason, severity from ingest_reject where submission_id = $1 order by row_number', [partial.submissionId]);
    expect(rejects.rows).toEqual([
      { row_number: 1, column_name: null, reason: 'SHARED_SOURCE_ID', severity: 'note' },
      { row_number: 2, column_name: 'Month', reason: 'INVALID_DATE', severity: 'reject' },
      { row_number: 3, column_name: 'Latitude', reason: 'INVALID_COORDINATE', severity: 'reject' },
      { row_number: 5, column_name: null, reason: 'SHARED_SOURCE_ID', severity: 'note' },
    ]);
    const keys = await db.pool.query('select natural_key, source_ref from incident where submission_id = $1 order by natural_key', [partial.submissionId]);
    expect(keys.rows).toEqual([
      { natural_key: 'r1', source_ref: 'r1' },
      { natural_key: 'r1#2', source_ref: 'r1' },
      { natural_key: 'r4', source_ref: 'r4' },
    ]);

    const before = (await db.pool.query('select count(*)::int as n from incident')).rows[0].n;
    const refused = await ingest({ source: fileSource(sharedData('council', 'BANES_Fix_My_Street_Sample_Dataset.csv')), fileName: 'wrong.csv' });
    expect(refused.status).toBe('refused');
    expect(refused.errorCode).toBe('WRONG_HEADER');
    expect(refused.errorMessage).toContain('Expected the data.police.uk street-level crime columns: Crime ID, Month');
    expect((await db.pool.query('select count(*)::int as n from incident')).rows[0].n).toBe(before);
    const recorded = await db.pool.query('select status, error_code, rows_read, bytes from submission where id = $1', [refused.submissionId]);
    expect(recorded.rows[0]).toMatchObject({ status: 'refused', error_code: 'WRONG_HEADER', rows_read: 0 });
    expect(Number(recorded.rows[0].bytes)).toBe(readFileSync(sharedData('council', 'BANES_Fix_My_Street_Sample_Dataset.csv')).length);
  });

  it('refuses a feed the agency does not own', async () => {
    const result = await ingestFile(db.pool, { agencyId: fire, feed: 'police.street', submitter: CLI, source: fileSource(STREET('2024-02')), fileName: 'x.csv' });
    expect(result).toMatchObject({ status: 'refused', errorCode: 'FEED_NOT_FOR_AGENCY' });
  });
});

describe('ingest: placing council rows without an LSOA', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('ingest_place');
  });
  afterAll(async () => db?.drop());

  it('uses a ward code, a unique ward name, or the nearest LSOA centroid, and says which', async () => {
    const council = (await db.pool.query(`select id from agency where code = 'charnwood-borough-council'`)).rows[0].id as number;
    const csv = [
      'Reference,Date,Ward code,Ward name,Latitude,Longitude,Location description,Land type,Waste type,Size',
      'W1,2024-01-05,E05005427,,,,Ashby Road,Highway,Other household waste,Single Item', // ward code only
      'W2,2024-01-06,,Loughborough Hastings,,,Ashby Road,Highway,Other household waste,Single Item', // ward name only
      'W3,2024-01-07,,,52.7721,-1.2062,Ashby Road,Highway,Other household waste,Single Item', // coordinates in Loughborough
    ].join('\n') + '\n';
    const result = await ingestFile(db.pool, { agencyId: council, feed: 'council.fly_tipping', submitter: CLI, source: bytesOf(csv), fileName: 'ft.csv' });
    expect(result).toMatchObject({ status: 'accepted', rowsAccepted: 3, rowsRejected: 0 });
    const rows = await db.pool.query(
      `select source_ref, area_method, ward_code, lad_code, lsoa_code from incident where submission_id = $1 order by source_ref`, [result.submissionId]);
    const ward = await db.pool.query(`select code, lad_code from area where kind = 'ward' and code = 'E05005427'`);
    const named = await db.pool.query(`select code from area where kind = 'ward' and name = 'Loughborough Hastings'`);
    expect(rows.rows).toEqual([
      { source_ref: 'W1', area_method: 'ward-code', ward_code: 'E05005427', lad_code: ward.rows[0].lad_code, lsoa_code: null },
      { source_ref: 'W2', area_method: 'ward-name', ward_code: named.rows[0].code, lad_code: 'E07000130', lsoa_code: null },
      { source_ref: 'W3', area_method: 'nearest-centroid', ward_code: expect.stringMatching(/^E05/), lad_code: 'E07000130', lsoa_code: expect.stringMatching(/^E01/) },
    ]);
  });
});
