import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type pg from 'pg';
import { DEMO_AGENCIES, DEMO_PARTNERSHIPS } from '@csp-hub/db';
import type { FeedId } from '@csp-hub/taxonomy';

/**
 * Agency files in the layouts the hub accepts, written from rows: one place
 * that knows each layout's columns, for the demo generator below and for the
 * tests' own datasets.
 *  - police.street: data.police.uk street-level CSV (the 12 published columns);
 *  - fire.incidents: the generic fire incident-level extract (packages/adapter-fire);
 *  - council.asb, council.fly_tipping, council.noise: the council standard layouts;
 *  - health.istv: the ISTV minimum data set CSV (one site and reporting period per file).
 */

/** RFC 4180 cells: quoted only when they hold a comma, quote or line break (input files, not exports). */
function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const line = (cells: readonly (string | number | null)[]) => cells.map(cell).join(',');
  return `${line(header)}\n${rows.map(line).join('\n')}${rows.length ? '\n' : ''}`;
}

export const POLICE_STREET_COLUMNS = [
  'Crime ID', 'Month', 'Reported by', 'Falls within', 'Longitude', 'Latitude', 'Location', 'LSOA code', 'LSOA name', 'Crime type', 'Last outcome category', 'Context',
] as const;

export interface PoliceStreetRow {
  /** 64 hex characters; empty for anti-social behaviour, as data.police.uk publishes it. */
  crimeId: string;
  /** YYYY-MM */
  month: string;
  force: string;
  longitude: number | null;
  latitude: number | null;
  location: string;
  lsoaCode: string;
  lsoaName: string;
  crimeType: string;
  outcome: string;
}

/** A data.police.uk street-level file ("Reported by" and "Falls within" both the force). */
export function policeStreetCsv(rows: readonly PoliceStreetRow[]): string {
  return csv(POLICE_STREET_COLUMNS, rows.map((r) => [r.crimeId, r.month, r.force, r.force, r.longitude, r.latitude, r.location, r.lsoaCode, r.lsoaName, r.crimeType, r.outcome, '']));
}

export interface FireRow {
  incidentNumber: string;
  /** YYYY-MM-DDTHH:MM:SS (local time) */
  callDateTime: string;
  incidentGroup: string;
  stopCode: string;
  propertyType: string;
  postcodeDistrict: string;
  lsoaCode: string;
  latitude?: number | null;
  longitude?: number | null;
  injuries: number;
}

/** The generic fire extract; Latitude/Longitude columns only when some row has them. */
export function fireIncidentsCsv(rows: readonly FireRow[]): string {
  const located = rows.some((r) => r.latitude != null);
  const header = ['IncidentNumber', 'CallDateTime', 'IncidentGroup', 'StopCode', 'PropertyType', 'PostcodeDistrict', 'LsoaCode', ...(located ? ['Latitude', 'Longitude'] : []), 'Injuries'];
  return csv(header, rows.map((r) => [
    r.incidentNumber, r.callDateTime, r.incidentGroup, r.stopCode, r.propertyType, r.postcodeDistrict, r.lsoaCode,
    ...(located ? [r.latitude ?? null, r.longitude ?? null] : []), r.injuries,
  ]));
}

/** The columns every council standard layout row here carries. */
interface CouncilPlace {
  reference: string;
  /** As the council exports it: DD/MM/YYYY HH:MM or YYYY-MM-DD. */
  date: string;
  lsoaCode: string;
  locationDescription: string;
  latitude?: number | null;
  longitude?: number | null;
}

function councilCsv<R extends CouncilPlace>(rows: readonly R[], own: readonly string[], values: (r: R) => (string | null)[]): string {
  const located = rows.some((r) => r.latitude != null);
  const header = ['Reference', 'Date', 'LSOA code', ...(located ? ['Latitude', 'Longitude'] : []), 'Location description', ...own];
  return csv(header, rows.map((r) => [r.reference, r.date, r.lsoaCode, ...(located ? [r.latitude ?? null, r.longitude ?? null] : []), r.locationDescription, ...values(r)]));
}

