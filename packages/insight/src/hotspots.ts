import { aggregateIncidents, dimensions, field, type AccessContext, type Dimension } from '@csp-hub/authz';
import {
  createBngGrid,
  findHotspots,
  hotspotStatusByCell,
  topLocations,
  type BngGrid,
  type GiClass,
  type HotspotStatus,
  type Hotspots,
} from '@csp-hub/analysis';
import { HubError } from '@csp-hub/taxonomy';
import { checkPeriod, monthIndex, periodLength, shiftPeriod, type MonthPeriod } from './period';
import { resolveScope, scopeFilter, type AnalysisScope } from './scope';
import { studyArea, type DistrictBoundaries, type StudyArea } from './study-area';

/**
 * Where (issue #13): the top locations (street-level location text + LSOA)
 * and top LSOAs of the period with their shares; Getis-Ord Gi* on a British
 * National Grid over the partnership's districts (zeros filled from the
 * district boundaries); and each hot cell's status across the last periods of
 * equal length (emerging, persistent, intermittent, former). Two passes over
 * the authorized relation: locations of the period, and map points per period.
 */

export interface HotspotRequest extends AnalysisScope {
  period: MonthPeriod;
  /** How many top locations and LSOAs (default 10, at most 100). */
  top?: number;
  /** BNG grid cell size in metres (default 500; 100 to 5,000). */
  cellSizeM?: number;
  /** Periods of the period's length, ending with it, for the hotspot status (default 6, 2 to 12). */
  statusPeriods?: number;
}

export interface HotspotOptions {
  /** District boundaries for the study area; without one a district's LSOA extent is used. */
  boundaries?: DistrictBoundaries;
}

export interface TopLocationRow {
  rank: number;
  locationText: string;
  lsoaCode: string | null;
  count: number;
  share: number;
  cumulativeShare: number;
}

export interface TopAreaRow {
  rank: number;
  lsoaCode: string;
  count: number;
  share: number;
  cumulativeShare: number;
}

export interface HotCell {
  /** BNG cell id `column:row` (column = ⌊easting / size⌋). */
  id: string;
  longitude: number;
  latitude: number;
  count: number;
  z: number;
  pValue: number;
  qValue: number;
  class: GiClass;
}

export interface CellStatus {
  id: string;
  longitude: number;
  latitude: number;
  status: HotspotStatus;
  periods: number;
  hotPeriods: number;
  currentRun: number;
  periodsSinceHot: number | null;
}

export interface HotspotResult {
  partnership: string;
  districts: string[];
  period: MonthPeriod;
  topLocations: { locations: TopLocationRow[]; total: number; locationCount: number; tiedBeyondCut: number };
  topLsoas: { locations: TopAreaRow[]; total: number; locationCount: number; tiedBeyondCut: number };
  grid: {
    system: string;
    cellSizeM: number;
    studyArea: StudyArea['source'];
    cells: number;
    mean: number;
    s: number;
    /** Located incidents of the period; `outside`: those of them in cells beyond the study area, left out of Gi*. */
    located: number;
    outside: { cells: number; count: number };
  };
  /** Cells of the period hot or cold at 95% or 99% (after FDR), hottest first. */
  cells: HotCell[];
  /** Periods the status is judged over, oldest first (the last is the period). */
  statusPeriods: MonthPeriod[];
  /** Every cell hot in at least one of those periods: emerging, persistent, intermittent, former. */
  status: CellStatus[];
  controlled: boolean;
  controlledAgencies: number[];
}

/**
 * Police coordinates are snapped to a fixed set of map points, so the same
 * points come back in every period and every request: their grid cell is
 * projected once (proj4 with a datum shift is the costly step) and kept.
 */
const cellCache = new Map<number, Map<string, string>>();
const CELL_CACHE_MAX = 200_000;

function memoisedGrid(grid: BngGrid): BngGrid {
  let cache = cellCache.get(grid.sizeM);
  if (!cache) cellCache.set(grid.sizeM, (cache = new Map()));
  const cells = cache;
  return {
    ...grid,
    cellOf(longitude: number, latitude: number) {
      const key = `${longitude},${latitude}`;
      let id = cells.get(key);
      if (id === undefined) {
        id = grid.cellOf(longitude, latitude);
        if (cells.size >= CELL_CACHE_MAX) cells.clear();
        cells.set(key, id);
      }
      return id;
    },
  };
}

const studyAreas = new WeakMap<object, Map<string, StudyArea>>();
const NO_BOUNDARIES = {};

