import { DATA_TIERS, HubError, isPriority, type DataTier } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { INCIDENT_COLUMNS, type IncidentField } from './fields';
import { accessPlan, type AccessPlan, type Scope } from './plan';
import { SqlParams } from './sql-conditions';

/**
 * The authorized relation: the incidents a principal may see, as SQL. It is a
 * UNION ALL of one branch per access scope (agency, feed, district), each
 * branch a plain index range — `agency_id = a and feed = f [and lad_code = l]
 * and retired_at is null`, ordered by (occurred_month, id) — so a page reads
 * O(page) rows whatever the table's size (ADR 0015). Masks are per branch and
 * record tier, straight from the access plan.
 */

export interface IncidentFilter {
  /** YYYY-MM, inclusive. */
  monthFrom?: string | null;
  monthTo?: string | null;
  /** YYYY-MM: only these months (e.g. the same month in several years), beside any range. */
  months?: string[] | null;
  categories?: string[] | null;
  feeds?: string[] | null;
  agencyIds?: number[] | null;
  ladCodes?: string[] | null;
  wardCodes?: string[] | null;
  lsoaCodes?: string[] | null;
  /** Matches only rows whose outcome the reader may see. */
  outcome?: string | null;
}

/** SQL type of each incident field (typed NULLs in UNION ALL branches). */
export const INCIDENT_SQL_TYPES: Record<IncidentField, string> = {
  id: 'bigint',
  submissionId: 'bigint',
  agencyId: 'integer',
  feed: 'text',
  sourceRef: 'text',
  sourceCategory: 'text',
  category: 'text',
  occurredMonth: 'date',
  occurredAt: 'timestamptz',
  locationText: 'text',
  lsoaCode: 'text',
  wardCode: 'text',
  ladCode: 'text',
  areaMethod: 'text',
  latitude: 'double precision',
  longitude: 'double precision',
  outcome: 'text',
  tier: 'text',
  attributes: 'jsonb',
  restrictedText: 'text',
};

function bad(reason: string, message: string): HubError {
  return HubError.invalidInput(reason, message);
}

