import { describe, expect, it } from 'vitest';
import { bytesOf, type FeedAdapter } from '@csp-hub/adapter-kit';
import { collect } from '@csp-hub/adapter-kit/testing';
import { classify, feedsOf, FEEDS, HubError, mappedCategories } from '@csp-hub/taxonomy';
import { looksLikeAddress } from './common';
import {
  abandonedVehiclesAdapter,
  asbAdapter,
  COUNCIL_ADAPTERS,
  FLYCAPTURE_SIZES,
  flyTippingAdapter,
  graffitiAdapter,
  noiseAdapter,
} from './index';

const read = (adapter: FeedAdapter, lines: string[], chunk?: number) => collect(adapter.read(bytesOf(`${lines.join('\n')}\n`, chunk)));

async function refusal(adapter: FeedAdapter, lines: string[]): Promise<HubError> {
  const error = await read(adapter, lines).catch((e: unknown) => e);
  if (error instanceof HubError) return error;
  throw new Error(`expected the file to be refused, got ${String(error)}`);
}

describe('council.asb', () => {
  const header = 'Reference,Date,ASB category,ASB type,Ward code,Ward name,LSOA code,Latitude,Longitude,Location description,Outcome,Description';
  const rows = [
    'ASB-1,31/03/2024 11:15 PM,Personal,Harassment,,,E01025667,,,,Warning letter,"Neighbour shouts at the victim, ""every night"""',
    'ASB-2,2024-06-01,nuisance,Rowdy behaviour,E05010880,,,,,Outside 12 High Street,,',
    'ASB-3,2024-06-02T10:00:00Z,Environmental,,,Loughborough Outwoods,,52.77,-1.20,Granby Street car park,,',
    'ASB-4,2024-06-02,Criminal,,,Loughborough Outwoods,,,,,,',
    'ASB-5,2024-06-31,Personal,,,Loughborough Outwoods,,,,,,',
    'ASB-6,2024-06-02,Personal,,,,,,,Behind the library,,',
  ];

  it('reads the layout: BST date-time, date-only, area codes, ward names, coordinates; descriptions stay restricted', async () => {
    const { incidents, rejects } = await read(asbAdapter, [header, ...rows], 9);
    expect(incidents).toEqual([
      {
        kind: 'incident',
        rowNumber: 1,
        sourceRef: 'ASB-1',
        sourceCategory: 'Anti-social behaviour',
        category: 'anti_social_behaviour',
        occurredMonth: '2024-03',
        occurredAt: '2024-03-31T22:15:00.000Z',
        locationText: null,
        lsoaCode: 'E01025667',
        lsoaName: null,
        wardName: null,
        latitude: null,
        longitude: null,
        outcome: 'Warning letter',
        tier: 'personal',
        attributes: { asbCategory: 'Personal', asbType: 'Harassment', wardCode: null },
        restrictedText: 'Description: Neighbour shouts at the victim, "every night"',
      },
      expect.objectContaining({
        rowNumber: 2,
        occurredAt: null,
        occurredMonth: '2024-06',
        lsoaCode: null,
        locationText: null,
        attributes: { asbCategory: 'Nuisance', asbType: 'Rowdy behaviour', wardCode: 'E05010880', occurredOn: '2024-06-01' },
        restrictedText: 'Location description: Outside 12 High Street',
      }),
      expect.objectContaining({
        rowNumber: 3,
        occurredAt: '2024-06-02T10:00:00.000Z',
        wardName: 'Loughborough Outwoods',
        latitude: 52.77,
        longitude: -1.2,
        locationText: 'Granby Street car park',
        outcome: null,
        restrictedText: null,
        attributes: { asbCategory: 'Environmental', asbType: null, wardCode: null },
      }),
    ]);
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 4, column: 'ASB category', value: 'Criminal', reason: 'UNKNOWN_CATEGORY' }),
      expect.objectContaining({ rowNumber: 5, column: 'Date', value: '2024-06-31', reason: 'INVALID_DATE' }),
      expect.objectContaining({ rowNumber: 6, column: null, reason: 'MISSING_LOCATION' }),
    ]);
    expect(rejects[0]!.message).toContain('expected one of Personal, Nuisance, Environmental');
  });
});

