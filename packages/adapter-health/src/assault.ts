import { cleanText, londonMonthOf, londonToIso, parseIsoDateTime, parseUkDateTime, reject, type Parsed } from '@csp-hub/adapter-kit';
import { classify, HubError, type AdapterItem, type NormalisedIncident, type RowReject, type SubmissionHeader } from '@csp-hub/taxonomy';
import { LOCATION_TYPE_CODES, METHOD_CODES, type CodeList } from './codes';

/** Feed name for messages. */
export const LABEL = 'health ISTV (ISB/SCCI 1594) assault';

export type HeaderItem = 'reportingPeriodStart' | 'reportingPeriodEnd' | 'siteCode';
export type AssaultItem = 'arrival' | 'assaultAt' | 'method' | 'methodOther' | 'locationType' | 'locationDescription';

/** Data dictionary name of each item; the CSV column is this name, the XML element its UpperCamelCase form. */
export const HEADER_ITEMS: Readonly<Record<HeaderItem, { csv: string; xml: string }>> = {
  reportingPeriodStart: { csv: 'REPORTING PERIOD START DATE', xml: 'ReportingPeriodStartDate' },
  reportingPeriodEnd: { csv: 'REPORTING PERIOD END DATE', xml: 'ReportingPeriodEndDate' },
  siteCode: { csv: 'SITE CODE (OF TREATMENT)', xml: 'SiteCodeOfTreatment' },
};

export const ASSAULT_ITEMS: Readonly<Record<AssaultItem, { csv: string; xml: string }>> = {
  arrival: { csv: 'ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT', xml: 'ArrivalDateAndTimeAtAccidentAndEmergencyDepartment' },
  assaultAt: { csv: 'ASSAULT DATE AND TIME', xml: 'AssaultDateAndTime' },
  method: { csv: 'ASSAULT METHOD', xml: 'AssaultMethod' },
  methodOther: { csv: 'ASSAULT METHOD OTHER DESCRIPTION', xml: 'AssaultMethodOtherDescription' },
  locationType: { csv: 'ASSAULT LOCATION TYPE', xml: 'AssaultLocationType' },
  locationDescription: { csv: 'ASSAULT LOCATION DESCRIPTION', xml: 'AssaultLocationDescription' },
};

export type Layout = 'csv' | 'xml';

/** Longest value accepted for one data item (characters); longer values reject the assault. */
export const MAX_ITEM_CHARS = 10_000;

/** The submission header, validated. */
export interface Header {
  reportingPeriodStart: string;
  reportingPeriodEnd: string;
  siteCode: string;
  /** First instant of the start date and first instant after the end date, London time (ms). */
  fromMs: number;
  untilMs: number;
}

export type RawHeader = Record<HeaderItem, string | undefined>;

/** The header as reported through `context.onHeader`. */
export function submissionHeader(h: Header): SubmissionHeader {
  return { reportingPeriodStart: h.reportingPeriodStart, reportingPeriodEnd: h.reportingPeriodEnd, siteCode: h.siteCode };
}

export function sameHeader(a: Header, b: Header): boolean {
  return a.reportingPeriodStart === b.reportingPeriodStart && a.reportingPeriodEnd === b.reportingPeriodEnd && a.siteCode === b.siteCode;
}

interface DateParts {
  iso: string;
  year: number;
  month: number;
  day: number;
}

/** A calendar date, `YYYY-MM-DD` or `dd/mm/yyyy`. */
function parseDate(value: string): Parsed<DateParts> {
  const v = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (!iso && !uk) return { ok: false, message: `"${value}" is not a date (YYYY-MM-DD or dd/mm/yyyy)` };
  // Reuse the kit's parsers for the calendar checks (real day, years 1990-2100).
  const checked = iso ? parseIsoDateTime(v) : parseUkDateTime(v);
  if (!checked.ok) return checked;
  const [year, month, day] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [Number(uk![3]), Number(uk![2]), Number(uk![1])];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return { ok: true, value: { iso: `${year}-${pad(month)}-${pad(day)}`, year, month, day } };
}

/**
 * Validates the three header items; any problem refuses the whole file.
 * `where` says where the values came from (e.g. "row 1"), for messages.
 */
