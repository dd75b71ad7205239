import { mean as sampleMean, sampleStandardDeviation } from 'simple-statistics';
import { HubError } from '@csp-hub/taxonomy';
import { benjaminiHochberg } from './fdr';
import { checkCount, checkPositive, checkProbability } from './inputs';
import { comparePoissonCounts } from './poisson-test';

/**
 * Period comparison: this period's count against the previous equal period,
 * the same period last year and the seasonal average of the same period in
 * earlier years, with exact Poisson tests and control limits.
 * Formulas and a worked example: docs/analysis.md "Period comparison".
 */

export type ComparisonBase = 'previous' | 'lastYear' | 'seasonal';
export const COMPARISON_BASES: readonly ComparisonBase[] = ['previous', 'lastYear', 'seasonal'];

export interface PeriodComparisonInput {
  /** Count in the current period. */
  current: number;
  /** Count in the previous period of equal length; null when there is no data for it. */
  previous: number | null;
  /**
   * Count in the same period 1, 2, 3 ... years earlier, most recent first
   * (history[0] is "same period last year"); null for a year without data.
   * Usually 3 years: the seasonal average and control limits use every year given.
   */
  history: readonly (number | null)[];
  /**
   * Period lengths (e.g. days) when they differ, such as calendar months;
   * omitted lengths equal the current period's. Bases are scaled to the
   * current length before any change is computed.
   */
  lengths?: { current: number; previous?: number; history?: readonly number[] };
}

export interface PeriodComparisonOptions {
  /** Significance level for `significant` (default 0.05). */
  alpha?: number;
  /** Width of the control limits in standard deviations (default 2). */
  controlLimitSigmas?: number;
}

export type Direction = 'up' | 'down' | 'flat';

export interface BaseComparison {
  base: ComparisonBase;
  /** The base's own count (seasonal: the average of the years with data). */
  baseCount: number;
  /** The base on the current period's length: E = baseCount · tC/tB (= baseCount for equal periods). */
  expected: number;
  /** C − E. */
  change: number;
  /** 100·(C − E)/E; null (not infinite) when E is 0. */
  changePct: number | null;
  direction: Direction;
  /** Exact two-sided Poisson p-value (conditional binomial test, R's poisson.test). */
  pValue: number;
  /** 2(√C − √E). */
  z: number;
  /** pValue < alpha. */
  significant: boolean;
}

export interface ControlLimits {
  /** Mean of the historical equivalent periods (scaled to the current length). */
  mean: number;
  /** σ used: max(sample standard deviation, √mean); √mean alone with one year. */
  sigma: number;
  /** Which term set σ: the years' own spread or the Poisson floor. */
  sigmaFrom: 'sample' | 'poisson';
  lower: number;
  upper: number;
  years: number;
}

export type Exceedance = 'above' | 'below' | 'within';

export interface PeriodComparison {
  current: number;
  previous: BaseComparison | null;
  lastYear: BaseComparison | null;
  seasonal: BaseComparison | null;
  /** Years with data behind the seasonal average and control limits. */
  seasonalYears: number;
  controlLimits: ControlLimits | null;
  /** Current count above the upper or below the lower control limit; null without history. */
  exceedance: Exceedance | null;
}

function directionOf(change: number): Direction {
  return change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
}

function compareWith(base: ComparisonBase, current: number, baseCount: number, summed: number, tCurrent: number, tBase: number, alpha: number): BaseComparison {
  const test = comparePoissonCounts(current, summed, { current: tCurrent, base: tBase });
  const change = current - test.expected;
  return {
    base,
    baseCount,
    expected: test.expected,
    change,
    changePct: test.expected === 0 ? null : (100 * change) / test.expected,
    direction: directionOf(change),
    pValue: test.pValue,
    z: test.z,
    significant: test.pValue < alpha,
  };
}

/**
 * Control limits from the historical equivalent periods: mean m of the years
 * (each scaled to the current length), σ = max(sample sd, √m) — the Poisson
 * floor stops two or three similar years from giving limits narrower than
 * chance alone — and limits m ± kσ, the lower one floored at 0.
 */
export function controlLimits(history: readonly number[], sigmas = 2): ControlLimits | null {
  checkPositive('control limit width', sigmas);
  if (history.length === 0) return null;
  const mean = sampleMean([...history]);
  const sample = history.length >= 2 ? sampleStandardDeviation([...history]) : 0;
  const poisson = Math.sqrt(mean);
  const sigma = Math.max(sample, poisson);
  return {
    mean,
    sigma,
    sigmaFrom: sample > poisson ? 'sample' : 'poisson',
    lower: Math.max(0, mean - sigmas * sigma),
    upper: mean + sigmas * sigma,
    years: history.length,
  };
}

