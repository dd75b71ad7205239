import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '@csp-hub/db';
import { DATA_TIERS, HubError } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { audit } from './access';
import { buildPTable, DEFAULT_CELL_KEY, perturbSql, type CellKeyOptions, type PTable } from './cell-key';
import { INCIDENT_COLUMNS, type IncidentField } from './fields';
import { accessPlan } from './plan';
import { branchesFor, compileFilter, TIER_INDEX_SQL, tierOfIndex, type IncidentFilter } from './relation';
import { SqlParams } from './sql-conditions';

/**
 * Aggregates over the authorized relation (ADR 0015, 0016). A consumer names
 * dimensions — SQL over the fields it declares, nothing else — and optionally
 * composes a query over the resulting cells (windows, joins to reference
 * tables, ordering). Authz builds the relation of countable records, keeps only
 * record tiers on which every declared field is visible, counts, perturbs the
 * counts of any table that includes records the reader may only count (cell-key
 * method, totals perturbed as cells of their own), drops cells published as 0,
 * and audits the agreements relied on. True counts never leave the database.
 */

/** A grouping key over the countable records: `sql` may use only `r."<field>"` for the fields it declares. */
export interface Dimension {
  name: string;
  fields: IncidentField[];
  sql: string;
  /** The providing agency itself: disclosure control is decided per agency for cells keyed by it. */
  agency?: boolean;
}

/** The column reference a dimension's SQL uses for a field. */
export function field(name: IncidentField): string {
  return `r."${name}"`;
}

export const dimensions = {
  agency: (): Dimension => ({ name: 'agencyId', fields: ['agencyId'], sql: field('agencyId'), agency: true }),
  month: (): Dimension => ({ name: 'month', fields: ['occurredMonth'], sql: `to_char(${field('occurredMonth')}, 'YYYY-MM')` }),
  of: (name: string, f: IncidentField, noneAs: string | null = '(none)'): Dimension => ({
    name,
    fields: [f],
    sql: noneAs === null ? `${field(f)}::text` : `coalesce(${field(f)}::text, '${noneAs.replace(/'/g, "''")}')`,
  }),
};

export interface AggregateSpec {
  dimensions: Dimension[];
  filter?: IncidentFilter;
  /**
   * Which dimension combinations to count, as lists of dimension indexes
   * (default: all of them together). Each set is perturbed as cells of its own:
   * [[0, 1], [0], [1], []] gives a two-way table with its margins and total.
   */
  groupingSets?: number[][];
  /** Extra fields the consumer's composed query needs visible (none by default). */
  needs?: IncidentField[];
}

export interface AggregateOptions {
  cellKey?: CellKeyOptions;
  /** Built on the cells relation: its name, and the parameters to add values to. Default: every cell. */
  compose?: (cells: string, params: SqlParams) => string;
  /** The audit operation and detail (default: aggregate, the spec). */
  auditDetail?: Record<string, unknown>;
}

export interface AggregateResult<T> {
  rows: T[];
  /** Providers whose counts here are perturbed (the reader may only count some of their records). */
  controlledAgencies: number[];
  /** Whether cells not keyed by agency are perturbed. */
  controlled: boolean;
}

const ptables = new Map<string, PTable>();

/** The perturbation table for the options (built once per distinct options). */
export function ptableFor(options: CellKeyOptions = DEFAULT_CELL_KEY): PTable {
  const key = JSON.stringify(options);
  let table = ptables.get(key);
  if (!table) {
    table = buildPTable(options);
    ptables.set(key, table);
  }
  return table;
}

const SENSITIVE = new Set(['personal', 'pseudonymised']);

