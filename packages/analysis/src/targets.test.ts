import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedOn, placeSubsetAtBaseline, type TargetDefinition, targetProgress, targetValueOf } from './targets';

/** The example: criminal damage, baseline 549 in 2023/24, −10% over three years. */
const criminalDamage: TargetDefinition = {
  kind: 'count',
  baselineValue: 549,
  baselinePeriod: '2023/24',
  changePct: 10,
  direction: 'down',
  startDate: '2024-04-01',
  targetDate: '2027-04-01',
};

describe('targets: the criminal damage example of docs/analysis.md', () => {
  it('target 494.1; yearly milestones 530.7, 512.4, 494.1 on the straight line', () => {
    expect(targetValueOf(criminalDamage)).toBeCloseTo(494.1, 10);
    const p = targetProgress(criminalDamage, [], '2025-10-15');
    expect(p.requiredChange).toBeCloseTo(-54.9, 10);
    expect(p.milestones.map((m) => m.date)).toEqual(['2025-04-01', '2026-04-01', '2027-04-01']);
    expect(p.milestones.map((m) => Number(m.expected.toFixed(6)))).toEqual([530.7, 512.4, 494.1]);
    expect(p).toMatchObject({ actual: null, rag: null, status: 'no data', shareAchieved: null });
  });

  it('a lagging actual is compared with the trajectory at its own date: 531 at 2025-09-30 is near (amber)', () => {
    const p = targetProgress(criminalDamage, [{ date: '2025-03-31', value: 528 }, { date: '2025-09-30', value: 531 }], '2025-10-15');
    // 2025-09-30 is day 547 of 1095: 549 − 54.9 · 547/1095.
    expect(p.expected).toBeCloseTo(549 - (54.9 * 547) / 1095, 10);
    expect(p.gap).toBeCloseTo(531 - (549 - (54.9 * 547) / 1095), 10);
    expect(p.tolerance).toBeCloseTo(0.05 * (549 - (54.9 * 547) / 1095), 10);
    expect(p).toMatchObject({ actual: { date: '2025-09-30', value: 531 }, rag: 'amber', status: 'near' });
    expect(p.shareAchieved).toBeCloseTo(18 / 54.9, 10);
    expect(p.milestones.map((m) => m.actual)).toEqual([528, null, null]); // later milestones are still ahead
    expect(p.expectedAtAsOf).toBeCloseTo(549 - (54.9 * 562) / 1095, 10);
  });

  it('green on or better than the line, red beyond the tolerance; share achieved can be negative or above 1', () => {
    expect(targetProgress(criminalDamage, [{ date: '2025-09-30', value: 515 }], '2025-10-15')).toMatchObject({ rag: 'green', status: 'on target' });
    const red = targetProgress(criminalDamage, [{ date: '2025-09-30', value: 560 }], '2025-10-15');
    expect(red).toMatchObject({ rag: 'red', status: 'not on target' });
    expect(red.shareAchieved).toBeCloseTo(-11 / 54.9, 10);
    const beaten = targetProgress(criminalDamage, [{ date: '2027-03-31', value: 480 }], '2027-04-30');
    expect(beaten.shareAchieved).toBeCloseTo(69 / 54.9, 10);
    expect(beaten.rag).toBe('green');
  });

  it('a Poisson band widens amber to z·√expected for count targets', () => {
    const p = targetProgress(criminalDamage, [{ date: '2025-09-30', value: 560 }], '2025-10-15', { poissonZ: 1.96 });
    expect(p.tolerance).toBeCloseTo(1.96 * Math.sqrt(549 - (54.9 * 547) / 1095), 10);
    expect(p.rag).toBe('amber');
  });

  it('quarterly milestones: twelve over three years', () => {
    const p = targetProgress({ ...criminalDamage, milestones: 'quarter' }, [], '2024-05-01');
    expect(p.milestones).toHaveLength(12);
    expect(p.milestones[0]!.date).toBe('2024-07-01');
    expect(p.milestones.at(-1)!.date).toBe('2027-04-01');
  });
});

