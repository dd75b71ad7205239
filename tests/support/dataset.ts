import { createReadStream } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { bytesOf } from '@csp-hub/adapter-kit';
import { ingestFile, type IngestResult } from '@csp-hub/ingest';

export const SHARED_DATA = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data');

/**
 * The standard dataset the authorization tests run on, loaded through the real
 * ingest pipeline:
 *  - police (public tier): the real data.police.uk January 2024 Leicestershire file;
 *    Thames Valley Police: a small street file in West Oxfordshire LSOAs;
 *  - fire (pseudonymised): Leicestershire Fire generic extract in Charnwood and Harborough LSOAs;
 *  - health (pseudonymised, no location): an ISTV CSV from the UHL emergency department via the LLR ICB;
 *  - council: Charnwood ASB (personal) and fly-tipping (pseudonymised); Harborough ASB (personal).
 * The real geography places every row; the synthetic rows use real LSOA codes.
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

function fireCsv(): string {
  const header = 'IncidentNumber,CallDateTime,IncidentGroup,StopCode,PropertyType,PostcodeDistrict,LsoaCode,Injuries';
  const codes = ['Deliberate secondary fire', 'Deliberate primary fire', 'Road traffic collision', 'Accidental primary fire', 'Hoax/malicious false alarm'];
  const groups = ['Fire', 'Fire', 'Special Service', 'Fire', 'False Alarm'];
  const rows: string[] = [];
  for (let i = 0; i < 40; i++) {
    const lsoa = i % 4 === 3 ? firstOf(HARBOROUGH_LSOAS, i) : firstOf(CHARNWOOD_LSOAS, i);
    const day = String((i % 28) + 1).padStart(2, '0');
    rows.push(`LFRS${String(1000 + i)},2024-01-${day}T${String(i % 24).padStart(2, '0')}:15:00,${groups[i % 5]},${codes[i % 5]},Grassland,LE11,${lsoa},${i % 7 === 0 ? 1 : 0}`);
  }
  return `${header}\n${rows.join('\n')}\n`;
}

function istvCsv(): string {
  const header = [
    'REPORTING PERIOD START DATE', 'REPORTING PERIOD END DATE', 'SITE CODE (OF TREATMENT)',
    'ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT', 'ASSAULT DATE AND TIME', 'ASSAULT METHOD',
    'ASSAULT METHOD OTHER DESCRIPTION', 'ASSAULT LOCATION TYPE', 'ASSAULT LOCATION DESCRIPTION',
  ].join(',');
  const methods = ['Body part', 'Blunt object', 'Knife or sharp object', 'Glass or bottle'];
  const places = ['Public place', 'Licensed premises', 'Home', 'Public place'];
  const rows: string[] = [];
  for (let i = 0; i < 23; i++) {
    const day = String((i % 27) + 1).padStart(2, '0');
    rows.push(`2024-01-01,2024-01-31,RWEAA,2024-01-${day}T23:40:00,2024-01-${day}T22:10:00,${methods[i % 4]},,${places[i % 4]},The Red Lion car park ${i}`);
  }
  return `${header}\n${rows.join('\n')}\n`;
}

function asbCsv(lsoas: string[], prefix: string, n: number): string {
  const header = 'Reference,Date,LSOA code,Location description,ASB category,ASB type,Outcome,Description';
  const cats = ['Personal', 'Nuisance', 'Environmental'];
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    rows.push(`${prefix}-${i},${day}/01/2024 21:30,${firstOf(lsoas, i)},${i % 2 ? 'Outside 12 Acacia Avenue' : 'Market Place'},${cats[i % 3]},Rowdy behaviour,Warning letter,Neighbour reports shouting`);
  }
  return `${header}\n${rows.join('\n')}\n`;
}

function flyTippingCsv(): string {
  const header = 'Reference,Date,LSOA code,Location description,Land type,Waste type,Size,Action taken';
  const rows: string[] = [];
  for (let i = 0; i < 15; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    rows.push(`FT-${i},2024-01-${day},${firstOf(CHARNWOOD_LSOAS, i)},Layby on Ashby Road,Highway,Other household waste,Small Van Load,Fixed penalty notice`);
  }
  return `${header}\n${rows.join('\n')}\n`;
}

function thamesValleyStreetCsv(): string {
  const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';
  const rows: string[] = [];
  for (let i = 0; i < 12; i++) {
    const id = (i + 1).toString(16).padStart(64, 'e');
    rows.push(`${id},2024-01,Thames Valley Police,Thames Valley Police,-1.485,51.785,On or near High Street,${firstOf(WEST_OXFORDSHIRE_LSOAS, i)},West Oxfordshire 00${i % 9}A,Burglary,Under investigation,`);
  }
  return `${header}\n${rows.join('\n')}\n`;
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
    ['charnwoodAsb', 'charnwood-borough-council', 'council.asb', bytesOf(asbCsv(CHARNWOOD_LSOAS, 'CBC-ASB', 18))],
    ['charnwoodFlyTipping', 'charnwood-borough-council', 'council.fly_tipping', bytesOf(flyTippingCsv())],
    ['harboroughAsb', 'harborough-district-council', 'council.asb', bytesOf(asbCsv(HARBOROUGH_LSOAS, 'HDC-ASB', 9))],
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
