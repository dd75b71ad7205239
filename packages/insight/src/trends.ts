import { aggregateIncidents, dimensions, field, type AccessContext, type Dimension } from '@csp-hub/authz';
import { whatChanged, type ComparisonBase, type PeriodComparison, type PeriodComparisonInput } from '@csp-hub/analysis';
import { HubError } from '@csp-hub/taxonomy';
import { checkPeriod, monthStartSql, periodLength, shiftPeriod, type MonthPeriod } from './period';
import { monthsOf, resolveScope, scopeFilter, type AnalysisScope } from './scope';

/**
 * Period comparison per category and area (issue #13): the current period
 * against the previous period of equal length, the same period last year and
 * the seasonal average of the same period in the three years before, counted
 * in ONE pass over the authorized relation (grouping sets, each perturbed as
 * cells of its own when the reader may only count some records), then
 * compared and ranked by the pure methods of @csp-hub/analysis.
 */

export type TrendAreaLevel = 'district' | 'ward';

export interface TrendRequest extends AnalysisScope {
  period: MonthPeriod;
  /** Rows per district (default) or per ward, beside the partnership's row per category. */
  by?: TrendAreaLevel;
  /** The base "what changed" ranks on (default seasonal). */
  against?: ComparisonBase;
  /** Significance level (default 0.05). */
  alpha?: number;
}

/** One category and area: the comparison of @csp-hub/analysis, with its place in the ranking. */
export interface TrendRow extends PeriodComparison {
  category: string;
  /** 'partnership': every district asked for together; otherwise the area's level. */
  level: 'partnership' | TrendAreaLevel;
  /** District or ward code; the partnership's code on partnership rows. */
  areaCode: string;
  /** 1 = strongest evidence of change, within its level. */
  rank: number;
  /** Benjamini–Hochberg q-value of the ranked base's p-value over the rows of its level. */
  qValue: number | null;
  /** Significant against the ranked base (p < alpha). */
  significant: boolean;
}

export interface TrendResult {
  partnership: string;
  districts: string[];
  period: MonthPeriod;
  previousPeriod: MonthPeriod;
  /** Same period 1, 2 and 3 years before (the first is "last year"). */
  earlierYears: MonthPeriod[];
  /** Periods with no data at all for this reader: compared as "no data" (null), never as 0. */
  periodsWithoutData: string[];
  against: ComparisonBase;
  alpha: number;
  /** Counts include records the reader may only count: they are perturbed (cell-key method). */
  controlled: boolean;
  controlledAgencies: number[];
  /** Partnership rows first (per category), then area rows; each ranked by the evidence of change. */
  rows: TrendRow[];
}

const YEARS = 3;
type Bucket = 'current' | 'y1' | 'y2' | 'y3';

interface Cell {
  category: string | null;
  area: string | null;
  season: Bucket | null;
  prev: 'previous' | null;
  level: number;
  n: number;
}

function between(p: MonthPeriod): string {
  return `${field('occurredMonth')} between ${monthStartSql(p.from)} and ${monthStartSql(p.to)}`;
}