function checkList<T>(name: string, values: T[] | null | undefined, valid: (v: T) => boolean): T[] | undefined {
  if (values === null || values === undefined) return undefined;
  if (values.length > 500) throw bad('FILTER_TOO_LARGE', `${name} may list at most 500 values`);
  for (const v of values) if (!valid(v)) throw bad('INVALID_FILTER', `${name} contains an invalid value: ${String(v).slice(0, 50)}`);
  return values;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const CODE = /^[A-Z]\d{8}$/;
const FEED = /^[a-z]+\.[a-z_]+$/;

/** A filter checked and turned into SQL once (its parameters added), with the fields it reads. */
export interface CompiledFilter {
  /** Conditions on `i` common to every branch ('true' when none). */
  sql: string;
  /** Fields the conditions read: a branch only keeps record tiers where all of them are visible. */
  fields: IncidentField[];
  agencyIds?: number[];
  feeds?: string[];
  ladCodes?: string[];
}

export function compileFilter(filter: IncidentFilter, params: SqlParams): CompiledFilter {
  const parts: string[] = [];
  const fields = new Set<IncidentField>();
  if (filter.monthFrom) {
    if (!MONTH.test(filter.monthFrom)) throw bad('INVALID_FILTER', 'monthFrom must be YYYY-MM');
    parts.push(`i.occurred_month >= ${params.add(`${filter.monthFrom}-01`)}::date`);
    fields.add('occurredMonth');
  }
  if (filter.monthTo) {
    if (!MONTH.test(filter.monthTo)) throw bad('INVALID_FILTER', 'monthTo must be YYYY-MM');
    parts.push(`i.occurred_month <= ${params.add(`${filter.monthTo}-01`)}::date`);
    fields.add('occurredMonth');
  }
  const months = checkList('months', filter.months, (v) => typeof v === 'string' && MONTH.test(v));
  if (months) {
    parts.push(`i.occurred_month = any(${params.add(months.map((m) => `${m}-01`))}::date[])`);
    fields.add('occurredMonth');
  }
  const categories = checkList('categories', filter.categories, (v) => typeof v === 'string' && isPriority(v));
  const feeds = checkList('feeds', filter.feeds, (v) => typeof v === 'string' && FEED.test(v));
  const agencyIds = checkList('agencyIds', filter.agencyIds, (v) => Number.isInteger(v));
  const ladCodes = checkList('ladCodes', filter.ladCodes, (v) => typeof v === 'string' && CODE.test(v));
  const wardCodes = checkList('wardCodes', filter.wardCodes, (v) => typeof v === 'string' && CODE.test(v));
  const lsoaCodes = checkList('lsoaCodes', filter.lsoaCodes, (v) => typeof v === 'string' && CODE.test(v));
  const lists: [IncidentField, unknown[] | undefined][] = [
    ['category', categories],
    ['wardCode', wardCodes],
    ['lsoaCode', lsoaCodes],
  ];
  for (const [field, values] of lists) {
    if (!values) continue;
    const col = `i.${INCIDENT_COLUMNS[field]}`;
    parts.push(values.length === 1 ? `${col} = ${params.add(values[0])}` : `${col} = any(${params.add(values)})`);
    fields.add(field);
  }
  if (feeds) fields.add('feed');
  if (agencyIds) fields.add('agencyId');
  if (ladCodes) fields.add('ladCode');
  if (filter.outcome !== undefined && filter.outcome !== null) {
    if (filter.outcome.length > 200) throw bad('INVALID_FILTER', 'outcome is at most 200 characters');
    parts.push(`i.outcome = ${params.add(filter.outcome)}`);
    fields.add('outcome');
  }
  return {
    sql: parts.length ? parts.join(' and ') : 'true',
    fields: [...fields],
    ...(agencyIds ? { agencyIds } : {}),
    ...(feeds ? { feeds } : {}),
    ...(ladCodes ? { ladCodes } : {}),
  };
}

/** One UNION ALL branch: a scope narrowed to one feed and the record tiers a read may use. */
export interface Branch {
  scope: Scope;
  /** null: every feed. */
  feed: string | null;
  tiers: DataTier[];
  /** The branch's rows: scope, tiers, not retired, the filter. */
  where: string;
}

export type BranchMode = 'list' | 'count';

/**
 * The branches of a read: every scope the filter does not rule out, keeping
 * the record tiers the mode allows (listed or counted) on which every field the
 * read needs (filter and grouping fields) is visible.
 */
export function branchesFor(ctx: AccessContext, filter: CompiledFilter, params: SqlParams, mode: BranchMode, needs: IncidentField[] = []): Branch[] {
  const plan: AccessPlan = accessPlan(ctx.ability, ctx.principal.ladCodes);
  const required = [...new Set([...filter.fields, ...needs])];
  const out: Branch[] = [];
  const tierParams = new Map<string, string>();
  const tierSql = (tiers: DataTier[]): string => {
    if (tiers.length === DATA_TIERS.length) return '';
    const key = tiers.join(',');
    let p = tierParams.get(key);
    if (!p) {
      p = params.add(tiers);
      tierParams.set(key, p);
    }
    return ` and i.tier = any(${p}::text[])`;
  };
  for (const scope of plan.scopes) {
    if (filter.agencyIds && !filter.agencyIds.includes(scope.agencyId)) continue;
    if (scope.lad.kind === 'code' && filter.ladCodes && !filter.ladCodes.includes(scope.lad.code)) continue;
    if (scope.lad.kind === 'none' && filter.ladCodes) continue;
    const tiers = DATA_TIERS.filter((t) => {
      const a = scope.tiers[t];
      const allowed = mode === 'list' ? a.list : a.count;
      const visible = mode === 'list' ? a.readFields : a.countFields;
      return allowed && required.every((f) => visible.includes(f));
    });
    if (tiers.length === 0) continue;
    // Each branch walks one index in (month, id) order: (agency, month, id) for a scope over every feed
    // or every district, (agency, feed, district, month, id) for a district's records of one feed.
    if (scope.feed !== null && filter.feeds && !filter.feeds.includes(scope.feed)) continue;
    const feed = scope.feed;
    {
      const parts = [`i.agency_id = ${params.add(scope.agencyId)}`];
      if (feed !== null) parts.push(`i.feed = ${params.add(feed)}`);
      else if (filter.feeds) parts.push(`i.feed = any(${params.add(filter.feeds)}::text[])`);
      if (scope.lad.kind === 'code') parts.push(`i.lad_code = ${params.add(scope.lad.code)}`);
      else if (scope.lad.kind === 'none') parts.push('i.lad_code is null');
      else if (filter.ladCodes) parts.push(`i.lad_code = any(${params.add(filter.ladCodes)}::text[])`);
      parts.push('i.retired_at is null');
      out.push({ scope, feed, tiers, where: `${parts.join(' and ')}${tierSql(tiers)} and (${filter.sql})` });
    }
  }
  return out;
}

/** A field of a branch's rows as SQL: the column where it shows, else null (typed), with its visibility flag. */
export function maskedField(branch: Branch, field: IncidentField, mode: BranchMode, params: SqlParams, cache: Map<string, string>): { value: string; visible: string } {
  const col = `i.${INCIDENT_COLUMNS[field]}`;
  const type = INCIDENT_SQL_TYPES[field];
  const shown = branch.tiers.filter((t) => (mode === 'list' ? branch.scope.tiers[t].readFields : branch.scope.tiers[t].countFields).includes(field));
  if (shown.length === branch.tiers.length) return { value: `${col}::${type}`, visible: 'true' };
  if (shown.length === 0) return { value: `null::${type}`, visible: 'false' };
  const key = shown.join(',');
  let p = cache.get(key);
  if (!p) {
    p = params.add(shown);
    cache.set(key, p);
  }
  const cond = `i.tier = any(${p}::text[])`;
  return { value: `(case when ${cond} then ${col} end)::${type}`, visible: `(${cond})` };
}

/** The SQL index of a record tier, 0..3, for packing (scope, tier) into one integer. */
export const TIER_INDEX_SQL = `(array_position(array['public','aggregate','pseudonymised','personal']::text[], i.tier) - 1)`;

export function tierOfIndex(index: number): DataTier {
  return (['public', 'aggregate', 'pseudonymised', 'personal'] as const)[index]!;
}
