import { londonDateOf, londonMonthOf, londonToIso, type Parsed } from '@csp-hub/adapter-kit';

/**
 * Date and time patterns for layouts, in the letters spreadsheets and Java use
 * (`dd/MM/yyyy HH:mm`, `d MMM yyyy`, `hh:mm:ss a`, `yyyy-MM-dd'T'HH:mm:ssXXX`),
 * with `[...]` for an optional part. A pattern compiles once to a regular
 * expression; values without an offset are Europe/London wall-clock time and
 * become instants with adapter-kit's `londonToIso`, as in every other adapter.
 *
 * Letters: yyyy (or yy: 00-49 -> 20xx, 50-99 -> 19xx), M/MM month number,
 * MMM/MMMM month name (Jan, Sept, January: either length is accepted), d/dd
 * day, H/HH 0-23, h/hh 1-12 with a (AM/PM), m/mm minutes, s/ss seconds,
 * S... fraction of a second, EEE/EEEE a weekday name (ignored), X/XXX/Z/z an
 * offset (Z, UTC, GMT, +01:00, +0100). One- and two-letter numbers both accept
 * one or two digits. Text in single quotes is literal; a lone T needs no quotes.
 *
 * Named formats: `iso` (ISO 8601 date or date-time, with T or a space, offset
 * optional) and `uk` (day-first dd/MM/yyyy with an optional 24-hour or AM/PM time).
 */

export const NAMED_FORMATS: Readonly<Record<string, { datetime: readonly string[]; date: readonly string[] }>> = {
  iso: { datetime: ["yyyy-MM-dd['T'HH:mm[:ss[.S]][X]]", 'yyyy-MM-dd[ HH:mm[:ss[.S]][ X]]'], date: ['yyyy-MM-dd'] },
  uk: { datetime: ['d/M/yyyy[ H:mm[:ss]]', "d/M/yyyy['T'H:mm[:ss]]", 'd/M/yyyy h:mm[:ss] a'], date: ['d/M/yyyy'] },
};

/** Council-style day-first and ISO dates, when a layout names no format. */
export const DEFAULT_DATE_FORMATS: readonly string[] = ['iso', 'uk'];

/** Default formats of each part of a split date, and of a month-only column. */
export const PART_FORMATS = {
  date: ['iso', 'uk'],
  time: ['H:mm[:ss]'],
  day: ['d'],
  month: ['MMMM', 'M'],
  year: ['yyyy'],
  monthOnly: ['yyyy-MM', 'M/yyyy', 'MMM yyyy'],
} as const;

/** What a pattern is used for: a whole date(-time), the date or the time of a pair of columns, or one part. */
export type PatternUse = 'datetime' | 'date' | 'time' | 'day' | 'month' | 'year' | 'month-of-year';

/** A value read by a pattern (fields it did not carry are undefined). */
export interface DateFields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Minutes east of UTC, when the value carries an offset. */
  offset?: number;
}

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'meridiem' | 'zone' | 'weekday';

interface Token {
  kind: 'field' | 'literal' | 'space' | 'open' | 'close';
  text: string;
  field?: Field;
  letters?: string;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "July", "Jul", "jul", "Sept" -> 7 / 9; undefined when not an English month name. */
export function monthNumber(word: string): number | undefined {
  const w = word.trim().toLowerCase();
  if (w.length < 3) return undefined;
  const full = MONTH_NAMES.indexOf(w);
  if (full >= 0) return full + 1;
  if (w === 'sept') return 9;
  const short = MONTH_NAMES.findIndex((m) => m.slice(0, 3) === w);
  return short >= 0 ? short + 1 : undefined;
}

const LETTER_FIELDS: Record<string, Field> = {
  y: 'year',
  M: 'month',
  d: 'day',
  H: 'hour',
  h: 'hour',
  m: 'minute',
  s: 'second',
  S: 'fraction',
  a: 'meridiem',
  X: 'zone',
  Z: 'zone',
  z: 'zone',
  E: 'weekday',
};

function tokenize(pattern: string, problems: string[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) {
        problems.push(`a quote opened at position ${i + 1} is not closed`);
        return tokens;
      }
      tokens.push({ kind: 'literal', text: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '[' || c === ']') {
      tokens.push({ kind: c === '[' ? 'open' : 'close', text: c });
      i += 1;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < pattern.length && /\s/.test(pattern[j]!)) j++;
      tokens.push({ kind: 'space', text: ' ' });
      i = j;
    } else if (/[A-Za-z]/.test(c)) {
      let end = i;
      while (end < pattern.length && /[A-Za-z]/.test(pattern[end]!)) end++;
      const word = pattern.slice(i, end);
      if ([...word].some((letter) => letter !== 'T' && !LETTER_FIELDS[letter])) {
        problems.push(`"${word}" is text, not date letters (put literal text in single quotes: '${word}')`);
        i = end;
        continue;
      }
      while (i < end) {
        let j = i;
        while (j < end && pattern[j] === pattern[i]) j++;
        const letters = pattern.slice(i, j);
        if (letters === 'T') tokens.push({ kind: 'literal', text: 'T' });
        else tokens.push({ kind: 'field', text: letters, field: LETTER_FIELDS[letters[0]!]!, letters });
        i = j;
      }
    } else {
      tokens.push({ kind: 'literal', text: c });
      i += 1;
    }
  }
  return tokens;
}