describe('targets: other kinds', () => {
  it('"up is good": referrals +20% over two years', () => {
    const referrals: TargetDefinition = { kind: 'count', baselineValue: 100, baselinePeriod: '2024', changePct: 20, direction: 'up', startDate: '2025-01-01', targetDate: '2027-01-01' };
    expect(targetValueOf(referrals)).toBe(120);
    const behind = targetProgress(referrals, [{ date: '2026-01-01', value: 104 }], '2026-01-01');
    expect(behind.expected).toBeCloseTo(100 + (20 * 365) / 730, 10);
    // Expected 110; the amber band is 5% of it = 5.5. Below the line is worse when up is good.
    expect(behind).toMatchObject({ rag: 'red' }); // 6 short
    expect(targetProgress(referrals, [{ date: '2026-01-01', value: 106 }], '2026-01-01').rag).toBe('amber'); // 4 short
    expect(targetProgress(referrals, [{ date: '2026-01-01', value: 111 }], '2026-01-01').rag).toBe('green');
  });

  it('place subset fixed at the baseline: the top five locations then', () => {
    const baseline = [
      { key: 'A', count: 40 },
      { key: 'B', count: 30 },
      { key: 'C', count: 20 },
      { key: 'D', count: 20 },
      { key: 'E', count: 10 },
      { key: 'F', count: 9 },
    ];
    const fixed = placeSubsetAtBaseline(baseline, 5);
    expect(fixed).toEqual({ places: ['A', 'B', 'C', 'D', 'E'], baselineValue: 120 });
    const target: TargetDefinition = { kind: 'place-subset', places: fixed.places, baselineValue: fixed.baselineValue, baselinePeriod: '2024', changePct: 25, direction: 'down', startDate: '2025-01-01', targetDate: '2026-01-01' };
    expect(targetProgress(target, [{ date: '2026-01-01', value: 90 }], '2026-01-01')).toMatchObject({ targetValue: 90, rag: 'green', shareAchieved: 1 });
  });

  it('refuses incoherent targets with the reason', () => {
    expect(() => targetProgress({ ...criminalDamage, kind: 'place-subset' }, [], '2025-01-01')).toThrow(/needs the places fixed at the baseline/);
    expect(() => targetProgress({ ...criminalDamage, places: ['A'] }, [], '2025-01-01')).toThrow(/places belong only to place-subset/);
    expect(() => targetProgress({ ...criminalDamage, targetDate: '2024-01-01' }, [], '2025-01-01')).toThrow(/must be after startDate/);
    expect(() => targetProgress({ ...criminalDamage, changePct: 120 }, [], '2025-01-01')).toThrow(/cannot exceed 100%/);
    expect(() => targetProgress({ ...criminalDamage, startDate: '2024-02-30' }, [], '2025-01-01')).toThrow(/startDate must be a calendar date/);
    expect(() => targetProgress(criminalDamage, [{ date: '2025-01-01', value: 1 }, { date: '2025-01-01', value: 2 }], '2025-06-01')).toThrow(/two actual values are dated 2025-01-01/);
    expect(() => targetProgress(criminalDamage, [{ date: '2025-01-01', value: -1 }], '2025-06-01')).toThrow(/actualSeries\[0\].value/);
  });

  it('property: the line runs from baseline to target; on the line is green with the matching share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom<'down' | 'up'>('down', 'up'),
        fc.integer({ min: 0, max: 1095 }),
        (baselineValue, changePct, direction, offset) => {
          const t: TargetDefinition = { ...criminalDamage, baselineValue, changePct, direction };
          expect(expectedOn(t, '2020-01-01')).toBe(baselineValue);
          expect(expectedOn(t, '2030-01-01')).toBeCloseTo(targetValueOf(t), 9);
          const date = new Date(Date.UTC(2024, 3, 1 + offset)).toISOString().slice(0, 10);
          const onLine = expectedOn(t, date);
          const p = targetProgress(t, [{ date, value: onLine }], date);
          expect(p.rag).toBe('green');
          expect(p.shareAchieved!).toBeCloseTo(offset / 1095, 9);
        },
      ),
    );
  });
});
