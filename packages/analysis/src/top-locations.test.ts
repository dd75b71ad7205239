import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLocations } from './top-locations';

describe('topLocations', () => {
  const counts = [
    { key: 'On or near High Street|E01025672', count: 12 },
    { key: 'On or near Market Place|E01025673', count: 8 },
    { key: 'On or near Supermarket|E01025670', count: 8 },
    { key: 'On or near Park|E01025671', count: 2 },
    { key: 'On or near Nowhere|E01025676', count: 0 },
  ];

  it('ranks by count, breaks ties by key, and gives shares of every location', () => {
    const top = topLocations(counts, 3);
    expect(top.total).toBe(30);
    expect(top.locationCount).toBe(4);
    expect(top.tiedBeyondCut).toBe(0);
    expect(top.locations).toEqual([
      { key: 'On or near High Street|E01025672', count: 12, rank: 1, share: 0.4, cumulativeShare: 0.4 },
      { key: 'On or near Market Place|E01025673', count: 8, rank: 2, share: 8 / 30, cumulativeShare: 20 / 30 },
      { key: 'On or near Supermarket|E01025670', count: 8, rank: 2, share: 8 / 30, cumulativeShare: 28 / 30 },
    ]);
  });

  it('says how many locations tie with the last one kept', () => {
    const top = topLocations(counts, 2);
    expect(top.locations.map((l) => l.key)).toEqual(['On or near High Street|E01025672', 'On or near Market Place|E01025673']);
    expect(top.tiedBeyondCut).toBe(1);
  });

  it('no incidents: no locations', () => {
    expect(topLocations([{ key: 'a', count: 0 }], 5)).toEqual({ locations: [], total: 0, locationCount: 0, tiedBeyondCut: 0 });
  });

  it('refuses a location given twice, a bad count or a bad n', () => {
    expect(() => topLocations([{ key: 'a', count: 1 }, { key: 'a', count: 2 }], 5)).toThrow(/location a is given more than once/);
    expect(() => topLocations([{ key: 'a', count: -2 }], 5)).toThrow(/count of a/);
    expect(() => topLocations([], 0)).toThrow(/n must be a whole number at least 1/);
  });

  it('property: shares of all locations sum to 1; cumulative share rises to it; order is deterministic', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), count: fc.nat(50) }), { selector: (c) => c.key, maxLength: 30 }), (list) => {
        const all = topLocations(list, Math.max(1, list.length));
        const total = list.reduce((s, c) => s + c.count, 0);
        if (total === 0) {
          expect(all.locations).toEqual([]);
          return;
        }
        expect(all.locations.reduce((s, l) => s + l.share, 0)).toBeCloseTo(1, 12);
        expect(all.locations.at(-1)!.cumulativeShare).toBeCloseTo(1, 12);
        all.locations.forEach((l, i) => {
          if (i === 0) return;
          const prev = all.locations[i - 1]!;
          expect(l.cumulativeShare).toBeGreaterThan(prev.cumulativeShare);
          expect(l.count < prev.count || (l.count === prev.count && l.key > prev.key)).toBe(true);
        });
        expect(topLocations([...list].reverse(), list.length).locations).toEqual(all.locations);
      }),
    );
  });
});
