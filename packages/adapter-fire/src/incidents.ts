import {
  cleanText,
  isOnsCode,
  openCsv,
  parseLatLon,
  reject,
  type AdapterContext,
  type ByteSource,
  type FeedAdapter,
} from '@csp-hub/adapter-kit';
import { classify, type AdapterItem, type AttributeValue, type NormalisedIncident, type RowReject } from '@csp-hub/taxonomy';
import { checkDate, londonCallTime, monthNumber, parseCallDateTime, parseDateText, parseTime, type CallTime } from './dates';
import { parseGridPair } from './grid';
import { ALL_FIRE_COLUMNS, detectLayout, GENERIC_LAYOUT, type FireLayoutId } from './layouts';
import {
  ACCEPTED_STOP_CODES,
  afrsLabel,
  FIRE_STOP_CODES,
  INCIDENT_GROUPS,
  labelFromStopCode,
  otherOf,
  parseIncidentGroup,
  parseYesNo,
  type FireStopCode,
  type IncidentGroup,
} from './stop-codes';

const FEED_LABEL = 'fire and rescue incidents';

/** Side of the square LFB's Easting_rounded/Northing_rounded stand for: the centre of the 100 m square. */
export const LFB_ROUNDED_SQUARE_M = 100;

/** A row's value by column name; '' when the layout or file lacks the column. */
type Get = (column: string) => string;

interface Place {
  latitude: number | null;
  longitude: number | null;
  /** Side of the grid square the point stands for, in metres; null when unknown or unlocated. */
  precisionM: number | null;
}

const UNLOCATED: Place = { latitude: null, longitude: null, precisionM: null };

type Step<T> = { ok: true; value: T } | { ok: false; reject: RowReject };

/** Attributes without empty values. */
function attributes(entries: Record<string, AttributeValue | undefined>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === null || value === '') continue;
    out[key] = value;
  }
  return out;
}

function text(get: Get, column: string): string | undefined {
  return cleanText(get(column)) ?? undefined;
}

function flag(get: Get, column: string): boolean | undefined {
  return parseYesNo(get(column));
}

/** A non-negative whole number (`3`, `3.0`); '' -> undefined. */
function count(row: number, get: Get, column: string): Step<number | undefined> {
  const raw = get(column).trim();
  if (raw === '') return { ok: true, value: undefined };
  if (!/^\d+(\.0+)?$/.test(raw)) {
    return { ok: false, reject: reject(row, column, get(column), 'INVALID_NUMBER', `"${get(column)}" is not a whole number of people`) };
  }
  return { ok: true, value: Number(raw) };
}

/** Several counts; the first bad one rejects the row. */
function counts(row: number, get: Get, columns: Record<string, string>): Step<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const [key, column] of Object.entries(columns)) {
    const c = count(row, get, column);
    if (!c.ok) return c;
    out[key] = c.value;
  }
  return { ok: true, value: out };
}

/** A number that is only descriptive (pump counts, attendance seconds): unreadable -> left out. */
function measure(get: Get, column: string): number | undefined {
  const raw = get(column).trim();
  return /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
}

function incidentNumber(row: number, get: Get, column: string): Step<string> {
  const id = cleanText(get(column));
  if (id === null) return { ok: false, reject: reject(row, column, get(column), 'MISSING_ID', `${column} is empty: every incident needs its incident number`) };
  return { ok: true, value: id };
}

function incidentGroup(row: number, get: Get, column: string): Step<IncidentGroup> {
  const group = parseIncidentGroup(get(column));
  if (!group) {
    return {
      ok: false,
      reject: reject(row, column, get(column), 'UNKNOWN_CATEGORY', `"${get(column)}" is not an incident group (${INCIDENT_GROUPS.join(', ')})`),
    };
  }
  return { ok: true, value: group };
}

