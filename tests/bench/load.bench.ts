import type { BenchStack, BenchUser } from './bench-stack';
import { fetchChecked, graphqlTemplate, type CheckedTemplate, type RequestTemplate } from './http-load';
import { HUB_COUNTS } from './aggregate.bench';
import { HUB_PAGE, PAGE_FIELDS } from './http-page.bench';
import type { ReadDataset } from './read-dataset';
import { durations, latencyCells, mb, ms, out, problemsOf, rate, RssSampler, table, type BenchOutcome, type BenchSettings } from './report';

/** Who the load test signs in as: providers, partners and a chair across four partnerships. */
const LOAD_USERS: [label: string, partnership: string, handle: string][] = [
  ['police.analyst@charnwood', 'charnwood', 'police.analyst'],
  ['district.analyst@charnwood', 'charnwood', 'district.analyst'],
  ['district.chair@harborough', 'harborough', 'district.chair'],
  ['fire.analyst@north-west-leicestershire', 'north-west-leicestershire', 'fire.analyst'],
  ['county.analyst@oadby-wigston', 'oadby-wigston', 'county.analyst'],
];

export const OPERATIONS = ['page', 'count', 'counts by month and category', 'one incident', 'export of one month'] as const;

/** What each user does, in this order, on every connection: the five operations of an analyst's session. */
async function userTemplates(stack: BenchStack, user: BenchUser, month: string): Promise<CheckedTemplate[]> {
  const page = await fetchChecked(stack.hub.base, graphqlTemplate(`page | ${user.label}`, user.token, HUB_PAGE));
  const first = (JSON.parse(page.body) as { data: { incidents: { nodes: { id: string }[] } } }).data.incidents.nodes[0];
  if (!first) throw new Error(`${user.email} sees no incident: pick load users who see data`);
  const others: RequestTemplate[] = [
    graphqlTemplate(`count | ${user.label}`, user.token, 'query Count { incidentCount }'),
    graphqlTemplate(`counts by month and category | ${user.label}`, user.token, HUB_COUNTS),
    graphqlTemplate(`one incident | ${user.label}`, user.token, `query One($id: ID!) { incident(id: $id) { ${PAGE_FIELDS} locationText outcome hiddenFields } }`, { id: first.id }),
    {
      name: `export of one month | ${user.label}`,
      method: 'GET',
      path: `/api/exports/incidents.csv?monthFrom=${month}&monthTo=${month}`,
      headers: { authorization: `Bearer ${user.token}` },
    },
  ];
  const checked = [page.template];
  for (const t of others) checked.push((await fetchChecked(stack.hub.base, t)).template);
  return checked;
}

/**
 * Issue #14: mixed authorized reads of several users at fixed concurrency
 * (BENCH_CONNECTIONS) through the hub for BENCH_SECONDS (60 by default): each
 * connection cycles through every user's page, count, grouped counts, one
 * incident and a CSV export of the newest full month. Every response must be 200 and
 * exactly the answer checked before the run; throughput, latency percentiles
 * overall and per operation, and the server's memory.
 */
export async function benchLoad(stack: BenchStack, dataset: ReadDataset, settings: BenchSettings): Promise<BenchOutcome> {
  const { seconds, warmupSeconds, timeoutSeconds } = durations(settings, 60);
  out(`\nload: mixed authorized reads of ${LOAD_USERS.length} users through the hub, ${settings.connections} connections, ${warmupSeconds} s warm-up + ${seconds} s, ${dataset.rows.toLocaleString('en-GB')} incidents`);
  const templates: CheckedTemplate[] = [];
  for (const [label, partnership, handle] of LOAD_USERS) {
    templates.push(...(await userTemplates(stack, await stack.user(label, partnership, handle), dataset.lastFullMonth)));
  }
  out(`  ${templates.length} request templates (${OPERATIONS.join(', ')}; export month ${dataset.lastFullMonth}), each checked before the run`);
  const rss = new RssSampler();
  const r = await stack.measure({ base: stack.hub.base, connections: settings.connections, seconds, warmupSeconds, timeoutSeconds, templates });
  const memory = rss.stop();
  const failures = problemsOf('load', r);
  out(
    table([
      ['requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'timeouts', 'non-2xx', 'wrong bodies'],
      [String(r.responses), rate(r.rps), ...latencyCells(r.latency), ms(r.latency.max), String(r.errors), String(r.timeouts), String(r.non2xx), String(r.mismatches)],
    ]),
  );
  const byOperation = OPERATIONS.map((op) => {
    const stats = Object.entries(r.perTemplate).filter(([name]) => name.startsWith(`${op} |`)).map(([, s]) => s);
    const latencies = stats.reduce((a, s) => a + s.count, 0);
    const weighted = (pick: (s: (typeof stats)[number]) => number): number => stats.reduce((a, s) => a + pick(s) * s.count, 0) / Math.max(1, latencies);
    return [op, String(latencies), ms(weighted((s) => s.mean)), ms(Math.max(...stats.map((s) => s.p95))), ms(Math.max(...stats.map((s) => s.p99)))];
  });
  out(table([['operation', 'responses', 'mean ms', 'worst user p95 ms', 'worst user p99 ms'], ...byOperation]));
  out(`  errors must be 0: ${failures.length === 0 ? 'PASS' : 'FAIL'}`);
  out(`  RSS of the server process: ${mb(memory.start)} at start, ${mb(memory.end)} at end, ${mb(memory.peak)} peak`);
  return { failures, misses: [] };
}
