import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBngGrid, lonLatToBng } from './bng-grid';
import { countByCell, type LonLatGeometry } from './cell-system';
import { getisOrdGiStar, isHot } from './gi-star';
import { buildLattice } from './lattice';
import { topLocations } from './top-locations';

/**
 * The methods on real data: data.police.uk street crime for January 2024,
 * Charnwood rows (LSOA names "Charnwood NNNX"), in Charnwood's ONS boundary.
 * The file has no quoted fields (PROVENANCE.md), so a plain split reads it.
 */
const SHARED_DATA = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../../shared/data');
const boundaries = JSON.parse(readFileSync(path.join(SHARED_DATA, 'geography/boundaries/lad19-demo-districts.geojson'), 'utf8')) as {
  features: { properties: { code: string }; geometry: LonLatGeometry }[];
};
const CHARNWOOD = boundaries.features.find((f) => f.properties.code === 'E07000130')!.geometry;
const rows = readFileSync(path.join(SHARED_DATA, 'police/2024-01-leicestershire-street.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','))
  .filter((c) => c[8]!.startsWith('Charnwood ') && c[4] !== '');

describe('real data: Charnwood, January 2024', () => {
  it('Gi* at 500 m puts the most significant hotspot in Loughborough town centre', () => {
    expect(rows.length).toBeGreaterThan(1000);
    // What the SQL layer hands over: counts per distinct (snapped) map point.
    const points = new Map<string, number>();
    for (const c of rows) points.set(`${c[4]},${c[5]}`, (points.get(`${c[4]},${c[5]}`) ?? 0) + 1);
    const grid = createBngGrid(500);
    const located = [...points].map(([k, count]) => {
      const [longitude, latitude] = k.split(',').map(Number);
      return { longitude: longitude!, latitude: latitude!, count };
    });
    const lattice = buildLattice(grid.cellsInGeometry(CHARNWOOD), countByCell(grid, located));
    expect(lattice.outside.count / rows.length).toBeLessThan(0.01); // 2021 LSOAs against the 2019 boundary: a few

    const gi = getisOrdGiStar(lattice.cells, grid.neighbours);
    const top = gi.cells.reduce((a, b) => (b.z > a.z ? b : a));
    expect(top.class).toBe('hot-99');
    const market = lonLatToBng(-1.2056, 52.7717); // Loughborough Market Place
    const b = grid.bounds(top.id);
    expect(Math.hypot(b.minEasting + 250 - market.easting, b.minNorthing + 250 - market.northing)).toBeLessThan(500);
    // Hotspots are a few tested clusters, not every cell with incidents.
    const hot = gi.cells.filter((c) => isHot(c.class)).length;
    const withIncidents = gi.cells.filter((c) => c.value > 0).length;
    expect(hot).toBeGreaterThan(0);
    expect(hot).toBeLessThan(withIncidents / 4);
  });

  it('top locations hold a small share each: crime is spread over hundreds of map points', () => {
    const byLocation = new Map<string, number>();
    for (const c of rows) byLocation.set(`${c[6]}|${c[7]}`, (byLocation.get(`${c[6]}|${c[7]}`) ?? 0) + 1);
    const top = topLocations([...byLocation].map(([key, count]) => ({ key, count })), 10);
    expect(top.total).toBe(rows.length);
    expect(top.locations).toHaveLength(10);
    expect(top.locations[0]!.share).toBeLessThan(0.05);
    expect(top.locations.at(-1)!.cumulativeShare).toBeGreaterThan(top.locations[0]!.share);
    expect(top.locationCount).toBeGreaterThan(300);
  });
});
