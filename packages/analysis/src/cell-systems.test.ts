import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cellArea, getResolution } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { bngToLonLat, createBngGrid, lonLatToBng, parseGridCellId } from './bng-grid';
import { countByCell, type LonLatGeometry } from './cell-system';
import { createH3Cells } from './h3-cells';
import { buildLattice } from './lattice';

/** The shared real-data folder (PROVENANCE.md), read at test time, never copied. */
const SHARED_DATA = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../../shared/data');

function district(code: string): LonLatGeometry {
  const file = path.join(SHARED_DATA, 'geography/boundaries/lad19-demo-districts.geojson');
  const collection = JSON.parse(readFileSync(file, 'utf8')) as { features: { properties: { code: string }; geometry: LonLatGeometry }[] };
  return collection.features.find((f) => f.properties.code === code)!.geometry;
}

/** Shoelace area (m²) of the district's outer ring on the BNG plane: independent of the grid. */
function bngArea(geometry: LonLatGeometry): number {
  const ring = (geometry.type === 'Polygon' ? geometry.coordinates[0]! : geometry.coordinates[0]![0]!).map(([lon, lat]) => lonLatToBng(lon!, lat!));
  let twice = 0;
  ring.forEach((p, i) => {
    const q = ring[(i + 1) % ring.length]!;
    twice += p.easting * q.northing - q.easting * p.northing;
  });
  return Math.abs(twice) / 2;
}

describe('British National Grid cells', () => {
  it("projects Ordnance Survey's Caister water tower within 5 m of its published OSGB36 grid reference", () => {
    // ETRS89 52°39′28.8282″N 1°42′57.8663″E = E 651409.903 N 313177.270 (OS, "A guide to coordinate systems in Great Britain").
    const p = lonLatToBng(1 + 42 / 60 + 57.8663 / 3600, 52 + 39 / 60 + 28.8282 / 3600);
    expect(Math.hypot(p.easting - 651409.903, p.northing - 313177.27)).toBeLessThan(5);
    const back = bngToLonLat(p.easting, p.northing);
    expect(back.longitude).toBeCloseTo(1 + 42 / 60 + 57.8663 / 3600, 7);
    expect(back.latitude).toBeCloseTo(52 + 39 / 60 + 28.8282 / 3600, 7);
  });

  it('keys cells by column ⌊E/size⌋ and row ⌊N/size⌋', () => {
    const grid = createBngGrid(250);
    expect(grid.cellOfBng(454_120, 319_980)).toBe('1816:1279');
    expect(grid.cellOfBng(454_000, 320_000)).toBe('1816:1280'); // edges belong to the cell to the north-east
    expect(grid.bounds('1816:1279')).toEqual({ minEasting: 454_000, minNorthing: 319_750, maxEasting: 454_250, maxNorthing: 320_000 });
    expect(grid.cellOf(grid.centre('1816:1279').longitude, grid.centre('1816:1279').latitude)).toBe('1816:1279');
    expect(parseGridCellId('12:-3')).toEqual({ col: 12, row: -3 });
  });

  it('queen contiguity: the eight cells sharing an edge or a corner', () => {
    expect(createBngGrid(100).neighbours('10:20').sort()).toEqual(['10:19', '10:21', '11:19', '11:20', '11:21', '9:19', '9:20', '9:21'].sort());
  });

  it('covers a box with whole cells', () => {
    const cells = createBngGrid(500).cellsInBox({ minEasting: 1000, minNorthing: 2000, maxEasting: 2600, maxNorthing: 3000 });
    expect(cells.sort()).toEqual(['2:4', '2:5', '3:4', '3:5', '4:4', '4:5', '5:4', '5:5'].sort());
  });

  it("study area from Charnwood's real boundary: the cells' area matches the polygon's", () => {
    const charnwood = district('E07000130');
    const grid = createBngGrid(500);
    const cells = grid.cellsInGeometry(charnwood);
    const area = bngArea(charnwood);
    expect(area / 1e6).toBeGreaterThan(250); // Charnwood is about 279 km²
    expect(area / 1e6).toBeLessThan(300);
    expect(Math.abs((cells.length * 500 * 500) / area - 1)).toBeLessThan(0.03);
    // Loughborough town centre is inside, Leicester's clock tower (another district) is not.
    expect(cells).toContain(grid.cellOf(-1.2056, 52.7717));
    expect(cells).not.toContain(grid.cellOf(-1.1352, 52.6365));
  });

  it('refuses bad sizes, coordinates and ids', () => {
    expect(() => createBngGrid(5)).toThrow(/grid size/);
    expect(() => createBngGrid(250).cellOf(-200, 52)).toThrow(/not a WGS84 longitude, latitude/);
    expect(() => createBngGrid(250).neighbours('x')).toThrow(/not a grid cell id/);
    expect(() => createBngGrid(250).cellsInGeometry({ type: 'Point' } as unknown as LonLatGeometry)).toThrow(/Polygon or MultiPolygon/);
  });
});

describe('H3 cells', () => {
  it('six neighbours in the first ring, at the chosen resolution', () => {
    const h3 = createH3Cells(9);
    const cell = h3.cellOf(-1.2056, 52.7717);
    expect(getResolution(cell)).toBe(9);
    const ring = h3.neighbours(cell);
    expect(ring).toHaveLength(6);
    expect(ring).not.toContain(cell);
    const c = h3.centre(cell);
    expect(h3.cellOf(c.longitude, c.latitude)).toBe(cell);
  });

  it("study area from Charnwood's boundary: the hexagons' area matches the polygon's", () => {
    const charnwood = district('E07000130');
    const cells = createH3Cells(8).cellsInGeometry(charnwood);
    const hexArea = cells.reduce((s, c) => s + cellArea(c, 'm2'), 0);
    expect(Math.abs(hexArea / bngArea(charnwood) - 1)).toBeLessThan(0.04);
  });

  it('refuses cells of another resolution', () => {
    const other = createH3Cells(7).cellOf(-1.2, 52.7);
    expect(() => createH3Cells(9).neighbours(other)).toThrow(/not an H3 cell of resolution 9/);
    expect(() => createH3Cells(16)).toThrow(/H3 resolution/);
  });
});

describe('lattice', () => {
  it('fills the study area with zeros and reports what fell outside it', () => {
    const grid = createBngGrid(1000);
    const counts = countByCell(grid, [
      { longitude: -1.2056, latitude: 52.7717, count: 3 },
      { longitude: -1.2056, latitude: 52.7717, count: 2 },
      { longitude: -1.1352, latitude: 52.6365, count: 4 },
    ]);
    const inside = grid.cellOf(-1.2056, 52.7717);
    expect(counts.get(inside)).toBe(5);
    const area = [inside, ...grid.neighbours(inside)];
    const lattice = buildLattice(area, counts);
    expect(lattice.cells).toHaveLength(9);
    expect(lattice.cells.find((c) => c.id === inside)!.value).toBe(5);
    expect(lattice.cells.filter((c) => c.id !== inside).every((c) => c.value === 0)).toBe(true);
    expect(lattice.outside).toEqual({ cells: 1, count: 4 });
    expect(() => buildLattice([], counts)).toThrow(/no cells/);
  });
});
