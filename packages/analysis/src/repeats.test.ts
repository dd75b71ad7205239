import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubError } from '@csp-hub/taxonomy';
import { repeatLocations, repeatVictims } from './repeats';

describe('repeatLocations', () => {
  const events = [
    { key: '12 High Street', at: '2024-03-01' },
    { key: '12 High Street', at: '2024-03-04' },
    { key: '12 High Street', at: '2024-03-14' },
    { key: 'Market Place', at: '2024-03-10' },
    { key: 'Market Place', at: '2024-03-10T21:00:00Z' },
    { key: 'Park Road', at: '2024-03-20' },
    { key: 'Park Road', at: '2023-12-01' }, // before the window
  ];

  it('finds keys hit twice or more in the window, with the days between hits', () => {
    const r = repeatLocations(events, { windowDays: 28, end: '2024-03-28' });
    expect(r.window).toEqual({ start: '2024-02-29T00:00:00.000Z', end: '2024-03-28T00:00:00.000Z' });
    expect(r.repeats).toEqual([
      { key: '12 High Street', count: 3, first: '2024-03-01T00:00:00.000Z', last: '2024-03-14T00:00:00.000Z', gapsDays: [3, 10], medianGapDays: 6.5, minGapDays: 3 },
      { key: 'Market Place', count: 2, first: '2024-03-10T00:00:00.000Z', last: '2024-03-10T21:00:00.000Z', gapsDays: [0.875], medianGapDays: 0.875, minGapDays: 0.875 },
    ]);
    expect(r).toMatchObject({ events: 6, keys: 3, repeatEvents: 5, outsideWindow: 1 });
    expect(r.repeatShare).toBeCloseTo(5 / 6, 12);
  });

  it('the window ends at the latest event by default and excludes its start instant', () => {
    const r = repeatLocations(
      [
        { key: 'a', at: '2024-01-01' },
        { key: 'a', at: '2024-01-29' },
      ],
      { windowDays: 28 },
    );
    expect(r.repeats).toEqual([]);
    expect(r.outsideWindow).toBe(1);
    expect(repeatLocations([], { windowDays: 28 })).toMatchObject({ events: 0, repeatShare: null, window: null });
  });

  it('refuses bad keys, times and windows', () => {
    expect(() => repeatLocations([{ key: '', at: '2024-01-01' }], { windowDays: 28 })).toThrow(/events\[0\].key/);
    expect(() => repeatLocations([{ key: 'a', at: 'soon' }], { windowDays: 28 })).toThrow(/events\[0\].at must be a date/);
    expect(() => repeatLocations([], { windowDays: 0 })).toThrow(/windowDays/);
  });

  it('property: repeat events never exceed events; each repeat key has ≥ 2 events; share in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), at: fc.integer({ min: 0, max: 60 * 86_400_000 }) }), { maxLength: 40 }), (list) => {
        const r = repeatLocations(list, { windowDays: 30 });
        expect(r.repeatEvents).toBeLessThanOrEqual(r.events);
        expect(r.events + r.outsideWindow).toBe(list.length);
        for (const k of r.repeats) {
          expect(k.count).toBeGreaterThanOrEqual(2);
          expect(k.gapsDays).toHaveLength(k.count - 1);
          expect(k.minGapDays).toBeLessThanOrEqual(k.medianGapDays);
        }
        if (r.repeatShare !== null) expect(r.repeatShare).toBeGreaterThanOrEqual(0);
        if (r.repeatShare !== null) expect(r.repeatShare).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('repeatVictims', () => {
  const events = [
    { key: 'victim-7f3a', at: '2024-03-01' },
    { key: 'victim-7f3a', at: '2024-03-09' },
  ];

  it('works for a reader holding personal-tier data', () => {
    expect(repeatVictims(events, { windowDays: 28, readerTier: 'personal' }).repeats[0]).toMatchObject({ key: 'victim-7f3a', count: 2, gapsDays: [8] });
  });

  it('is refused below the personal tier', () => {
    for (const tier of ['public', 'aggregate', 'pseudonymised'] as const) {
      let error: unknown;
      try {
        repeatVictims(events, { windowDays: 28, readerTier: tier });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ kind: 'forbidden', reason: 'PERSONAL_TIER_REQUIRED' });
    }
  });
});