/** BNG easting/northing columns -> place; a bad pair rejects the row naming the easting column. */
function gridPlace(row: number, get: Get, eastingColumn: string, northingColumn: string, minSquareM = 1): Step<Place | null> {
  const e = get(eastingColumn);
  const n = get(northingColumn);
  const grid = parseGridPair(e, n);
  if (!grid.ok) return { ok: false, reject: reject(row, eastingColumn, `${e},${n}`, 'INVALID_COORDINATE', grid.message) };
  if (grid.value === null) return { ok: true, value: null };
  const { latitude, longitude, squareM } = grid.value;
  return { ok: true, value: { latitude, longitude, precisionM: Math.max(squareM, minSquareM) } };
}

function latLonPlace(row: number, get: Get): Step<Place | null> {
  const coords = parseLatLon(get('Latitude'), get('Longitude'));
  if (!coords.ok) {
    return { ok: false, reject: reject(row, 'Latitude', `${get('Latitude')},${get('Longitude')}`, 'INVALID_COORDINATE', coords.message) };
  }
  return { ok: true, value: coords.value === null ? null : { ...coords.value, precisionM: null } };
}

interface Parts {
  row: number;
  sourceRef: string;
  label: FireStopCode;
  when: CallTime;
  place: Place;
  wardName: string | null;
  lsoaCode: string | null;
  attributes: Record<string, AttributeValue | undefined>;
}

function incident(p: Parts): NormalisedIncident {
  return {
    kind: 'incident',
    rowNumber: p.row,
    sourceRef: p.sourceRef,
    sourceCategory: p.label,
    category: classify('fire', p.label),
    occurredMonth: p.when.occurredMonth,
    occurredAt: p.when.occurredAt,
    locationText: null,
    lsoaCode: p.lsoaCode,
    lsoaName: null,
    wardName: p.wardName,
    latitude: p.place.latitude,
    longitude: p.place.longitude,
    outcome: null,
    tier: 'pseudonymised',
    attributes: attributes({ ...p.attributes, locationPrecisionM: p.place.precisionM ?? undefined }),
    restrictedText: null,
  };
}

// --- AFRS monthly layout -----------------------------------------------------

function afrsCallTime(row: number, get: Get): Step<CallTime> {
  const bad = (column: string, message: string): Step<CallTime> => ({
    ok: false,
    reject: reject(row, column, get(column), 'INVALID_DATE', message),
  });
  const dayText = get('Day').trim();
  const yearText = get('Year').trim();
  if (!/^\d{1,2}$/.test(dayText)) return bad('Day', `"${get('Day')}" is not a day of the month (1-31)`);
  const month = monthNumber(get('Month'));
  if (month === undefined) return bad('Month', `"${get('Month')}" is not a month name (e.g. July or Jul)`);
  if (!/^\d{4}$/.test(yearText)) return bad('Year', `"${get('Year')}" is not a four-digit year`);
  const date = { year: Number(yearText), month, day: Number(dayText) };
  const problem = checkDate(date.year, date.month, date.day);
  if (problem) {
    return { ok: false, reject: reject(row, 'Day', `${get('Day')} ${get('Month')} ${get('Year')}`, 'INVALID_DATE', `not a real date: ${problem}`) };
  }
  const time = parseTime(get('Time of Call'));
  if (!time.ok) return bad('Time of Call', time.message);
  return { ok: true, value: londonCallTime(date, time.value) };
}

