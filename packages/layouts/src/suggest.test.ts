import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect, sharedData } from '@csp-hub/adapter-kit/testing';
import type { FeedId } from '@csp-hub/taxonomy';
import { candidatesAdapter, fileCandidate, layoutsDescription } from './adapter';
import { compileLayout } from './compile';
import { parseLayout } from './parse';
import { suggestLayout, type KnownLayout } from './suggest';
import { transformRegistry } from './transforms';

const transforms = transformRegistry([]);

async function suggest(feed: FeedId, file: string, known: KnownLayout[] = []) {
  const bytes = readFileSync(file);
  return suggestLayout({ feed, sample: bytes, complete: true, fileName: file.split('/').pop()!, known });
}

/** The suggestion is a valid layout, and it reads the file it came from. */
async function readWithSuggestion(yaml: string, bytes: Uint8Array) {
  const definition = parseLayout(yaml, { fileName: 'suggested.yaml', transforms });
  const layout = compileLayout(definition, transforms);
  const adapter = candidatesAdapter([fileCandidate(layout)], { description: layoutsDescription(layout.feed, layout, [layout]) });
  return { definition, ...(await collect(adapter.read(bytesOf(bytes)))) };
}

describe('layouts suggest on the real exports in the shared data folder', () => {
  it('AFRS (Windows-1252): British National Grid masked to the kilometre, a date split over Day, Month, Year and Time of Call', async () => {
    const file = sharedData('fire', 'afrs_attended_incidents_july_2014.csv');
    const s = await suggest('fire.incidents', file);
    expect(s.encoding).toBe('windows-1252');
    expect(s.coordinates).toEqual([{ system: 'bng', columns: ['X Coordinate', 'Y Coordinate'] }]);
    expect(s.dateFormats).toMatchObject({ Day: 'd', Month: 'MMMM', Year: 'yyyy', 'Time of Call': 'HH:mm:ss' });
    expect(s.yaml).toContain('British National Grid: X Coordinate masked (376***)');
    const parsed = parse(s.yaml) as { columns: Record<string, unknown> };
    expect(parsed.columns.sourceRef).toBe('Incident Number');
    expect(parsed.columns.occurredAt).toEqual({ day: 'Day', month: { column: 'Month', format: 'MMMM' }, year: 'Year', time: { column: 'Time of Call', format: 'HH:mm:ss' } });
    const read = await readWithSuggestion(s.yaml, readFileSync(file));
    expect(read.rejects).toEqual([]);
    expect(read.incidents).toHaveLength(1084);
    expect(read.incidents[0]).toMatchObject({ sourceRef: '005538-01072014', occurredAt: '2014-07-01T00:54:02.000Z', wardName: 'ABBEY' });
    expect(read.incidents[0]!.latitude).toBeCloseTo(51.38, 1);
  });

  it('LFB: exact and rounded grid references, then latitude/longitude; "01 Jan 2009" dates with a separate time; full postcodes and UPRNs not read', async () => {
    const file = sharedData('fire', 'lfb-incident-records-excerpt-20rows.csv');
    const s = await suggest('fire.incidents', file);
    expect(s.encoding).toBe('utf-8');
    expect(s.coordinates).toEqual([
      { system: 'bng', columns: ['Easting_m', 'Northing_m'] },
      { system: 'bng', columns: ['Easting_rounded', 'Northing_rounded'], precisionM: 100 },
      { system: 'wgs84', columns: ['Latitude', 'Longitude'] },
    ]);
    expect(s.dateFormats).toMatchObject({ DateOfCall: 'dd MMM yyyy', TimeOfCall: 'HH:mm:ss' });
    expect(s.notRead).toEqual(expect.arrayContaining(['Postcode_full', 'UPRN', 'USRN']));
    const parsed = parse(s.yaml) as { columns: { attributes: Record<string, unknown>; wardCode: string } };
    expect(parsed.columns.wardCode).toBe('IncGeo_WardCode');
    expect(parsed.columns.attributes.postcodeDistrict).toEqual({ column: 'Postcode_district', type: 'postcode-district', locates: true });
    const read = await readWithSuggestion(s.yaml, readFileSync(file));
    expect(read.rejects).toEqual([]);
    expect(read.incidents).toHaveLength(20);
    expect(JSON.stringify(read.incidents)).not.toContain('SW11 4LB');
  });

  it('B&NES service requests: WGS84 columns with a "(lat, lon)" fall-back, day-first 12-hour dates, ClosedDate as the as-of column', async () => {
    const file = sharedData('council', 'BANES_Environmental_Protection_Service_Requests.csv');
    const s = await suggest('council.service_requests', file);
    expect(s.coordinates).toEqual([
      { system: 'wgs84', columns: ['Latitude', 'Longitude'] },
      { system: 'wgs84', columns: ['Location'] },
    ]);
    expect(s.dateFormats).toMatchObject({ ReceivedDate: 'dd/MM/yyyy hh:mm:ss a', ClosedDate: 'dd/MM/yyyy hh:mm:ss a' });
    const parsed = parse(s.yaml) as { columns: Record<string, unknown> };
    // Two category columns: the finer Type first, Kind standing in where Type is empty (385 rows), as the built-in layout does.
    expect(parsed.columns).toMatchObject({ sourceRef: 'Ref', sourceCategory: ['Type', 'Kind'], asOf: { column: 'ClosedDate', format: 'dd/MM/yyyy hh:mm:ss a' } });
    const read = await readWithSuggestion(s.yaml, readFileSync(file));
    expect(read.rejects).toEqual([]);
    expect(read.incidents).toHaveLength(5000);
  });

  it('FixMyStreet: lower-case latitude/longitude, "2010-07-04 19:00:35 UTC" times, the last update as the as-of column, and the built-in it already fits', async () => {
    const file = sharedData('council', 'BANES_Fix_My_Street_Sample_Dataset.csv');
    const known: KnownLayout[] = [{ id: 'fixmystreet', label: 'council FixMyStreet street reports', feed: 'council.street_reports', required: ['url', 'created', 'category', 'latitude', 'longitude'] }];
    const s = await suggest('council.street_reports', file, known);
    expect(s.coordinates[0]).toEqual({ system: 'wgs84', columns: ['latitude', 'longitude'] });
    expect(s.dateFormats).toMatchObject({ created: 'yyyy-MM-dd HH:mm:ss z', lastupdate: 'yyyy-MM-dd HH:mm:ss z' });
    expect(s.matches).toEqual(['fixmystreet']);
    expect(s.yaml).toContain('this header already fits the built-in layout fixmystreet');
    const parsed = parse(s.yaml) as { columns: Record<string, unknown> };
    expect(parsed.columns).toMatchObject({ occurredAt: { column: 'created' }, asOf: { column: 'lastupdate' }, sourceCategory: 'category', wardName: 'ward' });
    const read = await readWithSuggestion(s.yaml, readFileSync(file));
    expect(read.rejects).toEqual([]);
    expect(read.incidents[0]).toMatchObject({ occurredAt: '2010-07-04T19:00:35.000Z', asOf: '2010-07-04T19:05:02.000Z' });
  });
});

