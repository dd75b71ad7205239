import type { GraphQLBody, TestHub } from '../../support/hub';
import { ALL_FIELDS, type Field, type Filter, type RawIncident } from './oracle';
import { splitCsv } from '@csp-hub/adapter-kit/testing';

/** What the API is asked for and how it answers, for the authorization-matrix test. */

export const INCIDENT_FIELDS_GQL = `id agencyId feed sourceCategory category occurredMonth lsoaCode wardCode ladCode areaMethod tier
  sourceRef occurredAt locationText latitude longitude outcome attributes restrictedText hiddenFields submission { id }`;

export interface ApiIncident {
  id: string;
  agencyId: string | null;
  feed: string | null;
  sourceCategory: string | null;
  category: string | null;
  occurredMonth: string | null;
  lsoaCode: string | null;
  wardCode: string | null;
  ladCode: string | null;
  areaMethod: string | null;
  tier: string | null;
  sourceRef: string | null;
  occurredAt: string | null;
  locationText: string | null;
  latitude: number | null;
  longitude: number | null;
  outcome: string | null;
  attributes: Record<string, unknown> | null;
  restrictedText: string | null;
  hiddenFields: string[];
  submission: { id: string } | null;
}

export type GroupByName = 'CATEGORY' | 'SOURCE_CATEGORY' | 'MONTH' | 'FEED' | 'LAD_CODE' | 'WARD_CODE' | 'LSOA_CODE';

export interface ApiCell {
  keys: string[];
  count: number;
}

export interface ApiTable {
  agencyId: string;
  controlled: boolean;
  cells: ApiCell[];
  rowTotals: ApiCell[];
  columnTotals: ApiCell[];
  total: number;
}

/** The GraphQL IncidentFilter for a policy filter: categories are enum names (upper case). */
export function gqlFilter(f: Filter): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f };
  if (f.categories) out.categories = f.categories.map((c) => c.toUpperCase());
  return out;
}

/** The export's query string for a policy filter: lists comma-separated, categories as stored. */
export function exportQuery(f: Filter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return q.toString();
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly body: GraphQLBody,
    readonly status: number,
  ) {
    super(message);
  }
}

async function ok(hub: TestHub, query: string, token: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { status, body } = await hub.gql(query, { token, variables });
  if (status !== 200 || body.errors || !body.data) throw new ApiError(`GraphQL ${status}: ${JSON.stringify(body.errors)}`, body, status);
  return body.data;
}

export interface ListResult {
  nodes: ApiIncident[];
  pageSizes: number[];
  /** Problems with the paging itself (short pages before the end, missing cursors). */
  pagingProblems: string[];
}

