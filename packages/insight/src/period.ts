import { HubError } from '@csp-hub/taxonomy';

/**
 * Analysis periods are whole calendar months (data.police.uk and most feeds
 * give the month; a month is also what a tasking cycle looks back over).
 */
export interface MonthPeriod {
  /** First month, YYYY-MM. */
  from: string;
  /** Last month, YYYY-MM (inclusive). */
  to: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The longest period an analysis compares: a year, so the current period never overlaps the same period last year. */
export const MAX_PERIOD_MONTHS = 12;

/** Months since year 0 (an integer index that orders months). */
export function monthIndex(month: string): number {
  const m = MONTH.exec(month);
  if (!m) throw HubError.invalidInput('INVALID_PERIOD', `"${month}" is not a month (YYYY-MM)`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

export function monthOf(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function shiftMonths(month: string, by: number): string {
  return monthOf(monthIndex(month) + by);
}

export function periodLength(p: MonthPeriod): number {
  return monthIndex(p.to) - monthIndex(p.from) + 1;
}

export function shiftPeriod(p: MonthPeriod, by: number): MonthPeriod {
  return { from: shiftMonths(p.from, by), to: shiftMonths(p.to, by) };
}

/** A period checked: both ends months, from ≤ to, at most MAX_PERIOD_MONTHS long. */
export function checkPeriod(p: MonthPeriod): MonthPeriod {
  if (!p || typeof p.from !== 'string' || typeof p.to !== 'string') throw HubError.invalidInput('INVALID_PERIOD', 'a period needs from and to months (YYYY-MM)');
  for (const m of [p.from, p.to]) {
    const year = Math.floor(monthIndex(m) / 12);
    if (year < 1900 || year > 2999) throw HubError.invalidInput('INVALID_PERIOD', `${m} is outside the years 1900 to 2999`);
  }
  const length = monthIndex(p.to) - monthIndex(p.from) + 1;
  if (length < 1) throw HubError.invalidInput('INVALID_PERIOD', `the period ends (${p.to}) before it starts (${p.from})`);
  if (length > MAX_PERIOD_MONTHS) {
    throw HubError.invalidInput('PERIOD_TOO_LONG', `the period ${p.from}..${p.to} is ${length} months; at most ${MAX_PERIOD_MONTHS}`);
  }
  return { from: p.from, to: p.to };
}

/** `2024-01..2024-03`, or one month `2024-03`. */
export function parsePeriod(text: string): MonthPeriod {
  const parts = text.trim().split('..');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw HubError.invalidInput('INVALID_PERIOD', `"${text}" is not a period: write <from>..<to> in months, e.g. 2024-01..2024-03`);
  }
  return checkPeriod({ from: parts[0]!, to: parts[1] ?? parts[0]! });
}

/** The first day of a month as a date literal (the month is checked first, so it is safe to inline). */
export function monthStartSql(month: string): string {
  monthIndex(month);
  return `date '${month}-01'`;
}

/** The last day of the period (UTC midnight, ISO date). */
export function periodEndDate(p: MonthPeriod): string {
  const next = monthOf(monthIndex(p.to) + 1);
  const d = new Date(`${next}-01T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Days in the period. */
export function periodDays(p: MonthPeriod): number {
  const start = Date.parse(`${p.from}-01T00:00:00Z`);
  const end = Date.parse(`${periodEndDate(p)}T00:00:00Z`);
  return Math.round((end - start) / 86_400_000) + 1;
}
