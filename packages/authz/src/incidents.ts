import { createHash } from 'node:crypto';
import { HubError, type DataTier, type Priority } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { audit } from './access';
import { ALL_INCIDENT_FIELDS, BASE_FIELDS, type IncidentField } from './fields';
import { accessPlan } from './plan';
import { branchesFor, compileFilter, maskedField, type Branch, type IncidentFilter } from './relation';
import { SqlParams } from './sql-conditions';

export type { IncidentFilter } from './relation';

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

export interface PageRequest {
  filter?: IncidentFilter;
  first?: number;
  after?: string | null;
  /**
   * The fields the caller will use (default: all). Others are not read from the
   * database and come back null; `hiddenFields` still names what the reader may
   * not see, whatever was asked for.
   */
  fields?: readonly IncidentField[];
}

export interface IncidentPage {
  items: IncidentView[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export const MAX_PAGE = 100;
const SENSITIVE_TIERS = new Set<string>(['personal', 'pseudonymised']);

function bad(reason: string, message: string): HubError {
  return HubError.invalidInput(reason, message);
}

/** How a listed field leaves SQL: dates as text, so no Date is built and taken apart again per row. */
const OUTPUT_SQL: Partial<Record<IncidentField, (col: string) => string>> = {
  occurredMonth: (col) => `to_char(${col}, 'YYYY-MM')`,
  occurredAt: (col) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/**
 * A branch's rows with every field masked for listing (null where the reader
 * may not see it, decided in SQL), plus the order keys, the scope and the
 * record tier the plan's field rules were applied to.
 */
function maskedSelect(branch: Branch, params: SqlParams, fields: readonly IncidentField[] = ALL_INCIDENT_FIELDS): string {
  const cache = new Map<string, string>();
  const columns = fields.map((f) => {
    const m = maskedField(branch, f, 'list', params, cache);
    const out = OUTPUT_SQL[f];
    return `${out ? out(m.value) : m.value} as "${f}"`;
  });
  return `i.occurred_month as __month, i.id as __id, i.agency_id as __agency, ${branch.scope.index} as __scope, i.tier as __tier${columns.length ? ', ' : ''}${columns.join(', ')}`;
}

type RawRow = Record<string, unknown>;

/**
 * A prepared-statement name for a query text: identical reads (same plan
 * shape) reuse one plan per connection. Names are remembered by text (a few
 * hundred shapes at most), so a page does not hash its SQL again.
 */
const statementNames = new Map<string, string>();
function statementName(kind: string, sql: string): string {
  const key = `${kind}\u0000${sql}`;
  let name = statementNames.get(key);
  if (name === undefined) {
    name = `csp-hub-${kind}-${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    if (statementNames.size >= 1000) statementNames.clear();
    statementNames.set(key, name);
  }
  return name;
}

/**
 * The fields a row hides: all but those the plan's rules give its scope and
 * record tier (the SQL masks the same way), worked out once per rule set.
 */
function hiddenFields(ctx: AccessContext, raw: RawRow): readonly IncidentField[] {
  const scope = accessPlan(ctx.ability, ctx.principal.ladCodes).scopes[Number(raw.__scope)];
  const access = scope?.tiers[raw.__tier as DataTier];
  if (!access?.list) return ALL_INCIDENT_FIELDS;
  let hidden = hiddenByAccess.get(access);
  if (!hidden) {
    const shown = new Set(access.readFields);
    hidden = ALL_INCIDENT_FIELDS.filter((f) => !shown.has(f));
    hiddenByAccess.set(access, hidden);
  }
  return hidden;
}
const hiddenByAccess = new WeakMap<object, readonly IncidentField[]>();

function toView(ctx: AccessContext, raw: RawRow): IncidentView {
  const submissionId = raw.submissionId;
  return {
    id: Number(raw.__id),
    submissionId: submissionId === null || submissionId === undefined ? null : Number(submissionId),
    agencyId: Number(raw.agencyId ?? raw.__agency),
    feed: (raw.feed ?? null) as string,
    sourceCategory: (raw.sourceCategory ?? null) as string | null,
    category: (raw.category ?? null) as Priority | null,
    occurredMonth: (raw.occurredMonth ?? null) as string | null,
    lsoaCode: (raw.lsoaCode ?? null) as string | null,
    wardCode: (raw.wardCode ?? null) as string | null,
    ladCode: (raw.ladCode ?? null) as string | null,
    areaMethod: (raw.areaMethod ?? null) as string | null,
    tier: (raw.tier ?? null) as DataTier | null,
    sourceRef: (raw.sourceRef ?? null) as string | null,
    occurredAt: (raw.occurredAt ?? null) as string | null,
    locationText: (raw.locationText ?? null) as string | null,
    latitude: (raw.latitude ?? null) as number | null,
    longitude: (raw.longitude ?? null) as number | null,
    outcome: (raw.outcome ?? null) as string | null,
    attributes: (raw.attributes ?? null) as Record<string, unknown> | null,
    restrictedText: (raw.restrictedText ?? null) as string | null,
    hiddenFields: hiddenFields(ctx, raw).slice(),
  };
}

function monthText(value: unknown): string {
  return (value instanceof Date ? value.toISOString() : String(value)).slice(0, 7);
}

function encodeCursor(month: string, id: number): string {
  return Buffer.from(`${month}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { month: string; id: number } {
  const m = /^(\d{4}-(?:0[1-9]|1[0-2]))\|(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m || !Number.isSafeInteger(Number(m[2]))) throw bad('INVALID_CURSOR', 'after is not a cursor this API gave out');
  return { month: m[1]!, id: Number(m[2]) };
}

/**
 * The agreements that showed what the rows returned: for each row, the
 * agreements granting each field it shows (none for the reader's own agency).
 */
function agreementsShown(ctx: AccessContext, rows: RawRow[]): number[] {
  const plan = accessPlan(ctx.ability, ctx.principal.ladCodes);
  const ids = new Set<number>();
  for (const r of rows) {
    const access = plan.scopes[Number(r.__scope)]?.tiers[r.__tier as DataTier];
    if (!access?.list) continue;
    for (const f of access.readFields) for (const id of access.readBy[f] ?? []) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

async function auditRead(ctx: AccessContext, operation: string, filter: unknown, rows: RawRow[], objectId?: string): Promise<void> {
  if (!rows.some((r) => SENSITIVE_TIERS.has(r.__tier as string))) return;
  await audit(ctx, {
    operation,
    objectType: 'Incident',
    objectId: objectId ?? null,
    detail: { filter },
    rowCount: rows.length,
    agreementIds: agreementsShown(ctx, rows),
  });
}

/**
 * One page of the relation in (month, id) descending order: each branch is
 * cut to the page size on its own index, then merged and cut again.
 */
async function pageRows(ctx: AccessContext, filter: IncidentFilter, limit: number, after: string | null | undefined, fields?: readonly IncidentField[]): Promise<RawRow[]> {
  const params = new SqlParams();
  const compiled = compileFilter(filter, params);
  let keyset = 'true';
  if (after) {
    const c = decodeCursor(after);
    keyset = `(i.occurred_month, i.id) < (${params.add(`${c.month}-01`)}::date, ${params.add(c.id)}::bigint)`;
  }
  const branches = branchesFor(ctx, compiled, params, 'list');
  if (branches.length === 0) return [];
  const parts = branches.map(
    (b) => `(select ${maskedSelect(b, params, fields)} from incident i where ${b.where} and ${keyset} order by i.occurred_month desc, i.id desc limit ${limit})`,
  );
  // Merged on the branches' own order (date, id); the month leaves as text (YYYY-MM), so no Date is built per row for the cursor.
  const columns = ['__id', '__agency', '__scope', '__tier', ...(fields ?? ALL_INCIDENT_FIELDS).map((f) => `"${f}"`)].map((c) => `p.${c}`).join(', ');
  const sql = `select to_char(p.__month, 'YYYY-MM') as __month, ${columns} from (${parts.join(' union all ')}) p order by p.__month desc, p.__id desc limit ${limit}`;
  return (await ctx.db.query<RawRow>({ name: statementName('incidents', sql), text: sql, values: params.values })).rows;
}

/** One page of incidents the reader may see, newest month first, masked per field. */
export async function listIncidents(ctx: AccessContext, request: PageRequest = {}): Promise<IncidentPage> {
  const first = request.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw bad('PAGE_SIZE', `first must be 1 to ${MAX_PAGE}`);
  if (request.fields) for (const f of request.fields) if (!ALL_INCIDENT_FIELDS.includes(f)) throw new HubError('other', 'UNKNOWN_FIELD', `no incident field ${f}`);
  const result = await pageRows(ctx, request.filter ?? {}, first + 1, request.after, request.fields);
  const rows = result.slice(0, first);
  await auditRead(ctx, 'list', request.filter ?? {}, rows);
  const items = rows.map((r) => toView(ctx, r));
  const last = rows[rows.length - 1];
  return { items, hasNextPage: result.length > first, endCursor: last ? encodeCursor(monthText(last.__month), Number(last.__id)) : null };
}

/** One incident; NOT_FOUND when it does not exist or the reader may not see it (no difference shown). */
export async function getIncident(ctx: AccessContext, id: number): Promise<IncidentView> {
  if (!Number.isSafeInteger(id) || id < 1) throw HubError.notFound('Incident', String(id));
  const params = new SqlParams();
  const compiled = compileFilter({}, params);
  const idParam = params.add(id);
  const branches = branchesFor(ctx, compiled, params, 'list');
  if (branches.length === 0) throw HubError.notFound('Incident', String(id));
  const sql = branches.map((b) => `(select ${maskedSelect(b, params)} from incident i where i.id = ${idParam}::bigint and ${b.where})`).join(' union all ');
  const result = await ctx.db.query<RawRow>({ name: statementName('incident', sql), text: sql, values: params.values });
  if (result.rows.length === 0) throw HubError.notFound('Incident', String(id));
  await auditRead(ctx, 'read', { id }, result.rows, String(id));
  return toView(ctx, result.rows[0]!);
}

/**
 * Counts what the reader may list under the filter, by branch and record
 * tier, so the audit can name exactly the agreements the count relied on.
 */
async function countRows(ctx: AccessContext, filter: IncidentFilter): Promise<{ n: number; sensitive: number; agreementIds: number[] }> {
  const params = new SqlParams();
  const compiled = compileFilter(filter, params);
  const branches = branchesFor(ctx, compiled, params, 'list');
  if (branches.length === 0) return { n: 0, sensitive: 0, agreementIds: [] };
  const sql = branches
    .map((b) => `(select ${b.scope.index} as scope, i.tier, count(*)::int as n from incident i where ${b.where} group by i.tier)`)
    .join(' union all ');
  const result = await ctx.db.query<{ scope: number; tier: DataTier; n: number }>({ name: statementName('count', sql), text: sql, values: params.values });
  const plan = accessPlan(ctx.ability, ctx.principal.ladCodes);
  let n = 0;
  let sensitive = 0;
  const ids = new Set<number>();
  for (const g of result.rows) {
    n += g.n;
    if (SENSITIVE_TIERS.has(g.tier)) sensitive += g.n;
    const access = plan.scopes[g.scope]!.tiers[g.tier];
    for (const f of access.readFields) for (const id of access.readBy[f] ?? []) ids.add(id);
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
    const rows = await pageRows(ctx, filter, batchSize, after);
    if (rows.length === 0) return;
    yield rows.map((r) => toView(ctx, r));
    const last = rows[rows.length - 1]!;
    after = encodeCursor(monthText(last.__month), Number(last.__id));
    if (rows.length < batchSize) return;
  }
}

export { BASE_FIELDS };