function normaliseAfrs(row: number, get: Get): AdapterItem {
  const id = incidentNumber(row, get, 'Incident Number');
  if (!id.ok) return id.reject;
  const when = afrsCallTime(row, get);
  if (!when.ok) return when.reject;
  const group = incidentGroup(row, get, 'Incident Category');
  if (!group.ok) return group.reject;
  const place = gridPlace(row, get, 'X Coordinate', 'Y Coordinate');
  if (!place.ok) return place.reject;
  const casualties = counts(row, get, {
    fatalities: 'No. of fatalities',
    fireFatalities: 'No. of fire fatalities',
    injuries: 'No. of injuries',
    rescues: 'No. of rescues',
  });
  if (!casualties.ok) return casualties.reject;
  const label = afrsLabel(group.value, {
    isPrimaryFire: get('Is Primary Fire'),
    causeOfFire: get('Cause of Fire'),
    confinedToChimney: get('Is Fire Confined to Chimney?'),
    specialServiceType: get('Special Service Type'),
    roadTrafficCollision: get('Road Traffic Collision'),
    falseAlarmReason: get('False Alarm Reason'),
  });
  return incident({
    row,
    sourceRef: id.value,
    label,
    when: when.value,
    place: place.value ?? UNLOCATED,
    wardName: cleanText(get('Ward')),
    lsoaCode: null,
    attributes: {
      incidentGroup: group.value,
      unitaryAuthority: text(get, 'Unitary Authority'),
      originOfCall: text(get, 'Origin of Call'),
      propertyCategory: text(get, 'Property Category'),
      propertyType: text(get, 'Property Type'),
      isPrimaryFire: flag(get, 'Is Primary Fire'),
      causeOfFire: text(get, 'Cause of Fire'),
      mainCauseOfFire: text(get, 'Main Cause of Fire'),
      ignitionSource: text(get, 'Ignition Source'),
      itemFirstDamaged: text(get, 'Item First Damaged'),
      propertyDerelict: flag(get, 'Is Property Derelict?'),
      chimneyFire: flag(get, 'Is Fire Confined to Chimney?'),
      specialServiceType: text(get, 'Special Service Type'),
      roadTrafficCollision: flag(get, 'Road Traffic Collision'),
      falseAlarmReason: text(get, 'False Alarm Reason'),
      ...casualties.value,
    },
  });
}

// --- LFB layout ----------------------------------------------------------------

function lfbCallTime(row: number, get: Get): Step<CallTime> {
  const date = parseDateText(get('DateOfCall'));
  if (!date.ok) return { ok: false, reject: reject(row, 'DateOfCall', get('DateOfCall'), 'INVALID_DATE', date.message) };
  const time = parseTime(get('TimeOfCall'));
  if (!time.ok) return { ok: false, reject: reject(row, 'TimeOfCall', get('TimeOfCall'), 'INVALID_DATE', time.message) };
  return { ok: true, value: londonCallTime(date.value, time.value) };
}

/** Exact Easting_m/Northing_m, else the rounded pair (centre of a 100 m square), else Latitude/Longitude. */
function lfbPlace(row: number, get: Get): Step<Place> {
  const exact = gridPlace(row, get, 'Easting_m', 'Northing_m');
  if (!exact.ok) return exact;
  if (exact.value) return { ok: true, value: exact.value };
  const rounded = gridPlace(row, get, 'Easting_rounded', 'Northing_rounded', LFB_ROUNDED_SQUARE_M);
  if (!rounded.ok) return rounded;
  if (rounded.value) return { ok: true, value: rounded.value };
  const latLon = latLonPlace(row, get);
  if (!latLon.ok) return latLon;
  return { ok: true, value: latLon.value ?? UNLOCATED };
}

