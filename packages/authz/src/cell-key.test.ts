import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPTable, cellKey, DEFAULT_CELL_KEY, KEY_SPACE, maxEntropy, perturb } from './cell-key';

const moments = (dist: Map<number, number>) => {
  let total = 0;
  let mean = 0;
  let second = 0;
  for (const [v, p] of dist) {
    total += p;
    mean += p * v;
    second += p * v * v;
  }
  return { total, mean, variance: second - mean * mean };
};

describe('cell-key perturbation table', () => {
  it('the maximum-entropy noise for D=2, V=1 is symmetric with mean 0 and variance 1 (and matches the closed form)', () => {
    const dist = maxEntropy([-2, -1, 0, 1, 2], 1);
    const m = moments(dist);
    expect(m.total).toBeCloseTo(1, 12);
    expect(m.mean).toBeCloseTo(0, 10);
    expect(m.variance).toBeCloseTo(1, 8);
    expect(dist.get(-2)).toBeCloseTo(dist.get(2)!, 10);
    expect(dist.get(-1)).toBeCloseTo(dist.get(1)!, 10);
    // With mean 0 and variance 1 on -2..2: p0 = 6·p2 and p1 = 1/2 − 4·p2; entropy is largest near p2 ≈ 0.065.
    expect(dist.get(0)).toBeCloseTo(6 * dist.get(2)!, 8);
    expect(dist.get(1)).toBeCloseTo(0.5 - 4 * dist.get(2)!, 8);
    expect(dist.get(2)).toBeGreaterThan(0.06);
    expect(dist.get(2)).toBeLessThan(0.07);
  });

  it('every row is a distribution with mean 0; a true zero stays zero; no row ever goes below zero', () => {
    for (const options of [DEFAULT_CELL_KEY, { maxNoise: 3, variance: 2, threshold: 4 }, { maxNoise: 1, variance: 0.5, threshold: 1 }]) {
      const table = buildPTable(options);
      expect(table.noise).toHaveLength(options.maxNoise + 1);
      expect(table.noise[0]).toEqual(Array(KEY_SPACE).fill(0));
      table.distributions.forEach((dist, i) => {
        const m = moments(dist);
        expect(m.total).toBeCloseTo(1, 10);
        expect(m.mean).toBeCloseTo(0, 8);
        for (const v of dist.keys()) expect(i + v).toBeGreaterThanOrEqual(0);
      });
      // The full-support row has the configured variance.
      expect(moments(table.distributions[options.maxNoise]!).variance).toBeCloseTo(options.variance, 6);
    }
  });

  it('spreads each row over the 256 cell keys in proportion to its probabilities', () => {
    const table = buildPTable();
    table.noise.forEach((row, i) => {
      const counts = new Map<number, number>();
      for (const v of row) counts.set(v, (counts.get(v) ?? 0) + 1);
      for (const [v, p] of table.distributions[i]!) expect(Math.abs((counts.get(v) ?? 0) - p * KEY_SPACE)).toBeLessThanOrEqual(1);
    });
  });

  it('perturbs consistently: the same records give the same published count in any order', () => {
    const table = buildPTable();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 60 }), (keys) => {
        const a = perturb(table, keys.length, cellKey(keys));
        const b = perturb(table, keys.length, cellKey([...keys].reverse()));
        expect(a).toBe(b);
        // within D of the truth, never 1..threshold, never negative
        expect(a === 0 || (a > DEFAULT_CELL_KEY.threshold && Math.abs(a - keys.length) <= DEFAULT_CELL_KEY.maxNoise)).toBe(true);
        if (keys.length > DEFAULT_CELL_KEY.threshold + DEFAULT_CELL_KEY.maxNoise) expect(a).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('publishes no count of 1 or 2: small cells become 0 (not listed) or a value above the threshold', () => {
    const table = buildPTable();
    for (let n = 1; n <= 6; n++) {
      for (let k = 0; k < KEY_SPACE; k++) {
        const p = perturb(table, n, k);
        expect(p === 0 || p > 2).toBe(true);
      }
    }
    // A true count of 1 is published as 0 for every cell key (it could only reach 3 with noise +2: but the threshold hides 1..2 only).
    const ones = new Set(Array.from({ length: KEY_SPACE }, (_, k) => perturb(table, 1, k)));
    expect([...ones].every((v) => v === 0 || v === 3)).toBe(true);
  });

  it('refuses options that cannot make a table', () => {
    expect(() => buildPTable({ maxNoise: 0, variance: 1, threshold: 2 })).toThrow(/maxNoise/);
    expect(() => buildPTable({ maxNoise: 2, variance: 5, threshold: 2 })).toThrow(/variance/);
    expect(() => buildPTable({ maxNoise: 2, variance: 1, threshold: -1 })).toThrow(/threshold/);
  });
});
