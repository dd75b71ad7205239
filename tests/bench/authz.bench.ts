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
    return { iterations, authorizedMedianMs: median(a), baselineMedianMs: median(b), rowsPerPage: rows };
  } finally {
    await orm.close();
    await pool.end();
  }
}
