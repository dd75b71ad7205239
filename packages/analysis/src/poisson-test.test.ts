import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialTwoSidedPValue, comparePoissonCounts, normalTwoSidedPValue } from './poisson-test';
import { benjaminiHochberg } from './fdr';

/** |a − b| ≤ rel·|b| (jStat's continued fraction is good to about 1e-8 relative). */
function expectRelClose(actual: number, expected: number, rel = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('exact Poisson comparison (conditional binomial test)', () => {
  it('15 against 5 over equal periods: p = 2·P(X ≥ 15 | n = 20, ½) = 2·21700/2^20', () => {
    // C(20,15..20) = 15504 + 4845 + 1140 + 190 + 20 + 1 = 21700.
    const r = comparePoissonCounts(15, 5);
    expectRelClose(r.pValue, (2 * 21700) / 1048576);
    expect(r.z).toBeCloseTo(2 * (Math.sqrt(15) - Math.sqrt(5)), 12);
    expect(r.expected).toBe(5);
  });

  it("matches R's documented poisson.test(c(11, 21), c(800, 3011)) example: p = 0.07967", () => {
    const r = comparePoissonCounts(11, 21, { current: 800, base: 3011 });
    expect(r.pValue).toBeCloseTo(0.07967, 5);
    expect(r.expected).toBeCloseTo((21 * 800) / 3011, 12);
  });

  // Reference p-values from scipy.stats.binomtest (the same two-sided rule as R's binom.test).
  const REFERENCE: [number, number, number, number][] = [
    [15, 20, 0.5, 0.04138946533203125],
    [10, 12, 1 / 3, 0.0005438044862929279],
    [2, 12, 1 / 3, 0.3588451022785222],
    [0, 7, 0.5, 0.015625],
    [120, 200, 0.5, 0.005685155996750306],
    [549, 1043, 0.5, 0.09446537128924859],
    [5000, 9800, 0.5, 0.04440414879984631],
    [30, 130, 0.25, 0.6856527222320583],
    [60, 1000, 0.05, 0.14654705743676422],
    [33, 1000, 0.05, 0.011029332549350856],
    [60, 240, 0.25, 1],
    [60, 195, 0.25, 0.06865188651030266],
    [52000, 100000, 0.5, 1.1530938666727834e-36],
  ];
  it.each(REFERENCE)('binomial two-sided p for x = %i of n = %i, p0 = %f', (x, n, p, expected) => {
    expectRelClose(binomialTwoSidedPValue(x, n, p), expected);
  });

  it('no events at all is no evidence: p = 1', () => {
    expect(comparePoissonCounts(0, 0).pValue).toBe(1);
    expect(comparePoissonCounts(0, 0).z).toBe(0);
  });

  it('refuses counts that are not whole non-negative numbers, naming the argument', () => {
    expect(() => comparePoissonCounts(-1, 3)).toThrow(/current count must be a non-negative whole number/);
    expect(() => comparePoissonCounts(2, 1.5)).toThrow(/base count/);
    expect(() => comparePoissonCounts(2, 1, { current: 0, base: 1 })).toThrow(/current exposure/);
    expect(() => binomialTwoSidedPValue(5, 4, 0.5)).toThrow(/cannot exceed/);
  });

  it('property: p-values lie in [0, 1] and swapping equal-length periods changes nothing', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(400), (c, b) => {
        const p = comparePoissonCounts(c, b).pValue;
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(Math.abs(p - comparePoissonCounts(b, c).pValue)).toBeLessThan(1e-9);
      }),
    );
  });

  it('property: with the total fixed, moving counts away from an even split never raises p', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(499), (total, k) => {
        const c = Math.ceil(total / 2) + (k % Math.max(1, Math.floor(total / 2)));
        fc.pre(c + 1 <= total);
        const p = comparePoissonCounts(c, total - c).pValue;
        const further = comparePoissonCounts(c + 1, total - c - 1).pValue;
        expect(further).toBeLessThanOrEqual(p + 1e-9);
      }),
    );
  });

  it('property: z has the sign of C − E', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (c, b) => {
        expect(Math.sign(comparePoissonCounts(c, b).z)).toBe(Math.sign(c - b));
      }),
    );
  });
});

describe('normal two-sided p-value', () => {
  it('gives the textbook values', () => {
    expect(normalTwoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 10);
    expect(normalTwoSidedPValue(-2.5758293035489)).toBeCloseTo(0.01, 10);
    expect(normalTwoSidedPValue(0)).toBe(1);
    // Tail through erfc, not 1 − erf: references from scipy.stats.norm.sf. Good to 1e-9
    // relative up to z = 6; by z = 8 (p ~ 1e-15, far below any threshold used) within 5%.
    expectRelClose(normalTwoSidedPValue(5), 5.733031437583866e-7, 1e-9);
    expectRelClose(normalTwoSidedPValue(6), 1.973175290075389e-9, 1e-9);
    expectRelClose(normalTwoSidedPValue(8), 1.244192114854348e-15, 0.05);
  });
});

describe('Benjamini–Hochberg', () => {
  it('adjusts a textbook list', () => {
    // p sorted: 0.01, 0.02, 0.03, 0.04, 0.20 (m = 5): p·m/rank = 0.05, 0.05, 0.05, 0.05, 0.20.
    expect(benjaminiHochberg([0.04, 0.2, 0.01, 0.03, 0.02]).map((q) => Number(q.toFixed(10)))).toEqual([0.05, 0.2, 0.05, 0.05, 0.05]);
    // Monotone step-up: 0.001·3/1 = 0.003; 0.04·3/2 = 0.06; 0.045·3/3 = 0.045 -> the second takes 0.045.
    expect(benjaminiHochberg([0.001, 0.04, 0.045]).map((q) => Number(q.toFixed(10)))).toEqual([0.003, 0.045, 0.045]);
  });

  it('property: q ≥ p, q ≤ 1, and the order of p is kept', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 50 }), (ps) => {
        const qs = benjaminiHochberg(ps);
        ps.forEach((p, i) => {
          expect(qs[i]!).toBeGreaterThanOrEqual(p - 1e-15);
          expect(qs[i]!).toBeLessThanOrEqual(1);
          ps.forEach((p2, j) => {
            if (p < p2) expect(qs[i]!).toBeLessThanOrEqual(qs[j]! + 1e-15);
          });
        });
      }),
    );
  });
});
