/**
 * pnpm bench: speed targets as ratios against a baseline measured in the same
 * run on the same machine. Uses DATABASE_URL's server when set, otherwise an
 * embedded PostgreSQL. BENCH_INGEST_ROWS overrides the 1,000,000-row default.
 */
import path from 'node:path';
import pg from 'pg';
import { createOrm, runMigrations, seedDemo, startScratchServer } from '@csp-hub/db';
import { importGeography } from '@csp-hub/ingest';
import { benchAuthz } from './authz.bench';
import { benchIngest } from './ingest.bench';

const SHARED = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data');

function log(line: string): void {
  process.stdout.write(`  ${line}\n`);
}

async function main(): Promise<void> {
  const server = await startScratchServer(process.env.DATABASE_URL);
  const name = `csp_hub_bench_${Date.now()}`;
  try {
    const url = await server.createDatabase(name);
    const orm = await createOrm({ url });
    await runMigrations(orm);
    await seedDemo(orm.em.fork());
    await orm.close();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await importGeography(pool, SHARED);
    await pool.end();

    const rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
    process.stdout.write(`\ningest: ${rows.toLocaleString('en-GB')} street-level rows\n`);
    const r = await benchIngest({ url }, rows, log);
    const copyRate = r.rows / r.copySeconds;
    const pipeRate = r.rows / r.pipelineSeconds;
    const ratio = pipeRate / copyRate;
    process.stdout.write(
      `  raw COPY   ${Math.round(copyRate).toLocaleString('en-GB')} rows/s\n` +
        `  pipeline   ${Math.round(pipeRate).toLocaleString('en-GB')} rows/s (${(r.fileMb / r.pipelineSeconds).toFixed(1)} MB/s)\n` +
        `  ratio      ${(ratio * 100).toFixed(0)}% of raw COPY (target >= 50%) ${ratio >= 0.5 ? 'PASS' : 'MISS'}\n`,
    );

    process.stdout.write(`\nauthorization: a page of 100 incidents over the ingested rows\n`);
    const iterations = Number(process.env.BENCH_AUTHZ_ITERATIONS ?? 300);
    const z = await benchAuthz({ url }, iterations, log);
    const overhead = (z.authorizedMedianMs - z.baselineMedianMs) / z.baselineMedianMs;
    process.stdout.write(
      `  authorization off   median ${z.baselineMedianMs.toFixed(2)} ms\n` +
        `  authorized          median ${z.authorizedMedianMs.toFixed(2)} ms (${z.rowsPerPage} rows, ability + masks + grants lookup)\n` +
        `  overhead            ${(overhead * 100).toFixed(0)}% of median latency (target <= 30%) ${overhead <= 0.3 ? 'PASS' : 'MISS'}\n`,
    );
  } finally {
    await server.dropDatabase(name).catch(() => undefined);
    await server.stop();
  }
}

await main();