describe('council.fly_tipping (Flycapture)', () => {
  const header = 'Reference,Date,Land type,Waste type,Size,Action taken,Latitude,Longitude,Location description';
  const rows = [
    'FT-1,05/01/2024,Highway,Other household waste,Car Boot or Less,Warning letter,52.63,-1.13,Lay-by on the A6',
    'FT-2,06/01/2024 08:00,Footpath/Bridleway,White goods,significant / multi  loads,,52.64,-1.14,',
    'FT-3,07/01/2024,Highway,Tyres,Lorry load,,52.64,-1.14,',
    'FT-4,32/01/2024,Highway,Tyres,Single Item,,52.64,-1.14,',
    'FT-5,08/01/2024,Highway,Tyres,Single Item,,,,Back lane behind the shops',
    'FT-6,09/01/2024,Highway,Tyres,Single Item,,95.2,-1.14,',
    'FT-7,10/01/2024,Highway,,Single Item,,52.65,-1.15,',
    'FT-8,10/01/2024,Highway,Green,Single Black Bag,,52.65,-1.15,',
  ];

  it('reads good rows with canonical Flycapture sizes and rejects bad ones by row', async () => {
    const { incidents, rejects } = await read(flyTippingAdapter, [header, ...rows]);
    expect(incidents.map((i) => [i.rowNumber, i.sourceRef, i.attributes.size, i.occurredAt, i.occurredMonth])).toEqual([
      [1, 'FT-1', 'Car Boot or Less', null, '2024-01'],
      [2, 'FT-2', 'Significant/Multi Loads', '2024-01-06T08:00:00.000Z', '2024-01'],
      [8, 'FT-8', 'Single Black Bag', null, '2024-01'],
    ]);
    expect(incidents[0]).toMatchObject({
      sourceCategory: 'Fly-tipping',
      category: 'environmental',
      tier: 'pseudonymised',
      outcome: 'Warning letter',
      locationText: 'Lay-by on the A6',
      latitude: 52.63,
      longitude: -1.13,
      attributes: { landType: 'Highway', wasteType: 'Other household waste', size: 'Car Boot or Less', occurredOn: '2024-01-05' },
    });
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 3, column: 'Size', value: 'Lorry load', reason: 'UNKNOWN_CATEGORY' }),
      expect.objectContaining({ rowNumber: 4, column: 'Date', value: '32/01/2024', reason: 'INVALID_DATE' }),
      expect.objectContaining({ rowNumber: 5, reason: 'MISSING_LOCATION' }),
      expect.objectContaining({ rowNumber: 6, column: 'Latitude', reason: 'INVALID_COORDINATE', message: 'latitude 95.2 is out of range (-90 to 90)' }),
      expect.objectContaining({ rowNumber: 7, column: 'Waste type', reason: 'MISSING_VALUE' }),
    ]);
    expect(rejects[0]!.message).toContain(FLYCAPTURE_SIZES.join(', '));
  });

  it('accepts every Flycapture size, in any case', async () => {
    const lines = FLYCAPTURE_SIZES.map((size, n) => `FT-${n},05/01/2024,Highway,Green,${n % 2 ? size.toUpperCase() : size},,52.63,-1.13,`);
    const { incidents, rejects } = await read(flyTippingAdapter, [header, ...lines]);
    expect(rejects).toEqual([]);
    expect(incidents.map((i) => i.attributes.size)).toEqual([...FLYCAPTURE_SIZES]);
  });
});