/**
 * How an aggregate's statement is planned, as SET LOCAL settings of its
 * read-only transaction (also used by `pnpm bench scale` to EXPLAIN what the
 * hub runs):
 *
 * - a plan made for its parameter values: the read pool forces generic plans
 *   (right for pages, whose shape is fixed and which run thousands of times);
 *   an aggregate's best plan depends on its months, districts and scopes, and a
 *   generic one was several times slower for a provider's hotspot points on
 *   2,000,000 rows;
 * - no sequential scan of incident: every branch of the relation is an index
 *   range (ADR 0015), and a provider's rows lie together on disk (each monthly
 *   release is one merge), which the planner's uniform model cannot see. For a
 *   force's counts over every month it estimated a bitmap scan of its own
 *   rows dearer than reading the whole table, and read every page of
 *   10,000,000 rows (13.8 s) where a bitmap reads the few per cent holding
 *   them (docs/scaling.md). A table with no usable index is still scanned.
 * - no JIT compilation: PostgreSQL compiles a statement's expressions afresh
 *   on every execution once its estimated cost passes jit_above_cost, and a
 *   provider's count over every month passes it. On 1,000,000 rows JIT took
 *   109 of 1,012 ms unpartitioned and 7.0 of 8.0 s with monthly partitions
 *   (3,673 functions, one set per partition scanned).
 *
 * Every aggregate reads only incident (compose functions shape the cells, they
 * join nothing): a compose that joined a small table would have it read by
 * index too.
 */
export const AGGREGATE_PLAN_SETTINGS: readonly string[] = ['plan_cache_mode = force_custom_plan', 'enable_seqscan = off', 'jit = off'];

/** Runs an aggregate's statement in a read-only transaction with AGGREGATE_PLAN_SETTINGS. */
async function queryAggregate<R extends pg.QueryResultRow>(db: pg.Pool, sql: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  if (typeof db.connect !== 'function') return db.query<R>(sql, values);
  return inTransaction(db, async (client) => {
    await client.query(AGGREGATE_PLAN_SETTINGS.map((setting) => `set local ${setting}`).join('; '));
    return client.query<R>(sql, values);
  }, 'begin read only');
}

/**
 * Runs an aggregate over the authorized relation. `cells` (the relation handed
 * to `compose`) has one column per dimension (named as the dimension), `level`
 * (the grouping bitmask of the set: bit i set when dimension i is not grouped,
 * so 0 is the full combination) and `n` (the published count, never 0).
 */
