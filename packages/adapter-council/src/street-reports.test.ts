import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect, countBy, fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { HubError, type NormalisedIncident, type Priority } from '@csp-hub/taxonomy';
import { reportIdOf, streetReportsAdapter } from './index';
import { splitCsv } from '@csp-hub/adapter-kit/testing';

const FILE = 'BANES_Fix_My_Street_Sample_Dataset.csv';

/**
 * The source file split a second way. The header holds both `ward` (name) and
 * `Ward` (Socrata id), so columns are found by exact, case-sensitive position.
 */
function source() {
  const [header, ...rows] = splitCsv(readFileSync(sharedData('council', FILE), 'utf8'));
  const at = (name: string) => {
    const i = header!.indexOf(name);
    expect(i, name).toBeGreaterThanOrEqual(0);
    return i;
  };
  return {
    rows,
    col: {
      title: at('title'),
      url: at('url'),
      created: at('created'),
      state: at('state'),
      category: at('category'),
      latitude: at('latitude'),
      longitude: at('longitude'),
      wardName: at('ward'),
      wardId: at('Ward'),
    },
  };
}

async function readReal() {
  return collect(streetReportsAdapter.read(fileSource(sharedData('council', FILE))));
}

/** FixMyStreet categories the partnership treats as environmental; every other category is `other`. */
const ENVIRONMENTAL = ['Flytipping', 'Graffiti', 'Flyposting', 'Abandoned vehicles', 'Dog fouling', 'Street cleaning'];

