import { distance } from 'fastest-levenshtein';
import { Document, isMap, isPair, isScalar, type Pair, type YAMLMap } from 'yaml';
import { bytesOf, openCsv, type Encoding } from '@csp-hub/adapter-kit';
import { classify, FEEDS, type FeedId } from '@csp-hub/taxonomy';
import { compileDateFormats, type DateFormats, type PatternUse } from './dates';
import { bngToWgs84, insideUk, parseGridValue } from './grid';
import { DEFAULT_NULL_TOKENS, type LayoutDefinition } from './schema';
import { parseAreaCode, parseBoolean, parsePointText, parsePostcodeDistrict } from './values';

/** A built-in layout of the feed, whose column names the suggestion learns from. */
export interface KnownLayout {
  id: string;
  label: string;
  feed: FeedId;
  required: readonly string[];
  /** Layout files only (code readers have none). */
  definition?: LayoutDefinition;
}

export interface SuggestInput {
  feed: FeedId;
  /** The start of the sample file (the whole file when small). */
  sample: Uint8Array;
  /** False when `sample` is only the start of a longer file (its last line may be cut). */
  complete: boolean;
  fileName: string;
  known: readonly KnownLayout[];
  /** Rows read at most (default 5,000). */
  maxRows?: number;
}

/** What the suggestion found, for the person checking it (and for tests). */
export interface Suggestion {
  /** The proposed layout file, with comments marking what a person must check. */
  yaml: string;
  encoding: Encoding;
  rowsRead: number;
  /** Literal null-like tokens seen in the sample, and how often. */
  nullTokensSeen: Record<string, number>;
  /** Date, time and date-part columns and the format each reads with. */
  dateFormats: Record<string, string>;
  /** Coordinate sources in the order proposed. */
  coordinates: { system: 'bng' | 'wgs84'; columns: string[]; precisionM?: number }[];
  /** Built-in layouts whose required columns this header already has. */
  matches: string[];
  /** Columns deliberately not mapped because they look personal or identifying. */
  notRead: string[];
}

const NULL_LIKE = ['NULL', 'N/A', 'NA', '-', '--', '(null)', '#N/A', 'nil'];

const DATETIME_FORMATS = [
  'dd/MM/yyyy HH:mm:ss',
  'dd/MM/yyyy HH:mm',
  'dd/MM/yyyy hh:mm:ss a',
  'dd/MM/yyyy hh:mm a',
  'dd/MM/yyyy',
  'MM/dd/yyyy HH:mm:ss',
  'MM/dd/yyyy HH:mm',
  'MM/dd/yyyy hh:mm:ss a',
  'MM/dd/yyyy hh:mm a',
  'MM/dd/yyyy',
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd HH:mm',
  "yyyy-MM-dd'T'HH:mm:ss",
  "yyyy-MM-dd'T'HH:mm:ssXXX",
  'yyyy-MM-dd HH:mm:ss z',
  'yyyy-MM-dd',
  'iso',
  'dd MMM yyyy HH:mm:ss',
  'dd MMM yyyy HH:mm',
  'dd MMM yyyy',
  'dd-MMM-yyyy HH:mm:ss',
  'dd-MMM-yyyy',
  'dd/MM/yy HH:mm',
  'dd/MM/yy',
  'dd.MM.yyyy HH:mm',
  'dd.MM.yyyy',
  'yyyyMMdd',
];
const TIME_FORMATS = ['HH:mm:ss', 'HH:mm', 'hh:mm:ss a', 'hh:mm a'];
const MONTH_FORMATS = ['yyyy-MM', 'MMM yyyy', 'MMMM yyyy', 'MM/yyyy'];

function compiled(list: readonly string[], use: PatternUse): { format: string; parser: DateFormats }[] {
  return list.map((format) => {
    const c = compileDateFormats([format], use);
    if (!c.ok) throw new Error(`suggest: bad built-in format ${format}`);
    return { format, parser: c.value };
  });
}
const DATETIME = compiled(DATETIME_FORMATS, 'datetime');
const TIME = compiled(TIME_FORMATS, 'time');
const MONTH_ONLY = compiled(MONTH_FORMATS, 'month-of-year');

/** Words of a column name: camelCase and snake_case split, lower case, punctuation dropped. */
function words(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Abbreviations exports use, spelt out before names are compared. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  no: 'number',
  num: 'number',
  nbr: 'number',
  ref: 'reference',
  desc: 'description',
  dt: 'date',
  cat: 'category',
  loc: 'location',
  upd: 'updated',
  lat: 'latitude',
  lon: 'longitude',
  long: 'longitude',
  lng: 'longitude',
};

