import type { BenchStack, BenchUser, Target } from './bench-stack';
import { fetchChecked, graphqlTemplate, type CheckedTemplate, type LoadResult } from './http-load';
import type { ReadDataset } from './read-dataset';
import { durations, latencyCells, out, problemCell, problemsOf, rate, RssSampler, rssLine, table, type BenchOutcome, type BenchSettings } from './report';

/** The page a user opens first: 100 incidents, newest month first, base fields (every reader of a listed row sees them). */
export const PAGE_FIELDS = 'id agencyId feed sourceCategory category occurredMonth lsoaCode wardCode ladCode tier';
export const HUB_PAGE = `query Page { incidents(first: 100) { nodes { ${PAGE_FIELDS} } } }`;
export const PEER_PAGE = `query Page { allIncidents(first: 100, orderBy: [OCCURRED_MONTH_DESC, ID_DESC]) { nodes { ${PAGE_FIELDS} } } }`;

/** Within 30% of the same query with authorization off (aim: 10%). */
export const OFF_TARGET = 0.7;
export const OFF_AIM = 0.9;

type PageNode = { id: string; ladCode: string | null };

function pageIds(body: string, root: 'incidents' | 'allIncidents'): PageNode[] {
  const parsed = JSON.parse(body) as { data: Record<string, { nodes: PageNode[] }> };
  return parsed.data[root]!.nodes;
}

/** The hub's and the peer's count of what a user may list, so the two are shown to mean the same before either is timed. */
async function visibleCounts(stack: BenchStack, user: BenchUser): Promise<{ hub: number; peer: number }> {
  const hub = await fetchChecked(stack.hub.base, graphqlTemplate('count', user.token, 'query { incidentCount }'));
  const peer = await fetchChecked(stack.peer.base, graphqlTemplate('count', user.token, 'query { allIncidents { totalCount } }'));
  return {
    hub: (JSON.parse(hub.body) as { data: { incidentCount: number } }).data.incidentCount,
    peer: Number((JSON.parse(peer.body) as { data: { allIncidents: { totalCount: number } } }).data.allIncidents.totalCount),
  };
}

/**
 * Checks, untimed, that the three targets answer the page for a user, and that
 * the hub and the peer agree: the same 100 incidents in the same order, and the
 * same number of incidents visible in all. Returns the checked templates.
 */
async function checkedPages(stack: BenchStack, user: BenchUser, rows: number): Promise<Record<Target['name'], CheckedTemplate>> {
  const name = (t: Target): string => `page as ${user.label} via ${t.name}`;
  const hub = await fetchChecked(stack.hub.base, graphqlTemplate(name(stack.hub), user.token, HUB_PAGE));
  const off = await fetchChecked(stack.off.base, graphqlTemplate(name(stack.off), user.token, HUB_PAGE));
  const peer = await fetchChecked(stack.peer.base, graphqlTemplate(name(stack.peer), user.token, PEER_PAGE));
  const hubIds = pageIds(hub.body, 'incidents');
  const peerIds = pageIds(peer.body, 'allIncidents');
  if (hubIds.length === 0) throw new Error(`${user.email} sees no incident through the hub: the benchmark would measure an empty page`);
  if (hubIds.map((n) => n.id).join() !== peerIds.map((n) => n.id).join()) {
    throw new Error(`the hub and the peer disagree on the page of ${user.email}: hub ${hubIds.slice(0, 3).map((n) => n.id)}..., peer ${peerIds.slice(0, 3).map((n) => n.id)}...`);
  }
  if (pageIds(off.body, 'incidents').length !== Math.min(100, rows)) {
    throw new Error(`the hub with authorization off did not return a full page for ${user.email}`);
  }
  const counts = await visibleCounts(stack, user);
  if (counts.hub !== counts.peer) throw new Error(`the hub lets ${user.email} see ${counts.hub} incidents, the peer ${counts.peer}: their policies differ`);
  out(`  ${user.label} (${user.email}): sees ${counts.hub.toLocaleString('en-GB')} incidents; hub and peer pages identical`);
  return { hub: hub.template, 'hub-off': off.template, peer: peer.template };
}