/** Pages through every page of `incidents` with first: 100. */
export async function listAll(hub: TestHub, token: string, f: Filter): Promise<ListResult> {
  const query = `query($filter: IncidentFilter, $after: String) {
    incidents(filter: $filter, first: 100, after: $after) { nodes { ${INCIDENT_FIELDS_GQL} } pageInfo { hasNextPage endCursor } } }`;
  const nodes: ApiIncident[] = [];
  const pageSizes: number[] = [];
  const pagingProblems: string[] = [];
  let after: string | null = null;
  for (let page = 0; ; page++) {
    if (page > 200) throw new Error('more than 200 pages: paging does not end');
    const data = await ok(hub, query, token, { filter: gqlFilter(f), after });
    const conn = data.incidents as { nodes: ApiIncident[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    nodes.push(...conn.nodes);
    pageSizes.push(conn.nodes.length);
    if (conn.nodes.length > 100) pagingProblems.push(`page ${page} has ${conn.nodes.length} rows`);
    if (!conn.pageInfo.hasNextPage) break;
    if (conn.nodes.length !== 100) pagingProblems.push(`page ${page} has ${conn.nodes.length} rows but hasNextPage`);
    if (!conn.pageInfo.endCursor) {
      pagingProblems.push(`page ${page} has no endCursor but hasNextPage`);
      break;
    }
    after = conn.pageInfo.endCursor;
  }
  return { nodes, pageSizes, pagingProblems };
}

export async function countOf(hub: TestHub, token: string, f: Filter): Promise<number> {
  const data = await ok(hub, 'query($filter: IncidentFilter) { incidentCount(filter: $filter) }', token, { filter: gqlFilter(f) });
  return data.incidentCount as number;
}

export async function countsBy(hub: TestHub, token: string, groupBy: GroupByName[], f: Filter): Promise<ApiTable[]> {
  const query = `query($groupBy: [GroupBy!]!, $filter: IncidentFilter) {
    incidentCounts(groupBy: $groupBy, filter: $filter) {
      agencyId controlled cells { keys count } rowTotals { keys count } columnTotals { keys count } total } }`;
  const data = await ok(hub, query, token, { groupBy, filter: gqlFilter(f) });
  return data.incidentCounts as ApiTable[];
}

export type GetResult = { found: true; node: ApiIncident } | { found: false; status: number; body: GraphQLBody };

export async function getOne(hub: TestHub, token: string, id: string): Promise<GetResult> {
  const { status, body } = await hub.gql(`query($id: ID!) { incident(id: $id) { ${INCIDENT_FIELDS_GQL} } }`, { token, variables: { id } });
  const node = (body.data?.incident ?? null) as ApiIncident | null;
  if (node && !body.errors) return { found: true, node };
  return { found: false, status, body };
}

export interface CsvExport {
  status: number;
  contentType: string | null;
  header: string[];
  rows: Record<string, string>[];
  raw: string;
}

export async function exportCsv(hub: TestHub, token: string, f: Filter): Promise<CsvExport> {
  const res = await fetch(`${hub.base}/api/exports/incidents.csv?${exportQuery(f)}`, { headers: { authorization: `Bearer ${token}` } });
  const raw = await res.text();
  if (res.status !== 200) return { status: res.status, contentType: res.headers.get('content-type'), header: [], rows: [], raw };
  const [header = [], ...lines] = parseCsv(raw);
  const rows = lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  return { status: res.status, contentType: res.headers.get('content-type'), header, rows, raw };
}

/** An RFC 4180 reader independent of the product's CSV code (shared test helper). */
export const parseCsv = splitCsv;

// ---- comparing what came back with the raw row --------------------------------------------------

function rawValue(r: RawIncident, f: Field): unknown {
  return r[f];
}

function sameInstant(api: unknown, raw: Date | null): boolean {
  if (raw === null) return api === null;
  return typeof api === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(api) && new Date(api).getTime() === raw.getTime();
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}

/** Fields the GraphQL Incident type exposes under the policy's names (submissionId is checked through `submission`). */
const GQL_FIELDS: readonly Field[] = ALL_FIELDS.filter((f) => f !== 'submissionId');

/**
 * Differences between a GraphQL row and the raw record under the oracle's
 * visible set: visible fields equal the stored value, hidden ones are null
 * and named in hiddenFields (and nothing else is named there).
 */
export function gqlRowProblems(node: ApiIncident, raw: RawIncident, visible: ReadonlySet<Field>, submissionVisible: boolean): string[] {
  const problems: string[] = [];
  const say = (f: string, msg: string) => problems.push(`incident ${raw.id} (${raw.feed}) ${f}: ${msg}`);
  for (const f of GQL_FIELDS) {
    const api = node[f as keyof ApiIncident];
    const value = rawValue(raw, f);
    if (!visible.has(f)) {
      if (api !== null) say(f, `hidden by policy but returned ${JSON.stringify(api)}`);
      continue;
    }
    let same: boolean;
    switch (f) {
      case 'agencyId':
        same = api === String(value);
        break;
      case 'category':
        same = api === String(value).toUpperCase();
        break;
      case 'occurredAt':
        same = sameInstant(api, value as Date | null);
        break;
      case 'attributes':
        same = sameJson(api, value);
        break;
      default:
        same = api === value;
    }
    if (!same) say(f, `visible by policy: expected ${JSON.stringify(value)}, got ${JSON.stringify(api)}`);
  }
  const expectedHidden = ALL_FIELDS.filter((f) => !visible.has(f)).sort();
  const hidden = [...node.hiddenFields].sort();
  if (JSON.stringify(hidden) !== JSON.stringify(expectedHidden)) say('hiddenFields', `expected ${JSON.stringify(expectedHidden)}, got ${JSON.stringify(hidden)}`);
  const sub = node.submission?.id ?? null;
  const expectedSub = submissionVisible ? raw.submissionId : null;
  if (sub !== expectedSub) say('submission.id', `expected ${JSON.stringify(expectedSub)}, got ${JSON.stringify(sub)}`);
  return problems;
}

const NUMERIC: ReadonlySet<Field> = new Set<Field>(['id', 'submissionId', 'agencyId', 'latitude', 'longitude']);
const FORMULA_START = /^[=+\-@\t\r]/;

/** The policy's export cell: masked cells empty, text that could start a formula gets a leading apostrophe. */
export function csvRowProblems(row: Record<string, string>, raw: RawIncident, visible: ReadonlySet<Field>): string[] {
  const problems: string[] = [];
  const say = (f: string, msg: string) => problems.push(`incident ${raw.id} (${raw.feed}) csv ${f}: ${msg}`);
  for (const f of ALL_FIELDS) {
    const cell = row[f];
    if (cell === undefined) {
      say(f, 'column missing');
      continue;
    }
    if (!visible.has(f)) {
      if (cell !== '') say(f, `hidden by policy but exported ${JSON.stringify(cell)}`);
      continue;
    }
    const value = rawValue(raw, f);
    let same: boolean;
    if (value === null) same = cell === '';
    else if (f === 'occurredAt') same = sameInstant(cell, value as Date);
    else if (f === 'occurredMonth') same = cell === value;
    else if (f === 'attributes') same = (() => { try { return sameJson(JSON.parse(cell), value); } catch { return false; } })();
    else if (NUMERIC.has(f)) same = cell === String(value);
    else {
      const text = String(value);
      same = cell === (FORMULA_START.test(text) ? `'${text}` : text);
    }
    if (!same) say(f, `visible by policy: expected ${JSON.stringify(value)}, got ${JSON.stringify(cell)}`);
  }
  const expectedHidden = ALL_FIELDS.filter((f) => !visible.has(f)).sort();
  const hidden = (row.hiddenFields ?? '').split(' ').filter(Boolean).sort();
  if (JSON.stringify(hidden) !== JSON.stringify(expectedHidden)) say('hiddenFields', `expected ${JSON.stringify(expectedHidden)}, got ${JSON.stringify(hidden)}`);
  return problems;
}