export function parseHeader(raw: RawHeader, layout: Layout, where: string): Header {
  const name = (item: HeaderItem): string => HEADER_ITEMS[item][layout];
  const missing = (Object.keys(HEADER_ITEMS) as HeaderItem[]).filter((item) => cleanText(raw[item]) === null);
  if (missing.length > 0) {
    throw HubError.invalidInput(
      'MISSING_HEADER',
      `The ${LABEL} submission header is incomplete (${where}): ${missing.map(name).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. ` +
        'Every submission needs a reporting period start date, end date and site code; nothing was stored.',
      { missing: missing.map(name) },
    );
  }
  const dates = (['reportingPeriodStart', 'reportingPeriodEnd'] as const).map((item) => {
    const parsed = parseDate(raw[item]!);
    if (!parsed.ok) {
      throw HubError.invalidInput('INVALID_HEADER', `${name(item)} (${where}): ${parsed.message}. Nothing was stored.`, {
        item: name(item),
        value: raw[item],
      });
    }
    return parsed.value;
  });
  const [start, end] = dates as [DateParts, DateParts];
  if (end.iso < start.iso) {
    throw HubError.invalidInput(
      'INVALID_PERIOD',
      `The reporting period ends (${end.iso}) before it starts (${start.iso}) (${where}). Nothing was stored.`,
      { start: start.iso, end: end.iso },
    );
  }
  const site = raw.siteCode!.trim();
  if (!/^[A-Za-z0-9]{3,12}$/.test(site)) {
    throw HubError.invalidInput(
      'INVALID_SITE_CODE',
      `${name('siteCode')} "${site}" (${where}) is not an ODS site code: 3 to 12 letters and digits. Nothing was stored.`,
      { value: site },
    );
  }
  return {
    reportingPeriodStart: start.iso,
    reportingPeriodEnd: end.iso,
    siteCode: site.toUpperCase(),
    fromMs: Date.parse(londonToIso(start.year, start.month, start.day)),
    untilMs: Date.parse(londonToIso(end.year, end.month, end.day + 1)),
  };
}

/**
 * A date with a time: ISO 8601 (`2024-03-02T23:15[:00][Z|+01:00]`, or a space
 * for the T) or UK day-first (`02/03/2024 23:15[:00]`, optionally AM/PM).
 * Without an offset the time is Europe/London local time. -> ISO instant.
 */
export function parseDateTime(value: string): Parsed<string> {
  const v = value.trim();
  const uk = v.includes('/');
  const hasTime = uk ? /^\d{1,2}\/\d{1,2}\/\d{4}[ T]\s*\d/.test(v) : /^\d{4}-\d{2}-\d{2}[T ]\d/.test(v);
  const parsed = uk ? parseUkDateTime(v) : parseIsoDateTime(v);
  if (!parsed.ok) return { ok: false, message: `${parsed.message}; expected a date and time such as 2024-03-02T23:15 or 02/03/2024 23:15` };
  if (!hasTime) return { ok: false, message: `"${value}" has a date but no time; a date and time is needed, such as 2024-03-02T23:15 or 02/03/2024 23:15` };
  return parsed;
}

/** One assault's items as read (undefined when absent). */
export type RawAssault = Partial<Record<AssaultItem, string>>;

function formatLondon(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'short', timeStyle: 'short' });
}

/** Free-text items: they stay with the health provider until reviewed (restricted text). */
const FREE_TEXT: ReadonlySet<AssaultItem> = new Set(['methodOther', 'locationDescription']);

/** How the "other" method description is labelled inside the restricted text. */
export const METHOD_OTHER_LABEL = 'Assault method, other';

/**
 * The restricted text of an assault: the location description as it came (the
 * first line, unlabelled, as stored since the first release), then the "other"
 * method description on a labelled line of its own.
 */
export function restrictedTextOf(raw: RawAssault): string | null {
  const location = cleanText(raw.locationDescription);
  const methodOther = cleanText(raw.methodOther);
  const lines = [location, methodOther === null ? null : `${METHOD_OTHER_LABEL}: ${methodOther}`].filter((l): l is string => l !== null);
  return lines.length > 0 ? lines.join('\n') : null;
}

/**
 * Validates one assault and normalises it. The location description and the
 * "other" method description are free text that must stay with the health
 * tier until reviewed: they go only into `restrictedText`, and never into the
 * attributes, a reject's value or a message.
 */
