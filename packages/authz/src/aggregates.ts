import { HubError } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { audit } from './access';
import { INCIDENT_COLUMNS } from './fields';
import type { IncidentFilter } from './incidents';
import { filterSqlFor } from './incidents';
import { agreementFor, allowedSql } from './rules-sql';
import { DEFAULT_SDC, protectTable, type Entry, type SdcOptions } from './sdc';
import { SqlParams } from './sql-conditions';

export const GROUP_BY_FIELDS = {
  category: 'i.category',
  sourceCategory: 'i.source_category',
  month: "to_char(i.occurred_month, 'YYYY-MM')",
  feed: 'i.feed',
  ladCode: 'i.lad_code',
  wardCode: 'i.ward_code',
  lsoaCode: 'i.lsoa_code',
} as const;
export type GroupByField = keyof typeof GROUP_BY_FIELDS;

export interface CountValue {
  count: number | null;
  suppressed: boolean;
}

export interface CountCell extends CountValue {
  keys: string[];
}

/** One provider's counts. `controlled`: the reader holds some of these rows only at aggregate tier, so small counts are withheld. */
export interface ProviderCounts {
  agencyId: number;
  controlled: boolean;
  cells: CountCell[];
  /** Two-way tables: totals per first key and per second key. */
  rowTotals: CountCell[];
  columnTotals: CountCell[];
  total: CountValue;
}

export interface CountRequest {
  groupBy: GroupByField[];
  filter?: IncidentFilter;
}

const COLUMNS: Record<string, string> = Object.fromEntries(Object.entries(INCIDENT_COLUMNS).map(([f, c]) => [f, `i.${c}`]));

function value(e: Entry): CountValue {
  return e.suppressed ? { count: null, suppressed: true } : { count: e.value, suppressed: false };
}

/**
 * Counts of the incidents a reader may count (row-level or aggregate tier),
 * per providing agency, grouped by up to two fields. Where any counted row is
 * held only at aggregate tier, that provider's table goes through disclosure
 * control; otherwise the reader could list the rows anyway.
 */
export async function countIncidentsBy(ctx: AccessContext, request: CountRequest, sdc: SdcOptions = DEFAULT_SDC): Promise<ProviderCounts[]> {
  const groupBy = request.groupBy;
  if (groupBy.length > 2) throw HubError.invalidInput('TOO_MANY_GROUPS', 'group by at most two fields');
  if (new Set(groupBy).size !== groupBy.length) throw HubError.invalidInput('INVALID_GROUP_BY', 'group by each field once');
  for (const g of groupBy) if (!(g in GROUP_BY_FIELDS)) throw HubError.invalidInput('INVALID_GROUP_BY', `cannot group by ${g}`);
  const params = new SqlParams();
  const countable = allowedSql(ctx.ability, 'aggregate', 'Incident', COLUMNS, params);
  const readable = allowedSql(ctx.ability, 'read', 'Incident', COLUMNS, params);
  const where = filterSqlFor(ctx, request.filter ?? {}, params);
  const dims = groupBy.map((g, i) => `coalesce(${GROUP_BY_FIELDS[g]}, '(none)') as k${i}`);
  const sql = `select i.agency_id, ${[...dims, ''].join(', ')}
      array_agg(distinct i.feed || '|' || i.tier || '|' || coalesce(i.lad_code, '')) as scopes,
      count(*)::int as n,
      count(*) filter (where ${readable})::int as readable,
      count(*) filter (where i.tier in ('personal', 'pseudonymised'))::int as sensitive
    from incident i
    where (${countable}) and (${where})
    group by i.agency_id${groupBy.map((_, i) => `, k${i}`).join('')}`;
  const rows = (await ctx.db.query<Record<string, string | number>>(sql, params.values)).rows;
  const byAgency = new Map<number, typeof rows>();
  for (const r of rows) {
    const id = Number(r.agency_id);
    byAgency.set(id, [...(byAgency.get(id) ?? []), r]);
  }
  const results: ProviderCounts[] = [];
  let sensitive = 0;
  const relied = new Set<number>();
  for (const r of rows) {
    for (const scope of r.scopes as unknown as string[]) {
      const [feed, tier, lad] = scope.split('|');
      const subjectRow = { agencyId: Number(r.agency_id), feed: feed!, tier: tier!, ladCode: lad === '' ? null : lad! };
      const id = agreementFor(ctx.ability, 'read', subjectRow) ?? agreementFor(ctx.ability, 'aggregate', subjectRow);
      if (id !== undefined) relied.add(id);
    }
  }
  for (const [agencyId, list] of [...byAgency.entries()].sort(([a], [b]) => a - b)) {
    sensitive += list.reduce((a, r) => a + Number(r.sensitive), 0);
    const controlled = list.some((r) => Number(r.readable) < Number(r.n));
    const table = protectTable(
      list.map((r) => ({ row: groupBy.length > 0 ? String(r.k0) : '', column: groupBy.length > 1 ? String(r.k1) : '', value: Number(r.n) })),
      controlled ? sdc : { min: 1, max: 0 },
    );
    const cells: CountCell[] = [];
    table.rowKeys.forEach((rk, r) =>
      table.columnKeys.forEach((ck, c) => {
        const e = table.cells[r]![c]!;
        if (e.value === 0 && !e.suppressed) return; // combinations with nothing in them are not listed
        cells.push({ keys: groupBy.length > 1 ? [rk, ck] : groupBy.length === 1 ? [rk] : [], ...value(e) });
      }),
    );
    results.push({
      agencyId,
      controlled,
      cells: groupBy.length === 0 ? [] : cells,
      rowTotals: groupBy.length > 1 ? table.rowKeys.map((k, r) => ({ keys: [k], ...value(table.rowTotals[r]!) })) : [],
      columnTotals: groupBy.length > 1 ? table.columnKeys.map((k, c) => ({ keys: [k], ...value(table.columnTotals[c]!) })) : [],
      total: value(table.total),
    });
  }
  if (sensitive > 0) {
    await audit(ctx, {
      operation: 'aggregate',
      objectType: 'Incident',
      detail: { groupBy, filter: request.filter ?? {}, disclosureControl: sdc },
      rowCount: rows.reduce((a, r) => a + Number(r.n), 0),
      agreementIds: [...relied].sort((a, b) => a - b),
    });
  }
  return results;
}