export interface AsbRow extends CouncilPlace {
  asbCategory: string;
  asbType: string;
  outcome: string;
  /** Restricted text: stays with the council. */
  description: string;
}

export function asbCsv(rows: readonly AsbRow[]): string {
  return councilCsv(rows, ['ASB category', 'ASB type', 'Outcome', 'Description'], (r) => [r.asbCategory, r.asbType, r.outcome, r.description]);
}

export interface FlyTippingRow extends CouncilPlace {
  landType: string;
  wasteType: string;
  size: string;
  actionTaken: string;
}

export function flyTippingCsv(rows: readonly FlyTippingRow[]): string {
  return councilCsv(rows, ['Land type', 'Waste type', 'Size', 'Action taken'], (r) => [r.landType, r.wasteType, r.size, r.actionTaken]);
}

export interface NoiseRow extends CouncilPlace {
  noiseType: string;
  sourceType: string;
  outcome: string;
  description: string;
}

export function noiseCsv(rows: readonly NoiseRow[]): string {
  return councilCsv(rows, ['Noise type', 'Source type', 'Outcome', 'Description'], (r) => [r.noiseType, r.sourceType, r.outcome, r.description]);
}

export const ISTV_CSV_HEADER = [
  'REPORTING PERIOD START DATE', 'REPORTING PERIOD END DATE', 'SITE CODE (OF TREATMENT)',
  'ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT', 'ASSAULT DATE AND TIME', 'ASSAULT METHOD',
  'ASSAULT METHOD OTHER DESCRIPTION', 'ASSAULT LOCATION TYPE', 'ASSAULT LOCATION DESCRIPTION',
] as const;

export interface IstvRow {
  arrivalAt: string;
  assaultAt: string;
  method: string;
  methodOther: string;
  locationType: string;
  /** Free text (restricted): stays with the health provider. */
  locationDescription: string;
}

/** One ISTV submission: one site, one reporting period (repeated on every row, as the layout has it). */
export function istvSubmissionCsv(period: { start: string; end: string; siteCode: string }, rows: readonly IstvRow[]): string {
  return csv(ISTV_CSV_HEADER, rows.map((r) => [period.start, period.end, period.siteCode, r.arrivalAt, r.assaultAt, r.method, r.methodOther, r.locationType, r.locationDescription]));
}

// ---------------------------------------------------------------------------------------------
// The demo generator

/** An LSOA the generator may place records in (real ONS codes and centroids from the `area` table). */
export interface DemoLsoa {
  code: string;
  name: string;
  ladCode: string;
  latitude: number | null;
  longitude: number | null;
}

export interface DemoFeedFile {
  agencyCode: string;
  feed: FeedId;
  fileName: string;
  content: string;
  rows: number;
}

export interface DemoFeedOptions {
  /** YYYY-MM months to cover (default: January to March 2024, the months of the real police files). */
  months?: readonly string[];
  /** Changes every file; the same seed always gives the same bytes. */
  seed?: number;
}

export const DEMO_MONTHS = ['2024-01', '2024-02', '2024-03'] as const;

/** Outward codes used by the fire extract for the demo districts (the extract carries a postcode district). */
const POSTCODE_DISTRICTS: Record<string, string> = {
  E07000130: 'LE11',
  E07000131: 'LE16',
  E07000134: 'LE67',
  E07000135: 'LE18',
  E07000181: 'OX28',
};

/** Forces whose street-level files the reference folder lacks: the demo generates theirs. */
const GENERATED_POLICE: readonly string[] = ['thames-valley-police'];

/** ODS site codes of the emergency departments whose ISTV returns each demo ICB passes on. */
const ISTV_SITES: Record<string, string> = { 'llr-icb': 'RWEAA', 'bob-icb': 'RTH08' };

/** FNV-1a: a stable 32-bit number from text (seeds per file and per LSOA). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h | 0;
}

class Draw {
  private readonly rng: RandomGenerator;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  /** A weighted pick: weights need not sum to anything in particular. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let at = (this.int(0, 1_000_000) / 1_000_000) * total;
    for (let i = 0; i < items.length; i++) {
      at -= weights[i]!;
      if (at <= 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }
  chance(p: number): boolean {
    return this.int(0, 9999) < p * 10_000;
  }
  /** A small offset (degrees) around a centroid. */
  jitter(): number {
    return (this.int(-300, 300) / 100_000);
  }
}