const NUMERIC: ReadonlySet<Field> = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);

function checkLetters(t: Token, problems: string[]): void {
  const n = t.letters!.length;
  const bad = (hint: string) => problems.push(`"${t.letters}" ${hint}`);
  switch (t.field) {
    case 'year':
      if (n !== 2 && n !== 4) bad('is not a year: use yyyy (or yy)');
      break;
    case 'month':
      if (n > 4) bad('is not a month: use M, MM, MMM or MMMM');
      break;
    case 'day':
    case 'hour':
    case 'minute':
    case 'second':
      if (n > 2) bad(`has too many letters: use ${t.letters![0]!.repeat(2)}`);
      break;
    case 'meridiem':
      if (n > 1) bad('is not AM/PM: use a single a');
      break;
    case 'weekday':
      if (n < 3) bad('is not a weekday name: use EEE or EEEE');
      break;
    default:
      break;
  }
}

/** The fields a use requires and those it forbids. */
const USES: Record<PatternUse, { need: Field[]; allow: Field[] }> = {
  datetime: { need: ['year', 'month', 'day'], allow: ['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction', 'meridiem', 'zone', 'weekday'] },
  date: { need: ['year', 'month', 'day'], allow: ['year', 'month', 'day', 'weekday'] },
  time: { need: ['hour'], allow: ['hour', 'minute', 'second', 'fraction', 'meridiem', 'zone'] },
  day: { need: ['day'], allow: ['day'] },
  month: { need: ['month'], allow: ['month'] },
  year: { need: ['year'], allow: ['year'] },
  'month-of-year': { need: ['year', 'month'], allow: ['year', 'month'] },
};

const FIELD_NAMES: Record<Field, string> = {
  year: 'a year (yyyy)',
  month: 'a month (MM, MMM or MMMM)',
  day: 'a day (dd)',
  hour: 'an hour (HH, or hh with a)',
  minute: 'minutes',
  second: 'seconds',
  fraction: 'a fraction of a second',
  meridiem: 'AM/PM',
  zone: 'an offset',
  weekday: 'a weekday',
};

function checkStructure(tokens: Token[], use: PatternUse, problems: string[]): void {
  const fields = tokens.filter((t) => t.kind === 'field');
  const has = (f: Field) => fields.some((t) => t.field === f);
  const seen = new Set<Field>();
  for (const t of fields) {
    if (seen.has(t.field!)) problems.push(`${FIELD_NAMES[t.field!]} appears twice`);
    seen.add(t.field!);
  }
  const { need, allow } = USES[use];
  const minutes = fields.find((t) => t.field === 'minute');
  for (const f of need) {
    if (has(f)) continue;
    if (f === 'month' && minutes) problems.push(`no month ("${minutes.letters}" is minutes; the month is "MM")`);
    else problems.push(`no ${FIELD_NAMES[f].replace(/^an? /, '')}`);
  }
  for (const t of fields) {
    if (!allow.includes(t.field!)) problems.push(`"${t.letters}" (${FIELD_NAMES[t.field!]}) does not belong in a ${use} format`);
  }
  const hour = fields.find((t) => t.field === 'hour');
  if (hour?.letters![0] === 'h' && !has('meridiem')) {
    problems.push(`"${hour.letters}" is a 12-hour clock hour and needs "a" for AM/PM (use "HH" for a 24-hour clock)`);
  }
  if (has('meridiem') && hour?.letters![0] !== 'h') problems.push('"a" (AM/PM) needs a 12-hour hour "hh"');
  if (minutes && !hour) problems.push(`minutes ("${minutes.letters}") without an hour`);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'open') depth++;
    if (t.kind === 'close' && --depth < 0) {
      problems.push('a "]" closes no "["');
      depth = 0;
    }
  }
  if (depth > 0) problems.push('a "[" is not closed');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function fieldRegex(t: Token, fixedWidth: boolean): string {
  const n = t.letters!.length;
  switch (t.field!) {
    case 'year':
      return n === 2 ? '(\\d{2})' : '(\\d{4})';
    case 'month':
      if (n >= 3) return '([A-Za-z]{3,9})';
      return fixedWidth ? '(\\d{2})' : '(\\d{1,2})';
    case 'day':
    case 'hour':
    case 'minute':
    case 'second':
      return fixedWidth ? '(\\d{2})' : '(\\d{1,2})';
    case 'fraction':
      return '(\\d+)';
    case 'meridiem':
      return '([AaPp]\\.?[Mm]\\.?)';
    case 'zone':
      return '(Z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?)';
    case 'weekday':
      return '([A-Za-z]{3,9})';
  }
}

