import { londonMonthOf, londonToIso, parseIsoDateTime, parseUkDateTime, type Parsed } from '@csp-hub/adapter-kit';

/** A call time: the ISO instant (null when the source gives only a date) and the London month. */
export interface CallTime {
  occurredAt: string | null;
  occurredMonth: string;
  /** `YYYY-MM-DD` when the source gives a date without a time (occurredAt is then null). */
  occurredOn?: string;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "July", "Jul", "jul", "Sept" -> 7 / 9; undefined when not an English month name. */
export function monthNumber(word: string): number | undefined {
  const w = word.trim().toLowerCase();
  const full = MONTH_NAMES.indexOf(w);
  if (full >= 0) return full + 1;
  const short = MONTHS.indexOf(w === 'sept' ? 'sep' : w);
  return short >= 0 ? short + 1 : undefined;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Same year range as adapter-kit's parsers (1990-2100); the day must exist in the month. */
export function checkDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1990 || year > 2100) return `year ${year} is outside 1990-2100`;
  if (!Number.isInteger(month) || month < 1 || month > 12) return `there is no month ${month}`;
  if (!Number.isInteger(day) || day < 1 || day > daysIn(year, month)) return `${year}-${String(month).padStart(2, '0')} has no day ${day}`;
  return null;
}

/** `HH:MM` or `HH:MM:SS` (24-hour). */
export function parseTime(text: string): Parsed<{ hour: number; minute: number; second: number }> {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return { ok: false, message: `"${text}" is not a time (HH:MM:SS)` };
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, message: `"${text}" is not a real time` };
  return { ok: true, value: { hour, minute, second } };
}

function dateParts(t: string): [number, number | undefined, number] | undefined {
  let m = /^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$/.exec(t);
  if (m) return [Number(m[3]), monthNumber(m[2]!), Number(m[1])];
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return [Number(m[3]), Number(m[2]), Number(m[1])];
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

/** `01 Jan 2009` / `1 January 2009`, `01/01/2009` or `2009-01-01`. */
export function parseDateText(text: string): Parsed<LocalDate> {
  const parts = dateParts(text.trim());
  if (!parts) return { ok: false, message: `"${text}" is not a date (e.g. 01 Jan 2009, 01/01/2009 or 2009-01-01)` };
  const [year, month, day] = parts;
  if (month === undefined) return { ok: false, message: `"${text}" does not name a month` };
  const problem = checkDate(year, month, day);
  if (problem) return { ok: false, message: `"${text}" is not a real date: ${problem}` };
  return { ok: true, value: { year, month, day } };
}

/** A London wall-clock date and time -> the instant and its month. */
export function londonCallTime(date: LocalDate, time: { hour: number; minute: number; second: number }): CallTime {
  const iso = londonToIso(date.year, date.month, date.day, time.hour, time.minute, time.second);
  return { occurredAt: iso, occurredMonth: `${date.year}-${String(date.month).padStart(2, '0')}` };
}

/**
 * One date-time column: ISO 8601 (`2024-03-01T14:05:00`, London time unless it
 * has an offset or Z), UK `dd/mm/yyyy HH:MM[:SS]`, or `dd Mon yyyy HH:MM[:SS]`.
 * A date without a time is accepted with `occurredAt` null (no invented midnight).
 */
export function parseCallDateTime(text: string): Parsed<CallTime> {
  const t = text.trim();
  const dateOnly = parseDateText(t);
  if (dateOnly.ok) {
    const { year, month, day } = dateOnly.value;
    const occurredMonth = `${year}-${String(month).padStart(2, '0')}`;
    return { ok: true, value: { occurredAt: null, occurredMonth, occurredOn: `${occurredMonth}-${String(day).padStart(2, '0')}` } };
  }
  const worded = /^(\d{1,2}[ -][A-Za-z]+[ -]\d{4})[ T](\S+)$/.exec(t);
  if (worded) {
    const date = parseDateText(worded[1]!);
    if (!date.ok) return date;
    const time = parseTime(worded[2]!);
    if (!time.ok) return time;
    return { ok: true, value: londonCallTime(date.value, time.value) };
  }
  const parsed = /^\d{4}-/.test(t) ? parseIsoDateTime(t) : parseUkDateTime(t);
  if (!parsed.ok) {
    return { ok: false, message: `"${text}" is not a call date and time (e.g. 2024-03-01T14:05:00, 01/03/2024 14:05 or 01 Mar 2024 14:05)` };
  }
  return { ok: true, value: { occurredAt: parsed.value, occurredMonth: londonMonthOf(parsed.value) } };
}
