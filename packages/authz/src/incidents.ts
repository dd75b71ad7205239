import { createHash } from 'node:crypto';
import { HubError, isPriority, type DataTier, type Priority } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { audit } from './access';
import { ALL_INCIDENT_FIELDS, BASE_FIELDS, INCIDENT_COLUMNS, type IncidentField } from './fields';
import { agreementFor, allowedSql } from './rules-sql';
import { SqlParams } from './sql-conditions';

/** An incident as a reader may see it: fields they may not see are null and listed in `hiddenFields`. */
export interface IncidentView {
  id: number;
  submissionId: number | null;
  agencyId: number;
  feed: string;
  sourceCategory: string | null;
  category: Priority | null;
  occurredMonth: string | null;
  lsoaCode: string | null;
  wardCode: string | null;
  ladCode: string | null;
  areaMethod: string | null;
  tier: DataTier | null;
  sourceRef: string | null;
  occurredAt: string | null;
  locationText: string | null;
  latitude: number | null;
  longitude: number | null;
  outcome: string | null;
  attributes: Record<string, unknown> | null;
  restrictedText: string | null;
  hiddenFields: IncidentField[];
}

export interface IncidentFilter {
  /** YYYY-MM, inclusive. */
  monthFrom?: string | null;
  monthTo?: string | null;
  categories?: string[] | null;
  feeds?: string[] | null;
  agencyIds?: number[] | null;
  ladCodes?: string[] | null;
  wardCodes?: string[] | null;
  lsoaCodes?: string[] | null;
  /** Matches only rows whose outcome the reader may see. */
  outcome?: string | null;
}

export interface PageRequest {
  filter?: IncidentFilter;
  first?: number;
  after?: string | null;
}

export interface IncidentPage {
  items: IncidentView[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export const MAX_PAGE = 100;
const SENSITIVE_TIERS = new Set(['personal', 'pseudonymised']);
const COLUMNS: Record<string, string> = Object.fromEntries(Object.entries(INCIDENT_COLUMNS).map(([f, c]) => [f, `i.${c}`]));

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

/** The user's filter as SQL. Only fields every reader of a row sees can be filtered on, except
 * outcome, which is guarded by its own visibility so it cannot probe hidden values. */
export function filterSqlFor(ctx: AccessContext, filter: IncidentFilter, params: SqlParams): string {
  const parts: string[] = [];
  if (filter.monthFrom) {
    if (!MONTH.test(filter.monthFrom)) throw bad('INVALID_FILTER', 'monthFrom must be YYYY-MM');
    parts.push(`i.occurred_month >= ${params.add(`${filter.monthFrom}-01`)}::date`);
  }
  if (filter.monthTo) {
    if (!MONTH.test(filter.monthTo)) throw bad('INVALID_FILTER', 'monthTo must be YYYY-MM');
    parts.push(`i.occurred_month <= ${params.add(`${filter.monthTo}-01`)}::date`);
  }
  const lists: [string, string, unknown[] | undefined][] = [
    ['category', 'i.category', checkList('categories', filter.categories, (v) => typeof v === 'string' && isPriority(v))],
    ['feed', 'i.feed', checkList('feeds', filter.feeds, (v) => typeof v === 'string' && FEED.test(v))],
    ['agency', 'i.agency_id', checkList('agencyIds', filter.agencyIds, (v) => Number.isInteger(v))],
    ['lad', 'i.lad_code', checkList('ladCodes', filter.ladCodes, (v) => typeof v === 'string' && CODE.test(v))],
    ['ward', 'i.ward_code', checkList('wardCodes', filter.wardCodes, (v) => typeof v === 'string' && CODE.test(v))],
    ['lsoa', 'i.lsoa_code', checkList('lsoaCodes', filter.lsoaCodes, (v) => typeof v === 'string' && CODE.test(v))],
  ];
  for (const [, col, values] of lists) {
    if (!values) continue;
    // A single value as equality lets PostgreSQL walk the (lad_code, occurred_month, id) index in order.
    parts.push(values.length === 1 ? `${col} = ${params.add(values[0])}` : `${col} = any(${params.add(values)})`);
  }
  if (filter.outcome !== undefined && filter.outcome !== null) {
    if (filter.outcome.length > 200) throw bad('INVALID_FILTER', 'outcome is at most 200 characters');
    const visible = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params, 'outcome');
    parts.push(`(${visible}) and i.outcome = ${params.add(filter.outcome)}`);
  }
  return parts.length ? parts.join(' and ') : 'true';
}

/** SELECT list with a mask per field: the value when the reader may see it, else null. */
const maskCache = new WeakMap<object, { sql: string; values: unknown[] }>();

/** The masked SELECT list for the context's ability (built once per ability); must be the query's first parameters. */
function maskedSelect(ctx: AccessContext, params: SqlParams): string {
  if (params.values.length !== 0) throw new HubError('other', 'AUTHZ_MASK_ORDER', 'the masked select must be built before other parameters');
  let cached = maskCache.get(ctx.ability);
  if (!cached) {
    const own = new SqlParams();
    cached = { sql: buildMaskedSelect(ctx, own), values: own.values };
    maskCache.set(ctx.ability, cached);
  }
  params.values.push(...cached.values);
  return cached.sql;
}

function buildMaskedSelect(ctx: AccessContext, params: SqlParams): string {
  const rowParams = new SqlParams();
  const rowSql = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, rowParams);
  const select: string[] = [];
  for (const field of ALL_INCIDENT_FIELDS) {
    const col = COLUMNS[field]!;
    const fieldParams = new SqlParams();
    const fieldSql = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, fieldParams, field);
    if (fieldSql === rowSql && JSON.stringify(fieldParams.values) === JSON.stringify(rowParams.values)) {
      // the same rules govern the field and the row: visible wherever the row is
      select.push(`${col} as "${field}", true as "${field}__v"`);
      continue;
    }
    const visible = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params, field);
    select.push(`case when ${visible} then ${col} end as "${field}", (${visible}) is true as "${field}__v"`);
  }
  return select.join(',\n    ');
}

