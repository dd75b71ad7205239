import { performance } from 'node:perf_hooks';
import { authenticateAccess, type AccessContext } from '@csp-hub/authz';
import { createOrm } from '@csp-hub/db';
import { BOUNDARIES_FILE, hotspots, loadDistrictBoundaries, trends } from '@csp-hub/insight';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import type { BenchStack, BenchUser } from './bench-stack';
import { fetchChecked, graphqlTemplate, summarise, type CheckedTemplate } from './http-load';
import type { ReadDataset } from './read-dataset';
import { durations, latencyCells, ms, out, problemsOf, rate, table, type BenchOutcome, type BenchSettings } from './report';

const CHARNWOOD = 'E07000130';
const TARGET_MS = 300;

const TRENDS = `query Trends($p: PeriodInput!, $d: [String!]) { analysisTrends(period: $p, districts: $d) {
  controlled periodsWithoutData rows { category level areaCode rank current qValue significant exceedance
  previous { baseCount pValue } lastYear { baseCount pValue } seasonal { expected pValue } } } }`;

const HOTSPOTS = `query Hotspots($p: PeriodInput!, $d: [String!]) { analysisHotspots(period: $p, districts: $d) {
  grid { cells located } topLocations { total locations { rank locationText lsoaCode count share cumulativeShare } }
  topLsoas { locations { lsoaCode count } } cells { id count z class } status { id status hotPeriods } } }`;

/** The existing grouped counts over the same rows (one district, the same 3 years and a month): the hub's own aggregate as a baseline. */
const COUNTS = `query Counts($f: IncidentFilter) { incidentCounts(groupBy: [CATEGORY, MONTH], filter: $f) { agencyId total cells { keys count } } }`;

/** The trend's counting in plain SQL as the owner, no authorization: the district's rows of the five compared months, one pass. */
const PLAIN_SQL = `select category, occurred_month, count(*)::int as n from incident
  where lad_code = $1 and occurred_month = any($2::date[]) and retired_at is null group by 1, 2`;