describe('council.graffiti', () => {
  const header = 'Reference,Date,Graffiti type,Offensive,Surface,Removed date,Outcome,LSOA code,Location description';
  const rows = [
    'G-1,2024-02-10,Tag,No,Bus shelter,12/02/2024 14:00,Removed,E01025667,Bus shelter on Loughborough Road',
    'G-2,2024-02-11 17:30,Racist,Yes,Wall,,,e01025668,"Wall, rear of 2-4 Mill Lane"',
    'G-3,2024-02-11,Tag,Maybe,Wall,,,E01025667,',
    'G-4,2024-02-11,Tag,No,Wall,,,LE11 3AA,',
    'G-5,2024-02-11,Tag,No,Wall,,,E05010880,',
    'G-6,2024-02-11,Tag,No,Wall,yesterday,,E01025667,',
  ];

  it('reads yes/no and removal dates, withholds premises addresses, rejects bad values by row', async () => {
    const { incidents, rejects } = await read(graffitiAdapter, [header, ...rows]);
    expect(incidents).toEqual([
      expect.objectContaining({
        rowNumber: 1,
        sourceCategory: 'Graffiti',
        category: 'environmental',
        tier: 'pseudonymised',
        lsoaCode: 'E01025667',
        outcome: 'Removed',
        locationText: 'Bus shelter on Loughborough Road',
        restrictedText: null,
        attributes: { graffitiType: 'Tag', offensive: false, surface: 'Bus shelter', removedAt: '2024-02-12T14:00:00.000Z', occurredOn: '2024-02-10' },
      }),
      expect.objectContaining({
        rowNumber: 2,
        occurredAt: '2024-02-11T17:30:00.000Z',
        lsoaCode: 'E01025668',
        locationText: null,
        restrictedText: 'Location description: Wall, rear of 2-4 Mill Lane',
        attributes: { graffitiType: 'Racist', offensive: true, surface: 'Wall', removedAt: null },
      }),
    ]);
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 3, column: 'Offensive', value: 'Maybe', reason: 'INVALID_VALUE' }),
      expect.objectContaining({ rowNumber: 4, column: 'LSOA code', value: 'LE11 3AA', reason: 'INVALID_AREA_CODE' }),
      expect.objectContaining({ rowNumber: 5, column: 'LSOA code', value: 'E05010880', reason: 'INVALID_AREA_CODE' }),
      expect.objectContaining({ rowNumber: 6, column: 'Removed date', value: 'yesterday', reason: 'INVALID_DATE' }),
    ]);
  });
});

describe('council.noise', () => {
  const header = 'Reference,Date,Noise type,Source type,Outcome,Description,Ward name,Location description';
  const rows = [
    'N-1,26/10/2024 11:30 PM,Amplified music,Domestic,Abatement notice,"Party every weekend, ""very loud""",Newbridge,Cedar Way',
    'N-2,28/10/2024,,Domestic,,,Newbridge,',
    'N-3,02/11/2024 01:00,Dog barking,Domestic,,,Newbridge,Flat 3 Cedar Court',
    'N-4,02/11/2024 01:00,Alarm,Commercial,,,,',
  ];

  it('reads the layout; descriptions and flat addresses go to restrictedText only', async () => {
    const { incidents, rejects } = await read(noiseAdapter, [header, ...rows]);
    expect(incidents).toEqual([
      expect.objectContaining({
        rowNumber: 1,
        sourceCategory: 'Noise complaint',
        category: 'anti_social_behaviour',
        tier: 'personal',
        occurredAt: '2024-10-26T22:30:00.000Z',
        occurredMonth: '2024-10',
        wardName: 'Newbridge',
        outcome: 'Abatement notice',
        locationText: 'Cedar Way',
        restrictedText: 'Description: Party every weekend, "very loud"',
        attributes: { noiseType: 'Amplified music', sourceType: 'Domestic' },
      }),
      expect.objectContaining({
        rowNumber: 3,
        occurredAt: '2024-11-02T01:00:00.000Z',
        locationText: null,
        restrictedText: 'Location description: Flat 3 Cedar Court',
      }),
    ]);
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 2, column: 'Noise type', reason: 'MISSING_VALUE' }),
      expect.objectContaining({ rowNumber: 4, reason: 'MISSING_LOCATION' }),
    ]);
  });
});

describe('council.abandoned_vehicles', () => {
  const header = 'Reference,Date,Vehicle make,Vehicle colour,Registration,Outcome,Ward code,Ward name';
  const rows = ['AV-1,2024-01-15,Ford,Blue,AB12 CDE,Removed and destroyed,E05010880,Loughborough Storer', 'AV-2,2024-01-16,,,XY34 ZZZ,,,', ',2024-01-16,,,,,E05010880,'];

  it('reads the layout and never reads the registration mark', async () => {
    const { incidents, rejects } = await read(abandonedVehiclesAdapter, [header, ...rows]);
    expect(incidents).toEqual([
      expect.objectContaining({
        rowNumber: 1,
        sourceRef: 'AV-1',
        sourceCategory: 'Abandoned vehicle',
        category: 'environmental',
        tier: 'pseudonymised',
        wardName: 'Loughborough Storer',
        outcome: 'Removed and destroyed',
        attributes: { vehicleMake: 'Ford', vehicleColour: 'Blue', wardCode: 'E05010880', occurredOn: '2024-01-15' },
      }),
    ]);
    expect(JSON.stringify(incidents)).not.toContain('AB12');
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 2, reason: 'MISSING_LOCATION' }),
      expect.objectContaining({ rowNumber: 3, column: 'Reference', reason: 'MISSING_ID' }),
    ]);
  });
});

