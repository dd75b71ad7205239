import { HubError } from '@csp-hub/taxonomy';
import { checkNonNegative, dateOfDay, dayNumber } from './inputs';
import { type LocationCount, topLocations } from './top-locations';

/**
 * Priority targets: a baseline, a change sought by a date, a straight-line
 * trajectory between them, and progress against it as RAG.
 * See docs/analysis.md "Targets".
 */

export type TargetKind = 'count' | 'place-subset' | 'repeats';
export const TARGET_KINDS: readonly TargetKind[] = ['count', 'place-subset', 'repeats'];
/** 'down': a reduction is good (crime); 'up': an increase is good (e.g. reporting, referrals). */
export type TargetDirection = 'down' | 'up';
export type MilestoneInterval = 'year' | 'quarter';
export type Rag = 'green' | 'amber' | 'red';
export type TargetStatus = 'on target' | 'near' | 'not on target' | 'no data';

export interface TargetDefinition {
  /** count: incidents; place-subset: incidents at `places`; repeats: e.g. repeat events or repeat share. */
  kind: TargetKind;
  /** Value in the baseline period, e.g. 549 criminal damage offences. */
  baselineValue: number;
  /** Label of the baseline period, e.g. '2023/24'. */
  baselinePeriod: string;
  /** Size of the change sought, in % of the baseline: 10 with direction 'down' is −10%. */
  changePct: number;
  direction: TargetDirection;
  /** The trajectory leaves the baseline value on this date (YYYY-MM-DD). */
  startDate: string;
  /** The target value is due on this date (YYYY-MM-DD). */
  targetDate: string;
  /** Milestones every year (default) or quarter from startDate, and at targetDate. */
  milestones?: MilestoneInterval;
  /** place-subset only: the location keys fixed at the baseline (e.g. the top five hotspots then). */
  places?: readonly string[];
}

export interface TargetProgressOptions {
  /** Amber band: worse than the trajectory by at most this % of the expected value (default 5). */
  tolerancePct?: number;
  /**
   * For count targets: widen the amber band to z·√expected when that is
   * larger — a miss smaller than Poisson noise is "near", not "not on target".
   */
  poissonZ?: number;
}

/** A measured value, dated by the end of the period it covers; on the same basis as the baseline (e.g. a rolling 12-month count). */
export interface ActualPoint {
  date: string;
  value: number;
}

export interface Milestone {
  date: string;
  expected: number;
  /** Latest actual dated after the previous milestone and on or before this one; null if none, or if the milestone is after asOf. */
  actual: number | null;
}

export interface TargetProgress {
  kind: TargetKind;
  baselineValue: number;
  baselinePeriod: string;
  targetValue: number;
  /** targetValue − baselineValue (negative for a reduction). */
  requiredChange: number;
  milestones: Milestone[];
  asOf: string;
  /** The trajectory's value at asOf. */
  expectedAtAsOf: number;
  /** Latest actual on or before asOf. */
  actual: ActualPoint | null;
  /** The trajectory's value at the actual's date: like is compared with like when data lag. */
  expected: number | null;
  /** actual − expected. */
  gap: number | null;
  /** Half-width of the amber band at the actual's date. */
  tolerance: number | null;
  rag: Rag | null;
  status: TargetStatus;
  /** (actual − baseline) / (target − baseline): 1 = target met, above 1 beaten, below 0 moving the wrong way; null with no change sought. */
  shareAchieved: number | null;
}

function addMonths(day: number, months: number): number {
  const d = new Date(day * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) / 86_400_000;
}

export function checkTarget(target: TargetDefinition): void {
  if (!TARGET_KINDS.includes(target.kind)) {
    throw HubError.invalidInput('INVALID_TARGET', `target kind must be one of ${TARGET_KINDS.join(', ')}, got "${String(target.kind)}"`);
  }
  if (target.direction !== 'down' && target.direction !== 'up') {
    throw HubError.invalidInput('INVALID_TARGET', `target direction must be down or up, got "${String(target.direction)}"`);
  }
  checkNonNegative('baselineValue', target.baselineValue);
  if (typeof target.baselinePeriod !== 'string' || target.baselinePeriod.trim() === '') {
    throw HubError.invalidInput('INVALID_TARGET', 'baselinePeriod must name the baseline period, e.g. 2023/24');
  }
  checkNonNegative('changePct', target.changePct);
  if (target.direction === 'down' && target.changePct > 100) {
    throw HubError.invalidInput('INVALID_TARGET', `a reduction cannot exceed 100%, got ${target.changePct}%`);
  }
  if (dayNumber('targetDate', target.targetDate) <= dayNumber('startDate', target.startDate)) {
    throw HubError.invalidInput('INVALID_TARGET', `targetDate ${target.targetDate} must be after startDate ${target.startDate}`);
  }
  if (target.milestones !== undefined && target.milestones !== 'year' && target.milestones !== 'quarter') {
    throw HubError.invalidInput('INVALID_TARGET', `milestones must be year or quarter, got "${String(target.milestones)}"`);
  }
  if (target.kind === 'place-subset') {
    const places = target.places ?? [];
    if (places.length === 0) throw HubError.invalidInput('INVALID_TARGET', 'a place-subset target needs the places fixed at the baseline');
    if (new Set(places).size !== places.length) throw HubError.invalidInput('INVALID_TARGET', 'a place is listed twice in the target');
    if (places.some((p) => typeof p !== 'string' || p === '')) throw HubError.invalidInput('INVALID_TARGET', 'every place must be a non-empty location key');
  } else if (target.places !== undefined) {
    throw HubError.invalidInput('INVALID_TARGET', `places belong only to place-subset targets, not ${target.kind}`);
  }
}

