import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lonLatToBng, type BngGrid, type LonLatGeometry } from '@csp-hub/analysis';
import type { AccessContext } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';

/** District boundaries (WGS84 GeoJSON geometries) by LAD code: the study areas of Gi*. */
export type DistrictBoundaries = ReadonlyMap<string, LonLatGeometry>;

/**
 * Reads a GeoJSON FeatureCollection of district boundaries whose features carry
 * `properties.code` (or `lad19cd`), e.g. the shared data's
 * `geography/boundaries/lad19-demo-districts.geojson`.
 */
export function loadDistrictBoundaries(file: string): DistrictBoundaries {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw HubError.invalidInput('INVALID_BOUNDARIES', `cannot read district boundaries from ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const features = (parsed as { features?: unknown }).features;
  if (!Array.isArray(features)) throw HubError.invalidInput('INVALID_BOUNDARIES', `${file} is not a GeoJSON FeatureCollection`);
  const out = new Map<string, LonLatGeometry>();
  for (const f of features as { properties?: Record<string, unknown>; geometry?: LonLatGeometry }[]) {
    const code = f.properties?.code ?? f.properties?.lad19cd;
    if (typeof code !== 'string' || !f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) {
      throw HubError.invalidInput('INVALID_BOUNDARIES', `${file}: every feature needs properties.code and a Polygon or MultiPolygon geometry`);
    }
    out.set(code, f.geometry);
  }
  return out;
}

export interface StudyArea {
  cells: string[];
  /** 'boundary': cells whose centre lies in the district boundaries; 'lsoa-extent': no boundary known for some district, so its LSOA centroids' box (one cell of margin). */
  source: 'boundary' | 'lsoa-extent';
}

/**
 * Every grid cell of the districts: from their boundaries where known,
 * otherwise the box around the district's LSOA centroids (reference
 * geography, not shared data) with one cell of margin.
 */
export async function studyArea(ctx: AccessContext, grid: BngGrid, districts: string[], boundaries: DistrictBoundaries | undefined): Promise<StudyArea> {
  const cells = new Set<string>();
  const missing: string[] = [];
  for (const d of districts) {
    const geometry = boundaries?.get(d);
    if (geometry) for (const c of grid.cellsInGeometry(geometry)) cells.add(c);
    else missing.push(d);
  }
  if (missing.length > 0) {
    const r = await ctx.db.query<{ lad_code: string; min_lon: number | null; max_lon: number | null; min_lat: number | null; max_lat: number | null }>(
      `select lad_code, min(longitude) as min_lon, max(longitude) as max_lon, min(latitude) as min_lat, max(latitude) as max_lat
       from area where kind = 'lsoa' and lad_code = any($1::text[]) and longitude is not null group by lad_code`,
      [missing],
    );
    for (const row of r.rows) {
      if (row.min_lon === null || row.max_lon === null || row.min_lat === null || row.max_lat === null) continue;
      const corners = [lonLatToBng(row.min_lon, row.min_lat), lonLatToBng(row.max_lon, row.max_lat), lonLatToBng(row.min_lon, row.max_lat), lonLatToBng(row.max_lon, row.min_lat)];
      const pad = grid.sizeM;
      const box = {
        minEasting: Math.min(...corners.map((c) => c.easting)) - pad,
        minNorthing: Math.min(...corners.map((c) => c.northing)) - pad,
        maxEasting: Math.max(...corners.map((c) => c.easting)) + pad,
        maxNorthing: Math.max(...corners.map((c) => c.northing)) + pad,
      };
      for (const c of grid.cellsInBox(box)) cells.add(c);
    }
  }
  if (cells.size === 0) throw HubError.invalidInput('EMPTY_STUDY_AREA', `no boundary or LSOA geography is loaded for ${districts.join(', ')}`);
  return { cells: [...cells], source: missing.length > 0 ? 'lsoa-extent' : 'boundary' };
}

/** Where the reference folder (CSP_HUB_REFERENCE_DIR, PROVENANCE.md layout) keeps district boundaries. */
export const BOUNDARIES_FILE = 'geography/boundaries/lad19-demo-districts.geojson';

/** The district boundaries of a reference folder, or undefined when it has none (study areas then fall back to LSOA extents). */
export function findDistrictBoundaries(referenceDir: string): DistrictBoundaries | undefined {
  const file = path.join(referenceDir, BOUNDARIES_FILE);
  return existsSync(file) ? loadDistrictBoundaries(file) : undefined;
}