function normaliseLfb(row: number, get: Get): AdapterItem {
  const id = incidentNumber(row, get, 'IncidentNumber');
  if (!id.ok) return id.reject;
  const when = lfbCallTime(row, get);
  if (!when.ok) return when.reject;
  const group = incidentGroup(row, get, 'IncidentGroup');
  if (!group.ok) return group.reject;
  const stopCode = get('StopCodeDescription');
  const label = labelFromStopCode(stopCode, get('SpecialServiceType'), '') ?? otherOf(group.value);
  if (FIRE_STOP_CODES[label] !== group.value) {
    return reject(row, 'StopCodeDescription', stopCode, 'UNKNOWN_CATEGORY', `stop code "${stopCode}" does not belong to incident group ${group.value}`);
  }
  const place = lfbPlace(row, get);
  if (!place.ok) return place.reject;
  return incident({
    row,
    sourceRef: id.value,
    label,
    when: when.value,
    place: place.value,
    wardName: cleanText(get('IncGeo_WardNameNew')) ?? cleanText(get('IncGeo_WardName')),
    lsoaCode: null,
    attributes: {
      incidentGroup: group.value,
      stopCode: text(get, 'StopCodeDescription'),
      specialServiceType: text(get, 'SpecialServiceType'),
      propertyCategory: text(get, 'PropertyCategory'),
      propertyType: text(get, 'PropertyType'),
      addressQualifier: text(get, 'AddressQualifier'),
      postcodeDistrict: text(get, 'Postcode_district'),
      boroughCode: text(get, 'IncGeo_BoroughCode'),
      borough: text(get, 'IncGeo_BoroughName'),
      wardCode: text(get, 'IncGeo_WardCode'),
      stationGround: text(get, 'IncidentStationGround'),
      firstPumpAttendanceSeconds: measure(get, 'FirstPumpArriving_AttendanceTime'),
      pumpsAttending: measure(get, 'NumPumpsAttending'),
      calls: measure(get, 'NumCalls'),
    },
  });
}

// --- generic incident-level extract ------------------------------------------

const POSTCODE_DISTRICT = /^[A-Z]{1,2}\d[A-Z\d]?$/;
const FULL_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?\d[A-Z]{2}$/;

/**
 * PostcodeDistrict: an outward code (`SW11`, `BS1`). A full postcode is cut to
 * its district so it is never stored; anything else rejects the row.
 */
function postcodeDistrict(row: number, get: Get): Step<string | undefined> {
  const raw = get('PostcodeDistrict');
  const t = raw.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === '') return { ok: true, value: undefined };
  if (POSTCODE_DISTRICT.test(t)) return { ok: true, value: t };
  const full = FULL_POSTCODE.exec(t);
  if (full) return { ok: true, value: full[1]! };
  return {
    ok: false,
    reject: reject(row, 'PostcodeDistrict', raw, 'INVALID_POSTCODE_DISTRICT', `"${raw}" is not a postcode district (the outward code, e.g. BS1 or SW11)`),
  };
}

function areaCode(row: number, get: Get, column: string, prefixes: readonly string[], example: string): Step<string | undefined> {
  const code = get(column).trim().toUpperCase();
  if (code === '') return { ok: true, value: undefined };
  if (!isOnsCode(code) || !prefixes.some((p) => code.startsWith(p))) {
    return { ok: false, reject: reject(row, column, get(column), 'INVALID_AREA_CODE', `"${get(column)}" is not an ONS code of that kind (e.g. ${example})`) };
  }
  return { ok: true, value: code };
}