async function cachedStudyArea(ctx: AccessContext, grid: BngGrid, districts: string[], boundaries: DistrictBoundaries | undefined): Promise<StudyArea> {
  const holder = boundaries ?? NO_BOUNDARIES;
  let byKey = studyAreas.get(holder);
  if (!byKey) studyAreas.set(holder, (byKey = new Map()));
  const key = `${grid.sizeM}|${[...districts].sort().join(',')}`;
  let area = byKey.get(key);
  if (!area) {
    area = await studyArea(ctx, grid, districts, boundaries);
    // Only boundary-based areas are fixed; an LSOA extent depends on the reference data loaded, so it is recomputed.
    if (area.source === 'boundary') byKey.set(key, area);
  }
  return area;
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw HubError.invalidInput('INVALID_VALUE', `${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  return value;
}

interface LocationCell {
  location: string | null;
  lsoa: string | null;
  level: number;
  n: number;
}

interface PointCell {
  period: number;
  lon: number;
  lat: number;
  n: number;
}

export async function hotspots(ctx: AccessContext, request: HotspotRequest, options: HotspotOptions = {}): Promise<HotspotResult> {
  const period = checkPeriod(request.period);
  const scope = resolveScope(ctx, request);
  const top = intOption('top', request.top, 10, 1, 100);
  const cellSizeM = intOption('cellSizeM', request.cellSizeM, 500, 100, 5000);
  const k = intOption('statusPeriods', request.statusPeriods, 6, 2, 12);
  const length = periodLength(period);

  // 1. Locations of the period: (location text, LSOA) and LSOA alone, each perturbed as cells of their own.
  const located = await aggregateIncidents<LocationCell>(
    ctx,
    { dimensions: [dimensions.of('location', 'locationText', null), dimensions.of('lsoa', 'lsoaCode', null)], filter: scopeFilter(scope, period.from, period.to), groupingSets: [[0, 1], [1]] },
    { auditDetail: { analysis: 'hotspots.locations', period, filter: scopeFilter(scope, period.from, period.to) } },
  );
  const byLocation = new Map<string, { locationText: string; lsoaCode: string | null; count: number }>();
  const byLsoa: { key: string; count: number }[] = [];
  for (const c of located.rows) {
    if ((c.level & 2) === 0) {
      if (c.location === null) continue;
      byLocation.set(`${c.location}\u0000${c.lsoa ?? ''}`, { locationText: c.location, lsoaCode: c.lsoa, count: c.n });
    } else if (c.lsoa !== null) byLsoa.push({ key: c.lsoa, count: c.n });
  }
  const rankedLocations = topLocations([...byLocation].map(([key, v]) => ({ key, count: v.count })), top);
  const rankedLsoas = topLocations(byLsoa, top);

  // 2. Map points per period (k periods of equal length ending with the period), in one pass.
  const first = shiftPeriod(period, -length * (k - 1));
  const start = monthIndex(first.from);
  const periodDim: Dimension = {
    name: 'period',
    fields: ['occurredMonth'],
    sql: `floor(((extract(year from ${field('occurredMonth')}) * 12 + extract(month from ${field('occurredMonth')}) - 1) - ${start}) / ${length})::int`,
  };
  const pointsFilter = scopeFilter(scope, first.from, period.to);
  const points = await aggregateIncidents<PointCell>(
    ctx,
    {
      dimensions: [periodDim, { name: 'lon', fields: ['longitude'], sql: field('longitude') }, { name: 'lat', fields: ['latitude'], sql: field('latitude') }],
      filter: pointsFilter,
    },
    {
      compose: (cells) => `select period, lon, lat, n from ${cells} where lon is not null and lat is not null`,
      auditDetail: { analysis: 'hotspots.points', period, statusPeriods: k, cellSizeM, filter: pointsFilter },
    },
  );
  const grid = memoisedGrid(createBngGrid(cellSizeM));
  const area = await cachedStudyArea(ctx, grid, scope.districts, options.boundaries);
  const perPeriod: { longitude: number; latitude: number; count: number }[][] = Array.from({ length: k }, () => []);
  for (const p of points.rows) perPeriod[p.period]?.push({ longitude: p.lon, latitude: p.lat, count: p.n });
  const results: Hotspots[] = perPeriod.map((pts) => findHotspots(grid, area.cells, pts));
  const current = results[k - 1]!;
  const centre = (id: string) => grid.centre(id);
  const cells: HotCell[] = current.cells
    .filter((c) => c.class !== 'not-significant')
    .sort((a, b) => b.z - a.z || a.id.localeCompare(b.id))
    .map((c) => ({ id: c.id, ...centre(c.id), count: c.value, z: c.z, pValue: c.pValue, qValue: c.qValue, class: c.class }));
  const status: CellStatus[] = hotspotStatusByCell(results).map((s) => ({
    id: s.id,
    ...centre(s.id),
    status: s.status,
    periods: s.periods,
    hotPeriods: s.hotPeriods,
    currentRun: s.currentRun,
    periodsSinceHot: s.periodsSinceHot,
  }));
  const locatedCount = perPeriod[k - 1]!.reduce((s, p) => s + p.count, 0);
  return {
    partnership: scope.partnership,
    districts: scope.districts,
    period,
    topLocations: {
      locations: rankedLocations.locations.map((l) => {
        const v = byLocation.get(l.key)!;
        return { rank: l.rank, locationText: v.locationText, lsoaCode: v.lsoaCode, count: l.count, share: l.share, cumulativeShare: l.cumulativeShare };
      }),
      total: rankedLocations.total,
      locationCount: rankedLocations.locationCount,
      tiedBeyondCut: rankedLocations.tiedBeyondCut,
    },
    topLsoas: {
      locations: rankedLsoas.locations.map((l) => ({ rank: l.rank, lsoaCode: l.key, count: l.count, share: l.share, cumulativeShare: l.cumulativeShare })),
      total: rankedLsoas.total,
      locationCount: rankedLsoas.locationCount,
      tiedBeyondCut: rankedLsoas.tiedBeyondCut,
    },
    grid: {
      system: grid.name,
      cellSizeM,
      studyArea: area.source,
      cells: current.n,
      mean: current.mean,
      s: current.s,
      located: locatedCount,
      outside: current.outside,
    },
    cells,
    statusPeriods: Array.from({ length: k }, (_, i) => shiftPeriod(period, -length * (k - 1 - i))),
    status,
    controlled: located.controlled || points.controlled,
    controlledAgencies: [...new Set([...located.controlledAgencies, ...points.controlledAgencies])].sort((a, b) => a - b),
  };
}