function spelt(name: string): string {
  return words(name)
    .split(' ')
    .map((w) => ABBREVIATIONS[w] ?? w)
    .join(' ');
}

function nameScore(column: string, names: readonly string[]): number {
  const c = spelt(column);
  if (c === '') return 0;
  const ct = new Set(c.split(' '));
  let best = 0;
  for (const name of names) {
    const w = spelt(name);
    if (c === w) return 1;
    const lev = 1 - distance(c, w) / Math.max(c.length, w.length);
    const wt = w.split(' ');
    const shared = wt.filter((t) => ct.has(t)).length;
    const overlap = shared === wt.length ? 0.85 : (shared / Math.max(wt.length, ct.size)) * 0.8;
    best = Math.max(best, lev, overlap);
  }
  return best;
}

const SYNONYMS = {
  sourceRef: ['reference', 'ref', 'id', 'incident number', 'incident no', 'incident id', 'incident ref', 'case number', 'case no', 'case ref', 'report id', 'crime id', 'job number', 'call number', 'record id', 'url'],
  occurredAt: ['date', 'date time', 'datetime', 'call date', 'date of call', 'call date time', 'received date', 'date received', 'reported date', 'date reported', 'incident date', 'created', 'occurred', 'opened', 'time of call'],
  asOf: ['last updated', 'updated', 'last modified', 'modified', 'closed date', 'date closed', 'last update', 'last amended', 'amended', 'closed'],
  sourceCategory: ['type', 'category', 'incident type', 'incident category', 'stop code', 'classification', 'crime type', 'kind', 'incident group', 'nature', 'problem', 'problem type', 'issue', 'call type', 'job type', 'service'],
  outcome: ['outcome', 'result', 'action taken', 'disposal', 'resolution', 'final result'],
  wardName: ['ward', 'ward name'],
  lsoaName: ['lsoa name'],
  locationText: ['location', 'location description', 'street', 'street name', 'place', 'where', 'locality', 'road'],
  restrictedText: ['notes', 'description', 'comments', 'details', 'narrative', 'title', 'summary', 'remarks', 'free text'],
} as const;

/** Columns never proposed: they name or locate a person or a premises. */
const PERSONAL = /\b(forename|surname|first name|last name|full name|caller|complainant|reporter|victim name|offender|suspect|address|house (name|number)|flat|uprn|usrn|phone|telephone|mobile|e ?mail|dob|date of birth|nhs|registration|reg (no|number|mark)|vrm|number plate|postcode full|full postcode)\b/;

interface Profile {
  name: string;
  values: string[];
  nulls: Map<string, number>;
  filled: number;
  distinct: number;
  numeric: number;
  integer: number;
  masked: number;
  min: number;
  max: number;
  avgLength: number;
  maxLength: number;
  lsoa: number;
  ward: number;
  yesNo: number;
  points: number;
  postcodes: number;
}

function profile(name: string, raw: string[], nullSet: ReadonlySet<string>): Profile {
  const nulls = new Map<string, number>();
  const values: string[] = [];
  for (const r of raw) {
    const t = r.trim();
    if (t === '') continue;
    const token = NULL_LIKE.find((n) => n.toUpperCase() === t.toUpperCase());
    if (token) nulls.set(t, (nulls.get(t) ?? 0) + 1);
    if (nullSet.has(t.toUpperCase())) continue;
    values.push(t);
  }
  const nums = values.map((v) => (/^[-+]?\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN)).filter((n) => !Number.isNaN(n));
  const p: Profile = {
    name,
    values,
    nulls,
    filled: values.length,
    distinct: new Set(values).size,
    numeric: nums.length,
    integer: values.filter((v) => /^[-+]?\d+(\.0+)?$/.test(v)).length,
    masked: values.filter((v) => /^\d+\*+$/.test(v)).length,
    min: nums.length ? Math.min(...nums) : Number.NaN,
    max: nums.length ? Math.max(...nums) : Number.NaN,
    avgLength: values.length ? values.reduce((s, v) => s + v.length, 0) / values.length : 0,
    maxLength: values.reduce((m, v) => Math.max(m, v.length), 0),
    lsoa: values.filter((v) => parseAreaCode(v, 'lsoa').ok).length,
    ward: values.filter((v) => parseAreaCode(v, 'ward').ok).length,
    yesNo: values.filter((v) => parseBoolean(v).ok).length,
    points: values.filter((v) => parsePointText(v) !== null).length,
    postcodes: values.filter((v) => parsePostcodeDistrict(v).ok).length,
  };
  return p;
}

