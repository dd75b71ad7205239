import { HubError } from '@csp-hub/taxonomy';

/**
 * Input checks shared by the methods. Every bad value is refused with
 * `HubError('invalid_input', reason, message)` naming the argument, never
 * coerced: a statistic computed on a silently "fixed" count would be wrong.
 */

/** A count: a finite, non-negative whole number. */
export function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw HubError.invalidInput('INVALID_COUNT', `${name} must be a non-negative whole number, got ${String(value)}`);
  }
  return value;
}

/** A measured value (e.g. a target's actual): finite, non-negative. */
export function checkNonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw HubError.invalidInput('INVALID_VALUE', `${name} must be a finite number of at least 0, got ${String(value)}`);
  }
  return value;
}

/** A length or weight that must be strictly positive (period days, grid size). */
export function checkPositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw HubError.invalidInput('INVALID_VALUE', `${name} must be a finite number greater than 0, got ${String(value)}`);
  }
  return value;
}

/** A probability threshold strictly between 0 and 1 (alpha, false discovery rate). */
export function checkProbability(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw HubError.invalidInput('INVALID_PROBABILITY', `${name} must be between 0 and 1 (exclusive), got ${String(value)}`);
  }
  return value;
}

/** A whole number of at least `min` (top-N, periods, H3 resolution...). */
export function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw HubError.invalidInput('INVALID_VALUE', `${name} must be a whole number ${range}, got ${String(value)}`);
  }
  return value;
}

/** A non-empty key (location, cell, victim). */
export function checkKey(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw HubError.invalidInput('INVALID_KEY', `${name} must be a non-empty string`);
  }
  return value;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date as 'YYYY-MM-DD' (UTC) -> whole days since 1970-01-01.
 * Dates are days, not instants: targets and milestones are set on dates.
 */
export function dayNumber(name: string, value: string): number {
  const m = ISO_DATE.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw HubError.invalidInput('INVALID_DATE', `${name} must be a calendar date as YYYY-MM-DD, got "${String(value)}"`);
  }
  return ms / MS_PER_DAY;
}

/** Whole days since 1970-01-01 -> 'YYYY-MM-DD'. */
export function dateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * An instant (Date, epoch milliseconds or an ISO 8601 string such as
 * '2024-01-15' or '2024-01-15T10:30:00Z') -> epoch milliseconds.
 */
export function instant(name: string, value: Date | number | string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw HubError.invalidInput('INVALID_DATE', `${name} must be a date or time, got "${String(value)}"`);
  }
  return ms;
}

export const DAY_MS = MS_PER_DAY;

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