/** The target value: baseline × (1 − change%) for 'down', × (1 + change%) for 'up'. */
export function targetValueOf(target: TargetDefinition): number {
  const sign = target.direction === 'down' ? -1 : 1;
  return target.baselineValue * (1 + (sign * target.changePct) / 100);
}

/** The straight-line trajectory: baseline before the start, target after the target date, linear in days between. */
export function expectedOn(target: TargetDefinition, date: string): number {
  const start = dayNumber('startDate', target.startDate);
  const end = dayNumber('targetDate', target.targetDate);
  const day = dayNumber('date', date);
  const fraction = Math.min(1, Math.max(0, (day - start) / (end - start)));
  return target.baselineValue + fraction * (targetValueOf(target) - target.baselineValue);
}

/**
 * A place-subset target's places and baseline: the top `n` locations of the
 * baseline period (ties broken by key), fixed from then on.
 */
export function placeSubsetAtBaseline(baselineCounts: readonly LocationCount[], n: number): { places: string[]; baselineValue: number } {
  const top = topLocations(baselineCounts, n).locations;
  return { places: top.map((l) => l.key), baselineValue: top.reduce((s, l) => s + l.count, 0) };
}

export function targetProgress(target: TargetDefinition, actualSeries: readonly ActualPoint[], asOf: string, options: TargetProgressOptions = {}): TargetProgress {
  checkTarget(target);
  const tolerancePct = checkNonNegative('tolerancePct', options.tolerancePct ?? 5);
  const poissonZ = options.poissonZ === undefined ? 0 : checkNonNegative('poissonZ', options.poissonZ);
  const asOfDay = dayNumber('asOf', asOf);
  const points = actualSeries
    .map((p, i) => ({ day: dayNumber(`actualSeries[${i}].date`, p.date), date: p.date, value: checkNonNegative(`actualSeries[${i}].value`, p.value) }))
    .sort((a, b) => a.day - b.day);
  points.forEach((p, i) => {
    if (i > 0 && p.day === points[i - 1]!.day) throw HubError.invalidInput('DUPLICATE_KEY', `two actual values are dated ${p.date}`);
  });
  const known = points.filter((p) => p.day <= asOfDay);

  const start = dayNumber('startDate', target.startDate);
  const end = dayNumber('targetDate', target.targetDate);
  const step = (target.milestones ?? 'year') === 'year' ? 12 : 3;
  const milestoneDays: number[] = [];
  for (let k = 1; addMonths(start, k * step) < end; k += 1) milestoneDays.push(addMonths(start, k * step));
  milestoneDays.push(end);
  const milestones = milestoneDays.map((day, i) => {
    const after = i === 0 ? start : milestoneDays[i - 1]!;
    const within = day > asOfDay ? [] : known.filter((p) => p.day > after && p.day <= day);
    const date = dateOfDay(day);
    return { date, expected: expectedOn(target, date), actual: within.at(-1)?.value ?? null };
  });

  const targetValue = targetValueOf(target);
  const requiredChange = targetValue - target.baselineValue;
  const latest = known.at(-1);
  const base = {
    kind: target.kind,
    baselineValue: target.baselineValue,
    baselinePeriod: target.baselinePeriod,
    targetValue,
    requiredChange,
    milestones,
    asOf,
    expectedAtAsOf: expectedOn(target, asOf),
  };
  if (latest === undefined) {
    return { ...base, actual: null, expected: null, gap: null, tolerance: null, rag: null, status: 'no data', shareAchieved: null };
  }
  const expected = expectedOn(target, latest.date);
  const gap = latest.value - expected;
  const better = target.direction === 'down' ? -gap : gap;
  const tolerance = Math.max((tolerancePct / 100) * expected, poissonZ * Math.sqrt(expected));
  const rag: Rag = better >= 0 ? 'green' : -better <= tolerance ? 'amber' : 'red';
  return {
    ...base,
    actual: { date: latest.date, value: latest.value },
    expected,
    gap,
    tolerance,
    rag,
    status: rag === 'green' ? 'on target' : rag === 'amber' ? 'near' : 'not on target',
    shareAchieved: requiredChange === 0 ? null : (latest.value - target.baselineValue) / requiredChange,
  };
}
