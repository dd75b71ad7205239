import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { openCsv } from '@csp-hub/adapter-kit';
import { inTransaction } from '@csp-hub/db';
import { HubError, silentLogger, type HubLogger } from '@csp-hub/taxonomy';
import { copyLine } from './copy-text';

/** ONS files (PROVENANCE.md names) that make up the reference geography. */
export const GEOGRAPHY_FILES = {
  lsoaWardLad: 'geography/ons-lsoa11-ward19-lad19-lookup-ew.csv',
  centroids: 'geography/Lower_Layer_Super_Output_Areas_December_2011_Population_Weighted_Centroids.csv',
  ladCspPfa: 'geography/ons-lad19-csp19-pfa19-lookup-ew.csv',
  ladCounty: 'geography/ons-lad20-county20-lookup-en.csv',
} as const;

export interface GeographyResult {
  lsoas: number;
  wards: number;
  districts: number;
  csps: number;
  pfas: number;
  counties: number;
}

type AreaRow = [
  code: string, kind: string, name: string, wardCode: string | null, ladCode: string | null, parentCode: string | null,
  longitude: number | null, latitude: number | null, source: string, pfaCode: string | null, countyCode: string | null,
];

async function* rowsOf(file: string, columns: string[]): AsyncGenerator<Record<string, string>> {
  const csv = await openCsv(createReadStream(file), { feedLabel: path.basename(file), requiredColumns: columns, encoding: 'utf-8' });
  for await (const batch of csv.batches()) {
    if (batch.rejects.length > 0) {
      throw HubError.invalidInput('BAD_REFERENCE_FILE', `${path.basename(file)} row ${batch.rejects[0]!.rowNumber}: ${batch.rejects[0]!.message}`);
    }
    for (const { fields } of batch.records) {
      const row: Record<string, string> = {};
      for (const c of columns) row[c] = fields[csv.column[c]!]!.trim();
      yield row;
    }
  }
}

/**
 * Loads (or refreshes) the ONS reference geography into `area` in one
 * transaction: LSOA 2011 with ward, district and population-weighted centroid;
 * wards; districts with their CSP, police force area and county.
 */
export async function importGeography(pool: pg.Pool, referenceDir: string, logger: HubLogger = silentLogger): Promise<GeographyResult> {
  for (const rel of Object.values(GEOGRAPHY_FILES)) {
    if (!existsSync(path.join(referenceDir, rel))) {
      throw HubError.invalidInput('REFERENCE_DATA_MISSING', `Reference geography file missing: ${path.join(referenceDir, rel)}`);
    }
  }
  const file = (rel: string) => path.join(referenceDir, rel);
  const centroids = new Map<string, [number, number]>();
  for await (const r of rowsOf(file(GEOGRAPHY_FILES.centroids), ['X', 'Y', 'lsoa11cd'])) {
    centroids.set(r.lsoa11cd!, [Number(r.X), Number(r.Y)]);
  }
  const ladParents = new Map<string, { csp: string; cspName: string; pfa: string; pfaName: string }>();
  for await (const r of rowsOf(file(GEOGRAPHY_FILES.ladCspPfa), ['LAD19CD', 'CSP19CD', 'CSP19NM', 'PFA19CD', 'PFA19NM'])) {
    ladParents.set(r.LAD19CD!, { csp: r.CSP19CD!, cspName: r.CSP19NM!, pfa: r.PFA19CD!, pfaName: r.PFA19NM! });
  }
  const ladCounty = new Map<string, { code: string; name: string }>();
  for await (const r of rowsOf(file(GEOGRAPHY_FILES.ladCounty), ['LAD20CD', 'CTY20CD', 'CTY20NM'])) {
    ladCounty.set(r.LAD20CD!, { code: r.CTY20CD!, name: r.CTY20NM! });
  }

  const rows: AreaRow[] = [];
  const wards = new Map<string, AreaRow>();
  const lads = new Map<string, string>();
  for await (const r of rowsOf(file(GEOGRAPHY_FILES.lsoaWardLad), ['LSOA11CD', 'LSOA11NM', 'WD19CD', 'WD19NM', 'LAD19CD', 'LAD19NM'])) {
    const c = centroids.get(r.LSOA11CD!);
    rows.push([r.LSOA11CD!, 'lsoa', r.LSOA11NM!, r.WD19CD!, r.LAD19CD!, r.WD19CD!, c?.[0] ?? null, c?.[1] ?? null, 'ons-lsoa11-ward19-lad19', null, null]);
    if (!wards.has(r.WD19CD!)) wards.set(r.WD19CD!, [r.WD19CD!, 'ward', r.WD19NM!, null, r.LAD19CD!, r.LAD19CD!, null, null, 'ons-lsoa11-ward19-lad19', null, null]);
    lads.set(r.LAD19CD!, r.LAD19NM!);
  }
  rows.push(...wards.values());
  const csps = new Map<string, string>();
  const pfas = new Map<string, string>();
  const counties = new Map<string, string>();
  for (const [code, name] of lads) {
    const parents = ladParents.get(code);
    const county = ladCounty.get(code);
    // A district carries its CSP (parent), police force area and county: enough to register a partnership from its CSP code.
    rows.push([code, 'district', name, null, code, parents?.csp ?? null, null, null, 'ons-lad19-csp19-pfa19', parents?.pfa ?? null, county?.code ?? null]);
    if (parents) {
      csps.set(parents.csp, parents.cspName);
      pfas.set(parents.pfa, parents.pfaName);
    }
    if (county) counties.set(county.code, county.name);
  }
  for (const [code, name] of csps) rows.push([code, 'csp', name, null, null, null, null, null, 'ons-lad19-csp19-pfa19', null, null]);
  for (const [code, name] of pfas) rows.push([code, 'pfa', name, null, null, null, null, null, 'ons-lad19-csp19-pfa19', null, null]);
  for (const [code, name] of counties) rows.push([code, 'county', name, null, null, null, null, null, 'ons-lad20-county20', null, null]);

  await inTransaction(pool, async (client) => {
    await client.query('create temp table area_load (like area including defaults) on commit drop');
    await pipeline(
      Readable.from((function* () {
        for (const row of rows) yield copyLine(row);
      })()),
      client.query(copyStreams.from('copy area_load (code, kind, name, ward_code, lad_code, parent_code, longitude, latitude, source, pfa_code, county_code) from stdin')),
    );
    await client.query(`
      insert into area (code, kind, name, ward_code, lad_code, parent_code, longitude, latitude, source, pfa_code, county_code)
      select code, kind, name, ward_code, lad_code, parent_code, longitude, latitude, source, pfa_code, county_code from area_load
      on conflict (code) do update set kind = excluded.kind, name = excluded.name, ward_code = excluded.ward_code,
        lad_code = excluded.lad_code, parent_code = excluded.parent_code, longitude = excluded.longitude,
        latitude = excluded.latitude, source = excluded.source, pfa_code = excluded.pfa_code, county_code = excluded.county_code`);
  });
  // the hub's role owns no table: statistics through the owner's function (ADR 0018)
  await pool.query(`select csp_hub_analyze('area')`);
  const result = { lsoas: rows.filter((r) => r[1] === 'lsoa').length, wards: wards.size, districts: lads.size, csps: csps.size, pfas: pfas.size, counties: counties.size };
  logger.info(result, 'reference geography loaded');
  return result;
}