export function comparePeriods(input: PeriodComparisonInput, options: PeriodComparisonOptions = {}): PeriodComparison {
  const alpha = checkProbability('alpha', options.alpha ?? 0.05);
  if (!Array.isArray(input.history)) {
    throw HubError.invalidInput('INVALID_VALUE', 'history must list the counts of the same period in earlier years (may be empty)');
  }
  const current = checkCount('current', input.current);
  const tCurrent = checkPositive('current length', input.lengths?.current ?? 1);
  const tPrevious = checkPositive('previous length', input.lengths?.previous ?? tCurrent);
  const historyLengths = input.lengths?.history;
  if (historyLengths && historyLengths.length !== input.history.length) {
    throw HubError.invalidInput('INVALID_VALUE', `lengths.history has ${historyLengths.length} entries but history has ${input.history.length}`);
  }

  const previous = input.previous === null ? null : compareWith('previous', current, checkCount('previous', input.previous), input.previous, tCurrent, tPrevious, alpha);

  const years: { count: number; length: number }[] = [];
  input.history.forEach((count, i) => {
    if (count === null) return;
    years.push({ count: checkCount(`history[${i}]`, count), length: checkPositive(`lengths.history[${i}]`, historyLengths?.[i] ?? tCurrent) });
  });

  const first = input.history[0];
  const lastYear =
    first === undefined || first === null ? null : compareWith('lastYear', current, first, first, tCurrent, years[0]!.length, alpha);

  let seasonal: BaseComparison | null = null;
  let limits: ControlLimits | null = null;
  if (years.length > 0) {
    const summed = years.reduce((s, y) => s + y.count, 0);
    const summedLength = years.reduce((s, y) => s + y.length, 0);
    seasonal = compareWith('seasonal', current, summed / years.length, summed, tCurrent, summedLength, alpha);
    limits = controlLimits(
      years.map((y) => (y.count * tCurrent) / y.length),
      options.controlLimitSigmas ?? 2,
    );
  }

  return {
    current,
    previous,
    lastYear,
    seasonal,
    seasonalYears: years.length,
    controlLimits: limits,
    exceedance: limits === null ? null : current > limits.upper ? 'above' : current < limits.lower ? 'below' : 'within',
  };
}

export interface ChangeRow<K> {
  /** What the row is about, e.g. { priority, areaCode }; passed through untouched. */
  key: K;
  counts: PeriodComparisonInput;
}

export interface RankedChange<K> {
  key: K;
  /** 1 = strongest evidence of change. */
  rank: number;
  comparison: PeriodComparison;
  /** The comparison against the chosen base; null when the row has no such base. */
  against: BaseComparison | null;
  /** Benjamini–Hochberg q-value of `against.pValue` over the rows that have the base. */
  qValue: number | null;
}

export interface WhatChangedOptions extends PeriodComparisonOptions {
  /** The base to rank on (default 'seasonal'). */
  against?: ComparisonBase;
}

/**
 * "What changed": every row compared, then ranked by the strength of the
 * evidence against the chosen base — p-value ascending, then |z| descending,
 * then input order — never by % change (a rise from 1 to 3 is +200% and
 * means nothing). Rows without the base come last. q-values control the
 * false discovery rate across the many rows a partnership looks at.
 */
export function whatChanged<K>(rows: readonly ChangeRow<K>[], options: WhatChangedOptions = {}): RankedChange<K>[] {
  const against = options.against ?? 'seasonal';
  if (!COMPARISON_BASES.includes(against)) {
    throw HubError.invalidInput('INVALID_VALUE', `against must be one of ${COMPARISON_BASES.join(', ')}, got "${String(against)}"`);
  }
  const compared = rows.map((row, index) => {
    const comparison = comparePeriods(row.counts, options);
    return { key: row.key, index, comparison, against: comparison[against] };
  });
  const tested = compared.filter((c) => c.against !== null);
  const q = benjaminiHochberg(tested.map((c) => c.against!.pValue));
  const qOf = new Map(tested.map((c, i) => [c.index, q[i]!]));
  compared.sort((a, b) => {
    if (a.against === null || b.against === null) return (a.against === null ? 1 : 0) - (b.against === null ? 1 : 0) || a.index - b.index;
    return a.against.pValue - b.against.pValue || Math.abs(b.against.z) - Math.abs(a.against.z) || a.index - b.index;
  });
  return compared.map((c, i) => ({ key: c.key, rank: i + 1, comparison: c.comparison, against: c.against, qValue: qOf.get(c.index) ?? null }));
}