describe('council street reports (real B&NES FixMyStreet sample)', () => {
  it('reads every row; counts per category equal the source and PROVENANCE.md', async () => {
    const src = source();
    const { incidents, rejects } = await readReal();
    expect(rejects).toEqual([]);
    expect(src.rows).toHaveLength(1576);
    expect(incidents).toHaveLength(src.rows.length);
    const byCategory = countBy(incidents, (i) => i.sourceCategory);
    expect(byCategory).toEqual(countBy(src.rows, (r) => r[src.col.category]!));
    expect(byCategory).toMatchObject({ Flytipping: 81, 'Abandoned vehicles': 32, Graffiti: 18, Flyposting: 9, 'Dog fouling': 27, 'Street cleaning': 30 });
  });

  it('classifies flytipping, graffiti, flyposting, abandoned vehicles, dog fouling and street cleaning as environmental, the rest as other', async () => {
    const { incidents } = await readReal();
    for (const i of incidents) {
      const expected: Priority = ENVIRONMENTAL.includes(i.sourceCategory) ? 'environmental' : 'other';
      expect([i.sourceCategory, i.category]).toEqual([i.sourceCategory, expected]);
    }
    expect(incidents.filter((i) => i.category === 'environmental')).toHaveLength(81 + 18 + 9 + 32 + 27 + 30);
  });

  it('takes the ward name from `ward`, never the Socrata `Ward` id', async () => {
    const src = source();
    const { incidents } = await readReal();
    expect(src.col.wardName).not.toBe(src.col.wardId);
    for (const i of incidents) {
      const row = src.rows[i.rowNumber - 1]!;
      expect(i.wardName).toBe(row[src.col.wardName]);
      expect(i.wardName).not.toMatch(/^\d+$/);
    }
    expect(incidents.filter((i) => i.wardName === 'Newbridge')).toHaveLength(src.rows.filter((r) => r[src.col.wardName] === 'Newbridge').length);
  });

  it('puts the user-written title only in restrictedText', async () => {
    const src = source();
    const { incidents } = await readReal();
    for (const i of incidents) {
      const row = src.rows[i.rowNumber - 1]!;
      const title = row[src.col.title]!.replace(/\s+/g, ' ').trim();
      expect(i.restrictedText).toBe(title === '' ? null : title);
      expect(i.locationText).toBeNull();
      expect(Object.keys(i.attributes).sort()).toEqual(['lastUpdate', 'sentAt', 'state', 'url']);
      // No other field holds the title (sourceCategory comes from the category column, which some titles repeat).
      const { restrictedText: _, sourceCategory, ...rest } = i;
      expect(sourceCategory).toBe(row[src.col.category]);
      const values = [...Object.values(rest), ...Object.values(i.attributes)];
      expect(values.filter((v) => v === title || v === row[src.col.title])).toEqual([]);
    }
  });

  it('uses the report number from the url as sourceRef and the created UTC time as occurredAt', async () => {
    const src = source();
    const { incidents } = await readReal();
    expect(incidents.map((i) => i.sourceRef)).toEqual(src.rows.map((r) => r[src.col.url]!.split('/').pop()));
    expect(new Set(incidents.map((i) => i.sourceRef)).size).toBe(incidents.length);
    expect(incidents.map((i) => i.occurredAt)).toEqual(src.rows.map((r) => new Date(r[src.col.created]!.replace(' UTC', 'Z').replace(' ', 'T')).toISOString()));
    expect(incidents[0]).toMatchObject<Partial<NormalisedIncident>>({
      sourceRef: '122878',
      occurredAt: '2010-07-04T19:00:35.000Z',
      occurredMonth: '2010-07',
      wardName: 'Lambridge',
      latitude: 51.40058458,
      longitude: -2.351277417,
      tier: 'pseudonymised',
      restrictedText: 'Caravan',
      attributes: { state: 'confirmed', sentAt: '2010-07-04T19:05:02.000Z', lastUpdate: '2010-07-04T19:05:02.000Z', url: 'https://www.fixmystreet.com/report/122878' },
    });
    expect(countBy(incidents, (i) => String(i.attributes.state))).toEqual(countBy(src.rows, (r) => r[src.col.state]!));
    expect(incidents.filter((i) => i.attributes.sentAt === null)).toHaveLength(68);
  });

  it('reads report ids from URLs with a trailing slash or query, and nothing else', () => {
    expect(reportIdOf('https://www.fixmystreet.com/report/123456')).toBe('123456');
    expect(reportIdOf('https://www.fixmystreet.com/report/123456/')).toBe('123456');
    expect(reportIdOf('https://www.fixmystreet.com/report/123456?x=1')).toBe('123456');
    expect(reportIdOf('https://www.fixmystreet.com/reports/Bath')).toBeNull();
    expect(reportIdOf('')).toBeNull();
  });

  it('rejects bad rows with row numbers and keeps the good ones', async () => {
    const header = 'title,url,created,state,whensent,category,lastupdate,latitude,longitude,ward,Location,Ward';
    const rows = [
      'Sofa dumped,https://www.fixmystreet.com/report/1,2016-05-01 08:00:00 UTC,confirmed,,Flytipping,2016-05-01 08:00:00 UTC,51.38,-2.36,Abbey,"(51.38, -2.36)",1',
      'Bags,https://www.fixmystreet.com/,2016-05-01 08:00:00 UTC,confirmed,,Flytipping,,51.38,-2.36,Abbey,,1',
      'Bags,https://www.fixmystreet.com/report/3,2016-13-01 08:00:00 UTC,confirmed,,Flytipping,,51.38,-2.36,Abbey,,1',
      'Bags,https://www.fixmystreet.com/report/4,2016-05-01 08:00:00 UTC,confirmed,,Flytipping,,151.38,-2.36,Abbey,,1',
      'Bags,https://www.fixmystreet.com/report/5,2016-05-01 08:00:00 UTC,confirmed,,Flytipping,,,,,,1',
      'Bags,https://www.fixmystreet.com/report/6,2016-05-01 08:00:00 UTC,confirmed,,Graffiti,,,,Walcot,,7',
    ];
    const { incidents, rejects } = await collect(streetReportsAdapter.read(bytesOf(`${header}\n${rows.join('\n')}\n`)));
    expect(incidents.map((i) => [i.rowNumber, i.sourceRef, i.wardName, i.latitude])).toEqual([
      [1, '1', 'Abbey', 51.38],
      [6, '6', 'Walcot', null],
    ]);
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 2, column: 'url', reason: 'MISSING_ID' }),
      expect.objectContaining({ rowNumber: 3, column: 'created', reason: 'INVALID_DATE' }),
      expect.objectContaining({ rowNumber: 4, column: 'latitude', reason: 'INVALID_COORDINATE', message: 'latitude 151.38 is out of range (-90 to 90)' }),
      expect.objectContaining({ rowNumber: 5, reason: 'MISSING_LOCATION' }),
    ]);
  });

  it('refuses another layout whole, naming the expected columns', async () => {
    const error = await collect(streetReportsAdapter.read(fileSource(sharedData('council', 'BANES_Environmental_Protection_Service_Requests.csv')))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).reason).toBe('WRONG_HEADER');
    expect((error as HubError).message).toContain('Expected the council FixMyStreet street reports columns: url, created, category, latitude, longitude');
    expect((error as HubError).message).toContain('"Latitude" differs only in case from "latitude"');
  });
});