describe('standard layout headers', () => {
  it('refuses a file of another layout whole, naming the missing and expected columns', async () => {
    const error = await refusal(flyTippingAdapter, ['Reference,Date,Noise type,Ward name', 'N-1,2024-01-01,Music,Abbey']);
    expect(error.kind).toBe('invalid_input');
    expect(error.reason).toBe('WRONG_HEADER');
    expect(error.message).toContain('missing columns Land type, Waste type, Size');
    expect(error.message).toContain('Expected the council fly-tipping (Flycapture) columns: Reference, Date, Land type, Waste type, Size');
  });

  it('refuses a header with no location column, or half a coordinate pair', async () => {
    const none = await refusal(graffitiAdapter, ['Reference,Date,Location description', 'G-1,2024-01-01,Market Place']);
    expect(none.reason).toBe('WRONG_HEADER');
    expect(none.message).toContain('no location column');
    expect(none.message).toContain('at least one of Ward code, Ward name, LSOA code, or Latitude and Longitude');
    const half = await refusal(graffitiAdapter, ['Reference,Date,Latitude', 'G-1,2024-01-01,52.6']);
    expect(half.message).toContain('Latitude but no Longitude');
  });

  it('refuses a column named in the wrong case, pointing it out', async () => {
    const error = await refusal(noiseAdapter, ['reference,Date,Noise type,Ward name', 'N-1,2024-01-01,Music,Abbey']);
    expect(error.message).toContain('"reference" differs only in case from "Reference"');
  });
});

describe('council adapters and categories', () => {
  it('has one adapter per council feed, each with the feed tier on its rows', async () => {
    expect(COUNCIL_ADAPTERS.map((a) => a.description.feed).sort()).toEqual(feedsOf('council').sort());
    const rows: Record<string, string[]> = {
      'council.asb': ['Reference,Date,ASB category,Ward name', 'x,2024-01-01,Personal,Abbey'],
      'council.fly_tipping': ['Reference,Date,Land type,Waste type,Size,Ward name', 'x,2024-01-01,Highway,Green,Single Item,Abbey'],
      'council.graffiti': ['Reference,Date,Ward name', 'x,2024-01-01,Abbey'],
      'council.noise': ['Reference,Date,Noise type,Ward name', 'x,2024-01-01,Music,Abbey'],
      'council.abandoned_vehicles': ['Reference,Date,Ward name', 'x,2024-01-01,Abbey'],
      'council.service_requests': ['Ref,Kind,Type,ReceivedDate,Latitude,Longitude', 'x,Noise Request,,01/01/2024 10:00:00 AM,51.38,-2.36'],
      'council.street_reports': ['url,created,category,latitude,longitude', 'https://www.fixmystreet.com/report/1,2024-01-01 10:00:00 UTC,Graffiti,51.38,-2.36'],
    };
    for (const adapter of COUNCIL_ADAPTERS) {
      const feed = adapter.description.feed;
      const { incidents, rejects } = await read(adapter, rows[feed]!);
      expect([feed, rejects]).toEqual([feed, []]);
      expect([feed, incidents.map((i) => i.tier)]).toEqual([feed, [FEEDS[feed].tier]]);
    }
  });

  it('maps keys that classify can reach (lower case, single spaces)', () => {
    for (const [key] of mappedCategories('council')) expect(key).toBe(key.trim().replace(/\s+/g, ' ').toLowerCase());
    expect(classify('council', 'Accumulations (including refuse & litter')).toBe('environmental');
    expect(classify('council', 'Accumulations  (including refuse & litter)')).toBe('environmental');
    expect(classify('council', 'Rat Complaint')).toBe('other');
  });

  it.each([
    ['12 High Street', true],
    ['Flat 3 Cedar Court', true],
    ['rear of 2-4 Mill Lane', true],
    ['14a The Green', true],
    ['Near BA1 1AA', true],
    ['Junction 5 of the M4', true],
    ['Granby Street car park', false],
    ['Lay-by on the A36', false],
    ['Outside the library, Market Place', false],
  ])('location "%s" looks like a premises address: %s', (text, expected) => {
    expect(looksLikeAddress(text)).toBe(expected);
  });
});
