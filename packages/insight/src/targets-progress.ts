import {
  placeSubsetAtBaseline,
  targetProgress,
  type ActualPoint,
  type TargetDefinition,
  type TargetProgress,
  type TargetProgressOptions,
} from '@csp-hub/analysis';
import { aggregateIncidents, dimensions, field, londonToday, type AccessContext, type CellKeyOptions, type Dimension, type IncidentFilter } from '@csp-hub/authz';
import { PLACE_UNITS, type PlaceUnit } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { checkMeasure, isCalendarDate, type TargetView } from './targets';

/**
 * A target's progress as one reader sees it. Every count is read through the authorized relation
 * (`aggregateIncidents`): the reader's own view of the incidents, disclosure-controlled (cell-key
 * perturbation) where they may only count some records. Actuals are counts over windows of the
 * baseline's length ending at each month end after the baseline, dated by that month end; a window
 * counts only when the reader has records in every one of its months (no data is not a zero).
 * See docs/analysis.md "Targets as data".
 */

/** What a target counts: the priorities (narrowed by source categories and feeds), optionally at places. */
export interface TargetMeasure {
  priorities: string[];
  sourceCategories: string[];
  feeds: string[];
  kind: TargetView['kind'];
  placeUnit: PlaceUnit | null;
  places: string[] | null;
}

export interface WindowCount {
  /** First and last month (YYYY-MM) counted. */
  from: string;
  to: string;
  /** Dated by the last day of the window. */
  date: string;
  value: number;
}

export interface TargetMeasurement {
  target: TargetView;
  progress: TargetProgress;
  /** The actuals, oldest first. */
  series: WindowCount[];
  /** The baseline window counted the same way for this reader (null when they see nothing then). */
  baselineAsSeen: number | null;
  /** Some count here is perturbed: the reader may only count some of the records. */
  controlled: boolean;
}