/** A compiled pattern: its regular expression and the field of each capture group. */
interface CompiledPattern {
  source: string;
  regex: RegExp;
  groups: { field: Field; letters: string }[];
}

function compileTokens(source: string, tokens: Token[]): CompiledPattern {
  let re = '';
  const groups: { field: Field; letters: string }[] = [];
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    switch (t.kind) {
      case 'open':
        re += '(?:';
        break;
      case 'close':
        re += ')?';
        break;
      case 'space':
        re += next?.field === 'meridiem' || next?.field === 'zone' ? '\\s*' : '\\s+';
        break;
      case 'literal':
        re += escapeRegex(t.text);
        break;
      case 'field': {
        const adjacent = next?.kind === 'field' && NUMERIC.has(next.field!) && NUMERIC.has(t.field!);
        re += fieldRegex(t, adjacent && t.letters!.length === 2);
        groups.push({ field: t.field!, letters: t.letters! });
        break;
      }
    }
  });
  return { source, regex: new RegExp(`^${re}$`, 'i'), groups };
}

/** A checked, compiled list of formats for one use; `parse` tries each in turn. */
export interface DateFormats {
  formats: readonly string[];
  use: PatternUse;
  parse(value: string): Parsed<DateFields>;
}

export type CompileResult = { ok: true; value: DateFormats } | { ok: false; problems: { index: number; message: string }[] };

/**
 * Checks and compiles date formats for a use. Problems name the format and
 * what is wrong with it, e.g. `unknown date format "dd/mm/yy hh": no month
 * ("mm" is minutes; the month is "MM"); ...`.
 */