/**
 * How much happens in an LSOA: a fixed weight from its code (1 to 12, most near 1), so that every
 * agency's records cluster in the same few places, as they do in real hotspots.
 */
function hotspotWeight(code: string): number {
  const u = ((hash32(`hotspot:${code}`) >>> 0) % 10_000) / 10_000;
  return 1 + 11 * u ** 6;
}

function daysIn(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, '0');

interface Placed {
  lsoa: DemoLsoa;
  month: string;
  day: number;
  hour: number;
  minute: number;
  latitude: number | null;
  longitude: number | null;
}

/** `perLsoaPerMonth` records a month on average across the LSOAs, placed by hotspot weight, evening-heavy. */
function place(draw: Draw, lsoas: readonly DemoLsoa[], months: readonly string[], perLsoaPerMonth: number): Placed[] {
  const weights = lsoas.map((l) => hotspotWeight(l.code));
  const out: Placed[] = [];
  for (const month of months) {
    const n = Math.max(1, Math.round(lsoas.length * perLsoaPerMonth * (0.85 + draw.int(0, 30) / 100)));
    for (let i = 0; i < n; i++) {
      const lsoa = draw.weighted(lsoas, weights);
      const hour = draw.weighted([8, 11, 14, 17, 19, 21, 23, 1], [1, 1, 2, 3, 4, 5, 4, 2]) + draw.int(0, 1);
      out.push({
        lsoa,
        month,
        day: draw.int(1, daysIn(month)),
        hour: hour % 24,
        minute: draw.int(0, 59),
        latitude: lsoa.latitude === null ? null : Number((lsoa.latitude + draw.jitter()).toFixed(6)),
        longitude: lsoa.longitude === null ? null : Number((lsoa.longitude + draw.jitter()).toFixed(6)),
      });
    }
  }
  return out.sort((a, b) => a.month.localeCompare(b.month) || a.day - b.day || a.hour - b.hour || a.minute - b.minute);
}

const PLACES = ['Market Place', 'High Street', 'Recreation ground', 'Car park off Station Road', 'Bus station', 'Canal towpath', 'Shopping parade', 'Park Road play area', 'Layby on the ring road', 'Rear of the community centre'];

function fireRows(draw: Draw, prefix: string, placed: Placed[]): FireRow[] {
  const kinds: [string, string, string, number][] = [
    ['Fire', 'Deliberate secondary fire', 'Refuse/rubbish', 5],
    ['Fire', 'Deliberate primary fire', 'Car', 2],
    ['Fire', 'Accidental primary fire', 'House - single occupancy', 2],
    ['Fire', 'Accidental secondary fire', 'Grassland', 2],
    ['Special Service', 'Road traffic collision', 'Car', 3],
    ['Special Service', 'Other special service', 'House - single occupancy', 2],
    ['False Alarm', 'Hoax/malicious false alarm', 'Telephone kiosk', 1],
    ['False Alarm', 'False alarm - apparatus', 'Purpose built flat', 3],
  ];
  return placed.map((p, i) => {
    const [group, stop, property] = draw.weighted(kinds, kinds.map((k) => k[3]));
    return {
      incidentNumber: `${prefix}${p.month.replace('-', '')}${String(i + 1).padStart(5, '0')}`,
      callDateTime: `${p.month}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:00`,
      incidentGroup: group,
      stopCode: stop,
      propertyType: property,
      postcodeDistrict: POSTCODE_DISTRICTS[p.lsoa.ladCode] ?? '',
      lsoaCode: p.lsoa.code,
      latitude: p.latitude,
      longitude: p.longitude,
      injuries: draw.chance(0.06) ? 1 : 0,
    };
  });
}

const dayFirst = (p: Placed) => `${pad(p.day)}/${p.month.slice(5)}/${p.month.slice(0, 4)} ${pad(p.hour)}:${pad(p.minute)}`;