export interface MeasureOptions {
  /** YYYY-MM-DD; default today (London). */
  asOf?: string;
  cellKey?: CellKeyOptions;
  progress?: TargetProgressOptions;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export function monthsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The last day (YYYY-MM-DD) of a month. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (values: readonly string[]) => `array[${values.map(literal).join(', ')}]::text[]`;

/** The SQL key of a place: an LSOA code, or street-level location text + LSOA ("On or near X | E01025672"). */
function placeKey(unit: PlaceUnit): { sql: string; fields: Dimension['fields'] } {
  return unit === 'lsoa'
    ? { sql: field('lsoaCode'), fields: ['lsoaCode'] }
    : {
        sql: `case when ${field('locationText')} is null or ${field('lsoaCode')} is null then null else ${field('locationText')} || ' | ' || ${field('lsoaCode')} end`,
        fields: ['locationText', 'lsoaCode'],
      };
}

/**
 * A target's records over a window: its priorities and feeds in the reader's
 * partnership's districts. Without the districts a provider would count every
 * record of its own (a force's whole area, not the partnership's).
 */
function baseFilter(ctx: AccessContext, measure: TargetMeasure, from: string, to: string): IncidentFilter {
  return {
    ladCodes: ctx.principal.ladCodes,
    monthFrom: from,
    monthTo: to,
    categories: measure.priorities,
    ...(measure.feeds.length ? { feeds: measure.feeds } : {}),
  };
}

/** The source-category condition, or null when the whole priorities count. */
function categoryCondition(measure: TargetMeasure): { sql: string; fields: Dimension['fields'] } | null {
  if (measure.sourceCategories.length === 0) return null;
  return { sql: `lower(${field('sourceCategory')}) = any(${list(measure.sourceCategories.map((c) => c.toLowerCase()))})`, fields: ['sourceCategory'] };
}

interface Counted {
  value: number;
  controlled: boolean;
  /** The reader could count nothing of this kind (no access scope applies). */
  empty: boolean;
}

/** The measure over one window of months, through the authorized relation. */
export async function countWindow(ctx: AccessContext, measure: TargetMeasure, from: string, to: string, options: { cellKey?: CellKeyOptions; audit?: Record<string, unknown> } = {}): Promise<Counted> {
  const filter = baseFilter(ctx, measure, from, to);
  const category = categoryCondition(measure);
  const common = { ...(options.cellKey ? { cellKey: options.cellKey } : {}), auditDetail: { ...options.audit, measure, window: [from, to] } };
  if (measure.kind === 'repeats') {
    const key = placeKey(measure.placeUnit ?? 'location');
    const dim: Dimension = {
      name: 'place',
      fields: [...key.fields, ...(category?.fields ?? [])],
      sql: category ? `case when ${category.sql} then ${key.sql} end` : key.sql,
    };
    const result = await aggregateIncidents<{ repeatEvents: number }>(ctx, { dimensions: [dim], filter }, {
      ...common,
      compose: (cells) => `select coalesce(sum(n) filter (where n >= 2 and place is not null), 0)::int as "repeatEvents" from ${cells}`,
    });
    return { value: Number(result.rows[0]?.repeatEvents ?? 0), controlled: result.controlled, empty: result.rows.length === 0 };
  }
  const conditions: { sql: string; fields: Dimension['fields'] }[] = [];
  if (category) conditions.push(category);
  if (measure.kind === 'place-subset') {
    const key = placeKey(measure.placeUnit ?? 'location');
    conditions.push({ sql: `(${key.sql}) = any(${list(measure.places ?? [])})`, fields: key.fields });
  }
  const dim: Dimension = conditions.length
    ? { name: 'matches', fields: [...new Set(conditions.flatMap((c) => c.fields))], sql: `case when ${conditions.map((c) => `(${c.sql})`).join(' and ')} then 'y' else 'n' end` }
    : { name: 'matches', fields: [], sql: `'y'` };
  const result = await aggregateIncidents<{ matches: string; n: number }>(ctx, { dimensions: [dim], filter }, common);
  const hit = result.rows.find((r) => r.matches === 'y');
  return { value: Number(hit?.n ?? 0), controlled: result.controlled, empty: result.rows.length === 0 };
}

/** Months (YYYY-MM) in which the reader counts any record of the target's feeds: the data they have. */
async function monthsWithData(ctx: AccessContext, measure: TargetMeasure, from: string, to: string, cellKey?: CellKeyOptions): Promise<Set<string>> {
  const result = await aggregateIncidents<{ month: string; n: number }>(
    ctx,
    { dimensions: [dimensions.month()], filter: { ...baseFilter(ctx, measure, from, to), categories: null } },
    { ...(cellKey ? { cellKey } : {}), auditDetail: { operation: 'target coverage', window: [from, to] } },
  );
  return new Set(result.rows.filter((r) => Number(r.n) > 0).map((r) => r.month));
}

/**
 * The top `n` places of the baseline window as the reader counts them, fixed from then on: a
 * place-subset target's places and its baseline (the sum of their counts).
 */
export async function placesAtBaseline(
  ctx: AccessContext,
  measure: Omit<TargetMeasure, 'kind' | 'places'>,
  baselineFrom: string,
  baselineTo: string,
  n: number,
  cellKey?: CellKeyOptions,
): Promise<{ places: string[]; baselineValue: number; controlled: boolean }> {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw HubError.invalidInput('INVALID_TARGET', `the number of top places must be 1 to 100, got ${n}`);
  const key = placeKey(measure.placeUnit ?? 'location');
  const category = categoryCondition({ ...measure, kind: 'count', places: null });
  const dim: Dimension = { name: 'place', fields: [...key.fields, ...(category?.fields ?? [])], sql: category ? `case when ${category.sql} then ${key.sql} end` : key.sql };
  const result = await aggregateIncidents<{ place: string | null; n: number }>(
    ctx,
    { dimensions: [dim], filter: baseFilter(ctx, { ...measure, kind: 'count', places: null }, baselineFrom, baselineTo) },
    { ...(cellKey ? { cellKey } : {}), auditDetail: { operation: 'target baseline places', window: [baselineFrom, baselineTo], top: n } },
  );
  const counts = result.rows.filter((r) => r.place !== null).map((r) => ({ key: r.place!, count: Number(r.n) }));
  if (counts.length === 0) throw HubError.invalidInput('NO_BASELINE_DATA', `No located incidents to rank in ${baselineFrom} to ${baselineTo}: the places cannot be fixed.`);
  return { ...placeSubsetAtBaseline(counts, n), controlled: result.controlled };
}

/** What to rank for a place-subset target before creating it: its measure, baseline window and how many places. */
export interface BaselinePlacesRequest {
  priorities: string[];
  sourceCategories?: string[] | null;
  feeds?: string[] | null;
  placeUnit?: PlaceUnit | null;
  /** YYYY-MM: the baseline window. */
  baselineFrom: string;
  baselineTo: string;
  /** How many places (1 to 100; default 5). */
  top?: number | null;
}

/**
 * The top places of a baseline window as this reader counts them in their partnership: what a chair
 * fixes as a place-subset target's `places` and `baselineValue` (createTarget stores what it is
 * given). Every problem with the request is named at once (INVALID_TARGET).
 */
export async function baselinePlaces(ctx: AccessContext, request: BaselinePlacesRequest, cellKey?: CellKeyOptions): Promise<{ places: string[]; baselineValue: number; controlled: boolean }> {
  const problems: string[] = [];
  const { priorities, sourceCategories, feeds } = checkMeasure(request, problems);
  const placeUnit = request.placeUnit ?? 'location';
  if (!PLACE_UNITS.includes(placeUnit)) problems.push(`placeUnit must be one of ${PLACE_UNITS.join(', ')}, got "${String(placeUnit)}"`);
  const top = request.top ?? 5;
  if (!Number.isInteger(top) || top < 1 || top > 100) problems.push(`the number of top places must be 1 to 100, got ${top}`);
  if (problems.length) throw HubError.invalidInput('INVALID_TARGET', `Cannot rank places: ${problems.join('; ')}.`, { problems });
  return placesAtBaseline(ctx, { priorities, sourceCategories, feeds, placeUnit }, request.baselineFrom, request.baselineTo, top, cellKey);
}

function definitionOf(t: TargetView): TargetDefinition {
  return {
    kind: t.kind,
    baselineValue: t.baselineValue,
    baselinePeriod: t.baselinePeriod,
    changePct: t.changePct,
    direction: t.direction,
    startDate: t.startDate,
    targetDate: t.targetDate,
    milestones: t.milestones,
    ...(t.kind === 'place-subset' && t.places ? { places: t.places } : {}),
  };
}

/** A target's progress as this reader sees it (see the module comment). */
export async function measureTarget(ctx: AccessContext, target: TargetView, options: MeasureOptions = {}): Promise<TargetMeasurement> {
  if (target.partnershipId !== ctx.principal.partnershipId) {
    throw HubError.forbidden('OTHER_PARTNERSHIP', `target ${target.id} is another partnership's: progress is measured in your own partnership's districts`);
  }
  const asOf = options.asOf ?? londonToday();
  if (!isCalendarDate(asOf)) throw HubError.invalidInput('INVALID_DATE', `asOf must be a date YYYY-MM-DD, got "${asOf}"`);
  if (!MONTH.test(target.baselineFrom) || !MONTH.test(target.baselineTo)) throw new HubError('other', 'TARGET_WINDOW', `target ${target.id} has no baseline window`);
  const measure: TargetMeasure = target;
  const basis = monthsFrom(target.baselineFrom, target.baselineTo).length;
  // The last complete month on or before asOf, and never past the target date's month.
  let lastEnd = asOf.slice(0, 7);
  if (monthEnd(lastEnd) > asOf) lastEnd = addMonths(lastEnd, -1);
  const targetMonth = target.targetDate.slice(0, 7);
  if (lastEnd > targetMonth) lastEnd = targetMonth;
  const firstEnd = addMonths(target.baselineTo, 1);
  let controlled = false;
  const audit = { target: target.id };

  let baselineAsSeen: number | null = null;
  const series: WindowCount[] = [];
  const covered = lastEnd >= target.baselineFrom ? await monthsWithData(ctx, measure, target.baselineFrom, lastEnd, options.cellKey) : new Set<string>();
  const complete = (from: string, to: string) => monthsFrom(from, to).every((m) => covered.has(m));
  if (complete(target.baselineFrom, target.baselineTo)) {
    const b = await countWindow(ctx, measure, target.baselineFrom, target.baselineTo, { ...(options.cellKey ? { cellKey: options.cellKey } : {}), audit });
    controlled ||= b.controlled;
    baselineAsSeen = b.value;
  }
  for (let end = firstEnd; end <= lastEnd; end = addMonths(end, 1)) {
    const from = addMonths(end, 1 - basis);
    if (!complete(from, end)) continue;
    const c = await countWindow(ctx, measure, from, end, { ...(options.cellKey ? { cellKey: options.cellKey } : {}), audit });
    controlled ||= c.controlled;
    series.push({ from, to: end, date: monthEnd(end), value: c.value });
  }
  const points: ActualPoint[] = series.map((s) => ({ date: s.date, value: s.value }));
  const progress = targetProgress(definitionOf(target), points, asOf, options.progress ?? {});
  return { target, progress, series, baselineAsSeen, controlled };
}
