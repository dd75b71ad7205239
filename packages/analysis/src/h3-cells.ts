import { cellToLatLng, getResolution, gridDisk, isValidCell, latLngToCell, polygonToCells } from 'h3-js';
import { HubError } from '@csp-hub/taxonomy';
import { type CellSystem, checkLonLat, type LonLatGeometry, polygonsOf } from './cell-system';
import { checkInteger } from './inputs';

export interface H3Cells extends CellSystem {
  readonly resolution: number;
}

function checkCell(id: string, resolution: number): void {
  if (!isValidCell(id) || getResolution(id) !== resolution) {
    throw HubError.invalidInput('INVALID_CELL', `"${id}" is not an H3 cell of resolution ${resolution}`);
  }
}

/**
 * H3 hexagons at one resolution (0-15; 8 ≈ 0.74 km², 9 ≈ 0.11 km², 10 ≈
 * 0.015 km² average area). Neighbours are the first ring (gridDisk k = 1):
 * six cells at equal distance, which is why H3 is offered beside the grid.
 */
export function createH3Cells(resolution: number): H3Cells {
  checkInteger('H3 resolution', resolution, 0, 15);
  return {
    name: `H3 res ${resolution}`,
    resolution,
    cellOf(longitude, latitude) {
      checkLonLat(longitude, latitude);
      return latLngToCell(latitude, longitude, resolution);
    },
    neighbours(id) {
      checkCell(id, resolution);
      return gridDisk(id, 1).filter((c) => c !== id);
    },
    cellsInGeometry(geometry: LonLatGeometry) {
      const ids = new Set<string>();
      for (const rings of polygonsOf(geometry)) for (const c of polygonToCells(rings, resolution, true)) ids.add(c);
      return [...ids];
    },
    centre(id) {
      checkCell(id, resolution);
      const [latitude, longitude] = cellToLatLng(id);
      return { longitude, latitude };
    },
  };
}
