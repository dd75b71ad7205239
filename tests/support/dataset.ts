import { createReadStream } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { bytesOf } from '@csp-hub/adapter-kit';
import { asbCsv, fireIncidentsCsv, flyTippingCsv, ingestFile, istvSubmissionCsv, policeStreetCsv, type IngestResult } from '@csp-hub/ingest';

export const SHARED_DATA = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data');

/**
 * The standard dataset the authorization tests run on, loaded through the real
 * ingest pipeline:
 *  - police (public tier): the real data.police.uk January 2024 Leicestershire file;
 *    Thames Valley Police: a small street file in West Oxfordshire LSOAs;
 *  - fire (pseudonymised): Leicestershire Fire generic extract in Charnwood and Harborough LSOAs;
 *  - health (pseudonymised, no location): an ISTV CSV from the UHL emergency department via the LLR ICB;
 *  - council: Charnwood ASB (personal) and fly-tipping (pseudonymised); Harborough ASB (personal).
 * The real geography places every row; the synthetic rows use real LSOA codes. The files are
 * written by @csp-hub/ingest's layout writers (demo-feeds.ts), as the demo's are.
 */
export interface StandardDataset {
  submissions: Record<string, IngestResult>;
  agencyIds: Record<string, number>;
}

export const CHARNWOOD_LSOAS = ['E01025672', 'E01025673', 'E01025670', 'E01025671', 'E01025676'];
export const HARBOROUGH_LSOAS = ['E01025815', 'E01025770', 'E01025771'];
export const WEST_OXFORDSHIRE_LSOAS = ['E01028762', 'E01028763', 'E01028764'];

function firstOf(list: string[], i: number): string {
  return list[i % list.length]!;
}

const day = (i: number, days: number) => String((i % days) + 1).padStart(2, '0');

function fireCsv(): string {
  const codes = ['Deliberate secondary fire', 'Deliberate primary fire', 'Road traffic collision', 'Accidental primary fire', 'Hoax/malicious false alarm'];
  const groups = ['Fire', 'Fire', 'Special Service', 'Fire', 'False Alarm'];
  return fireIncidentsCsv(Array.from({ length: 40 }, (_, i) => ({
    incidentNumber: `LFRS${String(1000 + i)}`,
    callDateTime: `2024-01-${day(i, 28)}T${String(i % 24).padStart(2, '0')}:15:00`,
    incidentGroup: groups[i % 5]!,
    stopCode: codes[i % 5]!,
    propertyType: 'Grassland',
    postcodeDistrict: 'LE11',
    lsoaCode: i % 4 === 3 ? firstOf(HARBOROUGH_LSOAS, i) : firstOf(CHARNWOOD_LSOAS, i),
    injuries: i % 7 === 0 ? 1 : 0,
  })));
}

function istvCsv(): string {
  const methods = ['Body part', 'Blunt object', 'Knife or sharp object', 'Glass or bottle'];
  const places = ['Public place', 'Licensed premises', 'Home', 'Public place'];
  return istvSubmissionCsv({ start: '2024-01-01', end: '2024-01-31', siteCode: 'RWEAA' }, Array.from({ length: 23 }, (_, i) => ({
    arrivalAt: `2024-01-${day(i, 27)}T23:40:00`,
    assaultAt: `2024-01-${day(i, 27)}T22:10:00`,
    method: methods[i % 4]!,
    methodOther: '',
    locationType: places[i % 4]!,
    locationDescription: `The Red Lion car park ${i}`,
  })));
}

function councilAsbCsv(lsoas: string[], prefix: string, n: number): string {
  const cats = ['Personal', 'Nuisance', 'Environmental'];
  return asbCsv(Array.from({ length: n }, (_, i) => ({
    reference: `${prefix}-${i}`,
    date: `${day(i, 28)}/01/2024 21:30`,
    lsoaCode: firstOf(lsoas, i),
    locationDescription: i % 2 ? 'Outside 12 Acacia Avenue' : 'Market Place',
    asbCategory: cats[i % 3]!,
    asbType: 'Rowdy behaviour',
    outcome: 'Warning letter',
    description: 'Neighbour reports shouting',
  })));
}

function councilFlyTippingCsv(): string {
  return flyTippingCsv(Array.from({ length: 15 }, (_, i) => ({
    reference: `FT-${i}`,
    date: `2024-01-${day(i, 28)}`,
    lsoaCode: firstOf(CHARNWOOD_LSOAS, i),
    locationDescription: 'Layby on Ashby Road',
    landType: 'Highway',
    wasteType: 'Other household waste',
    size: 'Small Van Load',
    actionTaken: 'Fixed penalty notice',
  })));
}

function thamesValleyStreetCsv(): string {
  return policeStreetCsv(Array.from({ length: 12 }, (_, i) => ({
    crimeId: (i + 1).toString(16).padStart(64, 'e'),
    month: '2024-01',
    force: 'Thames Valley Police',
    longitude: -1.485,
    latitude: 51.785,
    location: 'On or near High Street',
    lsoaCode: firstOf(WEST_OXFORDSHIRE_LSOAS, i),
    lsoaName: `West Oxfordshire 00${i % 9}A`,
    crimeType: 'Burglary',
    outcome: 'Under investigation',
  })));
}

export async function loadStandardDataset(pool: pg.Pool): Promise<StandardDataset> {
  const agencyIds: Record<string, number> = {};
  for (const r of (await pool.query<{ id: number; code: string }>('select id, code from agency')).rows) agencyIds[r.code] = r.id;
  const submitter = { userId: null, label: 'test dataset', via: 'seed' as const };
  const files: [string, string, string, AsyncIterable<Uint8Array>][] = [
    ['police', 'leicestershire-police', 'police.street', createReadStream(path.join(SHARED_DATA, 'police', '2024-01-leicestershire-street.csv'))],
    ['thamesValley', 'thames-valley-police', 'police.street', bytesOf(thamesValleyStreetCsv())],
    ['fire', 'leicestershire-fire', 'fire.incidents', bytesOf(fireCsv())],
    ['health', 'llr-icb', 'health.istv', bytesOf(istvCsv())],
    ['charnwoodAsb', 'charnwood-borough-council', 'council.asb', bytesOf(councilAsbCsv(CHARNWOOD_LSOAS, 'CBC-ASB', 18))],
    ['charnwoodFlyTipping', 'charnwood-borough-council', 'council.fly_tipping', bytesOf(councilFlyTippingCsv())],
    ['harboroughAsb', 'harborough-district-council', 'council.asb', bytesOf(councilAsbCsv(HARBOROUGH_LSOAS, 'HDC-ASB', 9))],
  ];
  const submissions: Record<string, IngestResult> = {};
  for (const [name, agency, feed, source] of files) {
    const result = await ingestFile(pool, { agencyId: agencyIds[agency]!, feed, fileName: `${name}.csv`, source, submitter });
    if (result.status !== 'accepted' || result.rowsRejected !== 0) {
      throw new Error(`standard dataset ${name} did not load cleanly: ${JSON.stringify(result)}`);
    }
    submissions[name] = result;
  }
  return { submissions, agencyIds };
}
