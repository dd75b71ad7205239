import jStat from 'jstat';
import { HubError } from '@csp-hub/taxonomy';
import { checkCount, checkPositive } from './inputs';

/**
 * Significance tests for two counts, each a Poisson count over a known
 * exposure (the period's length). See docs/analysis.md "Period comparison".
 */

export interface Exposure {
  /** Length of the current period (any unit, e.g. days). */
  current: number;
  /** Length of the base period in the same unit (for a seasonal base: the years' lengths added up). */
  base: number;
}

export interface PoissonComparison {
  /**
   * Two-sided exact p-value of "same underlying rate": conditional on the
   * total N = C + B, C ~ Binomial(N, p0) with p0 = tC / (tC + tB); the
   * two-sided rule is R's binom.test (outcomes no more likely than the one
   * observed), so this equals R's `poisson.test(c(C, B), c(tC, tB))`.
   */
  pValue: number;
  /** Square-root statistic z = 2(√C − √E), E = B·tC/tB (the base on the current period's length). */
  z: number;
  /** E: the base count scaled to the current period's length. */
  expected: number;
}

/** ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1. */
function binomialLogPmf(k: number, n: number, p: number): number {
  return jStat.combinationln(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** P(X ≤ k) = I_{1−p}(n − k, k + 1); the incomplete beta keeps small tails accurate. */
function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return jStat.ibeta(1 - p, n - k, k + 1);
}

/** P(X ≥ k) = I_p(k, n − k + 1). */
function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return jStat.ibeta(p, k, n - k + 1);
}

/**
 * Two-sided exact binomial p-value with R's rule (binom.test): the sum of the
 * probabilities of every outcome no more likely than x (relative tolerance
 * 1e-7). The pmf is monotone on each side of the mean, so the cut-off on the
 * far side is found by bisection: O(log n) pmf evaluations, any n. The
 * result has 7 significant digits.
 */
export function binomialTwoSidedPValue(x: number, n: number, p: number): number {
  checkCount('successes', x);
  checkCount('trials', n);
  if (x > n) throw HubError.invalidInput('INVALID_COUNT', `successes (${x}) cannot exceed trials (${n})`);
  if (!(p > 0 && p < 1)) throw HubError.invalidInput('INVALID_PROBABILITY', `the null proportion must be between 0 and 1, got ${p}`);
  if (n === 0) return 1;
  const mean = n * p;
  if (x === mean) return 1;
  const logD = binomialLogPmf(x, n, p) + Math.log1p(1e-7);
  let pValue: number;
  if (x < mean) {
    // First j in [ceil(mean), n] with pmf(j) <= d (pmf non-increasing there); n + 1 if none.
    let lo = Math.ceil(mean);
    let hi = n + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (binomialLogPmf(mid, n, p) <= logD) hi = mid;
      else lo = mid + 1;
    }
    pValue = binomialLowerTail(x, n, p) + binomialUpperTail(lo, n, p);
  } else {
    // First j in [0, floor(mean)] with pmf(j) > d (pmf non-decreasing there); floor(mean) + 1 if none.
    let lo = 0;
    let hi = Math.floor(mean) + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (binomialLogPmf(mid, n, p) > logD) hi = mid;
      else lo = mid + 1;
    }
    pValue = binomialLowerTail(lo - 1, n, p) + binomialUpperTail(x, n, p);
  }
  // jStat's incomplete beta is good to about 1e-8 relative: digits past the 7th are
  // noise, and would order two equally strong changes at random (0.9999999999986 vs 1).
  return Math.min(1, Number(Math.max(0, pValue).toPrecision(7)));
}

/**
 * Compares a current count with a base count, both Poisson, over the given
 * exposures (equal when omitted). Exact conditional test plus the square-root z.
 */
export function comparePoissonCounts(current: number, base: number, exposure: Exposure = { current: 1, base: 1 }): PoissonComparison {
  checkCount('current count', current);
  checkCount('base count', base);
  checkPositive('current exposure', exposure.current);
  checkPositive('base exposure', exposure.base);
  const p0 = exposure.current / (exposure.current + exposure.base);
  const expected = (base * exposure.current) / exposure.base;
  return {
    pValue: binomialTwoSidedPValue(current, current + base, p0),
    z: 2 * (Math.sqrt(current) - Math.sqrt(expected)),
    expected,
  };
}

/** Two-sided p-value of a standard normal z: 2·Φ(−|z|) = erfc(|z|/√2), accurate in the far tail. */
export function normalTwoSidedPValue(z: number): number {
  if (Number.isNaN(z)) throw HubError.invalidInput('INVALID_VALUE', 'z must be a number');
  return z === 0 ? 1 : Math.min(1, jStat.erfc(Math.abs(z) / Math.SQRT2));
}