const mostly = (count: number, p: Profile, share = 0.95) => p.filled > 0 && count / p.filled >= share;

/** The first format that reads (nearly) every value, and whether a day-first/month-first choice was a guess. */
function detectFormat(p: Profile, candidates: { format: string; parser: DateFormats }[]): { format: string; note: string } | undefined {
  const sample = p.values.slice(0, 500);
  if (sample.length === 0) return undefined;
  const reads = (c: { parser: DateFormats }) => sample.filter((v) => c.parser.parse(v).ok).length;
  const scored = candidates.map((c) => ({ ...c, n: reads(c) }));
  // The format that reads the most values (the earlier on a tie); a few bad values (at most 2%, or one) do not hide it.
  const best = scored.reduce((b, c) => (c.n > b.n ? c : b));
  if (best.n < 2 || best.n < sample.length - Math.max(1, Math.floor(sample.length * 0.02))) return undefined;
  const swapped = best.format.startsWith('dd/MM') ? best.format.replace('dd/MM', 'MM/dd') : best.format.startsWith('MM/dd') ? best.format.replace('MM/dd', 'dd/MM') : undefined;
  const other = swapped ? scored.find((c) => c.format === swapped) : undefined;
  let note = `every value in the sample reads as ${best.format}`;
  if (other && other.n === best.n && best.format.startsWith('dd/MM')) note = `CHECK: no day above 12 in the sample, so day-first (UK) ${best.format} is assumed`;
  else if (best.format.startsWith('MM/dd')) note = `CHECK: month-first (US) dates: ${best.format} reads the sample and day-first does not`;
  else if (other && best.format.startsWith('dd/MM')) note = `day-first: a day above 12 rules out month-first (${best.format})`;
  if (best.n < sample.length) note += ` (${sample.length - best.n} of ${sample.length} values do not: CHECK)`;
  return { format: best.format, note };
}

function camel(name: string): string {
  const parts = words(name).split(' ').filter(Boolean);
  let key = parts.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
  if (!/^[a-z]/.test(key)) key = `c${key}`;
  return key.slice(0, 60) || 'column';
}

function slug(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const id = base.slice(0, 50).replace(/-+$/, '');
  return /^[a-z0-9][a-z0-9-]{1,62}$/.test(id) ? id : `layout-${id || 'sample'}`.slice(0, 60);
}

/** Built-in column names and what they became: the vocabulary a new export is compared with. */
function vocabulary(known: readonly KnownLayout[], feed: FeedId): { column: string; field: string; attribute?: { key: string; type: string; locates: boolean } }[] {
  const out: { column: string; field: string; attribute?: { key: string; type: string; locates: boolean } }[] = [];
  const sameFeedFirst = [...known].sort((a, b) => Number(b.feed === feed) - Number(a.feed === feed));
  for (const k of sameFeedFirst) {
    const c = k.definition?.columns;
    if (!c) continue;
    const add = (field: string, cols: readonly string[] | undefined) => cols?.forEach((column) => out.push({ column, field }));
    add('sourceRef', c.sourceRef?.column);
    add('occurredAt', c.occurredAt?.column ?? c.occurredAt?.date?.column);
    add('asOf', c.asOf?.column);
    add('sourceCategory', c.sourceCategory.column);
    add('outcome', c.outcome?.column);
    add('wardName', c.wardName?.column);
    add('wardCode', c.wardCode?.column);
    add('lsoaCode', c.lsoaCode?.column);
    add('lsoaName', c.lsoaName?.column);
    add('locationText', c.locationText?.column);
    for (const r of c.restrictedText ?? []) add('restrictedText', r.column);
    for (const [key, a] of Object.entries(c.attributes ?? {})) {
      for (const column of a.column ?? []) out.push({ column, field: 'attribute', attribute: { key, type: a.type, locates: a.locates } });
    }
  }
  return out;
}

type Emitted = Record<string, unknown>;

/**
 * Proposes a layout for a sample export: encoding detected, null tokens seen,
 * each column compared by name with the target fields and with the built-in
 * layouts' columns, date formats detected from the values, the coordinate
 * system guessed from value ranges (British National Grid eastings/northings
 * or WGS84 latitude/longitude), identifying columns left out. The YAML marks
 * with CHECK what a person must confirm; nothing is registered.
 */
