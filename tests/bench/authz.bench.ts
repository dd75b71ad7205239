import pg from 'pg';
import { authenticateAccess, listIncidents, loadPrincipal } from '@csp-hub/authz';
import { allowAllAccessContext } from '@csp-hub/authz/testing';
import { createOrm, demoEmail, User } from '@csp-hub/db';
import type { BenchDatabase } from './ingest.bench';

export interface AuthzBenchResult {
  iterations: number;
  authorizedMedianMs: number;
  baselineMedianMs: number;
  rowsPerPage: number;
  /** What one authorized page reads, from EXPLAIN (ANALYZE, BUFFERS), for the provider's analyst and a partner. */
  plans: PagePlan[];
}

export interface PagePlan {
  user: string;
  /** Rows the scans of `incident` returned, over all loops: O(page), not O(table). */
  incidentRowsRead: number;
  /** Scan node types used on `incident` (no "Seq Scan"). */
  incidentScans: string[];
  sharedBuffers: number;
  executionMs: number;
  text: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** The page's own SQL, captured from the pool the access context uses, then explained with the same parameters. */
async function explainPage(pool: pg.Pool, run: (pool: pg.Pool) => Promise<unknown>, user: string): Promise<PagePlan> {
  const seen: { text: string; values: unknown[] }[] = [];
  const capturing = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (config: string | pg.QueryConfig, values?: unknown[]) => {
          const text = typeof config === 'string' ? config : config.text;
          seen.push({ text, values: (typeof config === 'string' ? values : (config.values ?? values)) ?? [] });
          return target.query(config as pg.QueryConfig, values);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  await run(capturing);
  const page = seen.find((q) => /\bfrom incident\b/.test(q.text) && /limit/i.test(q.text));
  if (!page) throw new Error(`no page query captured for ${user}`);
  const json = (await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`explain (analyze, buffers, format json) ${page.text}`, page.values)).rows[0]!['QUERY PLAN'][0];
  const text = (await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off, timing off) ${page.text}`, page.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
  let rowsRead = 0;
  const scans = new Set<string>();
  const walk = (n: PlanNode): void => {
    if (n['Relation Name'] === 'incident') {
      rowsRead += (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1);
      scans.add(n['Node Type']);
    }
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(json.Plan);
  return {
    user,
    incidentRowsRead: rowsRead,
    incidentScans: [...scans].sort(),
    sharedBuffers: (json.Plan['Shared Hit Blocks'] ?? 0) + (json.Plan['Shared Read Blocks'] ?? 0),
    executionMs: json['Execution Time'],
    text,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * One page of 100 incidents for a Charnwood analyst, newest first, filtered to
 * the district, as a request would run it: the token's user is looked up
 * either way; authorized, that same query also brings the agreements in force
 * and the page gets the SQL row filter and field masks; with authorization off
 * the same code runs with an allow-all ability. Alternating, same pool.
 */
export async function benchAuthz(bench: BenchDatabase, iterations: number, log: (line: string) => void): Promise<AuthzBenchResult> {
  const pool = new pg.Pool({ connectionString: bench.url, max: 4 });
  const orm = await createOrm({ url: bench.url, poolMax: 2 });
  try {
    const em = orm.em.fork();
    const user = await em.findOneOrFail(User, { email: demoEmail('charnwood', 'district.analyst') }, { populate: ['partnership'] });
    const filter = { ladCodes: ['E07000130'] };
    const authorized = async (): Promise<number> => {
      const ctx = await authenticateAccess(pool, orm.em.fork(), user.id, user.partnership.id);
      const page = await listIncidents(ctx, { filter, first: 100 });
      return page.items.length;
    };
    const baseline = async (): Promise<number> => {
      const principal = await loadPrincipal(pool, user.id, user.partnership.id);
      const ctx = await allowAllAccessContext(pool, orm.em.fork(), principal);
      const page = await listIncidents(ctx, { filter, first: 100 });
      return page.items.length;
    };
    // Warm up both paths and the caches.
    for (let i = 0; i < 20; i++) {
      await authorized();
      await baseline();
    }
    const a: number[] = [];
    const b: number[] = [];
    let rows = 0;
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      rows = await authorized();
      const t1 = process.hrtime.bigint();
      await baseline();
      const t2 = process.hrtime.bigint();
      a.push(Number(t1 - t0) / 1e6);
      b.push(Number(t2 - t1) / 1e6);
    }
    log(`${iterations} pages each, alternating`);
    const provider = await em.findOneOrFail(User, { email: demoEmail('charnwood', 'police.analyst') }, { populate: ['partnership'] });
    const plans: PagePlan[] = [];
    for (const [label, u] of [['provider (police.analyst)', provider], ['partner (district.analyst)', user]] as const) {
      plans.push(
        await explainPage(pool, async (p) => {
          const ctx = await authenticateAccess(p, orm.em.fork(), u.id, u.partnership.id);
          await listIncidents(ctx, { first: 100 });
        }, label),
      );
    }
    return { iterations, authorizedMedianMs: median(a), baselineMedianMs: median(b), rowsPerPage: rows, plans };
  } finally {
    await orm.close();
    await pool.end();
  }
}
