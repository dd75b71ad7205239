import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubError } from '@csp-hub/taxonomy';
import { comparePeriods, controlLimits, type PeriodComparisonInput, whatChanged } from './period-comparison';

describe('comparePeriods: the worked example of docs/analysis.md', () => {
  // 60 this month; 48 last month; same month 45, 40, 50 in the three years before.
  const r = comparePeriods({ current: 60, previous: 48, history: [45, 40, 50] });

  it('against the previous period', () => {
    expect(r.previous).toMatchObject({ base: 'previous', baseCount: 48, expected: 48, change: 12, changePct: 25, direction: 'up', significant: false });
    expect(r.previous!.pValue).toBeCloseTo(0.2897982154050608, 7); // scipy binomtest(60, 108, 0.5)
    expect(r.previous!.z).toBeCloseTo(1.6355269242786505, 12); // 2(√60 − √48)
  });

  it('against the same period last year', () => {
    expect(r.lastYear).toMatchObject({ baseCount: 45, change: 15, direction: 'up', significant: false });
    expect(r.lastYear!.changePct).toBeCloseTo(33.333333, 5);
    expect(r.lastYear!.pValue).toBeCloseTo(0.1715646971542424, 7); // binomtest(60, 105, 0.5)
  });

  it('against the seasonal average: 60 against the 135 of three years, p0 = 1/4', () => {
    expect(r.seasonalYears).toBe(3);
    expect(r.seasonal).toMatchObject({ baseCount: 45, expected: 45, change: 15 });
    expect(r.seasonal!.pValue).toBeCloseTo(0.06865188651030266, 7); // binomtest(60, 195, 0.25)
    expect(r.seasonal!.z).toBeCloseTo(2 * (Math.sqrt(60) - Math.sqrt(45)), 12);
  });

  it('control limits: mean 45, sd 5 is below the Poisson floor √45, so 45 ± 2√45 = [31.58, 58.42]; 60 is above', () => {
    expect(r.controlLimits).toMatchObject({ mean: 45, sigmaFrom: 'poisson', years: 3 });
    expect(r.controlLimits!.sigma).toBeCloseTo(Math.sqrt(45), 12);
    expect(r.controlLimits!.upper).toBeCloseTo(58.4164, 4);
    expect(r.controlLimits!.lower).toBeCloseTo(31.5836, 4);
    expect(r.exceedance).toBe('above');
  });
});

describe('comparePeriods: edges', () => {
  it('% change is null, not infinite, when the base is 0; the test still runs', () => {
    const r = comparePeriods({ current: 7, previous: 0, history: [0] });
    expect(r.previous!.changePct).toBeNull();
    expect(r.previous!.change).toBe(7);
    expect(r.previous!.pValue).toBeCloseTo(2 / 128, 12); // 2·(½)^7
    expect(r.lastYear!.changePct).toBeNull();
    expect(r.exceedance).toBe('above'); // mean 0, σ 0: any event is outside history
  });

  it('missing bases are null, not zero', () => {
    const r = comparePeriods({ current: 5, previous: null, history: [] });
    expect(r).toMatchObject({ previous: null, lastYear: null, seasonal: null, seasonalYears: 0, controlLimits: null, exceedance: null });
    const gap = comparePeriods({ current: 5, previous: 4, history: [null, 30, 34] });
    expect(gap.lastYear).toBeNull();
    expect(gap.seasonalYears).toBe(2);
    expect(gap.seasonal!.baseCount).toBe(32);
  });

  it('scales bases of another length: 290 in 29 days against 310 in 31 days is no change', () => {
    const r = comparePeriods({ current: 290, previous: 310, history: [], lengths: { current: 29, previous: 31 } });
    expect(r.previous!.expected).toBeCloseTo(290, 9);
    expect(Math.abs(r.previous!.change)).toBeLessThan(1e-9);
    expect(r.previous!.pValue).toBeGreaterThan(0.99);
  });

  it('control limits use the sample sd when the years vary more than chance', () => {
    const limits = controlLimits([20, 60, 40]);
    expect(limits).toMatchObject({ mean: 40, sigma: 20, sigmaFrom: 'sample', lower: 0, upper: 80 });
    expect(controlLimits([9])).toMatchObject({ mean: 9, sigma: 3, sigmaFrom: 'poisson', lower: 3, upper: 15 });
  });

  it('refuses bad input with a clear reason', () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(HubError);
        return (e as HubError).message;
      }
      throw new Error('no error');
    };
    expect(bad(() => comparePeriods({ current: -1, previous: 2, history: [] }))).toMatch(/current must be a non-negative whole number/);
    expect(bad(() => comparePeriods({ current: 1, previous: 2, history: [3, Number.NaN] }))).toMatch(/history\[1\]/);
    expect(bad(() => comparePeriods({ current: 1, previous: 2, history: [3], lengths: { current: 30, history: [1, 2] } }))).toMatch(/lengths.history has 2/);
    expect(bad(() => comparePeriods({ current: 1, previous: 2, history: [] }, { alpha: 1 }))).toMatch(/alpha/);
    expect(bad(() => comparePeriods({ current: 1, previous: 2 } as unknown as PeriodComparisonInput))).toMatch(/history must list/);
  });

  it('property: % change is null exactly when the expected base is 0; significance follows alpha', () => {
    fc.assert(
      fc.property(fc.nat(300), fc.nat(300), fc.array(fc.nat(300), { maxLength: 3 }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (current, previous, history, alpha) => {
        const r = comparePeriods({ current, previous, history }, { alpha });
        for (const b of [r.previous, r.lastYear, r.seasonal]) {
          if (b === null) continue;
          expect(b.changePct === null).toBe(b.expected === 0);
          expect(b.significant).toBe(b.pValue < alpha);
          expect(b.direction).toBe(b.change > 0 ? 'up' : b.change < 0 ? 'down' : 'flat');
          expect(b.pValue).toBeGreaterThanOrEqual(0);
          expect(b.pValue).toBeLessThanOrEqual(1);
        }
        expect(r.seasonal === null).toBe(history.length === 0);
      }),
    );
  });
});