function asbRows(draw: Draw, prefix: string, placed: Placed[]): AsbRow[] {
  const types: [string, string, number][] = [
    ['Nuisance', 'Rowdy or inconsiderate behaviour', 6],
    ['Nuisance', 'Street drinking', 2],
    ['Personal', 'Neighbour dispute', 3],
    ['Personal', 'Intimidation or harassment', 2],
    ['Environmental', 'Vehicle nuisance', 2],
    ['Nuisance', 'Youths causing annoyance', 3],
  ];
  const outcomes = ['Advice given', 'Warning letter', 'Acceptable behaviour contract', 'Community protection warning', 'No further action', 'Referred to police'];
  return placed.map((p, i) => {
    const [category, type] = draw.weighted(types, types.map((t) => t[2]));
    return {
      reference: `${prefix}-${p.month.replace('-', '')}-${String(i + 1).padStart(4, '0')}`,
      date: dayFirst(p),
      lsoaCode: p.lsoa.code,
      latitude: p.latitude,
      longitude: p.longitude,
      locationDescription: draw.pick(PLACES),
      asbCategory: category,
      asbType: type,
      outcome: draw.pick(outcomes),
      description: `Caller reports ${type.toLowerCase()} near ${draw.pick(PLACES).toLowerCase()} (case notes held by the council)`,
    };
  });
}

function flyTippingRows(draw: Draw, prefix: string, placed: Placed[]): FlyTippingRow[] {
  const land = ['Highway', 'Footpath/bridleway', 'Back alleyway', 'Council land', 'Private/residential', 'Watercourse/bank'];
  const waste = ['Other household waste', 'Black bags - household', 'White goods', 'Construction/demolition/excavation', 'Green', 'Tyres'];
  const sizes = ['Single Black Bag', 'Single Item', 'Car Boot or Less', 'Small Van Load', 'Transit Van Load', 'Tipper Lorry Load'];
  const actions = ['Investigated', 'Warning letter', 'Fixed penalty notice', 'Statutory notice', 'No action'];
  return placed.map((p, i) => ({
    reference: `${prefix}-${p.month.replace('-', '')}-${String(i + 1).padStart(4, '0')}`,
    date: `${p.month}-${pad(p.day)}`,
    lsoaCode: p.lsoa.code,
    latitude: p.latitude,
    longitude: p.longitude,
    locationDescription: draw.pick(PLACES),
    landType: draw.pick(land),
    wasteType: draw.pick(waste),
    size: draw.weighted(sizes, [2, 4, 5, 4, 2, 1]),
    actionTaken: draw.pick(actions),
  }));
}

function noiseRows(draw: Draw, prefix: string, placed: Placed[]): NoiseRow[] {
  const kinds: [string, string][] = [['Music', 'Domestic'], ['Barking dog', 'Domestic'], ['Shouting', 'Domestic'], ['Alarm', 'Commercial'], ['Music', 'Licensed premises'], ['Construction', 'Commercial']];
  const outcomes = ['Diary sheets sent', 'Noise abatement notice', 'Advice given', 'No nuisance witnessed', 'Resolved informally'];
  return placed.map((p, i) => {
    const [noise, source] = draw.pick(kinds);
    return {
      reference: `${prefix}-${p.month.replace('-', '')}-${String(i + 1).padStart(4, '0')}`,
      date: dayFirst(p),
      lsoaCode: p.lsoa.code,
      latitude: p.latitude,
      longitude: p.longitude,
      locationDescription: `${draw.pick(['Residential street', 'Flats', 'Town centre', 'Estate'])} in ${p.lsoa.name}`,
      noiseType: noise,
      sourceType: source,
      outcome: draw.pick(outcomes),
      description: `Complainant at a neighbouring address reports ${noise.toLowerCase()} late at night`,
    };
  });
}

