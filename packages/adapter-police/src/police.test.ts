import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect, countBy, fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { HubError } from '@csp-hub/taxonomy';
import { outcomesAdapter, stopSearchAdapter, streetAdapter, STREET_COLUMNS } from './index';

const MONTHS = ['2024-01', '2024-02', '2024-03'] as const;

/** Counts straight from the file with a plain split (the published files have no quoted fields). */
function sourceCounts(file: string) {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return {
    rows: lines.length,
    byType: countBy(lines, (f) => f[9]!),
    asb: lines.filter((f) => f[0] === '').length,
    noLocation: lines.filter((f) => f[6] === 'No Location').length,
  };
}

describe('police street-level crime (real Leicestershire files)', () => {
  it.each(MONTHS)('%s: every row accepted, counts per crime type equal the source', async (month) => {
    const file = sharedData('police', `${month}-leicestershire-street.csv`);
    const expected = sourceCounts(file);
    const { incidents, rejects } = await collect(streetAdapter.read(fileSource(file)));
    expect(rejects).toEqual([]);
    expect(incidents).toHaveLength(expected.rows);
    expect(countBy(incidents, (i) => i.sourceCategory)).toEqual(expected.byType);
    expect(new Set(incidents.map((i) => i.occurredMonth))).toEqual(new Set([month]));
  });

  it('matches the counts PROVENANCE.md gives for January 2024', async () => {
    const { incidents } = await collect(streetAdapter.read(fileSource(sharedData('police', '2024-01-leicestershire-street.csv'))));
    const byType = countBy(incidents, (i) => i.sourceCategory);
    expect(byType['Anti-social behaviour']).toBe(544);
    expect(byType['Violence and sexual offences']).toBe(3092);
    expect(byType['Criminal damage and arson']).toBe(701);
    expect(incidents).toHaveLength(8324);
  });

  it('keeps ASB rows without an id (keyed later) and No Location rows without coordinates or LSOA', async () => {
    const file = sharedData('police', '2024-02-leicestershire-street.csv');
    const expected = sourceCounts(file);
    const { incidents } = await collect(streetAdapter.read(fileSource(file)));
    const asb = incidents.filter((i) => i.sourceCategory === 'Anti-social behaviour');
    expect(asb).toHaveLength(expected.asb);
    expect(asb.every((i) => i.sourceRef === null && i.outcome === null && i.category === 'anti_social_behaviour')).toBe(true);
    expect(incidents.filter((i) => i.sourceRef === null)).toHaveLength(expected.asb);
    const unlocated = incidents.filter((i) => i.latitude === null);
    expect(unlocated).toHaveLength(expected.noLocation);
    expect(unlocated.every((i) => i.longitude === null && i.lsoaCode === null && i.locationText === null)).toBe(true);
    expect(incidents.every((i) => i.tier === 'public')).toBe(true);
  });

  it('maps crime types to partnership priorities', async () => {
    const { incidents } = await collect(streetAdapter.read(fileSource(sharedData('police', '2024-03-leicestershire-street.csv'))));
    const pairs = new Map(incidents.map((i) => [i.sourceCategory, i.category]));
    expect(pairs.get('Criminal damage and arson')).toBe('criminal_damage_arson');
    expect(pairs.get('Burglary')).toBe('acquisitive_crime');
    expect(pairs.get('Violence and sexual offences')).toBe('violence');
    expect(pairs.get('Drugs')).toBe('drugs_alcohol');
    expect(pairs.get('Anti-social behaviour')).toBe('anti_social_behaviour');
  });

  it('reads the crimes-street API record and agrees with the CSV form', async () => {
    const { incidents, rejects } = await collect(streetAdapter.read(fileSource(sharedData('police', 'api', 'crime.json'))));
    expect(rejects).toEqual([]);
    expect(incidents).toEqual([
      expect.objectContaining({
        sourceRef: '0e51b9ceb4aedef3f9679481aa11262a6c5ea90a68d0dd0e0002a0b521c445e0',
        sourceCategory: 'Violence and sexual offences',
        category: 'violence',
        occurredMonth: '2020-02',
        latitude: 52.629909,
        longitude: -1.132073,
        locationText: 'On or near Marquis Street',
        outcome: 'Status update unavailable',
        attributes: { apiId: '81012437', locationType: 'Force' },
      }),
    ]);
  });

  it('reads an API array (as the live API returns it), minified', async () => {
    const one = JSON.parse(readFileSync(sharedData('police', 'api', 'crime.json'), 'utf8')) as Record<string, unknown>;
    const asb = { ...one, category: 'anti-social-behaviour', persistent_id: '', id: 1 };
    const { incidents } = await collect(streetAdapter.read(bytesOf(JSON.stringify([one, asb]), 100)));
    expect(incidents.map((i) => [i.rowNumber, i.sourceRef === null, i.category])).toEqual([
      [1, false, 'violence'],
      [2, true, 'anti_social_behaviour'],
    ]);
  });

  describe('row rejects name the row, column and problem', () => {
    const header = STREET_COLUMNS.join(',');
    const good = 'abc123,2024-01,Leicestershire Police,Leicestershire Police,-1.13,52.63,On or near Park,E01025667,Charnwood 001A,Burglary,Under investigation,';
    const cases: [string, string, string, string][] = [
      ['invalid month', good.replace('2024-01', '2024-13'), 'Month', 'INVALID_DATE'],
      ['latitude out of range', good.replace('52.63', '95.1'), 'Latitude', 'INVALID_COORDINATE'],
      ['longitude not a number', good.replace('-1.13', 'west'), 'Longitude', 'INVALID_COORDINATE'],
      ['unknown crime type', good.replace('Burglary', 'Jaywalking'), 'Crime type', 'UNKNOWN_CATEGORY'],
      ['bad LSOA code', good.replace('E01025667', 'LE11 3AA'), 'LSOA code', 'INVALID_AREA_CODE'],
      ['located row without coordinates', good.replace('-1.13,52.63', ','), 'Longitude', 'MISSING_COORDINATE'],
    ];
    it.each(cases)('%s', async (_name, line, column, reason) => {
      const { incidents, rejects } = await collect(streetAdapter.read(bytesOf(`${header}\n${good}\n${line}\n${good}\n`)));
      expect(incidents.map((i) => i.rowNumber)).toEqual([1, 3]);
      expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column, reason })]);
    });

    it('stores a formula-looking location as plain text', async () => {
      const line = good.replace('On or near Park', '=HYPERLINK("http://evil.example";"click")');
      const { incidents } = await collect(streetAdapter.read(bytesOf(`${header}\n"${line.replace(/"/g, '""').split(',').join('","')}"\n`)));
      expect(incidents[0]!.locationText).toBe('=HYPERLINK("http://evil.example";"click")');
    });
  });

  it('refuses a file of another feed whole, naming the expected columns', async () => {
    const error = await collect(streetAdapter.read(fileSource(sharedData('fire', 'lfb-incident-records-excerpt-20rows.csv')))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).reason).toBe('WRONG_HEADER');
    expect((error as HubError).message).toContain('Crime ID, Month, Reported by');
  });
});