function monthShift(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + m - 1 + by;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The statements an in-process analysis sends, with their plans (EXPLAIN ANALYZE) summarised. */
async function explain(url: string, stack: BenchStack, user: BenchUser, run: (ctx: AccessContext) => Promise<unknown>): Promise<string[]> {
  const orm = await createOrm({ url, poolMax: 1 });
  try {
    const ctx = await authenticateAccess(stack.pool, orm.em.fork(), user.userId, user.partnershipId);
    const captured: { sql: string; params: unknown[] }[] = [];
    const db = { query: (sql: string, params?: unknown[]) => (captured.push({ sql, params: params ?? [] }), stack.pool.query(sql, params)) };
    await run({ ...ctx, db: db as unknown as AccessContext['db'] });
    const lines: string[] = [];
    for (const c of captured.filter((q) => /authz_rows_/.test(q.sql))) {
      const plan = await stack.pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers off, timing off) ${c.sql}`, c.params);
      const text = plan.rows.map((r) => r['QUERY PLAN']);
      // The scans of incident (which index, how many rows) and the totals; grouping keys are left out (long CASE expressions).
      lines.push(...text.filter((l) => /on incident|Aggregate \(|Append|Execution Time|Planning Time|Index Cond/.test(l)).map((l) => l.replace(/\s+\(cost=[^)]*\)/, '').slice(0, 160)), '');
    }
    return lines;
  } finally {
    await orm.close();
  }
}

/**
 * Issue #13: the analysis engine over HTTP (GraphQL) for one district —
 * the trend table (current month against the previous month, the same month
 * in each of three years before) and hotspots (top locations, Gi* on a 500 m
 * grid, status over six months) — for the provider's analyst and a partner,
 * one request at a time (closed loop), beside two baselines measured in the
 * same run: the existing incidentCounts grouped by category and month over
 * the same rows, and the plain GROUP BY in SQL with no authorization.
 * Target: p50 under 300 ms each (aim 100 ms).
 */
export async function benchAnalysis(stack: BenchStack, dataset: ReadDataset, settings: BenchSettings): Promise<BenchOutcome> {
  const { seconds, warmupSeconds, timeoutSeconds } = durations(settings, 10, 120);
  const month = dataset.lastFullMonth;
  const period = { from: month, to: month };
  const from = monthShift(month, -36);
  out(`\nanalysis: trends and hotspots for Charnwood (${CHARNWOOD}), ${month}, over ${dataset.rows.toLocaleString('en-GB')} incidents (${dataset.firstMonth} to ${dataset.lastMonth}), one request at a time, ${warmupSeconds} s warm-up + ${seconds} s each`);
  const districtRows = Number(
    (await stack.pool.query<{ n: string }>(`select count(*) as n from incident where lad_code = $1 and occurred_month between $2::date and $3::date`, [CHARNWOOD, `${from}-01`, `${month}-01`])).rows[0]!.n,
  );
  out(`  Charnwood's rows from ${from} to ${month}: ${districtRows.toLocaleString('en-GB')} (the trend reads 5 of those months; incidentCounts below counts all 37)`);
  const users = [await stack.user('provider', 'charnwood', 'police.analyst'), await stack.user('partner', 'charnwood', 'district.analyst')];
  const failures: string[] = [];
  const misses: string[] = [];
  const rows: string[][] = [['user', 'query', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'p50 / sql']];
  const variables = { p: period, d: [CHARNWOOD] };
  // The floor: the plain GROUP BY, timed in-process one at a time.
  const sqlLatencies: number[] = [];
  const compared = [0, -1, -12, -24, -36].map((k) => `${monthShift(month, k)}-01`);
  for (let warm = performance.now() + warmupSeconds * 1000; performance.now() < warm; ) await stack.pool.query(PLAIN_SQL, [CHARNWOOD, compared]);
  const sqlUntil = performance.now() + seconds * 1000;
  while (performance.now() < sqlUntil) {
    const t0 = performance.now();
    await stack.pool.query(PLAIN_SQL, [CHARNWOOD, compared]);
    sqlLatencies.push(performance.now() - t0);
  }
  const sql = summarise(sqlLatencies);
  for (const user of users) {
    const templates: [string, CheckedTemplate][] = [];
    for (const [name, query, vars] of [
      ['incidentCounts', COUNTS, { f: { ladCodes: [CHARNWOOD], monthFrom: from, monthTo: month } }],
      ['analysisTrends', TRENDS, variables],
      ['analysisHotspots', HOTSPOTS, variables],
    ] as const) {
      const checked = await fetchChecked(stack.hub.base, graphqlTemplate(`${name} as ${user.label}`, user.token, query, vars));
      templates.push([name, checked.template]);
    }
    for (const [name, template] of templates) {
      const r = await stack.measure({ base: stack.hub.base, connections: 1, seconds, warmupSeconds, timeoutSeconds, templates: [template], closedLoop: true });
      failures.push(...problemsOf(`analysis ${name} as ${user.label}`, r));
      rows.push([user.label, name, rate(r.rps), ...latencyCells(r.latency), ms(r.latency.mean), `${(r.latency.p50 / sql.p50).toFixed(1)}x`]);
      if (name !== 'incidentCounts') {
        const verdict = r.latency.p50 < TARGET_MS ? 'PASS' : 'FAIL';
        out(`  ${name} as ${user.label}: p50 ${ms(r.latency.p50)} ms (target < ${TARGET_MS} ms, aim 100 ms) ${verdict}`);
        if (verdict === 'FAIL') misses.push(`analysis: ${name} as ${user.label} p50 ${ms(r.latency.p50)} ms (target ${TARGET_MS} ms)`);
      }
    }
  }
  rows.push(['(owner)', 'plain SQL group by', rate(sql.count / seconds), ...latencyCells(sql), ms(sql.mean), '1.0x']);
  out(table(rows));
  out('  GraphQL over HTTP through the hub (authorized, disclosure control where the user may only count); incidentCounts: category x month over the 37 months;');
  out('  plain SQL: the trend\'s counting (the district\'s rows of the 5 compared months) in-process as the owner, no authorization');
  // Where the time goes: the plans of the provider's statements (EXPLAIN ANALYZE, timing off).
  const boundaries = loadDistrictBoundaries(sharedData(BOUNDARIES_FILE));
  for (const [name, run] of [
    ['analysisTrends', (ctx: AccessContext) => trends(ctx, { period, districts: [CHARNWOOD] })],
    ['analysisHotspots', (ctx: AccessContext) => hotspots(ctx, { period, districts: [CHARNWOOD] }, { boundaries })],
  ] as const) {
    out(`  plan of ${name} as provider:`);
    for (const line of await explain(dataset.url, stack, users[0]!, run)) out(`    ${line}`);
  }
  return { failures, misses };
}