function normaliseGeneric(row: number, get: Get): AdapterItem {
  const id = incidentNumber(row, get, 'IncidentNumber');
  if (!id.ok) return id.reject;
  const when = parseCallDateTime(get('CallDateTime'));
  if (!when.ok) return reject(row, 'CallDateTime', get('CallDateTime'), 'INVALID_DATE', when.message);
  const group = incidentGroup(row, get, 'IncidentGroup');
  if (!group.ok) return group.reject;
  const stopCode = get('StopCode');
  const label = labelFromStopCode(stopCode, get('SpecialServiceType'), get('CauseOfFire'));
  if (label === undefined) {
    return reject(row, 'StopCode', stopCode, 'UNKNOWN_CATEGORY', `"${stopCode}" is not a recognised stop code. Use one of: ${ACCEPTED_STOP_CODES.join('; ')}`);
  }
  if (FIRE_STOP_CODES[label] !== group.value) {
    return reject(
      row,
      'StopCode',
      stopCode,
      'UNKNOWN_CATEGORY',
      `stop code "${stopCode}" (${label}) belongs to incident group ${FIRE_STOP_CODES[label]}, not ${group.value}`,
    );
  }
  const grid = gridPlace(row, get, 'Easting', 'Northing');
  if (!grid.ok) return grid.reject;
  const latLon = grid.value ? ({ ok: true, value: null } as const) : latLonPlace(row, get);
  if (!latLon.ok) return latLon.reject;
  const district = postcodeDistrict(row, get);
  if (!district.ok) return district.reject;
  const wardName = cleanText(get('WardName'));
  const place = grid.value ?? latLon.value;
  if (!place && district.value === undefined && wardName === null) {
    return reject(row, 'Easting', `${get('Easting')},${get('Northing')}`, 'MISSING_LOCATION', 'the row has no Easting/Northing, Latitude/Longitude, PostcodeDistrict or WardName');
  }
  const lsoa = areaCode(row, get, 'LsoaCode', ['E01', 'W01'], 'E01025667');
  if (!lsoa.ok) return lsoa.reject;
  const ward = areaCode(row, get, 'WardCode', ['E05', 'W05'], 'E05014010');
  if (!ward.ok) return ward.reject;
  const casualties = counts(row, get, { fatalities: 'Fatalities', injuries: 'Injuries', rescues: 'Rescues' });
  if (!casualties.ok) return casualties.reject;
  return incident({
    row,
    sourceRef: id.value,
    label,
    when: when.value,
    place: place ?? UNLOCATED,
    wardName,
    lsoaCode: lsoa.value ?? null,
    attributes: {
      incidentGroup: group.value,
      stopCode: text(get, 'StopCode'),
      occurredOn: when.value.occurredOn,
      propertyCategory: text(get, 'PropertyCategory'),
      propertyType: text(get, 'PropertyType'),
      specialServiceType: text(get, 'SpecialServiceType'),
      falseAlarmReason: text(get, 'FalseAlarmReason'),
      causeOfFire: text(get, 'CauseOfFire'),
      localAuthority: text(get, 'LocalAuthority'),
      wardCode: ward.value,
      postcodeDistrict: district.value,
      ...casualties.value,
    },
  });
}

const NORMALISERS: Record<FireLayoutId, (row: number, get: Get) => AdapterItem> = {
  afrs: normaliseAfrs,
  lfb: normaliseLfb,
  generic: normaliseGeneric,
};

async function* readFireCsv(source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const csv = await openCsv(source, {
    feedLabel: FEED_LABEL,
    requiredColumns: [],
    optionalColumns: ALL_FIRE_COLUMNS,
    encoding: context.encoding ?? 'auto',
    ...(context.onEncoding ? { onEncoding: context.onEncoding } : {}),
  });
  const layout = detectLayout(csv.header);
  context.onHeader?.({ layout: layout.id, layoutLabel: layout.label });
  const normalise = NORMALISERS[layout.id];
  const column = csv.column;
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) {
      const get: Get = (name) => {
        const i = column[name];
        return i === undefined ? '' : (fields[i] ?? '');
      };
      items.push(normalise(row, get));
    }
    yield items;
  }
}

/**
 * fire.incidents: fire and rescue attended incidents, one row per incident, in
 * the AFRS monthly, LFB or generic extract layout (told apart by the header).
 * `requiredColumns` are the generic layout's; see FIRE_LAYOUTS for all three.
 */
export const fireIncidentsAdapter: FeedAdapter = {
  description: {
    feed: 'fire.incidents',
    formats: ['csv'],
    requiredColumns: GENERIC_LAYOUT.required,
    optionalColumns: ALL_FIRE_COLUMNS.filter((c) => !(GENERIC_LAYOUT.required as readonly string[]).includes(c)),
    defaultEncoding: 'auto',
  },
  async *read(input, context = {}) {
    context.onFormat?.('csv');
    yield* readFireCsv(input, context);
  },
};