function istvRows(draw: Draw, month: string, n: number): IstvRow[] {
  const methods = ['Body part', 'Blunt object', 'Knife or sharp object', 'Glass or bottle', 'Not known'];
  const places = ['Public place', 'Licensed premises', 'Home', 'Public transport', 'Workplace'];
  const venues = ['The Red Lion car park', 'Outside a nightclub on the High Street', 'Bus station', 'Takeaway on Market Street', 'Taxi rank', 'Private address'];
  const rows: IstvRow[] = [];
  for (let i = 0; i < n; i++) {
    // Not the last day: a late assault's arrival after midnight stays in the reporting period.
    const day = draw.int(1, daysIn(month) - 1);
    const hour = draw.weighted([20, 21, 22, 23, 0, 1, 2, 15], [2, 3, 4, 5, 4, 3, 2, 1]);
    const minute = draw.int(0, 59);
    const arrivalHour = (hour + 1 + draw.int(0, 1)) % 24;
    const arrivalDay = arrivalHour < hour ? day + 1 : day;
    rows.push({
      assaultAt: `${month}-${pad(day)}T${pad(hour)}:${pad(minute)}:00`,
      arrivalAt: `${month}-${pad(arrivalDay)}T${pad(arrivalHour)}:${pad(draw.int(0, 59))}:00`,
      method: draw.weighted(methods, [6, 2, 1, 2, 1]),
      methodOther: '',
      locationType: draw.weighted(places, [5, 4, 3, 1, 1]),
      locationDescription: draw.pick(venues),
    });
  }
  return rows.sort((a, b) => a.assaultAt.localeCompare(b.assaultAt));
}

const STREET_TYPES: [string, string, number][] = [
  ['Violence and sexual offences', 'Under investigation', 10],
  ['Anti-social behaviour', '', 6],
  ['Criminal damage and arson', 'Investigation complete; no suspect identified', 3],
  ['Shoplifting', 'Offender given a caution', 2],
  ['Burglary', 'Investigation complete; no suspect identified', 2],
  ['Vehicle crime', 'Unable to prosecute suspect', 2],
  ['Public order', 'Awaiting court outcome', 2],
  ['Other theft', 'Status update unavailable', 2],
  ['Drugs', 'Local resolution', 1],
];

/** Street-level rows in data.police.uk form: ASB without a Crime ID, snapped points, "On or near" locations. */
export function generatePoliceStreetRows(force: string, lsoas: readonly DemoLsoa[], options: DemoFeedOptions & { perLsoaPerMonth?: number } = {}): PoliceStreetRow[] {
  const draw = new Draw(hash32(`police.street:${force}:${options.seed ?? 1}`));
  const placed = place(draw, lsoas, options.months ?? DEMO_MONTHS, options.perLsoaPerMonth ?? 2);
  return placed.map((p) => {
    const [crimeType, outcome] = draw.weighted(STREET_TYPES, STREET_TYPES.map((t) => t[2]));
    const asb = crimeType === 'Anti-social behaviour';
    const id = Array.from({ length: 8 }, () => (draw.int(0, 0xffff) * 0x10000 + draw.int(0, 0xffff)).toString(16).padStart(8, '0')).join('');
    return {
      crimeId: asb ? '' : id,
      month: p.month,
      force,
      longitude: p.longitude,
      latitude: p.latitude,
      location: `On or near ${draw.pick(PLACES)}`,
      lsoaCode: p.lsoa.code,
      lsoaName: p.lsoa.name,
      crimeType,
      outcome: asb ? '' : outcome,
    };
  });
}

/** The demo partnerships' districts' LSOAs, from the imported geography (empty when it is not loaded). */
export async function loadDemoLsoas(pool: pg.Pool, ladCodes: readonly string[]): Promise<DemoLsoa[]> {
  const rows = await pool.query<{ code: string; name: string; lad_code: string; latitude: number | null; longitude: number | null }>(
    `select code, name, lad_code, latitude, longitude from area where kind = 'lsoa' and lad_code = any($1::text[]) order by code`,
    [ladCodes],
  );
  return rows.rows.map((r) => ({ code: r.code, name: r.name, ladCode: r.lad_code, latitude: r.latitude, longitude: r.longitude }));
}

/**
 * Deterministic demo files for the demo partnerships, placed in their real LSOAs: each fire service's
 * incidents, each district council's ASB, fly-tipping and noise, each county council's fly-tipping,
 * each ICB's monthly ISTV returns, and (West Oxfordshire, whose real police files are not in the
 * reference folder) Thames Valley Police street-level crime. One file per agency and feed for the
 * quarter (ISTV: per month, as the data set requires). Same LSOAs and seed, same bytes.
 */