export function normaliseAssault(row: number, raw: RawAssault, header: Header, layout: Layout): AdapterItem {
  const name = (item: AssaultItem): string => ASSAULT_ITEMS[item][layout];

  for (const item of Object.keys(ASSAULT_ITEMS) as AssaultItem[]) {
    const value = raw[item];
    if (value !== undefined && value.length > MAX_ITEM_CHARS) {
      const restricted = FREE_TEXT.has(item);
      return reject(
        row,
        name(item),
        restricted ? null : value,
        'VALUE_TOO_LONG',
        `${name(item)} is longer than the ${MAX_ITEM_CHARS.toLocaleString('en-GB')} characters accepted` +
          (restricted ? ' (the text is withheld here: it is restricted)' : ''),
      );
    }
  }

  const assaultText = raw.assaultAt ?? '';
  if (cleanText(assaultText) === null) {
    return reject(row, name('assaultAt'), assaultText, 'INVALID_DATE', `${name('assaultAt')} is missing; it is mandatory`);
  }
  const assaultAt = parseDateTime(assaultText);
  if (!assaultAt.ok) return reject(row, name('assaultAt'), assaultText, 'INVALID_DATE', `${name('assaultAt')}: ${assaultAt.message}`);

  const method = coded(row, raw.method, METHOD_CODES, name('method'));
  if (method.kind === 'reject') return method;
  const locationType = coded(row, raw.locationType, LOCATION_TYPE_CODES, name('locationType'));
  if (locationType.kind === 'reject') return locationType;

  const assaultMs = Date.parse(assaultAt.value);
  const arrivalText = raw.arrival ?? '';
  let arrivalAt: string | null = null;
  if (cleanText(arrivalText) !== null) {
    const arrival = parseDateTime(arrivalText);
    if (!arrival.ok) return reject(row, name('arrival'), arrivalText, 'INVALID_DATE', `${name('arrival')}: ${arrival.message}`);
    const arrivalMs = Date.parse(arrival.value);
    if (arrivalMs < assaultMs) {
      return reject(
        row,
        name('arrival'),
        arrivalText,
        'INCONSISTENT_DATES',
        `Arrival at A&E (${formatLondon(arrivalMs)}) is before the assault (${formatLondon(assaultMs)}, ${name('assaultAt')} "${assaultText.trim()}")`,
      );
    }
    if (arrivalMs < header.fromMs || arrivalMs >= header.untilMs) {
      return reject(
        row,
        name('arrival'),
        arrivalText,
        'OUT_OF_PERIOD',
        `Arrival at A&E (${formatLondon(arrivalMs)}) is outside the reporting period ${header.reportingPeriodStart} to ${header.reportingPeriodEnd}`,
      );
    }
    arrivalAt = arrival.value;
  } else if (assaultMs >= header.untilMs) {
    // No arrival time: an assault after the period means the attendance was too.
    return reject(
      row,
      name('assaultAt'),
      assaultText,
      'OUT_OF_PERIOD',
      `The assault (${formatLondon(assaultMs)}) is after the reporting period ${header.reportingPeriodStart} to ${header.reportingPeriodEnd}, so the attendance cannot be in it`,
    );
  }

  const incident: NormalisedIncident = {
    kind: 'incident',
    rowNumber: row,
    sourceRef: null,
    sourceCategory: 'Assault',
    category: classify('health', 'Assault'),
    occurredMonth: londonMonthOf(assaultAt.value),
    occurredAt: assaultAt.value,
    locationText: null,
    lsoaCode: null,
    lsoaName: null,
    wardName: null,
    latitude: null,
    longitude: null,
    outcome: null,
    tier: 'pseudonymised',
    attributes: {
      siteCode: header.siteCode,
      reportingPeriodStart: header.reportingPeriodStart,
      reportingPeriodEnd: header.reportingPeriodEnd,
      arrivalAt,
      assaultMethod: method.value.label,
      assaultMethodCode: method.value.code,
      assaultLocationType: locationType.value.label,
      assaultLocationTypeCode: locationType.value.code,
    },
    restrictedText: restrictedTextOf(raw),
  };
  return incident;
}

type Coded = { kind: 'ok'; value: { code: string; label: string } } | RowReject;

function coded(row: number, value: string | undefined, list: CodeList, column: string): Coded {
  const text = value ?? '';
  if (cleanText(text) === null) return reject(row, column, text, 'MISSING_VALUE', `${column} is missing; it is mandatory. Allowed: ${list.summary}`);
  const found = list.find(text);
  if (!found) return reject(row, column, text, 'UNKNOWN_CATEGORY', `"${text.trim()}" is not an allowed ${column}. Allowed: ${list.summary}`);
  return { kind: 'ok', value: found };
}
