import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GiClass, GiStarResult } from './gi-star';
import { hotspotStatus, hotspotStatusByCell, HOTSPOT_STATUSES } from './hotspot-status';

const s = (pattern: string) => [...pattern].map((ch) => ch === 'H');

describe('hotspotStatus (periods oldest first; H = hot)', () => {
  it.each([
    ['....', 'none'],
    ['HHHHH', 'persistent'],
    ['HHHH.HHHHH', 'persistent'], // 9 of 10, hot now
    ['.HHHH', 'persistent'], // 80%, hot now
    ['H', 'emerging'], // one period: new, not yet persistent
    ['.....HH', 'emerging'],
    ['..HHH', 'emerging'], // 60%, never hot before this run
    ['H...HH', 'intermittent'], // hot now, but hot before the run too
    ['HH.H.', 'intermittent'], // hot within the last 3, not now
    ['HHH.....', 'former'],
    ['HHHHHHH...', 'former'], // 70% hot, but not in the last 3 periods
  ])('%s is %s', (pattern, status) => {
    expect(hotspotStatus(s(pattern)).status).toBe(status);
  });

  it('reads Gi* classes, and can track cold spots', () => {
    expect(hotspotStatus(['not-significant', 'hot-95', 'hot-99']).status).toBe('emerging');
    expect(hotspotStatus(['cold-99', 'cold-95', 'hot-99'], { side: 'cold' }).status).toBe('intermittent');
  });

  it('reports the evidence behind the status', () => {
    expect(hotspotStatus(s('H..HH.'))).toEqual({ status: 'intermittent', periods: 6, hotPeriods: 3, hotShare: 0.5, currentRun: 0, periodsSinceHot: 1 });
  });

  it('thresholds are options', () => {
    expect(hotspotStatus(s('.HHH'), { persistentShare: 0.7 }).status).toBe('persistent');
    expect(hotspotStatus(s('HH....'), { recentPeriods: 5 }).status).toBe('intermittent');
  });

  it('refuses an empty series or a value that is not a class', () => {
    expect(() => hotspotStatus([])).toThrow(/at least one period/);
    expect(() => hotspotStatus(['warm' as 'hot-95'])).toThrow(/not a Gi\* class/);
  });

  it('property: exactly one status; none iff never hot; persistent/emerging only when hot now', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }), (flags) => {
        const h = hotspotStatus(flags);
        expect(HOTSPOT_STATUSES).toContain(h.status);
        expect(h.status === 'none').toBe(!flags.includes(true));
        if (h.status === 'persistent' || h.status === 'emerging') expect(flags.at(-1)).toBe(true);
        if (h.status === 'former') expect(flags.slice(-3).includes(true)).toBe(false);
        expect(h.hotPeriods).toBe(flags.filter(Boolean).length);
      }),
    );
  });
});

describe('hotspotStatusByCell', () => {
  const period = (classes: Record<string, GiClass>): GiStarResult => ({
    cells: Object.entries(classes).map(([id, c]) => ({ id, value: 0, neighbourhood: 1, z: 0, pValue: 1, qValue: 1, class: c })),
    n: Object.keys(classes).length,
    mean: 0,
    s: 0,
    correction: 'fdr',
  });

  it('gives every cell ever hot its status; a cell missing from a period was not hot then', () => {
    const periods = [
      period({ a: 'hot-99', b: 'not-significant', c: 'hot-95', d: 'cold-99' }),
      period({ a: 'hot-99', b: 'not-significant', c: 'not-significant' }),
      period({ a: 'hot-95', b: 'hot-95', c: 'not-significant', d: 'cold-95' }),
      period({ a: 'hot-99', b: 'hot-99', c: 'not-significant', d: 'not-significant' }),
      period({ a: 'hot-99', b: 'hot-99', c: 'not-significant', d: 'not-significant' }),
    ];
    expect(hotspotStatusByCell(periods).map((s) => [s.id, s.status])).toEqual([
      ['b', 'emerging'],
      ['a', 'persistent'],
      ['c', 'former'],
    ]);
    expect(hotspotStatusByCell(periods, { side: 'cold' }).map((s) => [s.id, s.status])).toEqual([['d', 'intermittent']]);
  });
});
