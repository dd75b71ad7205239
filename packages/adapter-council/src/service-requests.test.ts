import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect, countBy, fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { HubError, type Priority } from '@csp-hub/taxonomy';
import { serviceRequestsAdapter } from './index';
import { csvTable } from '@csp-hub/adapter-kit/testing';

const FILE = 'BANES_Environmental_Protection_Service_Requests.csv';

/** The source file counted a second way: split whole, Type or (when empty) Kind per row. */
function source() {
  const table = csvTable(readFileSync(sharedData('council', FILE), 'utf8'));
  const category = (row: string[]) => table.get(row, 'Type').trim() || table.get(row, 'Kind').trim();
  return { ...table, category };
}

async function readReal() {
  return collect(serviceRequestsAdapter.read(fileSource(sharedData('council', FILE))));
}

/** Every B&NES Type (and Kind standing in for an empty Type) and the priority it should get. */
const EXPECTED_PRIORITY: Record<string, Priority> = {
  'Noise complaint': 'anti_social_behaviour',
  'Noise Request': 'anti_social_behaviour',
  'Community Trigger': 'anti_social_behaviour',
  'Accumulations (including refuse & litter': 'environmental',
  Bonfires: 'environmental',
  'Rat Complaint': 'other',
  'Odour/Fumes': 'other',
  'Nuisance (excluding noise & pollution)': 'other',
  'Drainage Complaint': 'other',
  'Light pollution': 'other',
  'General (non-noise) complaint': 'other',
  'General Request': 'other',
};