describe('layouts suggest on a constructed Windows-1252 sample', () => {
  const lines = [
    'Job No,Date/Time Reported,Problem,Grid E,Grid N,Ward,Officer Notes,Caller Name,Last Updated',
    'J1,03/02/2024 14:05,Fly tipping,453420,319670,Loughborough Hastings,Caf\u00e9 owner says \u00a3500 of rubbish,Ann Smith,05/02/2024 09:30',
    'J2,13/02/2024 09:00,Graffiti,NULL,NULL,Loughborough Hastings,-,Bob Jones,NULL',
    'J3,23/02/2024 23:59,Fly tipping,453500,319700,NULL,Children\u2019s play area,N/A,23/02/2024 23:59',
  ];
  const encode = (text: string) => {
    // Windows-1252 for the characters used here.
    const map: Record<string, number> = { '\u00e9': 0xe9, '\u00a3': 0xa3, '\u2019': 0x92 };
    return Uint8Array.from([...text].map((ch) => map[ch] ?? ch.charCodeAt(0)));
  };

  it('detects the encoding, the null tokens, day-first dates, the grid and the personal column', async () => {
    const s = await suggestLayout({ feed: 'council.fly_tipping', sample: encode(`${lines.join('\r\n')}\r\n`), complete: true, fileName: 'hastings-env-jobs.csv', known: [] });
    expect(s.encoding).toBe('windows-1252');
    expect(s.yaml).toContain('0xE9, "\u00e9" in Windows-1252');
    expect(s.nullTokensSeen).toEqual({ NULL: 4, '-': 1, 'N/A': 1 });
    expect(s.dateFormats).toEqual({ 'Date/Time Reported': 'dd/MM/yyyy HH:mm', 'Last Updated': 'dd/MM/yyyy HH:mm' });
    expect(s.coordinates).toEqual([{ system: 'bng', columns: ['Grid E', 'Grid N'] }]);
    expect(s.notRead).toEqual(['Caller Name']);
    const parsed = parse(s.yaml) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      id: 'hastings-env-jobs',
      feed: 'council.fly_tipping',
      encoding: 'windows-1252',
      columns: {
        sourceRef: 'Job No',
        occurredAt: { column: 'Date/Time Reported', format: 'dd/MM/yyyy HH:mm' },
        asOf: { column: 'Last Updated', format: 'dd/MM/yyyy HH:mm' },
        sourceCategory: 'Problem',
        category: { map: { 'Fly tipping': 'environmental', Graffiti: 'environmental' }, default: 'other' },
        wardName: 'Ward',
        restrictedText: [{ column: 'Officer Notes', label: 'Officer Notes' }],
      },
      rules: { requireLocation: true },
    });
    expect(s.yaml).toContain('CHECK');
    expect(s.yaml).not.toContain('Caller Name:');
    parseLayout(s.yaml, { fileName: 'suggested.yaml', transforms });
  });
});
