import { cleanText, parseLatLon, reject, type Encoding } from '@csp-hub/adapter-kit';
import { classify, FEEDS, type AdapterItem, type AttributeValue, type FeedId, type NormalisedIncident, type Priority, type RowReject } from '@csp-hub/taxonomy';
import { compileDateFormats, DEFAULT_DATE_FORMATS, PART_FORMATS, whenOf, type DateFields, type DateFormats, type PatternUse, type When } from './dates';
import { parseGridPair } from './grid';
import type { AttributeSpec, CoordinateSpec, LayoutDefinition } from './schema';
import type { LayoutTransform, TransformRegistry } from './transforms';
import { foldLabel, looksLikeAddress, parseAreaCode, parseBoolean, parseInteger, parseNumber, parsePoint, parsePostcodeDistrict } from './values';

/** Column name -> index in the file's rows (the columns the layout reads that the header has). */
export type ColumnIndex = Readonly<Record<string, number>>;

/** Maps one data row (its 1-based number and fields) to an incident or a reject. */
export type RowMapper = (row: number, fields: readonly string[]) => AdapterItem;

/** A validated layout made ready to read files. */
export interface CompiledLayout {
  id: string;
  version: number;
  label: string;
  feed: FeedId;
  encoding: Encoding;
  definition: LayoutDefinition;
  /** Columns the header must carry. */
  required: readonly string[];
  /** Every other column the layout reads when present. */
  optional: readonly string[];
  anyOf: { name: string; groups: readonly (readonly string[])[] } | undefined;
  /** Column pairs (latitude/longitude, easting/northing) a header must carry both or neither of. */
  pairs: readonly (readonly [string, string])[];
  /** The row mapper for a file whose header gave these column positions. */
  bind(columns: ColumnIndex): RowMapper;
}

/** Raised for a layout that has not been through parseLayout (a programming error, not bad input). */
function unchecked(what: string): never {
  throw new Error(`layout not validated: ${what}`);
}

function compiled(list: readonly string[] | undefined, fallback: readonly string[], use: PatternUse): DateFormats {
  const result = compileDateFormats(list ?? fallback, use);
  return result.ok ? result.value : unchecked(result.problems[0]!.message);
}

/** Every column a layout names, in the order it names them. */
export function columnsOf(layout: LayoutDefinition): string[] {
  const out = new Set<string>(layout.header.required);
  const add = (cols: readonly string[] | string | undefined) => {
    if (cols === undefined) return;
    for (const c of typeof cols === 'string' ? [cols] : cols) out.add(c);
  };
  const c = layout.columns;
  add(c.sourceRef?.column);
  for (const v of Object.values(c.sourceRef?.inputs ?? {})) add(v);
  const o = c.occurredAt;
  if (o) for (const part of [o, o.date, o.time, o.day, o.month, o.year]) add(part?.column);
  add(c.month?.column);
  add(c.locationText?.column);
  add(c.lsoaCode?.column);
  add(c.lsoaName?.column);
  add(c.wardCode?.column);
  add(c.wardName?.column);
  for (const s of c.coordinates ?? []) for (const k of [s.easting, s.northing, s.latitude, s.longitude, s.point]) add(k);
  add(c.outcome?.column);
  for (const r of c.restrictedText ?? []) add(r.column);
  add(c.sourceCategory.column);
  for (const v of Object.values(c.sourceCategory.inputs ?? {})) add(v);
  for (const a of Object.values(c.attributes ?? {})) {
    add(a.column);
    for (const v of Object.values(a.inputs ?? {})) add(v);
  }
  add(c.asOf?.column);
  for (const g of layout.header.anyOf?.groups ?? []) add(g);
  if (layout.rules.missingLocationColumn) add(layout.rules.missingLocationColumn);
  return [...out];
}

type Step<T> = { ok: true; value: T } | { ok: false; reject: RowReject };