export async function aggregateIncidents<T = Record<string, unknown>>(
  ctx: AccessContext,
  spec: AggregateSpec,
  options: AggregateOptions = {},
): Promise<AggregateResult<T>> {
  const dims = spec.dimensions;
  if (dims.length > 6) throw HubError.invalidInput('TOO_MANY_GROUPS', 'group by at most six dimensions');
  const names = new Set(dims.map((d) => d.name));
  if (names.size !== dims.length) throw HubError.invalidInput('INVALID_GROUP_BY', 'each dimension needs its own name');
  for (const d of dims) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(d.name) || ['level', 'n'].includes(d.name)) throw new HubError('other', 'AGGREGATE_DIMENSION', `bad dimension name ${d.name}`);
  }
  const sets = spec.groupingSets ?? [dims.map((_, i) => i)];
  for (const set of sets) for (const i of set) if (i < 0 || i >= dims.length) throw new HubError('other', 'AGGREGATE_SET', `grouping set names dimension ${i}`);
  const table = ptableFor(options.cellKey ?? ctx.cellKey);
  const params = new SqlParams();
  const compiled = compileFilter(spec.filter ?? {}, params);
  const declared = [...new Set([...dims.flatMap((d) => d.fields), ...(spec.needs ?? [])])];
  const branches = branchesFor(ctx, compiled, params, 'count', declared);

  // Which providers are controlled: decided from the plan (the reader's access), never from the data.
  const controlledAgencies = [...new Set(branches.filter((b) => b.tiers.some((t) => !b.scope.tiers[t].list)).map((b) => b.scope.agencyId))].sort((a, b) => a - b);
  const controlled = controlledAgencies.length > 0;
  if (branches.length === 0) return { rows: [], controlledAgencies: [], controlled: false };

  const tag = randomBytes(4).toString('hex');
  const rowsName = `authz_rows_${tag}`;
  const cellsName = `authz_cells_${tag}`;
  const fieldList = declared.map((f) => `i.${INCIDENT_COLUMNS[f]} as "${f}"`).join(', ');
  const listParamCache = new Map<string, string>();
  const branchSql = branches.map((b) => {
    const listed = b.tiers.filter((t) => b.scope.tiers[t].list);
    let listSql = 'false';
    if (listed.length === b.tiers.length) listSql = 'true';
    else if (listed.length > 0) {
      const key = listed.join(',');
      let p = listParamCache.get(key);
      if (!p) listParamCache.set(key, (p = params.add(listed)));
      listSql = `(i.tier = any(${p}::text[]))`;
    }
    const ctl = controlledAgencies.includes(b.scope.agencyId);
    return `select ${fieldList}${fieldList ? ', ' : ''}${listSql} as __list, i.record_key as __key,
      ${b.scope.index * 4} + ${TIER_INDEX_SQL} as __st, ${ctl} as __ctl
      from incident i where ${b.where}`;
  });
  const dimCols = dims.map((d, i) => `${d.sql} as d${i}`);
  const groupSets = sets.map((s) => `(${s.map((i) => `d${i}`).join(', ')})`);
  const dimRefs = dims.map((_, i) => `d${i}`);
  const gAll = dims.length ? `grouping(${dimRefs.join(', ')})` : '0';
  const agencyDim = dims.findIndex((d) => d.agency);
  // Perturbed: per agency for sets keyed by the agency dimension; otherwise whenever the read includes any controlled provider.
  const ctlExpr =
    agencyDim >= 0 ? `(case when grouping(d${agencyDim}) = 0 then bool_or(__ctl) else ${controlled} end)` : `${controlled}`;
  const ptableParam = `${params.add(table.noise)}::int[]`;
  const sql = `
    with ${rowsName} as (${branchSql.join('\n union all \n')}),
    ${cellsName}_raw as (
      select ${[...dimRefs, ''].join(', ')} ${gAll} as __level, grouping(__st) as __by_st, __st,
        count(*)::int as __n, (sum(__key) % 256)::int as __ck, ${ctlExpr} as __perturb
      from (select ${[...dimCols, ''].join(', ')} __list, __key, __st, __ctl from ${rowsName} r) x
      group by grouping sets (${[...groupSets, '(__st)'].join(', ')})
    ),
    ${cellsName}_all as (
      select ${[...dimRefs, ''].join(', ')} __level, __by_st, __st,
        case when __perturb then ${perturbSql('__n', '__ck', ptableParam, table)} else __n end as n
      from ${cellsName}_raw
    ),
    cells as (
      select ${[...dims.map((d, i) => `d${i} as "${d.name}"`), ''].join(', ')} __level as level, n
      from ${cellsName}_all where __by_st = 1 and n > 0
    )
    select to_jsonb(q) as v, (select array_agg(distinct __st) from ${cellsName}_all where __by_st = 0) as relied
    from (${options.compose ? options.compose('cells', params) : 'select * from cells'}) q`;
  const result = await queryAggregate<{ v: T; relied: number[] | null }>(ctx.db, sql, params.values);
  const rows = result.rows.map((r) => r.v);
  // The audit: the agreements whose records were counted, when any was personal or pseudonymised.
  const relied = result.rows[0]?.relied ?? [];
  if (rows.length > 0 && relied.some((st) => SENSITIVE.has(tierOfIndex(st % 4)))) {
    const plan = accessPlan(ctx.ability, ctx.principal.ladCodes);
    const ids = new Set<number>();
    for (const st of relied) for (const id of plan.scopes[Math.floor(st / 4)]!.tiers[tierOfIndex(st % 4)].countBy) ids.add(id);
    await audit(ctx, {
      operation: 'aggregate',
      objectType: 'Incident',
      detail: options.auditDetail ?? { dimensions: dims.map((d) => d.name), filter: spec.filter ?? {}, disclosureControl: table.options },
      rowCount: rows.length,
      agreementIds: [...ids].sort((a, b) => a - b),
    });
  }
  return { rows, controlledAgencies, controlled };
}

// --- incidentCounts: per provider, up to two fields, with margins ----------------------------

export const GROUP_BY_FIELDS = {
  category: 'category',
  sourceCategory: 'sourceCategory',
  month: 'occurredMonth',
  feed: 'feed',
  ladCode: 'ladCode',
  wardCode: 'wardCode',
  lsoaCode: 'lsoaCode',
} as const satisfies Record<string, IncidentField>;
export type GroupByField = keyof typeof GROUP_BY_FIELDS;

