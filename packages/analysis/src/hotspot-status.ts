import { HubError } from '@csp-hub/taxonomy';
import { type GiClass, GI_CLASSES, type GiStarResult, isCold, isHot } from './gi-star';
import { checkInteger, checkProbability, compareKeys } from './inputs';

/**
 * A cell's (or location's) hotspot status across consecutive periods, oldest
 * first. The rules, applied in this order (docs/analysis.md "Hotspot status"):
 *
 * - none:         hot in no period.
 * - persistent:   hot in the last period, in at least two periods and in at
 *                 least `persistentShare` (default 80%) of all periods.
 * - emerging:     hot in the last period and never hot before the unbroken
 *                 run of hot periods that ends with it.
 * - intermittent: hot in at least one of the last `recentPeriods` (default 3)
 *                 periods, but neither persistent nor emerging (on and off).
 * - former:       hot at some time, but in none of the last `recentPeriods`.
 */
export type HotspotStatus = 'emerging' | 'persistent' | 'intermittent' | 'former' | 'none';
export const HOTSPOT_STATUSES: readonly HotspotStatus[] = ['emerging', 'persistent', 'intermittent', 'former', 'none'];

export interface HotspotStatusOptions {
  /** Share of periods hot, with the last, that makes a hotspot persistent (default 0.8). */
  persistentShare?: number;
  /** Periods counted as recent (default 3). */
  recentPeriods?: number;
  /** Track hot spots (default) or cold spots. */
  side?: 'hot' | 'cold';
}

export interface HotspotHistory {
  status: HotspotStatus;
  periods: number;
  /** Periods in which the cell was hot (cold with side 'cold'). */
  hotPeriods: number;
  /** hotPeriods / periods. */
  hotShare: number;
  /** Length of the unbroken hot run ending with the last period (0 when not hot now). */
  currentRun: number;
  /** Periods since the cell was last hot (0 = hot now); null when never hot. */
  periodsSinceHot: number | null;
}

/** `series`: per period, oldest first, a Gi* class or simply whether the cell was hot. */
export function hotspotStatus(series: readonly (GiClass | boolean)[], options: HotspotStatusOptions = {}): HotspotHistory {
  const persistentShare = options.persistentShare === undefined ? 0.8 : checkProbability('persistentShare', options.persistentShare);
  const recent = checkInteger('recentPeriods', options.recentPeriods ?? 3, 1);
  const side = options.side ?? 'hot';
  if (side !== 'hot' && side !== 'cold') throw HubError.invalidInput('INVALID_VALUE', `side must be hot or cold, got "${String(side)}"`);
  if (series.length === 0) throw HubError.invalidInput('EMPTY_SERIES', 'hotspot status needs at least one period');
  const flags = series.map((c, i) => {
    if (typeof c === 'boolean') return c;
    if (!GI_CLASSES.includes(c)) throw HubError.invalidInput('INVALID_VALUE', `period ${i} is not a Gi* class or a boolean: "${String(c)}"`);
    return side === 'hot' ? isHot(c) : isCold(c);
  });
  const periods = flags.length;
  const hotPeriods = flags.filter(Boolean).length;
  const lastHot = flags.lastIndexOf(true);
  let currentRun = 0;
  while (currentRun < periods && flags[periods - 1 - currentRun]) currentRun += 1;
  const history = { periods, hotPeriods, hotShare: hotPeriods / periods, currentRun, periodsSinceHot: lastHot < 0 ? null : periods - 1 - lastHot };

  let status: HotspotStatus;
  if (hotPeriods === 0) status = 'none';
  else if (currentRun > 0 && hotPeriods >= 2 && hotPeriods / periods >= persistentShare) status = 'persistent';
  else if (currentRun > 0 && hotPeriods === currentRun) status = 'emerging';
  else if (periods - 1 - lastHot < recent) status = 'intermittent';
  else status = 'former';
  return { status, ...history };
}

export interface CellHotspotHistory extends HotspotHistory {
  id: string;
}

/**
 * Status of every cell that was hot (cold with side 'cold') in at least one
 * period, from Gi* results per period, oldest first. A cell missing from a
 * period's lattice counts as not hot then. Ordered emerging, persistent,
 * intermittent, former, then by cell id.
 */
export function hotspotStatusByCell(periods: readonly GiStarResult[], options: HotspotStatusOptions = {}): CellHotspotHistory[] {
  const side = options.side ?? 'hot';
  const flagged = side === 'cold' ? isCold : isHot;
  const ids = new Set<string>();
  const byPeriod = periods.map((p) => {
    const classes = new Map(p.cells.map((c) => [c.id, c.class]));
    for (const [id, c] of classes) if (flagged(c)) ids.add(id);
    return classes;
  });
  const rows = [...ids].map((id) => ({ id, ...hotspotStatus(byPeriod.map((m) => m.get(id) ?? 'not-significant'), options) }));
  return rows.sort((a, b) => HOTSPOT_STATUSES.indexOf(a.status) - HOTSPOT_STATUSES.indexOf(b.status) || compareKeys(a.id, b.id));
}