export async function suggestLayout(input: SuggestInput): Promise<Suggestion> {
  let bytes = input.sample;
  if (!input.complete) {
    const lastLf = bytes.lastIndexOf(0x0a);
    if (lastLf > 0) bytes = bytes.subarray(0, lastLf + 1);
  }
  let encoding: Encoding = 'auto';
  let encodingNote = 'the sample is plain ASCII: auto reads UTF-8 and switches to Windows-1252 if a later byte needs it';
  if (bytes.some((b) => b >= 0x80)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      encoding = 'utf-8';
      encodingNote = 'the sample is valid UTF-8 with non-ASCII characters';
    } catch {
      encoding = 'windows-1252';
      const first = bytes.find((b) => b >= 0x80)!;
      const decoder = new TextDecoder('windows-1252');
      const ch = decoder.decode(new Uint8Array([first]), { stream: true }) + decoder.decode();
      encodingNote = `bytes that are not UTF-8 (e.g. 0x${first.toString(16).toUpperCase()}, "${ch}" in Windows-1252): an Excel or Windows export`;
    }
  }
  const csv = await openCsv(bytesOf(bytes), { feedLabel: 'sample', requiredColumns: [], encoding });
  const header = csv.header;
  const maxRows = input.maxRows ?? 5000;
  const columns: string[][] = header.map(() => []);
  let rowsRead = 0;
  outer: for await (const batch of csv.batches()) {
    for (const { fields } of batch.records) {
      fields.forEach((f, i) => columns[i]!.push(f));
      if (++rowsRead >= maxRows) break outer;
    }
  }

  const defaults = new Set(DEFAULT_NULL_TOKENS.map((t) => t.toUpperCase()));
  const firstPass = header.map((h, i) => profile(h, columns[i]!, defaults));
  const nullTokensSeen: Record<string, number> = {};
  for (const p of firstPass) for (const [t, n] of p.nulls) nullTokensSeen[t] = (nullTokensSeen[t] ?? 0) + n;
  const extraTokens = Object.keys(nullTokensSeen).filter((t) => !defaults.has(t.toUpperCase()));
  const nullSet = new Set([...defaults, ...extraTokens.map((t) => t.toUpperCase())]);
  const profiles = extraTokens.length ? header.map((h, i) => profile(h, columns[i]!, nullSet)) : firstPass;
  const byName = new Map(profiles.map((p) => [p.name, p]));

  const used = new Set<string>();
  const comments = new Map<string, string>();
  const dateFormats: Record<string, string> = {};
  const notRead = header.filter((h) => PERSONAL.test(words(h)));
  notRead.forEach((h) => used.add(h));
  const vocab = vocabulary(input.known, input.feed);
  const vocabHint = (column: string) => {
    let best: (typeof vocab)[number] | undefined;
    let score = 0;
    for (const v of vocab) {
      const s = nameScore(column, [v.column]);
      if (s > score) [best, score] = [v, s];
    }
    return score >= 0.85 ? best : undefined;
  };
  const free = () => profiles.filter((p) => !used.has(p.name) && p.filled > 0);
  const pick = (field: keyof typeof SYNONYMS, accept: (p: Profile) => boolean, threshold: number): Profile | undefined => {
    let best: Profile | undefined;
    let score = threshold;
    for (const p of free()) {
      if (!accept(p)) continue;
      const hint = vocabHint(p.name);
      const s = Math.max(nameScore(p.name, SYNONYMS[field]), hint?.field === field ? 0.95 : 0);
      if (s > score) [best, score] = [p, s];
    }
    if (best) used.add(best.name);
    return best;
  };
  const mapping: Emitted = {};

  // Coordinates, from value ranges first, names second.
  const coordinates: Suggestion['coordinates'] = [];
  const sources: Emitted[] = [];
  const numericish = (p: Profile) => mostly(p.numeric + p.masked, p, 0.9);
  const gridRange = (p: Profile) => numericish(p) && (p.masked > 0 || (p.min >= 0 && p.max <= 1_300_000 && p.max > 1000));
  const latRange = (p: Profile) => numericish(p) && p.min >= 49.8 && p.max <= 61;
  const lonRange = (p: Profile) => numericish(p) && p.min >= -8.7 && p.max <= 2 && p.min < 0;
  const partner = (name: string, from: RegExp, to: string) => header.find((h) => h !== name && words(h) === words(name).replace(from, to));
  const gridCols = profiles.filter((p) => !used.has(p.name) && gridRange(p));
  const gridPairs: [Profile, Profile][] = [];
  for (const p of gridCols) {
    const w = words(p.name);
    const n = /easting/.test(w) ? partner(p.name, /easting/, 'northing') : /\bx\b/.test(w) ? partner(p.name, /\bx\b/, 'y') : /\beast\b/.test(w) ? partner(p.name, /\beast\b/, 'north') : /(^| )e($| )/.test(w) ? partner(p.name, /(^| )e($| )/, '$1n$2') : undefined;
    const q = n ? byName.get(n) : undefined;
    if (q && gridRange(q)) gridPairs.push([p, q]);
  }
  if (gridPairs.length === 0) {
    // Unnamed: neighbouring columns in grid range, in the order that lands in the UK.
    for (let i = 0; i + 1 < gridCols.length; i++) {
      const [a, b] = [gridCols[i]!, gridCols[i + 1]!];
      if (header.indexOf(b.name) !== header.indexOf(a.name) + 1) continue;
      gridPairs.push(inUk(a, b) >= inUk(b, a) ? [a, b] : [b, a]);
      i++;
    }
  }
  function inUk(e: Profile, n: Profile): number {
    const ei = header.indexOf(e.name);
    const ni = header.indexOf(n.name);
    let ok = 0;
    for (let r = 0; r < Math.min(rowsRead, 300); r++) {
      const ev = parseGridValue(columns[ei]![r] ?? '');
      const nv = parseGridValue(columns[ni]![r] ?? '');
      if (!ev.ok || !nv.ok || !ev.value || !nv.value) continue;
      const p = bngToWgs84(ev.value.metres, nv.value.metres);
      if (insideUk(p.latitude, p.longitude)) ok++;
    }
    return ok;
  }
  gridPairs.sort((a, b) => Number(/round/.test(words(a[0].name))) - Number(/round/.test(words(b[0].name))) || b[0].filled - a[0].filled);
  for (const [e, n] of gridPairs) {
    used.add(e.name);
    used.add(n.name);
    const rounded = /round/.test(words(e.name));
    const source: Emitted = { system: 'bng', easting: e.name, northing: n.name, ...(rounded ? { precisionM: 100 } : {}) };
    sources.push(source);
    coordinates.push({ system: 'bng', columns: [e.name, n.name], ...(rounded ? { precisionM: 100 } : {}) });
    const range = (p: Profile) => (p.masked > 0 ? `masked (${p.values[0]})` : `${Math.round(p.min).toLocaleString('en-GB')}-${Math.round(p.max).toLocaleString('en-GB')}`);
    comments.set(
      `bng:${e.name}`,
      `British National Grid: ${e.name} ${range(e)}, ${n.name} ${range(n)} metres${rounded ? '; rounded values: CHECK the 100 m precision' : ''}${e.masked > 0 ? '; masked values stand for the centre of their square' : ''}`,
    );
  }
  const lats = profiles.filter((p) => !used.has(p.name) && latRange(p));
  for (const lat of lats) {
    const lon =
      profiles.find((q) => !used.has(q.name) && q !== lat && lonRange(q) && nameScore(q.name, ['longitude', 'lon', 'long', 'lng']) >= 0.6 && words(q.name).replace(/lon(gitude)?|lng|long/, 'lat') === words(lat.name).replace(/latitude/, 'lat')) ??
      profiles.find((q) => !used.has(q.name) && q !== lat && lonRange(q));
    if (!lon) continue;
    used.add(lat.name);
    used.add(lon.name);
    sources.push({ system: 'wgs84', latitude: lat.name, longitude: lon.name });
    coordinates.push({ system: 'wgs84', columns: [lat.name, lon.name] });
    const deg = (n: number) => n.toFixed(4);
    comments.set(`wgs84:${lat.name}`, `WGS84: ${lat.name} ${deg(lat.min)} to ${deg(lat.max)}, ${lon.name} ${deg(lon.min)} to ${deg(lon.max)} degrees`);
  }
  for (const p of profiles) {
    if (used.has(p.name) || !mostly(p.points, p, 0.9)) continue;
    used.add(p.name);
    sources.push({ system: 'wgs84', point: p.name });
    coordinates.push({ system: 'wgs84', columns: [p.name] });
    comments.set(`point:${p.name}`, `WGS84 points written (latitude, longitude), used when the columns above are empty`);
  }
  if (sources.length > 0) mapping.coordinates = sources.length === 1 ? sources[0] : sources;

  // Area codes, by value.
  const lsoa = free().find((p) => mostly(p.lsoa, p, 0.9));
  if (lsoa) {
    used.add(lsoa.name);
    mapping.lsoaCode = lsoa.name;
    comments.set('lsoaCode', `ONS LSOA codes (${lsoa.values[0]})`);
  }
  const wardCode = free().find((p) => mostly(p.ward, p, 0.9));
  if (wardCode) {
    used.add(wardCode.name);
    mapping.wardCode = wardCode.name;
    comments.set('wardCode', `ONS ward codes (${wardCode.values[0]})`);
  }

  // Dates.
  const dateOf = new Map<string, { format: string; note: string; hasTime: boolean }>();
  for (const p of profiles) {
    if (used.has(p.name)) continue;
    const d = detectFormat(p, DATETIME);
    if (d) dateOf.set(p.name, { ...d, hasTime: /[Hh]/.test(d.format) || d.format === 'iso' });
  }
  const dayCol = free().find((p) => nameScore(p.name, ['day']) >= 0.99 && mostly(p.integer, p) && p.min >= 1 && p.max <= 31);
  const monthCol = free().find((p) => nameScore(p.name, ['month']) >= 0.99);
  const yearCol = free().find((p) => nameScore(p.name, ['year']) >= 0.99 && mostly(p.integer, p) && p.min >= 1990 && p.max <= 2100);
  const timeCols = free()
    .map((p) => ({ p, t: detectFormat(p, TIME) }))
    .filter((x): x is { p: Profile; t: { format: string; note: string } } => x.t !== undefined);
  const timeFor = (near: string) =>
    timeCols.sort((a, b) => nameScore(b.p.name, ['time', 'time of call', `${near} time`]) - nameScore(a.p.name, ['time', 'time of call', `${near} time`]))[0];
  let occurred: Emitted | undefined;
  const asOfName = pick('asOf', (p) => dateOf.has(p.name) && nameScore(p.name, SYNONYMS.asOf) >= 0.7, 0.69);
  const occurredName = pick('occurredAt', (p) => dateOf.has(p.name), 0);
  if (occurredName) {
    const d = dateOf.get(occurredName.name)!;
    dateFormats[occurredName.name] = d.format;
    const time = !d.hasTime ? timeFor(occurredName.name) : undefined;
    if (time) {
      used.add(time.p.name);
      dateFormats[time.p.name] = time.t.format;
      const dateFormat = d.format;
      occurred = { date: { column: occurredName.name, format: dateFormat }, time: { column: time.p.name, format: time.t.format } };
      comments.set('occurredAt', `${occurredName.name}: ${d.note}; ${time.p.name}: ${time.t.note}`);
    } else {
      occurred = { column: occurredName.name, format: d.format };
      comments.set('occurredAt', d.note);
    }
  } else if (dayCol && monthCol && yearCol) {
    for (const p of [dayCol, monthCol, yearCol]) used.add(p.name);
    const monthFormat = mostly(monthCol.integer, monthCol) ? 'M' : 'MMMM';
    occurred = { day: dayCol.name, month: { column: monthCol.name, format: monthFormat }, year: yearCol.name };
    Object.assign(dateFormats, { [dayCol.name]: 'd', [monthCol.name]: monthFormat, [yearCol.name]: 'yyyy' });
    const time = timeFor('call');
    if (time) {
      used.add(time.p.name);
      occurred.time = { column: time.p.name, format: time.t.format };
      dateFormats[time.p.name] = time.t.format;
    }
    comments.set('occurredAt', `the date is split over ${dayCol.name}, ${monthCol.name} and ${yearCol.name}${time ? ` with the time in ${time.p.name}` : ''}`);
  } else {
    const month = free()
      .map((p) => ({ p, m: detectFormat(p, MONTH_ONLY) }))
      .find((x) => x.m !== undefined);
    if (month) {
      used.add(month.p.name);
      mapping.month = { column: month.p.name, format: month.m!.format };
      dateFormats[month.p.name] = month.m!.format;
      comments.set('month', `only a month is given: ${month.m!.note}`);
    } else {
      occurred = { column: 'CHECK: no column in the sample reads as a date', format: 'dd/MM/yyyy HH:mm' };
      comments.set('occurredAt', 'CHECK: no column in the sample reads as a date; name the date column and its format');
    }
  }
  if (occurred) mapping.occurredAt = occurred;
  if (asOfName) {
    const d = dateOf.get(asOfName.name)!;
    dateFormats[asOfName.name] = d.format;
    mapping.asOf = { column: asOfName.name, format: d.format };
    comments.set('asOf', `when the source last changed the row: newer values win at ingest (${d.note})`);
  }

  // The source's own id.
  const rows = Math.max(1, rowsRead);
  const ref = pick('sourceRef', (p) => p.distinct / p.filled >= 0.95 && p.filled / rows >= 0.9 && !dateOf.has(p.name), 0.55);
  if (ref) {
    mapping.sourceRef = ref.name;
    comments.set('sourceRef', `${ref.distinct === ref.filled ? 'unique' : `${ref.distinct} distinct of ${ref.filled}`} in the sample`);
  } else {
    comments.set('sourceRef', 'CHECK: no column looks like a unique reference; rows without one are keyed by their content at ingest');
  }

  // Category.
  const categorical = (p: Profile) => p.distinct <= Math.max(40, p.filled * 0.05) && mostly(p.values.length - p.numeric, p);
  const cat = pick('sourceCategory', categorical, 0.6);
  const agencyType = FEEDS[input.feed].agencyType;
  if (cat) {
    // Two category columns (a type and a coarser kind): the finer first, the other standing in when it is empty.
    const also = free().filter((p) => categorical(p) && nameScore(p.name, SYNONYMS.sourceCategory) >= 0.95);
    const chosen = [cat, ...also].sort((a, b) => b.distinct - a.distinct);
    also.forEach((p) => used.add(p.name));
    mapping.sourceCategory = chosen.length === 1 ? cat.name : chosen.map((p) => p.name);
    const seen = [...new Set(chosen.flatMap((p) => p.values))].sort();
    if (seen.length <= 40) {
      mapping.category = { map: Object.fromEntries(seen.map((v) => [v, classify(agencyType, v)])), default: 'other' };
      comments.set('category', `CHECK each priority: proposed from the hub's ${agencyType} categories for the ${seen.length} values seen`);
    }
    comments.set('sourceCategory', chosen.length === 1 ? `${cat.distinct} distinct values` : `CHECK: ${chosen[0]!.name} first, ${chosen.slice(1).map((p) => p.name).join(', ')} when it is empty`);
  } else {
    const constant = input.known.find((k) => k.feed === input.feed && k.definition?.columns.sourceCategory.value)?.definition?.columns.sourceCategory.value;
    mapping.sourceCategory = { value: constant ?? 'CHECK: the category every row gets' };
    comments.set('sourceCategory', constant ? `every row is ${constant}, as in the built-in layout` : 'CHECK: no category column found');
  }

  const outcome = pick('outcome', categorical, 0.7);
  if (outcome) mapping.outcome = outcome.name;
  const wardName = pick('wardName', (p) => p.ward === 0, 0.7);
  if (wardName) mapping.wardName = wardName.name;
  const lsoaName = pick('lsoaName', (p) => p.lsoa === 0, 0.8);
  if (lsoaName) mapping.lsoaName = lsoaName.name;
  const freeText = (p: Profile) => p.avgLength >= 30 || (p.maxLength >= 80 && !categorical(p));
  const place = pick('locationText', (p) => !freeText(p) || p.avgLength < 60, 0.7);
  if (place) {
    mapping.locationText = place.name;
    comments.set('locationText', 'descriptions that look like a premises address go to restrictedText instead');
  }
  const restricted = free().filter((p) => freeText(p) || (nameScore(p.name, SYNONYMS.restrictedText) >= 0.85 && (!categorical(p) || p.distinct === p.filled)));
  if (restricted.length > 0) {
    for (const p of restricted) used.add(p.name);
    mapping.restrictedText = restricted.map((p) => ({ column: p.name, label: p.name }));
    comments.set('restrictedText', 'free text: it stays with the providing agency');
  }

  // Everything else becomes an attribute; postcodes are cut to their district.
  const attributes: Emitted = {};
  const keys = new Set<string>();
  for (const p of profiles) {
    if (used.has(p.name)) continue;
    if (p.filled === 0) {
      comments.set(`empty:${p.name}`, p.name);
      continue;
    }
    const hint = vocabHint(p.name);
    let key = hint?.attribute?.key ?? camel(p.name);
    while (keys.has(key)) key = `${key}2`;
    keys.add(key);
    const spec: Emitted = { column: p.name };
    if (mostly(p.postcodes, p, 0.9) && /post ?code/.test(words(p.name))) {
      Object.assign(spec, { type: 'postcode-district', locates: true });
      comments.set(`attr:${key}`, 'postcodes: only the district (outward code) is kept');
    } else if (dateOf.has(p.name)) {
      spec.type = 'date';
      spec.format = dateOf.get(p.name)!.format;
      dateFormats[p.name] = dateOf.get(p.name)!.format;
    } else if (mostly(p.integer, p, 1)) spec.type = 'integer';
    else if (mostly(p.numeric, p, 1)) spec.type = 'number';
    else if (mostly(p.yesNo, p, 1) && p.distinct <= 4) spec.type = 'boolean';
    else if (hint?.attribute && hint.attribute.type !== 'text') spec.type = hint.attribute.type;
    attributes[key] = Object.keys(spec).length === 1 ? p.name : spec;
  }
  if (Object.keys(attributes).length > 0) mapping.attributes = attributes;

  // Header: the columns the mapping cannot do without.
  const required = [
    ...(ref ? [ref.name] : []),
    ...Object.keys(dateFormats).filter((c) => c === occurredName?.name || (occurred && JSON.stringify(occurred).includes(JSON.stringify(c)))),
    ...(cat ? (typeof mapping.sourceCategory === 'string' ? [mapping.sourceCategory] : (mapping.sourceCategory as string[])) : []),
  ].filter((c, i, all) => header.includes(c) && all.indexOf(c) === i);
  const locating = Boolean(mapping.coordinates || mapping.lsoaCode || mapping.wardCode || mapping.wardName) || Object.values(attributes).some((a) => typeof a === 'object' && (a as Emitted).locates);
  const present = new Set(header);
  const matches = input.known.filter((k) => k.feed === input.feed && k.required.every((c) => present.has(c))).map((k) => k.id);

  let id = slug(input.fileName);
  if (input.known.some((k) => k.id === id)) id = `${id}-custom`;
  const layout: Emitted = {
    id,
    version: 1,
    label: input.fileName.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim() || 'sample export',
    feed: input.feed,
    encoding,
    ...(extraTokens.length ? { nullTokens: [...DEFAULT_NULL_TOKENS, ...extraTokens] } : {}),
    header: { required: required.length ? required : header.slice(0, 1) },
    columns: mapping,
    ...(locating && FEEDS[input.feed].located ? { rules: { requireLocation: true } } : {}),
  };

  const doc = new Document(layout);
  const top = [
    ` Layout suggested by csp-hub layouts suggest from ${input.fileName} (${rowsRead.toLocaleString('en-GB')} rows read${input.complete ? '' : ', the start of the file'}).`,
    ' A person must check it, above all every line marked CHECK, before csp-hub layouts add.',
    ...(matches.length ? [` Note: this header already fits the built-in layout ${matches.join(', ')}: you may not need a new one.`] : []),
    ` Null tokens seen: ${Object.entries(nullTokensSeen).map(([t, n]) => `${t === '' ? '(empty)' : t} (${n})`).join(', ') || 'none'}.`,
    ...(notRead.length ? [` Not read (they identify a person or a premises): ${notRead.join(', ')}.`] : []),
    ...[...comments.entries()].filter(([k]) => k.startsWith('empty:')).length
      ? [` Empty in the sample, not mapped: ${[...comments.entries()].filter(([k]) => k.startsWith('empty:')).map(([, v]) => v).join(', ')}.`]
      : [],
  ];
  doc.commentBefore = top.join('\n');
  const root = doc.contents as YAMLMap;
  const pairOf = (map: unknown, key: string): Pair | undefined =>
    isMap(map) ? (map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as Pair | undefined) : undefined;
  const note = (pair: Pair | undefined, text: string | undefined) => {
    if (pair && text) (pair.key as { commentBefore?: string }).commentBefore = ` ${text}`;
  };
  note(pairOf(root, 'id'), 'CHECK: a short id for this export (lower case and dashes), e.g. <agency>-<system>');
  note(pairOf(root, 'label'), 'CHECK: what people will see');
  note(pairOf(root, 'encoding'), `Detected: ${encodingNote}.`);
  note(pairOf(root, 'nullTokens'), `CHECK: ${extraTokens.join(', ')} also seen where values were expected`);
  note(pairOf(root, 'header'), 'CHECK: the columns a file must have to be read with this layout');
  const cols = pairOf(root, 'columns')?.value;
  for (const key of ['sourceRef', 'occurredAt', 'month', 'asOf', 'sourceCategory', 'category', 'lsoaCode', 'wardCode', 'locationText', 'restrictedText']) {
    note(pairOf(cols, key), comments.get(key));
  }
  const coordPair = pairOf(cols, 'coordinates');
  if (coordPair) note(coordPair, [...comments.entries()].filter(([k]) => /^(bng|wgs84|point):/.test(k)).map(([, v]) => v).join('\n '));
  const attrs = pairOf(cols, 'attributes');
  if (attrs) {
    note(attrs, 'CHECK: feed-specific fields; rename keys as you like (camelCase)');
    for (const key of keys) note(pairOf(attrs.value, key), comments.get(`attr:${key}`));
  }
  note(pairOf(root, 'rules'), 'rows that cannot be placed are rejected (MISSING_LOCATION)');
  const yaml = doc.toString({ lineWidth: 0, flowCollectionPadding: true });
  return { yaml, encoding, rowsRead, nullTokensSeen, dateFormats, coordinates, matches, notRead };
}