interface Row {
  row: number;
  /** A column's text, with the layout's null tokens read as empty; '' when the header lacks the column. */
  text(column: string): string;
  /** The first of some columns that is not empty (or the first column, empty). */
  first(columns: readonly string[]): { column: string; value: string };
  has(column: string): boolean;
}

function transformStep(
  t: LayoutTransform,
  inputs: Readonly<Record<string, string>>,
  options: Readonly<Record<string, string>>,
  r: Row,
): Step<AttributeValue> {
  const values: Record<string, string> = {};
  for (const [name, column] of Object.entries(inputs)) values[name] = r.text(column);
  const result = t.apply(values, options);
  if (result.ok) return { ok: true, value: result.value };
  const column = inputs[result.input] ?? null;
  return { ok: false, reject: reject(r.row, column, column === null ? null : r.text(column), result.reason, result.message) };
}

function transformOf(spec: { transform?: string | undefined; options?: Record<string, string> | undefined }, transforms: TransformRegistry): {
  t: LayoutTransform;
  options: Record<string, string>;
} {
  const t = transforms[spec.transform!] ?? unchecked(`transform ${spec.transform}`);
  const options: Record<string, string> = {};
  for (const [name, o] of Object.entries(t.options ?? {})) options[name] = spec.options?.[name] ?? o.default;
  return { t, options };
}

type WhenStep = Step<When>;