describe('whatChanged', () => {
  const rows = [
    { key: 'A: 1 -> 3 (+200%)', counts: { current: 3, previous: 1, history: [1] } },
    { key: 'B: 100 -> 150 (+50%)', counts: { current: 150, previous: 100, history: [100] } },
    { key: 'C: 1000 -> 1100 (+10%)', counts: { current: 1100, previous: 1000, history: [1000] } },
    { key: 'D: no history', counts: { current: 40, previous: 10, history: [] } },
  ];

  it('ranks by significance, never by % change', () => {
    const ranked = whatChanged(rows, { against: 'lastYear' });
    expect(ranked.map((r) => r.key)).toEqual(['B: 100 -> 150 (+50%)', 'C: 1000 -> 1100 (+10%)', 'A: 1 -> 3 (+200%)', 'D: no history']);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(ranked[0]!.against!.pValue).toBeCloseTo(0.0018833009350761602, 8);
    expect(ranked[1]!.against!.pValue).toBeCloseTo(0.03072070786424249, 8);
    expect(ranked[2]!.against!.pValue).toBeCloseTo(0.625, 12);
    expect(ranked[3]).toMatchObject({ against: null, qValue: null });
    // BH over the three tested rows: 0.00188·3/1, 0.0307·3/2, 0.625·3/3.
    expect(ranked[0]!.qValue).toBeCloseTo(0.0056499, 6);
    expect(ranked[1]!.qValue).toBeCloseTo(0.0460811, 6);
    expect(ranked[2]!.qValue).toBeCloseTo(0.625, 12);
  });

  it('equal p-values: larger |z| first, then input order', () => {
    const ranked = whatChanged(
      [
        { key: 'x', counts: { current: 5, previous: 5, history: [] } },
        { key: 'y', counts: { current: 5, previous: 6, history: [] } },
        { key: 'z', counts: { current: 5, previous: 5, history: [] } },
      ],
      { against: 'previous' },
    );
    // All three have p = 1; y has |z| = 2(√6 − √5) > 0.
    expect(ranked.map((r) => r.against!.pValue)).toEqual([1, 1, 1]);
    expect(ranked.map((r) => r.key)).toEqual(['y', 'x', 'z']);
  });

  it('property: the ranking is ordered by p-value', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(200), fc.nat(200)), { minLength: 1, maxLength: 12 }), (pairs) => {
        const ranked = whatChanged(
          pairs.map(([c, b], i) => ({ key: i, counts: { current: c, previous: b, history: [b] } })),
          { against: 'lastYear' },
        );
        for (let i = 1; i < ranked.length; i += 1) expect(ranked[i - 1]!.against!.pValue).toBeLessThanOrEqual(ranked[i]!.against!.pValue);
      }),
    );
  });
});
