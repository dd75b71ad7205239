import { HubError } from '@csp-hub/taxonomy';
import { type CellSystem, countByCell, type LocatedCount } from './cell-system';
import { type CellValue, getisOrdGiStar, type GiStarOptions, type GiStarResult } from './gi-star';
import { checkCount, checkKey, compareKeys } from './inputs';

/**
 * A Gi* lattice: every cell of the study area with its count, zeros
 * included. Counts in cells outside the study area are not dropped silently:
 * they are reported so the caller can say "12 incidents fell outside".
 */
export interface Lattice {
  cells: CellValue[];
  /** Incidents counted in cells that are not part of the study area. */
  outside: { cells: number; count: number };
}

export function buildLattice(studyArea: Iterable<string>, counts: ReadonlyMap<string, number>): Lattice {
  const area = new Set<string>();
  for (const id of studyArea) area.add(checkKey('study area cell', id));
  if (area.size === 0) throw HubError.invalidInput('EMPTY_STUDY_AREA', 'the study area has no cells');
  let outsideCells = 0;
  let outsideCount = 0;
  for (const [id, count] of counts) {
    checkCount(`count of cell ${id}`, count);
    if (!area.has(id) && count > 0) {
      outsideCells += 1;
      outsideCount += count;
    }
  }
  const cells = [...area].sort(compareKeys).map((id) => ({ id, value: counts.get(id) ?? 0 }));
  return { cells, outside: { cells: outsideCells, count: outsideCount } };
}

export interface Hotspots extends GiStarResult {
  /** Incidents in cells outside the study area (not in the statistic). */
  outside: Lattice['outside'];
}

/**
 * The usual pipeline in one call: located counts -> cells -> the study
 * area's lattice (zeros filled) -> Gi*.
 */
export function findHotspots(system: CellSystem, studyArea: Iterable<string>, points: Iterable<LocatedCount>, options: GiStarOptions = {}): Hotspots {
  const lattice = buildLattice(studyArea, countByCell(system, points));
  return { ...getisOrdGiStar(lattice.cells, (id) => system.neighbours(id), options), outside: lattice.outside };
}