/** London wall-clock of an instant, written the way B&NES writes it (dd/mm/yyyy hh:mm:ss AM). */
const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h12',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
function asBanesText(iso: string): string {
  const p = Object.fromEntries(londonClock.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} ${p.dayPeriod!.toUpperCase()}`;
}

describe('council service requests (real B&NES Environmental Protection export)', () => {
  it('reads all 5,000 rows with no rejects; counts per source category equal the source (Type, else Kind)', async () => {
    const src = source();
    const { incidents, rejects, updates } = await readReal();
    expect(src.rows).toHaveLength(5000);
    expect(rejects).toEqual([]);
    expect(updates).toEqual([]);
    expect(incidents).toHaveLength(src.rows.length);
    expect(incidents.map((i) => i.rowNumber)).toEqual(src.rows.map((_, n) => n + 1));
    expect(countBy(incidents, (i) => i.sourceCategory)).toEqual(countBy(src.rows, src.category));
    // The 385 empty-Type rows fall back to Kind.
    const emptyType = src.rows.filter((r) => src.get(r, 'Type').trim() === '');
    expect(emptyType).toHaveLength(385);
    expect(incidents.filter((i) => i.sourceCategory === i.attributes.kind)).toHaveLength(emptyType.length);
  });

  it('classifies every B&NES type: noise and Community Trigger as ASB, refuse and bonfires as environmental, the rest other', async () => {
    const src = source();
    const { incidents } = await readReal();
    expect(Object.keys(countBy(incidents, (i) => i.sourceCategory)).sort()).toEqual(Object.keys(EXPECTED_PRIORITY).sort());
    for (const i of incidents) expect([i.sourceCategory, i.category]).toEqual([i.sourceCategory, EXPECTED_PRIORITY[i.sourceCategory]]);
    const bySource = countBy(src.rows, src.category);
    const sum = (...keys: string[]) => keys.reduce((n, k) => n + (bySource[k] ?? 0), 0);
    expect(countBy(incidents, (i) => i.category)).toEqual({
      anti_social_behaviour: sum('Noise complaint', 'Noise Request', 'Community Trigger'),
      environmental: sum('Accumulations (including refuse & litter', 'Bonfires'),
      other: sum('Rat Complaint', 'Odour/Fumes', 'Nuisance (excluding noise & pollution)', 'Drainage Complaint', 'Light pollution', 'General (non-noise) complaint', 'General Request'),
    });
  });

  it('reads day-first 12-hour London dates, in GMT and BST', async () => {
    const { incidents } = await readReal();
    const byRef = new Map(incidents.map((i) => [i.sourceRef, i]));
    // 11/11/2019 09:36:00 AM (GMT)
    expect(byRef.get('060793441c0d07650f179cf506dd9989')).toMatchObject({ occurredAt: '2019-11-11T09:36:00.000Z', occurredMonth: '2019-11' });
    // 27/07/2016 03:10:00 PM (BST: 14:10 UTC)
    expect(byRef.get('21264e92da3edae8b66be98ed2ea4250')).toMatchObject({ occurredAt: '2016-07-27T14:10:00.000Z', occurredMonth: '2016-07' });
    // 19/09/2016 12:43:00 PM (BST, noon hour; Type empty so Kind is the category)
    expect(byRef.get('1fafd434db4c7d244194b3e172b4d116')).toMatchObject({
      occurredAt: '2016-09-19T11:43:00.000Z',
      sourceCategory: 'Noise Request',
      category: 'anti_social_behaviour',
    });
  });

  it('every instant, written back in London time, is the ReceivedDate text; the month is the text month', async () => {
    const src = source();
    const { incidents } = await readReal();
    const received = src.rows.map((r) => src.get(r, 'ReceivedDate'));
    expect(incidents.map((i) => asBanesText(i.occurredAt!))).toEqual(received);
    expect(incidents.map((i) => i.occurredMonth)).toEqual(received.map((t) => `${t.slice(6, 10)}-${t.slice(3, 5)}`));
  });

  it('keeps Ref as a unique sourceRef, coordinates from Latitude/Longitude, and ignores the Socrata region ids', async () => {
    const src = source();
    const { incidents } = await readReal();
    expect(new Set(incidents.map((i) => i.sourceRef)).size).toBe(5000);
    expect(incidents.map((i) => i.sourceRef)).toEqual(src.rows.map((r) => src.get(r, 'Ref')));
    expect(incidents.map((i) => [i.latitude, i.longitude])).toEqual(src.rows.map((r) => [Number(src.get(r, 'Latitude')), Number(src.get(r, 'Longitude'))]));
    for (const i of incidents) {
      expect(i).toMatchObject({ lsoaCode: null, lsoaName: null, wardName: null, locationText: null, restrictedText: null, outcome: null, tier: 'personal' });
      expect(Object.keys(i.attributes).sort()).toEqual(['closedAt', 'kind', 'receivedHow', 'receivedWhere', 'status']);
    }
  });

  it('keeps kind, status, how received (white space folded) and the closing date as attributes', async () => {
    const src = source();
    const { incidents } = await readReal();
    const emptyClosed = src.rows.filter((r) => src.get(r, 'ClosedDate') === '').length;
    expect(emptyClosed).toBe(76);
    expect(incidents.filter((i) => i.attributes.closedAt === null)).toHaveLength(emptyClosed);
    expect(countBy(incidents, (i) => String(i.attributes.status))).toEqual(countBy(src.rows, (r) => src.get(r, 'Status')));
    expect(incidents.filter((i) => i.attributes.receivedHow === 'Referral - DOH (PH only)')).toHaveLength(
      src.rows.filter((r) => src.get(r, 'ReceivedHow') === 'Referral - DOH     (PH only)').length,
    );
    const first = incidents[0]!;
    // 21/11/2019 12:00:00 AM
    expect(first.attributes).toEqual({ kind: 'General Request', status: 'Closed', receivedHow: 'Telephone', receivedWhere: null, closedAt: '2019-11-21T00:00:00.000Z' });
  });

  describe('row problems', () => {
    const header =
      'Ref,Kind,Type,Status,ReceivedDate,ClosedDate,ReceivedHow,ReceivedWhere,Location,Latitude,Longitude,Ward,Lower Layer Super Output Areas (LSOA),Output Areas (OA),Middle Layer Super Output Areas (MSOA),Boundary';
    const rows = [
      'a1,Noise Request,Noise complaint,Closed,01/07/2019 10:00:00 PM,,Telephone,,"(51.38, -2.36)",51.38,-2.36,35,1,2,3,1',
      'a2,Noise Request,,Closed,02/07/2019 10:00:00 AM,,,,"(51.39, -2.37)",,,35,1,2,3,1',
      'a3,General Request,Bonfires,Closed,07/13/2019 10:00:00 AM,,,,,51.38,-2.36,35,1,2,3,1',
      'a4,General Request,Bonfires,Closed,03/07/2019 10:00:00 AM,,,,,,,35,1,2,3,1',
      'a5,General Request,Bonfires,Closed,03/07/2019 10:00:00 AM,,,,,51.38,-200,35,1,2,3,1',
      'a6,General Request,Bonfires,Closed,03/07/2019 10:00:00 AM,,,,"(north, west)",,,35,1,2,3,1',
      ',General Request,Bonfires,Closed,03/07/2019 10:00:00 AM,,,,,51.38,-2.36,35,1,2,3,1',
      'a8,,,Closed,03/07/2019 10:00:00 AM,,,,,51.38,-2.36,35,1,2,3,1',
      'a9,General Request,Bonfires,Closed,03/07/2019 10:00:00 AM,31/02/2019 12:00:00 AM,,,,51.38,-2.36,35,1,2,3,1',
    ];

    it('falls back to the (lat, lon) Location text and rejects bad rows with their row numbers and reasons', async () => {
      const { incidents, rejects } = await collect(serviceRequestsAdapter.read(bytesOf(`${header}\n${rows.join('\n')}\n`, 7)));
      expect(incidents.map((i) => [i.rowNumber, i.sourceRef, i.latitude, i.longitude, i.occurredAt])).toEqual([
        [1, 'a1', 51.38, -2.36, '2019-07-01T21:00:00.000Z'],
        [2, 'a2', 51.39, -2.37, '2019-07-02T09:00:00.000Z'],
      ]);
      expect(rejects).toEqual([
        expect.objectContaining({ rowNumber: 3, column: 'ReceivedDate', value: '07/13/2019 10:00:00 AM', reason: 'INVALID_DATE' }),
        expect.objectContaining({ rowNumber: 4, reason: 'MISSING_LOCATION' }),
        expect.objectContaining({ rowNumber: 5, column: 'Latitude', reason: 'INVALID_COORDINATE', message: 'longitude -200 is out of range (-180 to 180)' }),
        expect.objectContaining({ rowNumber: 6, column: 'Location', value: '(north, west)', reason: 'INVALID_COORDINATE' }),
        expect.objectContaining({ rowNumber: 7, column: 'Ref', reason: 'MISSING_ID' }),
        expect.objectContaining({ rowNumber: 8, column: 'Type', reason: 'MISSING_VALUE' }),
        expect.objectContaining({ rowNumber: 9, column: 'ClosedDate', reason: 'INVALID_DATE' }),
      ]);
    });
  });

  it('refuses another layout whole, naming the expected columns', async () => {
    const error = await collect(serviceRequestsAdapter.read(fileSource(sharedData('council', 'BANES_Fix_My_Street_Sample_Dataset.csv')))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).kind).toBe('invalid_input');
    expect((error as HubError).reason).toBe('WRONG_HEADER');
    expect((error as HubError).message).toContain('missing columns Ref, Kind, Type, ReceivedDate');
    expect((error as HubError).message).toContain('Expected the council environmental protection service requests columns: Ref, Kind, Type, ReceivedDate, Latitude, Longitude');
  });
});