function dateStep(r: Row, column: string, value: string, formats: DateFormats): Step<DateFields> {
  if (value.trim() === '') return { ok: false, reject: reject(r.row, column, value, 'INVALID_DATE', `${column} is empty: the row needs a date`) };
  const parsed = formats.parse(value);
  return parsed.ok ? parsed : { ok: false, reject: reject(r.row, column, value, 'INVALID_DATE', parsed.message) };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** How occurredAt is read: one column, a date and a time column, or day, month, year (and time) columns. */
function occurredAtReader(layout: LayoutDefinition): ((r: Row) => WhenStep) | undefined {
  const o = layout.columns.occurredAt;
  if (!o) return undefined;
  if (o.column) {
    const formats = compiled(o.format, DEFAULT_DATE_FORMATS, 'datetime');
    const cols = o.column;
    return (r) => {
      const { column, value } = r.first(cols);
      const d = dateStep(r, column, value, formats);
      return d.ok ? { ok: true, value: whenOf(d.value as Required<DateFields>) } : d;
    };
  }
  const time = o.time ? { cols: o.time.column, formats: compiled(o.time.format, PART_FORMATS.time, 'time') } : undefined;
  const withTime = (r: Row, date: { year: number; month: number; day: number }, dayColumn: string, dayValue: string): WhenStep => {
    if (date.day > daysIn(date.year, date.month)) {
      return { ok: false, reject: reject(r.row, dayColumn, dayValue, 'INVALID_DATE', `not a real date: ${date.year}-${String(date.month).padStart(2, '0')} has no day ${date.day}`) };
    }
    if (!time) return { ok: true, value: whenOf(date) };
    const { column, value } = r.first(time.cols);
    if (value.trim() === '') return { ok: true, value: whenOf(date) };
    const t = time.formats.parse(value);
    if (!t.ok) return { ok: false, reject: reject(r.row, column, value, 'INVALID_DATE', t.message) };
    return { ok: true, value: whenOf({ ...t.value, ...date }) };
  };
  if (o.date) {
    const cols = o.date.column;
    const formats = compiled(o.date.format, PART_FORMATS.date, 'date');
    return (r) => {
      const { column, value } = r.first(cols);
      const d = dateStep(r, column, value, formats);
      if (!d.ok) return d;
      return withTime(r, d.value as { year: number; month: number; day: number }, column, value);
    };
  }
  const parts = (['day', 'month', 'year'] as const).map((part) => {
    const spec = o[part] ?? unchecked(`occurredAt.${part}`);
    return { part, cols: spec.column, formats: compiled(spec.format, PART_FORMATS[part], part) };
  });
  return (r) => {
    const got: DateFields = {};
    let dayColumn = '';
    let dayValue = '';
    for (const p of parts) {
      const { column, value } = r.first(p.cols);
      const d = dateStep(r, column, value, p.formats);
      if (!d.ok) return d;
      Object.assign(got, d.value);
      if (p.part === 'day') [dayColumn, dayValue] = [column, value];
    }
    return withTime(r, got as { year: number; month: number; day: number }, dayColumn, dayValue);
  };
}

function monthReader(layout: LayoutDefinition): ((r: Row) => Step<string>) | undefined {
  const m = layout.columns.month;
  if (!m) return undefined;
  const formats = compiled(m.format, PART_FORMATS.monthOnly, 'month-of-year');
  return (r) => {
    const { column, value } = r.first(m.column);
    const d = dateStep(r, column, value, formats);
    return d.ok ? { ok: true, value: `${d.value.year}-${String(d.value.month).padStart(2, '0')}` } : d;
  };
}

type AttributeOutcome = { ok: true; value: AttributeValue | undefined } | { ok: false; reject: RowReject };

/** One attribute's reader: undefined means "leave it out". */
function attributeReader(key: string, spec: AttributeSpec, layout: LayoutDefinition, transforms: TransformRegistry): (r: Row) => AttributeOutcome {
  const keepNull = layout.emptyAttributes === 'null';
  if (spec.value !== undefined) {
    const constant = spec.value;
    return () => ({ ok: true, value: constant });
  }
  if (spec.transform !== undefined) {
    const { t, options } = transformOf(spec, transforms);
    const inputs = spec.inputs ?? {};
    return (r) => {
      const s = transformStep(t, inputs, options, r);
      if (!s.ok) return spec.invalid === 'omit' ? { ok: true, value: undefined } : s;
      return { ok: true, value: s.value === null && !keepNull ? undefined : s.value };
    };
  }
  const cols = spec.column ?? unchecked(`attribute ${key}`);
  const choices = spec.values ? new Map(spec.values.map((v) => [foldLabel(v), v])) : undefined;
  const dates = spec.type === 'date' ? compiled(spec.format, DEFAULT_DATE_FORMATS, 'datetime') : undefined;
  const fail = (r: Row, column: string, value: string, reason: string, message: string): AttributeOutcome =>
    spec.invalid === 'omit' ? { ok: true, value: undefined } : { ok: false, reject: reject(r.row, column, value, reason, message) };
  return (r) => {
    const { column, value } = r.first(cols);
    if (value.trim() === '') {
      if (spec.required) return { ok: false, reject: reject(r.row, column, value, 'MISSING_VALUE', `${column} is empty`) };
      return { ok: true, value: keepNull && cols.some((c) => r.has(c)) ? null : undefined };
    }
    switch (spec.type) {
      case 'text': {
        const text = cleanText(value)!;
        if (!choices) return { ok: true, value: text };
        const canonical = choices.get(foldLabel(text));
        if (canonical !== undefined) return { ok: true, value: canonical };
        return fail(r, column, value, 'UNKNOWN_CATEGORY', `"${text}" is not a ${column} value: expected one of ${spec.values!.join(', ')}`);
      }
      case 'integer': {
        const n = parseInteger(value, spec.min, spec.max);
        return n.ok ? n : fail(r, column, value, 'INVALID_NUMBER', n.message);
      }
      case 'number': {
        const n = parseNumber(value, spec.min, spec.max);
        return n.ok ? n : fail(r, column, value, 'INVALID_NUMBER', n.message);
      }
      case 'boolean': {
        const b = parseBoolean(value);
        return b.ok ? b : fail(r, column, value, 'INVALID_VALUE', b.message);
      }
      case 'date': {
        const d = dates!.parse(value);
        if (!d.ok) return fail(r, column, value, 'INVALID_DATE', d.message);
        const when = whenOf(d.value as Required<DateFields>);
        return { ok: true, value: when.hasTime ? when.instant : when.date };
      }
      case 'postcode-district': {
        const p = parsePostcodeDistrict(value);
        return p.ok ? p : fail(r, column, value, 'INVALID_POSTCODE_DISTRICT', p.message);
      }
    }
  };
}

interface Place {
  latitude: number;
  longitude: number;
  precisionM: number | null;
}

function coordinateReader(sources: readonly CoordinateSpec[]): (r: Row) => Step<Place | null> {
  const readers = sources.map((s): ((r: Row) => Step<Place | null>) => {
    if (s.system === 'bng') {
      const [ec, nc] = [s.easting!, s.northing!];
      return (r) => {
        const [e, n] = [r.text(ec), r.text(nc)];
        if (e.trim() === '' && n.trim() === '') return { ok: true, value: null };
        const grid = parseGridPair(e, n);
        if (!grid.ok) return { ok: false, reject: reject(r.row, ec, `${e},${n}`, 'INVALID_COORDINATE', grid.message) };
        const { latitude, longitude, squareM } = grid.value!;
        return { ok: true, value: { latitude, longitude, precisionM: Math.max(squareM, s.precisionM ?? 1) } };
      };
    }
    if (s.point !== undefined) {
      const pc = s.point;
      return (r) => {
        const p = r.text(pc);
        if (p.trim() === '') return { ok: true, value: null };
        const point = parsePoint(p);
        if (!point.ok) return { ok: false, reject: reject(r.row, pc, p, 'INVALID_COORDINATE', point.message) };
        return { ok: true, value: point.value && { ...point.value, precisionM: s.precisionM ?? null } };
      };
    }
    const [latc, lonc] = [s.latitude!, s.longitude!];
    return (r) => {
      const [lat, lon] = [r.text(latc), r.text(lonc)];
      const coords = parseLatLon(lat, lon);
      if (!coords.ok) return { ok: false, reject: reject(r.row, latc, `${lat},${lon}`, 'INVALID_COORDINATE', coords.message) };
      return { ok: true, value: coords.value && { ...coords.value, precisionM: s.precisionM ?? null } };
    };
  });
  return (r) => {
    for (const read of readers) {
      const place = read(r);
      if (!place.ok || place.value) return place;
    }
    return { ok: true, value: null };
  };
}

function pairsOf(layout: LayoutDefinition): [string, string][] {
  return (layout.columns.coordinates ?? []).flatMap((s): [string, string][] =>
    s.system === 'bng' ? [[s.easting!, s.northing!]] : s.latitude !== undefined ? [[s.latitude, s.longitude!]] : [],
  );
}

/** Compiles a validated layout (from parseLayout). */
export function compileLayout(layout: LayoutDefinition, transforms: TransformRegistry): CompiledLayout {
  const c = layout.columns;
  const required = [...layout.header.required];
  const optional = columnsOf(layout).filter((col) => !required.includes(col));
  const agencyType = FEEDS[layout.feed].agencyType;
  const tier = FEEDS[layout.feed].tier;
  const nullTokens = new Set(layout.nullTokens.map((t) => t.trim().toUpperCase()));
  const longestToken = Math.max(0, ...[...nullTokens].map((t) => t.length));
  const isSpace = (code: number) => code === 32 || code === 9 || code === 160;
  /** Whether a value is one of the layout's null tokens (most values are too long to be one: no copy then). */
  const isNull = (v: string): boolean => {
    const n = v.length;
    if (n > longestToken && !isSpace(v.charCodeAt(0)) && !isSpace(v.charCodeAt(n - 1))) return false;
    return nullTokens.has(v.trim().toUpperCase());
  };
  const keepNull = layout.emptyAttributes === 'null';

  const readWhen = occurredAtReader(layout);
  const readMonth = monthReader(layout);
  const readAsOf = c.asOf ? { cols: c.asOf.column, formats: compiled(c.asOf.format, DEFAULT_DATE_FORMATS, 'datetime') } : undefined;
  const attributes = Object.entries(c.attributes ?? {}).map(([key, spec]) => ({ key, locates: spec.locates, read: attributeReader(key, spec, layout, transforms) }));
  const readPlace = c.coordinates ? coordinateReader(c.coordinates) : undefined;

  const ref = c.sourceRef;
  const refTransform = ref?.transform !== undefined ? transformOf(ref, transforms) : undefined;
  const cat = c.sourceCategory;
  const catTransform = cat.transform !== undefined ? transformOf(cat, transforms) : undefined;
  const categoryMap = c.category?.map ? new Map(Object.entries(c.category.map).map(([k, v]) => [foldLabel(k), v])) : undefined;
  const categoryDefault: Priority = c.category?.default ?? 'other';
  const classifyLabel = (label: string): Priority => (categoryMap ? (categoryMap.get(foldLabel(label)) ?? categoryDefault) : classify(agencyType, label));

  const locationLabel = [
    ...(c.wardCode ? [c.wardCode.column[0]!] : []),
    ...(c.wardName ? [c.wardName.column[0]!] : []),
    ...(c.lsoaCode ? [c.lsoaCode.column[0]!] : []),
    ...(c.coordinates ?? []).map((s) => (s.system === 'bng' ? `${s.easting}/${s.northing}` : s.point ?? `${s.latitude}/${s.longitude}`)),
    ...Object.values(c.attributes ?? {}).flatMap((a) => (a.locates && a.column ? [a.column[0]!] : [])),
  ];

  function bind(columns: ColumnIndex): RowMapper {
    let fields: readonly string[] = [];
    let rowNumber = 0;
    const text = (column: string): string => {
      const i = columns[column];
      if (i === undefined) return '';
      const v = fields[i] ?? '';
      return isNull(v) ? '' : v;
    };
    const r: Row = {
      get row() {
        return rowNumber;
      },
      text,
      first(cols) {
        for (const column of cols) {
          const value = text(column);
          if (value.trim() !== '') return { column, value };
        }
        return { column: cols[0]!, value: '' };
      },
      has: (column) => columns[column] !== undefined,
    };
    const present = (cols: readonly string[]) => cols.some((col) => columns[col] !== undefined);

    return (row, rowFields) => {
      rowNumber = row;
      fields = rowFields;

      let sourceRef: string | null = null;
      if (ref) {
        if (refTransform) {
          const s = transformStep(refTransform.t, ref.inputs ?? {}, refTransform.options, r);
          if (!s.ok) return s.reject;
          sourceRef = s.value === null ? null : String(s.value);
        } else {
          const { column, value } = r.first(ref.column!);
          sourceRef = cleanText(value);
          if (sourceRef === null && ref.required) return reject(row, column, value, 'MISSING_ID', `${column} is empty: every row needs its reference`);
        }
        if (sourceRef === null && ref.required) return reject(row, ref.column?.[0] ?? null, null, 'MISSING_ID', 'the row has no reference');
      }

      let occurredAt: string | null = null;
      let occurredMonth: string;
      let occurredOn: string | undefined;
      if (readWhen) {
        const when = readWhen(r);
        if (!when.ok) return when.reject;
        occurredMonth = when.value.month;
        if (when.value.hasTime) occurredAt = when.value.instant;
        else occurredOn = when.value.date;
      } else {
        const month = readMonth!(r);
        if (!month.ok) return month.reject;
        occurredMonth = month.value;
      }

      const attrs: Record<string, AttributeValue> = {};
      let locatedByAttribute = false;
      for (const a of attributes) {
        const v = a.read(r);
        if (!v.ok) return v.reject;
        if (v.value === undefined) continue;
        attrs[a.key] = v.value;
        if (a.locates && v.value !== null) locatedByAttribute = true;
      }

      let sourceCategory: string;
      if (cat.value !== undefined) sourceCategory = cat.value;
      else if (catTransform) {
        const s = transformStep(catTransform.t, cat.inputs ?? {}, catTransform.options, r);
        if (!s.ok) return s.reject;
        if (s.value === null || s.value === '') return reject(row, null, null, 'MISSING_VALUE', 'the row has no category');
        sourceCategory = String(s.value);
      } else {
        const cols = cat.column!;
        const { column, value } = r.first(cols);
        const label = cleanText(value);
        if (label === null) {
          const message = cols.length > 1 ? `${cols.join(' and ')} are all empty: the row has no category` : `${column} is empty: the row has no category`;
          return reject(row, column, value, 'MISSING_VALUE', message);
        }
        sourceCategory = label;
      }

      let place: Place | null = null;
      if (readPlace) {
        const p = readPlace(r);
        if (!p.ok) return p.reject;
        place = p.value;
      }

      let lsoaCode: string | null = null;
      if (c.lsoaCode) {
        const { column, value } = r.first(c.lsoaCode.column);
        if (value.trim() !== '') {
          const code = parseAreaCode(value, 'lsoa');
          if (!code.ok) return reject(row, column, value, 'INVALID_AREA_CODE', code.message);
          lsoaCode = code.value;
        }
      }
      let wardCode: string | null = null;
      if (c.wardCode) {
        const { column, value } = r.first(c.wardCode.column);
        if (value.trim() !== '') {
          const code = parseAreaCode(value, 'ward');
          if (!code.ok) return reject(row, column, value, 'INVALID_AREA_CODE', code.message);
          wardCode = code.value;
        }
        if (wardCode !== null || (keepNull && present(c.wardCode.column))) attrs.wardCode = wardCode;
      }
      const wardName = c.wardName ? cleanText(r.first(c.wardName.column).value) : null;

      if (layout.rules.requireLocation && !place && lsoaCode === null && wardCode === null && wardName === null && !locatedByAttribute) {
        const col = layout.rules.missingLocationColumn ?? null;
        return reject(row, col, col === null ? null : r.text(col), 'MISSING_LOCATION', `No location: ${locationLabel.join(', ')} ${locationLabel.length > 1 ? 'are all' : 'is'} empty`);
      }

      let asOf: string | null = null;
      if (readAsOf) {
        const { column, value } = r.first(readAsOf.cols);
        if (value.trim() !== '') {
          const d = readAsOf.formats.parse(value);
          if (!d.ok) return reject(row, column, value, 'INVALID_DATE', d.message);
          asOf = whenOf(d.value as Required<DateFields>).instant;
        }
      }

      const restricted: string[] = [];
      let locationText: string | null = null;
      if (c.locationText) {
        const { column, value } = r.first(c.locationText.column);
        const t = cleanText(value);
        if (t !== null && c.locationText.withholdAddresses && looksLikeAddress(t)) restricted.push(`${c.locationText.label ?? column}: ${t}`);
        else locationText = t;
      }
      for (const part of c.restrictedText ?? []) {
        const t = cleanText(r.first(part.column).value);
        if (t !== null) restricted.push(part.label ? `${part.label}: ${t}` : t);
      }

      if (occurredOn !== undefined) attrs.occurredOn = occurredOn;
      if (layout.rules.recordLocationPrecision && place?.precisionM != null) attrs.locationPrecisionM = place.precisionM;

      const incident: NormalisedIncident = {
        kind: 'incident',
        rowNumber: row,
        sourceRef,
        sourceCategory,
        category: classifyLabel(sourceCategory),
        occurredMonth,
        occurredAt,
        locationText,
        lsoaCode,
        lsoaName: c.lsoaName ? cleanText(r.first(c.lsoaName.column).value) : null,
        wardName,
        latitude: place?.latitude ?? null,
        longitude: place?.longitude ?? null,
        outcome: c.outcome ? cleanText(r.first(c.outcome.column).value) : null,
        tier,
        attributes: attrs,
        restrictedText: restricted.length > 0 ? restricted.join('\n') : null,
      };
      if (readAsOf) incident.asOf = asOf;
      return incident;
    };
  }

  return {
    id: layout.id,
    version: layout.version,
    label: layout.label,
    feed: layout.feed,
    encoding: layout.encoding,
    definition: layout,
    required,
    optional,
    anyOf: layout.header.anyOf,
    pairs: pairsOf(layout),
    bind,
  };
}
