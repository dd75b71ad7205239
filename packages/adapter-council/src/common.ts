import { cleanText, isOnsCode, londonMonthOf, parseIsoDateTime, parseLatLon, parseUkDateTime, type Parsed } from '@csp-hub/adapter-kit';
import { classify, FEEDS, type AttributeValue, type FeedId, type NormalisedIncident } from '@csp-hub/taxonomy';

/** A parsed council date: the instant (London local time) and whether the source gave a time of day. */
export interface When {
  /** ISO instant; midnight London time when the source gave a date only. */
  instant: string;
  /** `YYYY-MM` in London time. */
  month: string;
  /** `YYYY-MM-DD` in London time. */
  date: string;
  hasTime: boolean;
}

const ISO_START = /^\d{4}-\d{2}-\d{2}/;
const UK_START = /^\d{1,2}\/\d{1,2}\/\d{4}/;
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/;

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * A council date or date-time: ISO 8601 (`2024-03-31`, `2024-03-31 14:05`,
 * `2024-03-31T14:05:00Z`, `2010-07-04 19:00:35 UTC`) or UK day-first
 * (`31/03/2024`, `31/03/2024 14:05`, `31/03/2024 02:05:00 PM`). Times without
 * an offset are London local time.
 */
export function parseWhen(value: string): Parsed<When> {
  const v = value.trim();
  if (v === '') return { ok: false, message: 'the date is empty' };
  let parsed: Parsed<string>;
  if (ISO_START.test(v)) parsed = parseIsoDateTime(v);
  else if (UK_START.test(v)) parsed = parseUkDateTime(v);
  else {
    return {
      ok: false,
      message: `"${value}" is not a date: expected an ISO date or date-time (2024-03-31, 2024-03-31 14:05) or a UK day-first date (31/03/2024, 31/03/2024 02:05 PM)`,
    };
  }
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: { instant: parsed.value, month: londonMonthOf(parsed.value), date: londonDate.format(new Date(parsed.value)), hasTime: !DATE_ONLY.test(v) },
  };
}

/** An optional date-time field: empty -> null; otherwise the instant (or the date when no time is given). */
export function parseOptionalWhen(value: string): Parsed<string | null> {
  if (value.trim() === '') return { ok: true, value: null };
  const when = parseWhen(value);
  if (!when.ok) return when;
  return { ok: true, value: when.value.hasTime ? when.value.instant : when.value.date };
}

/** ONS code prefixes accepted per area kind (England and Wales, where s115 partnerships exist). */
const AREA_PREFIXES = { ward: ['E05', 'W05'], lsoa: ['E01', 'W01'] } as const;
const AREA_EXAMPLES = { ward: 'E05010880', lsoa: 'E01025667' } as const;

/** An ONS ward (E05/W05) or LSOA (E01/W01) code; empty -> null. */
export function parseAreaCode(value: string, kind: 'ward' | 'lsoa'): Parsed<string | null> {
  const code = value.trim().toUpperCase();
  if (code === '') return { ok: true, value: null };
  const prefixes: readonly string[] = AREA_PREFIXES[kind];
  if (!isOnsCode(code) || !prefixes.includes(code.slice(0, 3))) {
    return {
      ok: false,
      message: `"${value}" is not an ONS ${kind === 'ward' ? 'ward' : 'LSOA'} code (${prefixes.join(' or ')} followed by six digits, e.g. ${AREA_EXAMPLES[kind]})`,
    };
  }
  return { ok: true, value: code };
}

/** `(51.37, -2.40)` as Socrata writes a point -> the pair; anything else -> null. */
export function parsePointText(value: string): { latitude: string; longitude: string } | null {
  const m = /^\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)$/.exec(value.trim());
  return m ? { latitude: m[1]!, longitude: m[2]! } : null;
}

/** Latitude/longitude from separate columns, or from a `(lat, lon)` point when both columns are empty. */
export function parseCoordinates(
  latitude: string,
  longitude: string,
  point: string,
  latitudeColumn = 'Latitude',
): { ok: true; value: { latitude: number; longitude: number } | null } | { ok: false; column: string; value: string; message: string } {
  if (latitude.trim() === '' && longitude.trim() === '' && point.trim() !== '') {
    const pair = parsePointText(point);
    if (!pair) return { ok: false, column: 'Location', value: point, message: `"${point}" is not a point in the form (latitude, longitude)` };
    const fromPoint = parseLatLon(pair.latitude, pair.longitude);
    return fromPoint.ok ? fromPoint : { ok: false, column: 'Location', value: point, message: fromPoint.message };
  }
  const coords = parseLatLon(latitude, longitude);
  return coords.ok ? coords : { ok: false, column: latitudeColumn, value: `${latitude},${longitude}`, message: coords.message };
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

/**
 * Splits a free-text location description: street-level text may be shared
 * (locationText); premises-level text (see looksLikeAddress) stays with the
 * providing agency (restrictedText).
 */
export function splitLocationText(value: string | undefined): { shared: string | null; withheld: string | null } {
  const text = cleanText(value);
  if (text === null) return { shared: null, withheld: null };
  return looksLikeAddress(text) ? { shared: null, withheld: text } : { shared: text, withheld: null };
}

export interface CouncilIncidentFields {
  rowNumber: number;
  sourceRef: string;
  sourceCategory: string;
  when: When;
  locationText: string | null;
  lsoaCode: string | null;
  wardName: string | null;
  coordinates: { latitude: number; longitude: number } | null;
  outcome: string | null;
  attributes: Record<string, AttributeValue>;
  restrictedText: string | null;
}

/**
 * The incident for a council row: tier from the feed, priority from the source
 * category, month in London time; occurredAt only when the source gave a time
 * (a date-only value is kept as attributes.occurredOn, `YYYY-MM-DD`).
 */
export function councilIncident(feed: FeedId, f: CouncilIncidentFields): NormalisedIncident {
  return {
    kind: 'incident',
    rowNumber: f.rowNumber,
    sourceRef: f.sourceRef,
    sourceCategory: f.sourceCategory,
    category: classify('council', f.sourceCategory),
    occurredMonth: f.when.month,
    occurredAt: f.when.hasTime ? f.when.instant : null,
    locationText: f.locationText,
    lsoaCode: f.lsoaCode,
    lsoaName: null,
    wardName: f.wardName,
    latitude: f.coordinates?.latitude ?? null,
    longitude: f.coordinates?.longitude ?? null,
    outcome: f.outcome,
    tier: FEEDS[feed].tier,
    attributes: f.when.hasTime ? f.attributes : { ...f.attributes, occurredOn: f.when.date },
    restrictedText: f.restrictedText,
  };
}
