import { describe, expect, it } from 'vitest';
import { checkPeriod, parsePeriod, periodDays, periodEndDate, periodLength, shiftPeriod } from './period';

describe('analysis periods', () => {
  it('parses a range of months or one month', () => {
    expect(parsePeriod('2024-01..2024-03')).toEqual({ from: '2024-01', to: '2024-03' });
    expect(parsePeriod(' 2024-03 ')).toEqual({ from: '2024-03', to: '2024-03' });
  });

  it('shifts across years and measures lengths in months and days', () => {
    expect(shiftPeriod({ from: '2024-01', to: '2024-03' }, -3)).toEqual({ from: '2023-10', to: '2023-12' });
    expect(shiftPeriod({ from: '2024-11', to: '2025-02' }, -12)).toEqual({ from: '2023-11', to: '2024-02' });
    expect(periodLength({ from: '2023-11', to: '2024-02' })).toBe(4);
    expect(periodEndDate({ from: '2024-02', to: '2024-02' })).toBe('2024-02-29');
    expect(periodDays({ from: '2024-01', to: '2024-03' })).toBe(91);
    expect(periodDays({ from: '2023-12', to: '2023-12' })).toBe(31);
  });

  it.each([
    ['2024-13', 'INVALID_PERIOD', '"2024-13" is not a month (YYYY-MM)'],
    ['2024-03..2024-01', 'INVALID_PERIOD', 'the period ends (2024-01) before it starts (2024-03)'],
    ['2023-01..2024-01', 'PERIOD_TOO_LONG', 'the period 2023-01..2024-01 is 13 months; at most 12'],
    ['9999-12', 'INVALID_PERIOD', '9999-12 is outside the years 1900 to 2999'],
    ['2024-01..', 'INVALID_PERIOD', '"2024-01.." is not a period: write <from>..<to> in months, e.g. 2024-01..2024-03'],
    ['2024-01..2024-02..2024-03', 'INVALID_PERIOD', '"2024-01..2024-02..2024-03" is not a period: write <from>..<to> in months, e.g. 2024-01..2024-03'],
  ])('refuses %s with %s', (text, reason, message) => {
    expect(() => parsePeriod(text)).toThrow(expect.objectContaining({ kind: 'invalid_input', reason, message }));
  });

  it('refuses a period object without months', () => {
    expect(() => checkPeriod({ from: '2024-01' } as never)).toThrow(expect.objectContaining({ reason: 'INVALID_PERIOD' }));
  });
});
