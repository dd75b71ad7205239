import pointInPolygon from 'point-in-polygon-hao';
import proj4 from 'proj4';
import { HubError } from '@csp-hub/taxonomy';
import { type CellSystem, checkLonLat, type LonLatGeometry, polygonsOf } from './cell-system';
import { checkInteger } from './inputs';

/**
 * British National Grid (EPSG:27700): OSGB36 on Airy 1830, transverse
 * Mercator, 7-parameter Helmert shift from WGS84 (good to a few metres,
 * far below any grid square used for hotspots). The same definition as the
 * fire adapter's, repeated because analysis may import only taxonomy.
 */
export const BNG_PROJ =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy ' +
  '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

const wgs84ToBng = proj4('WGS84', BNG_PROJ);

export interface Bng {
  easting: number;
  northing: number;
}

export function lonLatToBng(longitude: number, latitude: number): Bng {
  checkLonLat(longitude, latitude);
  const [easting, northing] = wgs84ToBng.forward([longitude, latitude]);
  return { easting: easting!, northing: northing! };
}

export function bngToLonLat(easting: number, northing: number): { longitude: number; latitude: number } {
  const [longitude, latitude] = wgs84ToBng.inverse([easting, northing]);
  return { longitude: longitude!, latitude: latitude! };
}

export interface BngBox {
  minEasting: number;
  minNorthing: number;
  maxEasting: number;
  maxNorthing: number;
}

export interface BngGrid extends CellSystem {
  readonly sizeM: number;
  /** Cell of a BNG easting/northing: column ⌊E/size⌋, row ⌊N/size⌋, id 'col:row'. */
  cellOfBng(easting: number, northing: number): string;
  /** Every cell overlapping a BNG box. */
  cellsInBox(box: BngBox): string[];
  /** The square a cell covers, in BNG metres. */
  bounds(id: string): BngBox;
}

const CELL_ID = /^(-?\d+):(-?\d+)$/;

export function parseGridCellId(id: string): { col: number; row: number } {
  const m = CELL_ID.exec(id);
  if (!m) throw HubError.invalidInput('INVALID_CELL', `"${id}" is not a grid cell id (column:row)`);
  return { col: Number(m[1]), row: Number(m[2]) };
}

/**
 * A square grid on the British National Grid with cells of `sizeM` metres
 * (10 m to 100 km). Cells are keyed by integer column and row, so a cell id
 * means the same square on every run and at every partnership.
 */
export function createBngGrid(sizeM: number): BngGrid {
  checkInteger('grid size (metres)', sizeM, 10, 100_000);
  const id = (col: number, row: number) => `${col}:${row}`;
  const cellOfBng = (easting: number, northing: number) => {
    if (!Number.isFinite(easting) || !Number.isFinite(northing)) {
      throw HubError.invalidInput('INVALID_COORDINATE', `${String(easting)}, ${String(northing)} is not a BNG easting, northing`);
    }
    return id(Math.floor(easting / sizeM), Math.floor(northing / sizeM));
  };
  const bounds = (cell: string): BngBox => {
    const { col, row } = parseGridCellId(cell);
    return { minEasting: col * sizeM, minNorthing: row * sizeM, maxEasting: (col + 1) * sizeM, maxNorthing: (row + 1) * sizeM };
  };
  const cellsInBox = (box: BngBox): string[] => {
    const ids: string[] = [];
    const c0 = Math.floor(box.minEasting / sizeM);
    const r0 = Math.floor(box.minNorthing / sizeM);
    const c1 = Math.ceil(box.maxEasting / sizeM) - 1;
    const r1 = Math.ceil(box.maxNorthing / sizeM) - 1;
    for (let c = c0; c <= Math.max(c0, c1); c += 1) for (let r = r0; r <= Math.max(r0, r1); r += 1) ids.push(id(c, r));
    return ids;
  };
  return {
    name: `BNG ${sizeM} m`,
    sizeM,
    cellOfBng,
    cellOf(longitude, latitude) {
      const { easting, northing } = lonLatToBng(longitude, latitude);
      return cellOfBng(easting, northing);
    },
    /** Queen contiguity: the 8 cells sharing an edge or a corner. */
    neighbours(cell) {
      const { col, row } = parseGridCellId(cell);
      const out: string[] = [];
      for (let dc = -1; dc <= 1; dc += 1) for (let dr = -1; dr <= 1; dr += 1) if (dc !== 0 || dr !== 0) out.push(id(col + dc, row + dr));
      return out;
    },
    cellsInBox,
    bounds,
    centre(cell) {
      const b = bounds(cell);
      return bngToLonLat(b.minEasting + sizeM / 2, b.minNorthing + sizeM / 2);
    },
    cellsInGeometry(geometry: LonLatGeometry) {
      const ids = new Set<string>();
      for (const rings of polygonsOf(geometry)) {
        const projected = rings.map((ring) =>
          ring.map(([lon, lat]) => {
            const p = lonLatToBng(lon!, lat!);
            return [p.easting, p.northing];
          }),
        );
        const outer = projected[0] ?? [];
        if (outer.length < 4) throw HubError.invalidInput('INVALID_GEOMETRY', 'a polygon ring needs at least 4 positions (closed)');
        const box = outer.reduce(
          (bx, [e, n]) => ({
            minEasting: Math.min(bx.minEasting, e!),
            minNorthing: Math.min(bx.minNorthing, n!),
            maxEasting: Math.max(bx.maxEasting, e!),
            maxNorthing: Math.max(bx.maxNorthing, n!),
          }),
          { minEasting: Infinity, minNorthing: Infinity, maxEasting: -Infinity, maxNorthing: -Infinity },
        );
        for (const cell of cellsInBox(box)) {
          const b = bounds(cell);
          if (pointInPolygon([b.minEasting + sizeM / 2, b.minNorthing + sizeM / 2], projected) !== false) ids.add(cell);
        }
      }
      return [...ids];
    },
  };
}
