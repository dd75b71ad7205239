import { HubError } from '@csp-hub/taxonomy';
import { checkCount } from './inputs';

/**
 * What a hotspot lattice needs from a cell system (BNG grid or H3): put a
 * point in a cell, name a cell's neighbours, and list the cells of a study
 * area polygon.
 */

/** A point with how many incidents sit on it (police coordinates are snapped to shared map points). */
export interface LocatedCount {
  longitude: number;
  latitude: number;
  count: number;
}

/** GeoJSON geometry in WGS84 longitude/latitude, e.g. a district boundary. */
export type LonLatGeometry =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface CellSystem {
  /** A human-readable name, e.g. 'BNG 250 m' or 'H3 res 9'. */
  readonly name: string;
  cellOf(longitude: number, latitude: number): string;
  /** The cells sharing an edge or corner (grid) or the first ring (H3); not the cell itself. */
  neighbours(id: string): string[];
  /** Cells whose centre lies inside (or on the edge of) the geometry: the study area. */
  cellsInGeometry(geometry: LonLatGeometry): string[];
  /** Centre of a cell in WGS84. */
  centre(id: string): { longitude: number; latitude: number };
}

export function checkLonLat(longitude: number, latitude: number): void {
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180 || !Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    throw HubError.invalidInput('INVALID_COORDINATE', `${String(longitude)}, ${String(latitude)} is not a WGS84 longitude, latitude`);
  }
}

/** The polygons of a geometry as lists of rings (outer ring first, then holes). */
export function polygonsOf(geometry: LonLatGeometry): number[][][][] {
  if (geometry?.type === 'Polygon') return [geometry.coordinates];
  if (geometry?.type === 'MultiPolygon') return geometry.coordinates;
  throw HubError.invalidInput('INVALID_GEOMETRY', 'the study area must be a GeoJSON Polygon or MultiPolygon geometry');
}

/** Adds up located counts per cell. */
export function countByCell(system: CellSystem, points: Iterable<LocatedCount>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of points) {
    checkCount('located count', p.count);
    const id = system.cellOf(p.longitude, p.latitude);
    counts.set(id, (counts.get(id) ?? 0) + p.count);
  }
  return counts;
}