type RawRow = Record<string, unknown>;

/** A prepared-statement name for a query text: identical pages (same ability, same filter shape) reuse one plan per connection. */
function statementName(kind: string, sql: string): string {
  return `csp-hub-${kind}-${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
}

function toView(raw: RawRow): IncidentView {
  const hidden: IncidentField[] = [];
  for (const f of ALL_INCIDENT_FIELDS) if (raw[`${f}__v`] !== true) hidden.push(f);
  const month = raw.occurredMonth as Date | string | null;
  const at = raw.occurredAt as Date | null;
  return {
    id: Number(raw.id),
    submissionId: raw.submissionId === null ? null : Number(raw.submissionId),
    agencyId: Number(raw.agencyId),
    feed: raw.feed as string,
    sourceCategory: raw.sourceCategory as string | null,
    category: raw.category as Priority | null,
    occurredMonth: month === null ? null : (month instanceof Date ? month.toISOString() : month).slice(0, 7),
    lsoaCode: raw.lsoaCode as string | null,
    wardCode: raw.wardCode as string | null,
    ladCode: raw.ladCode as string | null,
    areaMethod: raw.areaMethod as string | null,
    tier: raw.tier as DataTier | null,
    sourceRef: raw.sourceRef as string | null,
    occurredAt: at === null ? null : at.toISOString(),
    locationText: raw.locationText as string | null,
    latitude: raw.latitude as number | null,
    longitude: raw.longitude as number | null,
    outcome: raw.outcome as string | null,
    attributes: raw.attributes as Record<string, unknown> | null,
    restrictedText: raw.restrictedText as string | null,
    hiddenFields: hidden,
  };
}

function encodeCursor(view: IncidentView): string {
  return Buffer.from(`${view.occurredMonth}|${view.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { month: string; id: number } {
  const m = /^(\d{4}-(?:0[1-9]|1[0-2]))\|(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m || !Number.isSafeInteger(Number(m[2]))) throw bad('INVALID_CURSOR', 'after is not a cursor this API gave out');
  return { month: m[1]!, id: Number(m[2]) };
}

/** Agreements relied on for the rows returned, for the audit entry. */
function agreementsRelied(ctx: AccessContext, rows: RawRow[]): number[] {
  const ids = new Set<number>();
  for (const r of rows) {
    const id = agreementFor(ctx.ability, 'read', {
      agencyId: Number(r.agencyId),
      feed: r.feed as string,
      ladCode: (r.ladCode as string | null) ?? null,
      tier: (r.tier as string) ?? '',
    });
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

async function auditRead(ctx: AccessContext, operation: string, filter: unknown, rows: RawRow[], objectId?: string): Promise<void> {
  if (!rows.some((r) => SENSITIVE_TIERS.has(r.tier as string))) return;
  await audit(ctx, {
    operation,
    objectType: 'Incident',
    objectId: objectId ?? null,
    detail: { filter },
    rowCount: rows.length,
    agreementIds: agreementsRelied(ctx, rows),
  });
}

/** One page of incidents the reader may see, newest month first, masked per field. */
export async function listIncidents(ctx: AccessContext, request: PageRequest = {}): Promise<IncidentPage> {
  const first = request.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw bad('PAGE_SIZE', `first must be 1 to ${MAX_PAGE}`);
  const params = new SqlParams();
  const select = maskedSelect(ctx, params);
  const allowed = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params);
  const filter = filterSqlFor(ctx, request.filter ?? {}, params);
  let keyset = 'true';
  if (request.after) {
    const c = decodeCursor(request.after);
    keyset = `(i.occurred_month, i.id) < (${params.add(`${c.month}-01`)}::date, ${params.add(c.id)}::bigint)`;
  }
  // Find the page first, then mask only its rows.
  const sql = `select ${select}
    from (select * from incident i
          where (${allowed}) and (${filter}) and ${keyset}
          order by i.occurred_month desc, i.id desc
          limit ${first + 1}) i
    order by i.occurred_month desc, i.id desc`;
  const result = await ctx.db.query<RawRow>({ name: statementName('incidents', sql), text: sql, values: params.values });
  const rows = result.rows.slice(0, first);
  await auditRead(ctx, 'list', request.filter ?? {}, rows);
  const items = rows.map(toView);
  return { items, hasNextPage: result.rows.length > first, endCursor: items.length ? encodeCursor(items[items.length - 1]!) : null };
}

/** One incident; NOT_FOUND when it does not exist or the reader may not see it (no difference shown). */
export async function getIncident(ctx: AccessContext, id: number): Promise<IncidentView> {
  if (!Number.isSafeInteger(id) || id < 1) throw HubError.notFound('Incident', String(id));
  const params = new SqlParams();
  const select = maskedSelect(ctx, params);
  const allowed = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params);
  const result = await ctx.db.query<RawRow>(`select ${select} from incident i where i.id = ${params.add(id)} and (${allowed})`, params.values);
  if (result.rows.length === 0) throw HubError.notFound('Incident', String(id));
  await auditRead(ctx, 'read', { id }, result.rows, String(id));
  return toView(result.rows[0]!);
}

/**
 * Counts what the reader may list, by provider, feed, tier and district, so the
 * audit can name exactly the agreements the count relied on.
 */
async function countRows(ctx: AccessContext, filter: IncidentFilter): Promise<{ n: number; sensitive: number; agreementIds: number[] }> {
  const params = new SqlParams();
  const allowed = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params);
  const where = filterSqlFor(ctx, filter, params);
  const result = await ctx.db.query<{ agency_id: number; feed: string; tier: string; lad_code: string | null; n: number }>(
    `select i.agency_id, i.feed, i.tier, i.lad_code, count(*)::int as n
     from incident i where (${allowed}) and (${where}) group by 1, 2, 3, 4`,
    params.values,
  );
  let n = 0;
  let sensitive = 0;
  const ids = new Set<number>();
  for (const g of result.rows) {
    n += g.n;
    if (SENSITIVE_TIERS.has(g.tier)) sensitive += g.n;
    const id = agreementFor(ctx.ability, 'read', { agencyId: g.agency_id, feed: g.feed, ladCode: g.lad_code, tier: g.tier });
    if (id !== undefined) ids.add(id);
  }
  return { n, sensitive, agreementIds: [...ids].sort((a, b) => a - b) };
}

/** How many incidents the reader may see row by row under the filter. */
export async function countIncidents(ctx: AccessContext, filter: IncidentFilter = {}): Promise<number> {
  const { n, sensitive, agreementIds } = await countRows(ctx, filter);
  if (sensitive > 0) {
    await audit(ctx, { operation: 'count', objectType: 'Incident', detail: { filter }, rowCount: n, agreementIds });
  }
  return n;
}

/**
 * Streams every incident the reader may see under the filter, masked, in
 * batches (exports). Audited once, before the first row leaves.
 */
export async function* exportIncidents(ctx: AccessContext, filter: IncidentFilter = {}, batchSize = 2000): AsyncGenerator<IncidentView[]> {
  const { n: total, agreementIds } = await countRows(ctx, filter);
  await audit(ctx, { operation: 'export', objectType: 'Incident', detail: { filter }, rowCount: total, agreementIds });
  let after: string | null = null;
  for (;;) {
    const params = new SqlParams();
    const select = maskedSelect(ctx, params);
    const allowed = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params);
    const where = filterSqlFor(ctx, filter, params);
    let keyset = 'true';
    if (after) {
      const c = decodeCursor(after);
      keyset = `(i.occurred_month, i.id) < (${params.add(`${c.month}-01`)}::date, ${params.add(c.id)}::bigint)`;
    }
    const result = await ctx.db.query<RawRow>(
      `select ${select} from (select * from incident i where (${allowed}) and (${where}) and ${keyset}
         order by i.occurred_month desc, i.id desc limit ${batchSize}) i order by i.occurred_month desc, i.id desc`,
      params.values,
    );
    if (result.rows.length === 0) return;
    const views = result.rows.map(toView);
    yield views;
    after = encodeCursor(views[views.length - 1]!);
    if (result.rows.length < batchSize) return;
  }
}

export { BASE_FIELDS };
