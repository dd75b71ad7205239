/**
 * Value parsers shared by adapters. Each returns the parsed value or an error
 * message naming what was expected; adapters turn messages into row rejects.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** `YYYY-MM` (data.police.uk Month) -> `YYYY-MM`. */
export function parseMonth(value: string): Parsed<string> {
  const m = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!m) return fail(`"${value}" is not a month in the form YYYY-MM`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return fail(`"${value}" has no month ${m[2]}`);
  if (year < 1990 || year > 2100) return fail(`"${value}" is outside the years 1990-2100`);
  return ok(`${m[1]}-${m[2]}`);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1990 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function validTime(h: number, mi: number, s: number): boolean {
  return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

/**
 * Europe/London wall-clock time -> ISO instant. Uses the offset London had at
 * that moment (GMT or BST), so 01:30 on a summer day is 00:30Z.
 */
export function londonToIso(year: number, month: number, day: number, h = 0, mi = 0, s = 0): string {
  const guess = Date.UTC(year, month - 1, day, h, mi, s);
  const offset = londonOffsetMinutes(new Date(guess));
  const instant = new Date(guess - offset * 60_000);
  // Correct around the change-over hour.
  const offset2 = londonOffsetMinutes(instant);
  return new Date(guess - offset2 * 60_000).toISOString();
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** London's offset from UTC by hour (it changes only on the hour, at 01:00 UTC): files cluster in time, so this is nearly always a hit. */
const offsetByHour = new Map<number, number>();

function londonOffsetMinutes(instant: Date): number {
  const hour = Math.floor(instant.getTime() / 3_600_000);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const parts = Object.fromEntries(londonParts.formatToParts(new Date(hour * 3_600_000)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = Math.round((asUtc - hour * 3_600_000) / 60_000);
  if (offsetByHour.size > 200_000) offsetByHour.clear();
  offsetByHour.set(hour, offset);
  return offset;
}

/**
 * UK day-first date with optional time: `dd/mm/yyyy`, `dd/mm/yyyy hh:mm[:ss]`,
 * `dd/mm/yyyy hh:mm:ss AM|PM`. Local (London) time -> ISO instant.
 */
export function parseUkDateTime(value: string): Parsed<string> {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM|am|pm)?)?$/.exec(value.trim());
  if (!m) return fail(`"${value}" is not a UK date (dd/mm/yyyy, optionally with a time)`);
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const meridiem = m[7]?.toUpperCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return fail(`"${value}" has hour ${hour} with ${meridiem}`);
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  if (!validDate(year, month, day)) return fail(`"${value}" is not a real date (day/month/year)`);
  if (!validTime(hour, minute, second)) return fail(`"${value}" is not a real time`);
  return ok(londonToIso(year, month, day, hour, minute, second));
}

/** ISO 8601 date-time with an offset or Z (`2024-01-01T00:40:00+00:00`) or local `YYYY-MM-DD[ HH:MM[:SS]]` (London). */
export function parseIsoDateTime(value: string): Parsed<string> {
  const v = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  if (!m) return fail(`"${value}" is not an ISO 8601 date or date-time`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (!validDate(year, month, day)) return fail(`"${value}" is not a real date`);
  if (!validTime(h, mi, s)) return fail(`"${value}" is not a real time`);
  const zone = m[7];
  if (!zone) return ok(londonToIso(year, month, day, h, mi, s));
  if (zone === 'Z' || zone === 'UTC') return ok(new Date(Date.UTC(year, month - 1, day, h, mi, s)).toISOString());
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offset = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3]));
  return ok(new Date(Date.UTC(year, month - 1, day, h, mi, s) - offset * 60_000).toISOString());
}

/** `YYYY-MM` of an ISO instant, in London time. */
export function londonMonthOf(iso: string): string {
  const instant = new Date(iso);
  const local = new Date(instant.getTime() + londonOffsetMinutes(instant) * 60_000);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of an ISO instant, in London time. */
export function londonDateOf(iso: string): string {
  const instant = new Date(iso);
  const local = new Date(instant.getTime() + londonOffsetMinutes(instant) * 60_000);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}-${String(local.getUTCDate()).padStart(2, '0')}`;
}

/** UK extent (Great Britain, Northern Ireland, islands), WGS84. */
export const UK_BOUNDS = { minLat: 49.8, maxLat: 61.0, minLon: -8.7, maxLon: 2.0 };

/**
 * A WGS84 latitude/longitude pair. Both empty -> null (unlocated). One empty,
 * not a number, outside -90..90/-180..180, or outside the UK -> error.
 */
export function parseLatLon(latText: string, lonText: string): Parsed<{ latitude: number; longitude: number } | null> {
  const lat = latText.trim();
  const lon = lonText.trim();
  if (lat === '' && lon === '') return ok(null);
  if (lat === '' || lon === '') return fail('only one of latitude and longitude is given');
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (!Number.isFinite(latitude) || !/^[-+]?\d+(\.\d+)?$/.test(lat)) return fail(`latitude "${latText}" is not a number`);
  if (!Number.isFinite(longitude) || !/^[-+]?\d+(\.\d+)?$/.test(lon)) return fail(`longitude "${lonText}" is not a number`);
  if (latitude < -90 || latitude > 90) return fail(`latitude ${latitude} is out of range (-90 to 90)`);
  if (longitude < -180 || longitude > 180) return fail(`longitude ${longitude} is out of range (-180 to 180)`);
  if (latitude < UK_BOUNDS.minLat || latitude > UK_BOUNDS.maxLat || longitude < UK_BOUNDS.minLon || longitude > UK_BOUNDS.maxLon) {
    return fail(`${latitude}, ${longitude} is outside the UK`);
  }
  return ok({ latitude, longitude });
}

/** Trimmed text with runs of white space folded; empty -> null. */
export function cleanText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const t = value.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t;
}

/** LSOA/ward/LAD style ONS code (E01..., W01..., E05...). */
export function isOnsCode(value: string): boolean {
  return /^[EWSN]\d{8}$/.test(value);
}
