import { accessPlan, aggregateIncidents, dimensions, field, type AccessContext, type Dimension } from '@csp-hub/authz';
import { repeatLocations, repeatVictims, type RepeatKey } from '@csp-hub/analysis';
import { HubError } from '@csp-hub/taxonomy';
import { checkPeriod, periodDays, periodEndDate, type MonthPeriod } from './period';
import { resolveScope, scopeFilter, type AnalysisScope } from './scope';

/**
 * Repeats (issue #13): the same location hit two or more times in the period,
 * with the days between repeats, from counts per (location, day) cells of the
 * authorized relation — no record is listed, so the same code serves readers
 * who may only count (their cells are perturbed) and only records whose
 * location and time the reader may see are counted. Repeat victims need a
 * victim key, which only personal-tier data carries: a reader without
 * a partner's personal-tier data is refused (FORBIDDEN, PERSONAL_TIER_REQUIRED).
 */

export interface RepeatRequest extends AnalysisScope {
  period: MonthPeriod;
  /** How many repeat locations to return (default 20, at most 500); the summary covers all of them. */
  top?: number;
  /** Also repeat victims (personal tier only). */
  victims?: boolean;
}

export interface RepeatRow {
  key: string;
  locationText: string;
  lsoaCode: string | null;
  count: number;
  first: string;
  last: string;
  gapsDays: number[];
  medianGapDays: number;
  minGapDays: number;
}

export interface RepeatVictimRow {
  /** The pseudonymous victim key the providing feed carries (attributes.victimKey). */
  key: string;
  count: number;
  first: string;
  last: string;
  medianGapDays: number;
  minGapDays: number;
}

export interface RepeatSummaryView<R> {
  repeats: R[];
  /** Repeat keys in all (repeats lists the first `top`). */
  repeatKeys: number;
  events: number;
  keys: number;
  repeatEvents: number;
  repeatShare: number | null;
}

export interface RepeatResult {
  partnership: string;
  districts: string[];
  period: MonthPeriod;
  windowDays: number;
  /**
   * Time resolution of the events: 'day' when every event has a time, 'month'
   * when some only have a month (data.police.uk): those count on the month's
   * first day, so their repeats are same-month repeats with gaps of 0.
   */
  resolution: 'day' | 'month';
  locations: RepeatSummaryView<RepeatRow>;
  /** Present only when asked for (and allowed). */
  victims: RepeatSummaryView<RepeatVictimRow> | null;
  controlled: boolean;
  controlledAgencies: number[];
}

interface DayCell {
  location: string | null;
  lsoa: string | null;
  day: string;
  exact: boolean;
  n: number;
}

/** The day an incident happened (London time), or the first of its month when the source gives only the month. */
const DAY: Dimension = {
  name: 'day',
  fields: ['occurredAt', 'occurredMonth'],
  sql: `to_char(coalesce((${field('occurredAt')} at time zone 'Europe/London')::date, ${field('occurredMonth')}), 'YYYY-MM-DD')`,
};
const EXACT: Dimension = { name: 'exact', fields: ['occurredAt'], sql: `(${field('occurredAt')} is not null)` };

function expand(cells: { key: string; day: string; n: number }[]): { key: string; at: string }[] {
  const events: { key: string; at: string }[] = [];
  for (const c of cells) for (let i = 0; i < c.n; i++) events.push({ key: c.key, at: c.day });
  return events;
}

function view<R>(summary: ReturnType<typeof repeatLocations>, top: number, row: (r: RepeatKey) => R): RepeatSummaryView<R> {
  return {
    repeats: summary.repeats.slice(0, top).map(row),
    repeatKeys: summary.repeats.length,
    events: summary.events,
    keys: summary.keys,
    repeatEvents: summary.repeatEvents,
    repeatShare: summary.repeatShare,
  };
}

/**
 * Whether the reader holds personal-tier data of a partner: some agreement in
 * force lets them read another agency's personal-tier records in full
 * (attributes included, where a victim key lives). Their own agency's records
 * alone do not qualify: a provider analyses its own victims in its own systems.
 */
export function holdsPersonalTier(ctx: AccessContext, districts: string[]): boolean {
  return accessPlan(ctx.ability, districts).scopes.some(
    (s) => s.agencyId !== ctx.principal.agencyId && s.tiers.personal.list && s.tiers.personal.readFields.includes('attributes'),
  );
}

export async function repeats(ctx: AccessContext, request: RepeatRequest): Promise<RepeatResult> {
  const period = checkPeriod(request.period);
  const scope = resolveScope(ctx, request);
  const top = request.top ?? 20;
  if (!Number.isInteger(top) || top < 1 || top > 500) throw HubError.invalidInput('INVALID_VALUE', `top must be a whole number from 1 to 500, not ${String(top)}`);
  if (request.victims && !holdsPersonalTier(ctx, scope.districts)) {
    throw HubError.forbidden('PERSONAL_TIER_REQUIRED', 'repeat victims need personal-tier data; you hold none in these districts');
  }
  const filter = scopeFilter(scope, period.from, period.to);
  const windowDays = periodDays(period);
  const end = `${periodEndDate(period)}T00:00:00Z`;

  const result = await aggregateIncidents<DayCell>(
    ctx,
    { dimensions: [dimensions.of('location', 'locationText', null), dimensions.of('lsoa', 'lsoaCode', null), DAY, EXACT], filter },
    {
      compose: (cells) => `select * from ${cells} where location is not null`,
      auditDetail: { analysis: 'repeats.locations', period, filter },
    },
  );
  const names = new Map<string, { locationText: string; lsoaCode: string | null }>();
  const cells = result.rows.map((c) => {
    const key = `${c.location}${c.lsoa ? ` (${c.lsoa})` : ''}`;
    names.set(key, { locationText: c.location!, lsoaCode: c.lsoa });
    return { key, day: c.day, n: c.n };
  });
  const summary = repeatLocations(expand(cells), { windowDays, end });
  const locations = view(summary, top, (r) => ({ ...r, ...names.get(r.key)! }));

  let victims: RepeatSummaryView<RepeatVictimRow> | null = null;
  let controlled = result.controlled;
  const controlledAgencies = new Set(result.controlledAgencies);
  if (request.victims) {
    // Victim keys of personal-tier records only (the tier is a base field every reader of a record sees).
    const victim: Dimension = { name: 'victim', fields: ['attributes', 'tier'], sql: `(case when ${field('tier')} = 'personal' then ${field('attributes')} ->> 'victimKey' end)` };
    const v = await aggregateIncidents<{ victim: string | null; day: string; n: number }>(
      ctx,
      { dimensions: [victim, DAY], filter },
      { compose: (c) => `select victim, day, n from ${c} where victim is not null`, auditDetail: { analysis: 'repeats.victims', period, filter } },
    );
    controlled ||= v.controlled;
    for (const a of v.controlledAgencies) controlledAgencies.add(a);
    const s = repeatVictims(expand(v.rows.map((r) => ({ key: r.victim!, day: r.day, n: r.n }))), { windowDays, end, readerTier: 'personal' });
    victims = view(s, top, (r) => ({ key: r.key, count: r.count, first: r.first, last: r.last, medianGapDays: r.medianGapDays, minGapDays: r.minGapDays }));
  }
  return {
    partnership: scope.partnership,
    districts: scope.districts,
    period,
    windowDays,
    resolution: result.rows.every((c) => c.exact) ? 'day' : 'month',
    locations,
    victims,
    controlled,
    controlledAgencies: [...controlledAgencies].sort((a, b) => a - b),
  };
}
