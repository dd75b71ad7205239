import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { BenchStack, BenchUser, Target } from './bench-stack';
import { fetchChecked, graphqlTemplate, summarise, type CheckedTemplate, type LatencySummary } from './http-load';
import type { ReadDataset } from './read-dataset';
import { durations, latencyCells, ms, out, problemsOf, rate, RssSampler, rssLine, table, type BenchOutcome, type BenchSettings } from './report';

export const HUB_COUNTS = `query Counts { incidentCounts(groupBy: [MONTH, CATEGORY]) { agencyId controlled total { count suppressed } cells { keys count suppressed } } }`;

/** The same grouping in plain SQL: what the question costs PostgreSQL with no authorization at all. */
export const PLAIN_COUNTS_SQL = `select agency_id, to_char(occurred_month, 'YYYY-MM') as month, category, count(*)::int as n from incident group by 1, 2, 3`;

interface SqlRun {
  seconds: number;
  queries: number;
  qps: number;
  latency: LatencySummary;
}

/**
 * Runs `query` on `concurrency` connections of `pool` in a loop: warm-up, then
 * `seconds` measured. In-process (the statement runs in PostgreSQL; Node only waits).
 */
async function runSqlLoad(pool: pg.Pool, query: (client: pg.PoolClient) => Promise<void>, concurrency: number, seconds: number, warmupSeconds: number): Promise<SqlRun> {
  const loop = async (until: number, latencies: number[]): Promise<void> => {
    const client = await pool.connect();
    try {
      while (performance.now() < until) {
        const t0 = performance.now();
        await query(client);
        latencies.push(performance.now() - t0);
      }
    } finally {
      client.release();
    }
  };
  const warm: number[] = [];
  const warmUntil = performance.now() + warmupSeconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => loop(warmUntil, warm)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => loop(started + seconds * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  return { seconds: elapsed, queries: latencies.length, qps: latencies.length / elapsed, latency: summarise(latencies) };
}

/** The plain grouping as the peer's role for a user: PostGraphile's transaction (claims as local settings), RLS applies. */
function rlsCounts(user: BenchUser): (client: pg.PoolClient) => Promise<void> {
  return async (client) => {
    await client.query('begin');
    try {
      await client.query(`select set_config('jwt.claims.sub', $1, true), set_config('jwt.claims.pid', $2, true)`, [String(user.userId), String(user.partnershipId)]);
      await client.query(PLAIN_COUNTS_SQL);
    } finally {
      await client.query('commit');
    }
  };
}

async function rlsTotal(pool: pg.Pool, user: BenchUser): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('jwt.claims.sub', $1, true), set_config('jwt.claims.pid', $2, true)`, [String(user.userId), String(user.partnershipId)]);
    const n = Number((await client.query<{ n: string }>('select count(*) as n from incident')).rows[0]!.n);
    await client.query('commit');
    return n;
  } finally {
    client.release();
  }
}

type Counts = { data: { incidentCounts: { total: { count: number | null } }[] } };

/**
 * Issue #12: an aggregate over the authorized relation. incidentCounts(groupBy:
 * [MONTH, CATEGORY]) through the hub as the provider's analyst and as a
 * partner, at concurrency 1 and BENCH_CONNECTIONS, next to the same request
 * with authorization off; and, for scale, the plain GROUP BY in SQL as the owner
 * (no authorization) and as the peer's role (row-level security).
 */
export async function benchAggregate(stack: BenchStack, dataset: ReadDataset, settings: BenchSettings): Promise<BenchOutcome> {
  const { seconds, warmupSeconds, timeoutSeconds } = durations(settings, 10, 120);
  const levels = [...new Set([1, settings.connections])];
  out(`\naggregate: incidentCounts(groupBy: [MONTH, CATEGORY]) over ${dataset.rows.toLocaleString('en-GB')} incidents, concurrency ${levels.join(' and ')}, ${warmupSeconds} s warm-up + ${seconds} s each (closed loop: every query started finishes and counts)`);
  const users = [await stack.user('provider', 'charnwood', 'police.analyst'), await stack.user('partner', 'charnwood', 'district.analyst')];
  const rss = new RssSampler();
  const failures: string[] = [];
  const rows: string[][] = [['user', 'target', 'concurrency', 'queries/s', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms']];
  const sqlRow = (user: string, target: string, c: number, r: SqlRun): string[] => [user, target, String(c), rate(r.qps), ...latencyCells(r.latency), ms(r.latency.mean)];
  for (const user of users) {
    // Untimed: every variant answers, and the hub's total is what the RLS relation holds for this user.
    const hub = await fetchChecked(stack.hub.base, graphqlTemplate(`counts as ${user.label} via hub`, user.token, HUB_COUNTS));
    const off = await fetchChecked(stack.off.base, graphqlTemplate(`counts as ${user.label} via hub-off`, user.token, HUB_COUNTS));
    const hubTotal = (JSON.parse(hub.body) as Counts).data.incidentCounts.reduce((a, t) => a + (t.total.count ?? 0), 0);
    const rls = await rlsTotal(stack.peerPool, user);
    if (hubTotal !== rls) throw new Error(`incidentCounts gives ${user.email} ${hubTotal} incidents in all, the RLS relation ${rls}`);
    out(`  ${user.label}: ${hubTotal.toLocaleString('en-GB')} incidents counted (hub = RLS relation)`);
    for (const c of levels) {
      const variants: [Target, CheckedTemplate][] = [[stack.hub, hub.template], [stack.off, off.template]];
      for (const [target, template] of variants) {
        const r = await stack.measure({ base: target.base, connections: c, seconds, warmupSeconds, timeoutSeconds, templates: [template], closedLoop: true });
        failures.push(...problemsOf(`aggregate ${user.label} via ${target.name} at ${c}`, r));
        rows.push([user.label, target.name, String(c), rate(r.rps), ...latencyCells(r.latency), ms(r.latency.mean)]);
      }
      rows.push(sqlRow(user.label, 'sql-rls', c, await runSqlLoad(stack.peerPool, rlsCounts(user), c, seconds, warmupSeconds)));
    }
  }
  for (const c of levels) {
    rows.push(sqlRow('(anyone)', 'sql-off', c, await runSqlLoad(stack.pool, async (client) => void (await client.query(PLAIN_COUNTS_SQL)), c, seconds, warmupSeconds)));
  }
  out(table(rows));
  out('  hub / hub-off: GraphQL over HTTP (hub-off: same gateway, every read allowed); sql-rls / sql-off: the plain GROUP BY on a pool, as the peer\'s role / as the owner');
  out(`  ${rssLine(rss.stop())}`);
  return { failures, misses: [] };
}