export function generateDemoFeeds(lsoas: readonly DemoLsoa[], options: DemoFeedOptions = {}): DemoFeedFile[] {
  const months = options.months ?? DEMO_MONTHS;
  const seed = options.seed ?? 1;
  const inLads = (lads: readonly string[]) => lsoas.filter((l) => lads.includes(l.ladCode));
  const byAgency = new Map<string, { slot: string; lads: Set<string> }>();
  for (const p of DEMO_PARTNERSHIPS) {
    const { others: _others, ...slots } = p.agencies;
    for (const [slot, code] of Object.entries(slots)) {
      const entry = byAgency.get(code) ?? { slot, lads: new Set<string>() };
      for (const lad of p.ladCodes) entry.lads.add(lad);
      byAgency.set(code, entry);
    }
  }
  const files: DemoFeedFile[] = [];
  const add = (agencyCode: string, feed: FeedId, fileName: string, content: string, rows: number) => {
    if (rows > 0) files.push({ agencyCode, feed, fileName, content, rows });
  };
  const period = `${months[0]}-to-${months[months.length - 1]}`;
  for (const [code, { slot, lads }] of [...byAgency.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const area = inLads([...lads].sort());
    if (area.length === 0) continue;
    const draw = (feed: string) => new Draw(hash32(`${feed}:${code}:${seed}`));
    const prefix = code.split('-').map((w) => w[0]!.toUpperCase()).join('');
    switch (slot) {
      case 'fire': {
        const rows = fireRows(draw('fire'), prefix, place(draw('fire-place'), area, months, 0.25));
        add(code, 'fire.incidents', `${code}-incidents-${period}.csv`, fireIncidentsCsv(rows), rows.length);
        break;
      }
      case 'district': {
        const asb = asbRows(draw('asb'), `${prefix}-ASB`, place(draw('asb-place'), area, months, 0.5));
        add(code, 'council.asb', `${code}-asb-${period}.csv`, asbCsv(asb), asb.length);
        const ft = flyTippingRows(draw('ft'), `${prefix}-FT`, place(draw('ft-place'), area, months, 0.4));
        add(code, 'council.fly_tipping', `${code}-fly-tipping-${period}.csv`, flyTippingCsv(ft), ft.length);
        const noise = noiseRows(draw('noise'), `${prefix}-NOISE`, place(draw('noise-place'), area, months, 0.3));
        add(code, 'council.noise', `${code}-noise-${period}.csv`, noiseCsv(noise), noise.length);
        break;
      }
      case 'county': {
        // Highway fly-tipping the county clears itself: fewer, larger.
        const ft = flyTippingRows(draw('ft'), `${prefix}-FT`, place(draw('ft-place'), area, months, 0.06));
        add(code, 'council.fly_tipping', `${code}-fly-tipping-${period}.csv`, flyTippingCsv(ft), ft.length);
        break;
      }
      case 'health': {
        const site = ISTV_SITES[code];
        if (!site) break;
        for (const month of months) {
          const rows = istvRows(draw(`istv:${month}`), month, Math.max(5, Math.round(area.length * 0.12)));
          add(code, 'health.istv', `${code}-istv-${site}-${month}.csv`, istvSubmissionCsv({ start: `${month}-01`, end: `${month}-${pad(daysIn(month))}`, siteCode: site }, rows), rows.length);
        }
        break;
      }
      case 'police': {
        const agency = DEMO_AGENCIES.find((a) => a.code === code);
        // Leicestershire's real data.police.uk months are loaded as they are; generate only where none are at hand.
        if (!GENERATED_POLICE.includes(code) || !agency?.forceName) break;
        const rows = generatePoliceStreetRows(agency.forceName, area, { months, seed });
        add(code, 'police.street', `${code}-street-${period}.csv`, policeStreetCsv(rows), rows.length);
        break;
      }
      default:
        break;
    }
  }
  return files;
}