export async function trends(ctx: AccessContext, request: TrendRequest): Promise<TrendResult> {
  const period = checkPeriod(request.period);
  const scope = resolveScope(ctx, request);
  const by = request.by ?? 'district';
  if (by !== 'district' && by !== 'ward') throw HubError.invalidInput('INVALID_AREA_LEVEL', `by must be district or ward, not "${String(by)}"`);
  const against = request.against ?? 'seasonal';
  const alpha = request.alpha ?? 0.05;
  const length = periodLength(period);
  const previousPeriod = shiftPeriod(period, -length);
  const earlierYears = Array.from({ length: YEARS }, (_, i) => shiftPeriod(period, -12 * (i + 1)));
  const buckets: [Bucket, MonthPeriod][] = [['current', period], ...earlierYears.map((p, i) => [`y${i + 1}` as Bucket, p] as [Bucket, MonthPeriod])];

  // Periods of at most 12 months: current and the earlier years never overlap, so one CASE labels them;
  // the previous period may overlap last year, so it is a dimension of its own.
  const season: Dimension = {
    name: 'season',
    fields: ['occurredMonth'],
    sql: `case ${buckets.map(([b, p]) => `when ${between(p)} then '${b}'`).join(' ')} end`,
  };
  const prev: Dimension = { name: 'prev', fields: ['occurredMonth'], sql: `case when ${between(previousPeriod)} then 'previous' end` };
  const area = by === 'district' ? dimensions.of('area', 'ladCode') : dimensions.of('area', 'wardCode');
  const dims = [dimensions.of('category', 'category'), area, season, prev];
  const earliest = earlierYears[YEARS - 1]!.from < previousPeriod.from ? earlierYears[YEARS - 1]!.from : previousPeriod.from;
  // Only the compared months are read (5 periods, not the 3 years between them).
  const compared = [...new Set([period, previousPeriod, ...earlierYears].flatMap(monthsOf))].sort();
  const filter = scopeFilter(scope, earliest, period.to, compared);
  const result = await aggregateIncidents<Cell>(
    ctx,
    { dimensions: dims, filter, groupingSets: [[0, 1, 2], [0, 1, 3], [0, 2], [0, 3], [2], [3]] },
    {
      compose: (cells) => `select * from ${cells} where season is not null or prev is not null`,
      auditDetail: { analysis: 'trends', period, by, filter },
    },
  );

  // level bits: dimension 0 (category) is the highest of four.
  const grouped = (level: number, i: number) => ((level >> (3 - i)) & 1) === 0;
  const covered = new Set<string>();
  const byKey = new Map<string, { category: string; level: TrendRow['level']; areaCode: string; counts: Map<string, number> }>();
  for (const c of result.rows) {
    const label = c.season ?? c.prev!;
    if (!grouped(c.level, 0)) {
      covered.add(label);
      continue;
    }
    const onArea = grouped(c.level, 1);
    const areaCode = onArea ? c.area! : scope.partnership;
    const key = `${onArea ? 'a' : 'p'}|${c.category}|${areaCode}`;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { category: c.category!, level: onArea ? by : 'partnership', areaCode, counts: new Map() }));
    row.counts.set(label, c.n);
  }
  const countOf = (counts: Map<string, number>, label: string): number | null => (covered.has(label) ? (counts.get(label) ?? 0) : null);
  const inputs = [...byKey.values()].map((r) => ({
    key: r,
    counts: {
      current: countOf(r.counts, 'current') ?? 0,
      previous: countOf(r.counts, 'previous'),
      history: buckets.slice(1).map(([b]) => countOf(r.counts, b)),
    } satisfies PeriodComparisonInput,
  }));
  const order = (a: { key: { category: string; areaCode: string } }, b: { key: { category: string; areaCode: string } }) =>
    a.key.category.localeCompare(b.key.category) || a.key.areaCode.localeCompare(b.key.areaCode);
  const rows: TrendRow[] = [];
  for (const level of ['partnership', by] as const) {
    const ranked = whatChanged(inputs.filter((i) => i.key.level === level).sort(order), { against, alpha });
    for (const r of ranked) {
      rows.push({
        category: r.key.category,
        level,
        areaCode: r.key.areaCode,
        rank: r.rank,
        current: r.comparison.current,
        previous: r.comparison.previous,
        lastYear: r.comparison.lastYear,
        seasonal: r.comparison.seasonal,
        seasonalYears: r.comparison.seasonalYears,
        controlLimits: r.comparison.controlLimits,
        exceedance: r.comparison.exceedance,
        qValue: r.qValue,
        significant: r.against?.significant ?? false,
      });
    }
  }
  const labels: [string, MonthPeriod][] = [['current', period], ['previous', previousPeriod], ...buckets.slice(1)];
  return {
    partnership: scope.partnership,
    districts: scope.districts,
    period,
    previousPeriod,
    earlierYears,
    periodsWithoutData: labels.filter(([l]) => !covered.has(l)).map(([, p]) => `${p.from}..${p.to}`),
    against,
    alpha,
    controlled: result.controlled,
    controlledAgencies: result.controlledAgencies,
    rows,
  };
}