export interface CountCell {
  keys: string[];
  count: number;
}

/**
 * One provider's counts. `controlled`: the reader may only count some of this
 * provider's records, so every count here is perturbed (cell-key method) and
 * small ones are not listed.
 */
export interface ProviderCounts {
  agencyId: number;
  controlled: boolean;
  cells: CountCell[];
  /** Two-way tables: totals per first key and per second key. */
  rowTotals: CountCell[];
  columnTotals: CountCell[];
  total: number;
}

export interface CountRequest {
  groupBy: GroupByField[];
  filter?: IncidentFilter;
}

function groupDimension(g: GroupByField): Dimension {
  return g === 'month' ? dimensions.month() : dimensions.of(g, GROUP_BY_FIELDS[g]);
}

/**
 * Counts of the incidents a reader may count (listed or aggregate tier), per
 * providing agency, grouped by up to two fields, with row and column totals
 * and a total, each perturbed as a cell of its own when the provider's table
 * is controlled.
 */
export async function countIncidentsBy(ctx: AccessContext, request: CountRequest, given?: CellKeyOptions): Promise<ProviderCounts[]> {
  const cellKey = given ?? ctx.cellKey ?? DEFAULT_CELL_KEY;
  const groupBy = request.groupBy;
  if (groupBy.length > 2) throw HubError.invalidInput('TOO_MANY_GROUPS', 'group by at most two fields');
  if (new Set(groupBy).size !== groupBy.length) throw HubError.invalidInput('INVALID_GROUP_BY', 'group by each field once');
  for (const g of groupBy) if (!(g in GROUP_BY_FIELDS)) throw HubError.invalidInput('INVALID_GROUP_BY', `cannot group by ${g}`);
  const dims = [dimensions.agency(), ...groupBy.map(groupDimension)];
  const sets = groupBy.length === 2 ? [[0, 1, 2], [0, 1], [0, 2], [0]] : groupBy.length === 1 ? [[0, 1], [0]] : [[0]];
  const result = await aggregateIncidents<Record<string, string | number | null>>(
    ctx,
    { dimensions: dims, groupingSets: sets, ...(request.filter ? { filter: request.filter } : {}) },
    { cellKey, auditDetail: { groupBy, filter: request.filter ?? {}, disclosureControl: cellKey } },
  );
  const byAgency = new Map<number, ProviderCounts>();
  const tableOf = (agencyId: number): ProviderCounts => {
    let t = byAgency.get(agencyId);
    if (!t) {
      t = { agencyId, controlled: result.controlledAgencies.includes(agencyId), cells: [], rowTotals: [], columnTotals: [], total: 0 };
      byAgency.set(agencyId, t);
    }
    return t;
  };
  const names = dims.map((d) => d.name);
  for (const row of result.rows) {
    const t = tableOf(Number(row.agencyId));
    const level = Number(row.level);
    const n = Number(row.n);
    const keyAt = (i: number) => String(row[names[i]!]);
    // level bits: dimension 0 is the highest bit
    const grouped = (i: number) => ((level >> (dims.length - 1 - i)) & 1) === 0;
    if (groupBy.length === 0) t.total = n;
    else if (groupBy.length === 1) {
      if (grouped(1)) t.cells.push({ keys: [keyAt(1)], count: n });
      else t.total = n;
    } else if (grouped(1) && grouped(2)) t.cells.push({ keys: [keyAt(1), keyAt(2)], count: n });
    else if (grouped(1)) t.rowTotals.push({ keys: [keyAt(1)], count: n });
    else if (grouped(2)) t.columnTotals.push({ keys: [keyAt(2)], count: n });
    else t.total = n;
  }
  const byKeys = (a: CountCell, b: CountCell) => a.keys.join('|').localeCompare(b.keys.join('|'));
  for (const t of byAgency.values()) {
    t.cells.sort(byKeys);
    t.rowTotals.sort(byKeys);
    t.columnTotals.sort(byKeys);
  }
  return [...byAgency.values()].sort((a, b) => a.agencyId - b.agencyId);
}

export { DATA_TIERS };
