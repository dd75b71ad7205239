import { cleanText, isOnsCode, parseLatLon, type Parsed } from '@csp-hub/adapter-kit';

/**
 * Value readers the layout engine applies to a column's text. Each returns the
 * value or a message; the engine turns messages into row rejects naming the
 * column, with the reason code of the value type.
 */

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

/** Yes/No, Y/N, True/False, 1/0 in any case. */
export function parseBoolean(value: string): Parsed<boolean> {
  const t = value.trim().toLowerCase();
  if (YES.has(t)) return { ok: true, value: true };
  if (NO.has(t)) return { ok: true, value: false };
  return { ok: false, message: `"${value}" is not Yes or No` };
}

/** A whole number (`3`, `3.0`, `-2`), optionally within bounds. */
export function parseInteger(value: string, min?: number, max?: number): Parsed<number> {
  const t = value.trim();
  if (!/^[-+]?\d+(\.0+)?$/.test(t)) return { ok: false, message: `"${value}" is not a whole number` };
  return bounded(Number(t), value, min, max);
}

/** A decimal number (`3`, `-2.5`, `1,234.5`), optionally within bounds. */
export function parseNumber(value: string, min?: number, max?: number): Parsed<number> {
  const t = value.trim().replace(/,(?=\d{3}(\D|$))/g, '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return { ok: false, message: `"${value}" is not a number` };
  return bounded(Number(t), value, min, max);
}

function bounded(n: number, value: string, min?: number, max?: number): Parsed<number> {
  if (min !== undefined && n < min) return { ok: false, message: `"${value}" is below ${min}` };
  if (max !== undefined && n > max) return { ok: false, message: `"${value}" is above ${max}` };
  return { ok: true, value: n };
}

/** How choices and category labels are compared: lower case, white space folded, no spaces around "/". */
export function foldLabel(value: string): string {
  return value.toLowerCase().replace(/\s*\/\s*/g, '/').replace(/\s+/g, ' ').trim();
}

const POSTCODE_DISTRICT = /^[A-Z]{1,2}\d[A-Z\d]?$/;
const FULL_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?\d[A-Z]{2}$/;

/** A postcode district (outward code, `SW11`); a full postcode is cut to its district so it is never stored. */
export function parsePostcodeDistrict(value: string): Parsed<string> {
  const t = value.trim().toUpperCase().replace(/\s+/g, ' ');
  if (POSTCODE_DISTRICT.test(t)) return { ok: true, value: t };
  const full = FULL_POSTCODE.exec(t);
  if (full) return { ok: true, value: full[1]! };
  return { ok: false, message: `"${value}" is not a postcode district (the outward code, e.g. BS1 or SW11)` };
}

/** ONS code prefixes accepted per area kind (England and Wales, where s115 partnerships exist). */
const AREA_PREFIXES = { ward: ['E05', 'W05'], lsoa: ['E01', 'W01'] } as const;
const AREA_EXAMPLES = { ward: 'E05010880', lsoa: 'E01025667' } as const;

/** An ONS ward (E05/W05) or LSOA (E01/W01) code, upper-cased. */
export function parseAreaCode(value: string, kind: 'ward' | 'lsoa'): Parsed<string> {
  const code = value.trim().toUpperCase();
  const prefixes: readonly string[] = AREA_PREFIXES[kind];
  if (!isOnsCode(code) || !prefixes.includes(code.slice(0, 3))) {
    return {
      ok: false,
      message: `"${value}" is not an ONS ${kind === 'ward' ? 'ward' : 'LSOA'} code (${prefixes.join(' or ')} followed by six digits, e.g. ${AREA_EXAMPLES[kind]})`,
    };
  }
  return { ok: true, value: code };
}

/** `(51.37, -2.40)` as Socrata writes a point -> the pair of texts; anything else -> null. */
export function parsePointText(value: string): { latitude: string; longitude: string } | null {
  const m = /^\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)$/.exec(value.trim());
  return m ? { latitude: m[1]!, longitude: m[2]! } : null;
}

/** A WGS84 point written `(lat, lon)`. */
export function parsePoint(value: string): Parsed<{ latitude: number; longitude: number } | null> {
  const pair = parsePointText(value);
  if (!pair) return { ok: false, message: `"${value}" is not a point in the form (latitude, longitude)` };
  return parseLatLon(pair.latitude, pair.longitude);
}

const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/i;
const PREMISES_WORD = /\b(flat|apartment|apt|unit|house|room|no\.?)\s*\d+/i;
const HOUSE_NUMBER = /(^|[^\w/.:-])\d+[a-z]?(\s*[-–]\s*\d+[a-z]?)?,?\s+[a-z]/i;

/**
 * True when a location description looks like a premises address rather than
 * a street-level place: it holds a full postcode, a flat/unit/house number, or
 * a number followed by a word (`12 High Street`, `2-4 Mill Lane`). Errs on the
 * side of privacy: `Junction 5 of the M4` counts as an address too; road
 * numbers such as `A36` do not.
 */
export function looksLikeAddress(text: string): boolean {
  return POSTCODE.test(text) || PREMISES_WORD.test(text) || HOUSE_NUMBER.test(text);
}

export { cleanText };