describe('police outcomes', () => {
  it('turns outcome rows into updates of the named crime', async () => {
    const csv = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n' +
      'abc,2024-02,Leicestershire Police,Leicestershire Police,-1.1,52.6,On or near X,E01025667,Charnwood 001A,Offender given a caution\n' +
      ',2024-02,Leicestershire Police,Leicestershire Police,-1.1,52.6,On or near X,E01025667,Charnwood 001A,Offender fined\n';
    const { updates, rejects } = await collect(outcomesAdapter.read(bytesOf(csv)));
    expect(updates).toEqual([{ kind: 'update', rowNumber: 1, sourceRef: 'abc', outcome: 'Offender given a caution', month: '2024-02' }]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, reason: 'MISSING_ID' })]);
  });

  it('reads the API outcome record and the case history', async () => {
    const single = await collect(outcomesAdapter.read(fileSource(sharedData('police', 'api', 'outcome.json'))));
    expect(single.rejects).toEqual([]);
    expect(single.updates).toHaveLength(1);
    expect(single.updates[0]!.sourceRef).toMatch(/^[0-9a-f]{64}$/);
    const history = await collect(outcomesAdapter.read(fileSource(sharedData('police', 'api', 'case-history.json'))));
    expect(history.rejects).toEqual([]);
    expect(history.updates.length).toBeGreaterThan(0);
    expect(new Set(history.updates.map((u) => u.sourceRef)).size).toBe(1);
  });
});

describe('police stop and search', () => {
  it('reads the API record: time, place, object of search as category, demographics as attributes', async () => {
    const { incidents, rejects } = await collect(stopSearchAdapter.read(fileSource(sharedData('police', 'api', 'stop-and-search.json'))));
    expect(rejects).toEqual([]);
    expect(incidents).toEqual([
      expect.objectContaining({
        sourceRef: null,
        sourceCategory: 'Offensive weapons',
        category: 'violence',
        occurredAt: '2018-06-08T13:40:00.000Z',
        occurredMonth: '2018-06',
        latitude: 52.63625,
        longitude: -1.133691,
        outcome: 'A no further action disposal',
        attributes: expect.objectContaining({ type: 'Person search', gender: 'Male', ageRange: 'over 34' }),
      }),
    ]);
  });

  it('reads the CSV form, keeping rows without coordinates', async () => {
    const header = 'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing';
    const rows = [
      'Person search,2024-01-01T00:40:00+00:00,False,,52.63,-1.13,Male,18-24,Other ethnic group - Not stated,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False',
      'Vehicle search,2024-01-02T10:00:00+00:00,,,,,,,,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,A no further action disposal,,',
      'Person search,not-a-date,,,,,,,,,,,,,',
    ];
    const { incidents, rejects } = await collect(stopSearchAdapter.read(bytesOf(`${header}\n${rows.join('\n')}\n`)));
    expect(incidents.map((i) => [i.category, i.latitude, i.occurredMonth])).toEqual([
      ['drugs_alcohol', 52.63, '2024-01'],
      ['acquisitive_crime', null, '2024-01'],
    ]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 3, column: 'Date', reason: 'INVALID_DATE' })]);
  });
});