export function compileDateFormats(formats: readonly string[], use: PatternUse): CompileResult {
  const compiled: CompiledPattern[] = [];
  const problems: { index: number; message: string }[] = [];
  formats.forEach((format, index) => {
    const named = NAMED_FORMATS[format];
    if (named && (use === 'datetime' || use === 'date')) {
      for (const p of named[use]) compiled.push(compileTokens(format, tokenize(p, [])));
      return;
    }
    const found: string[] = [];
    const tokens = tokenize(format, found);
    if (found.length === 0) {
      tokens.forEach((t) => t.kind === 'field' && checkLetters(t, found));
      checkStructure(tokens, use, found);
    }
    if (format.trim() === '') found.splice(0, found.length, 'the format is empty');
    if (found.length > 0) problems.push({ index, message: `unknown date format "${format}": ${found.join('; ')}` });
    else compiled.push(compileTokens(format, tokens));
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { formats, use, parse: (value) => parseWith(compiled, formats, use, value) } };
}

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

type Checked = { ok: true; value: DateFields } | { ok: false; message: string };

function readFields(p: CompiledPattern, match: RegExpExecArray, value: string): Checked {
  const out: DateFields = {};
  let meridiem: string | undefined;
  for (let g = 0; g < p.groups.length; g++) {
    const raw = match[g + 1];
    if (raw === undefined) continue;
    const { field, letters } = p.groups[g]!;
    switch (field) {
      case 'year':
        out.year = letters.length === 2 ? (Number(raw) < 50 ? 2000 : 1900) + Number(raw) : Number(raw);
        break;
      case 'month':
        if (letters.length >= 3) {
          const m = monthNumber(raw);
          if (m === undefined) return { ok: false, message: `"${value}": "${raw}" is not a month name` };
          out.month = m;
        } else out.month = Number(raw);
        break;
      case 'day':
        out.day = Number(raw);
        break;
      case 'hour':
        out.hour = Number(raw);
        break;
      case 'minute':
        out.minute = Number(raw);
        break;
      case 'second':
        out.second = Number(raw);
        break;
      case 'meridiem':
        meridiem = raw.replace(/\./g, '').toUpperCase();
        break;
      case 'zone':
        out.offset = offsetMinutes(raw);
        break;
      case 'weekday':
        if (!/^(mon|tue|wed|thu|fri|sat|sun)/i.test(raw)) return { ok: false, message: `"${value}": "${raw}" is not a weekday` };
        break;
      case 'fraction':
        break;
    }
  }
  const twelveHour = p.groups.some((g) => g.field === 'hour' && g.letters[0] === 'h');
  if (out.hour !== undefined && twelveHour) {
    if (!meridiem) return { ok: false, message: `"${value}" has a 12-hour time without AM or PM` };
    if (out.hour < 1 || out.hour > 12) return { ok: false, message: `"${value}" has hour ${out.hour} with ${meridiem}` };
    out.hour = (out.hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  if (out.hour !== undefined) {
    out.minute ??= 0;
    out.second ??= 0;
    if (out.hour > 23 || out.minute > 59 || out.second > 59) return { ok: false, message: `"${value}" is not a real time` };
  }
  if (out.month !== undefined && (out.month < 1 || out.month > 12)) return { ok: false, message: `"${value}" has no month ${out.month}` };
  if (out.year !== undefined && (out.year < MIN_YEAR || out.year > MAX_YEAR)) {
    return { ok: false, message: `"${value}" is outside the years ${MIN_YEAR}-${MAX_YEAR}` };
  }
  if (out.day !== undefined && out.month !== undefined && out.year !== undefined && (out.day < 1 || out.day > daysIn(out.year, out.month))) {
    return { ok: false, message: `"${value}" is not a real date: ${out.year}-${pad(out.month)} has no day ${out.day}` };
  }
  if (out.day !== undefined && (out.day < 1 || out.day > 31)) return { ok: false, message: `"${value}" is not a day of the month` };
  return { ok: true, value: out };
}

function offsetMinutes(zone: string): number {
  const z = zone.toUpperCase();
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

function parseWith(compiled: CompiledPattern[], formats: readonly string[], use: PatternUse, value: string): Parsed<DateFields> {
  const v = value.trim();
  let invalid: string | undefined;
  for (const p of compiled) {
    const match = p.regex.exec(v);
    if (!match) continue;
    const checked = readFields(p, match, value);
    if (checked.ok) return checked;
    invalid ??= checked.message;
  }
  if (invalid) return { ok: false, message: invalid };
  const what = use === 'time' ? 'a time' : use === 'day' ? 'a day of the month' : use === 'month' ? 'a month' : use === 'year' ? 'a year' : 'a date';
  return { ok: false, message: `"${value}" is not ${what} in the expected format (${formats.join(' or ')})` };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A point in time read from a source: the instant, its London month and day, and whether it had a time of day. */
export interface When {
  /** ISO instant; London midnight when the source gave only a date. */
  instant: string;
  /** `YYYY-MM` in London time. */
  month: string;
  /** `YYYY-MM-DD` in London time. */
  date: string;
  hasTime: boolean;
}

/** Whole date fields (year, month, day, maybe a time and an offset) -> the instant, in London time unless an offset was given. */
export function whenOf(f: Required<Pick<DateFields, 'year' | 'month' | 'day'>> & DateFields): When {
  const hasTime = f.hour !== undefined;
  const [h, mi, s] = [f.hour ?? 0, f.minute ?? 0, f.second ?? 0];
  if (f.offset !== undefined) {
    const instant = new Date(Date.UTC(f.year, f.month - 1, f.day, h, mi, s) - f.offset * 60_000).toISOString();
    return { instant, month: londonMonthOf(instant), date: londonDateOf(instant), hasTime };
  }
  // Wall-clock London time: its month and day are the ones written.
  const instant = londonToIso(f.year, f.month, f.day, h, mi, s);
  return { instant, month: `${f.year}-${pad(f.month)}`, date: `${f.year}-${pad(f.month)}-${pad(f.day)}`, hasTime };
}