/**
 * Issue #12: a page of 100 incidents over HTTP at BENCH_CONNECTIONS
 * connections, for the provider's own analyst and a partner analyst, through
 * the hub, the same hub with authorization off, and the peer (PostGraphile with
 * row-level security), each warmed up and then measured for the same time.
 */
export async function benchHttpPage(stack: BenchStack, dataset: ReadDataset, settings: BenchSettings): Promise<BenchOutcome> {
  const { seconds, warmupSeconds, timeoutSeconds } = durations(settings, 20);
  out(`\nhttp-page: a page of 100 incidents over HTTP, ${settings.connections} connections, ${warmupSeconds} s warm-up + ${seconds} s each, ${dataset.rows.toLocaleString('en-GB')} incidents`);
  const users = [
    await stack.user('provider', 'charnwood', 'police.analyst'),
    await stack.user('partner', 'charnwood', 'district.analyst'),
  ];
  const rss = new RssSampler();
  const failures: string[] = [];
  const misses: string[] = [];
  const results: { user: BenchUser; target: Target; r: LoadResult }[] = [];
  const targets = [stack.hub, stack.off, stack.peer];
  const checked = new Map<BenchUser, Record<Target['name'], CheckedTemplate>>();
  for (const user of users) checked.set(user, await checkedPages(stack, user, dataset.rows));
  const measure = async (user: BenchUser, target: Target): Promise<void> => {
    const r = await stack.measure({
      base: target.base,
      connections: settings.connections,
      seconds,
      warmupSeconds,
      timeoutSeconds,
      templates: [checked.get(user)![target.name]],
    });
    results.push({ user, target, r });
    failures.push(...problemsOf(`http-page ${user.label} via ${target.name}`, r));
  };
  // The hub on its own schema first; then the peer with the index its page needs, which is dropped again after.
  for (const [i, user] of users.entries()) {
    for (const target of i % 2 === 0 ? [stack.hub, stack.off] : [stack.off, stack.hub]) await measure(user, target);
  }
  const { note } = await stack.withPeerPageIndex(async () => {
    for (const user of users) await measure(user, stack.peer);
  });
  const memory = rss.stop();
  out(
    table([
      ['user', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'err/non2xx/wrong', 'responses'],
      ...[...results].sort((a, b) => users.indexOf(a.user) - users.indexOf(b.user) || targets.indexOf(a.target) - targets.indexOf(b.target)).map(({ user, target, r }) => [user.label, target.name, rate(r.rps), ...latencyCells(r.latency), problemCell(r), String(r.responses)]),
    ]),
  );
  for (const user of users) {
    const of = (name: Target['name']): LoadResult => results.find((x) => x.user === user && x.target.name === name)!.r;
    const hub = of('hub').rps;
    const off = of('hub-off').rps;
    const peer = of('peer').rps;
    const vsOff = off > 0 ? hub / off : 0;
    const vsPeer = peer > 0 ? hub / peer : 0;
    const offOk = vsOff >= OFF_TARGET;
    const peerOk = vsPeer >= 1;
    out(
      `  ${user.label}: hub/off ${(vsOff * 100).toFixed(0)}% (target >= ${OFF_TARGET * 100}%, aim >= ${OFF_AIM * 100}%) ${offOk ? 'PASS' : 'FAIL'}; ` +
        `hub/peer ${vsPeer.toFixed(3)}x (target >= 1) ${peerOk ? 'PASS' : 'FAIL'}`,
    );
    if (!offOk) misses.push(`http-page ${user.label}: hub at ${(vsOff * 100).toFixed(0)}% of authorization off (target 70%)`);
    if (!peerOk) misses.push(`http-page ${user.label}: hub at ${vsPeer.toFixed(3)}x the peer (target 1x)`);
  }
  out(`  ${note}`);
  out(`  ${rssLine(memory)}`);
  return { failures, misses };
}
