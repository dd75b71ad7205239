/**
 * pnpm bench [name ...]: speed targets as ratios against a baseline measured
 * in the same run on the same machine. Names: ingest, authz, http-page,
 * aggregate, load, analysis (none: these six), and scale (only when named: the
 * 20-million-row simulation of docs/scaling.md). Uses DATABASE_URL's server when set, otherwise
 * an embedded PostgreSQL; creates its own databases (and the peer's role) and
 * drops them at the end. Sizes and durations: tests/bench/README.md.
 * Exit code 1 on any error (a failed request, a wrong answer, the hub and the
 * peer disagreeing); missed targets print FAIL and exit 1 only with BENCH_STRICT=1.
 */
import path from 'node:path';
import pg from 'pg';
import { createOrm, runMigrations, seedDemo, startScratchServer, type ScratchServer } from '@csp-hub/db';
import { importGeography } from '@csp-hub/ingest';
import { benchAggregate } from './aggregate.bench';
import { benchAnalysis } from './analysis.bench';
import { benchAuthz } from './authz.bench';
import { startBenchStack, type BenchStack } from './bench-stack';
import { benchHttpPage } from './http-page.bench';
import { benchIngest } from './ingest.bench';
import { benchLoad } from './load.bench';
import { benchScale } from './scale.bench';
import { dropPeerRole, peerRoleFor } from './peer';
import { prepareReadDataset } from './read-dataset';
import { benchSettings, loadLine, machineLines, out, type BenchOutcome, type BenchSettings } from './report';

const SHARED = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data');
const ALL = ['ingest', 'authz', 'http-page', 'aggregate', 'load', 'analysis'] as const;
/** Run only when named: an hour or more of the machine. */
const NAMED_ONLY = ['scale'] as const;
type BenchName = (typeof ALL)[number] | (typeof NAMED_ONLY)[number];
const KNOWN: readonly BenchName[] = [...ALL, ...NAMED_ONLY];
const READ_BENCHES = {
  'http-page': benchHttpPage,
  aggregate: benchAggregate,
  load: benchLoad,
  analysis: benchAnalysis,
} as const;

/** Clean-ups still owed, run in reverse on Ctrl-C or SIGTERM so no server, database or role is left behind. */
const owed: (() => Promise<void>)[] = [];

async function owing<T>(cleanup: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  owed.push(cleanup);
  try {
    return await fn();
  } finally {
    owed.splice(owed.indexOf(cleanup), 1);
    await cleanup();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void (async () => {
      for (const cleanup of owed.reverse()) await cleanup().catch(() => undefined);
      process.exit(130);
    })();
  });
}

function log(line: string): void {
  process.stdout.write(`  ${line}\n`);
}

function selection(args: string[]): BenchName[] {
  const unknown = args.filter((a) => !(KNOWN as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${KNOWN.join(', ')} (none: ${ALL.join(', ')})`);
  return args.length === 0 ? [...ALL] : KNOWN.filter((n) => args.includes(n));
}

/** The pipeline against raw COPY, then the in-process page with and without authorization (one database). */
async function runIngestAndAuthz(server: ScratchServer, names: BenchName[]): Promise<BenchOutcome> {
  const name = `csp_hub_bench_${Date.now()}`;
  const misses: string[] = [];
  await owing(() => server.dropDatabase(name).catch(() => undefined), async () => {
    const url = await server.createDatabase(name);
    const orm = await createOrm({ url });
    await runMigrations(orm);
    await seedDemo(orm.em.fork());
    await orm.close();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await importGeography(pool, SHARED);
    await pool.end();

    const rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
    out(`\ningest: ${rows.toLocaleString('en-GB')} street-level rows${names.includes('ingest') ? '' : ' (loaded for authz)'}`);
    const r = await benchIngest({ url }, rows, log);
    if (names.includes('ingest')) {
      const copyRate = r.rows / r.copySeconds;
      const pipeRate = r.rows / r.pipelineSeconds;
      const ratio = pipeRate / copyRate;
      out(
        `  raw COPY   ${Math.round(copyRate).toLocaleString('en-GB')} rows/s\n` +
          `  pipeline   ${Math.round(pipeRate).toLocaleString('en-GB')} rows/s (${(r.fileMb / r.pipelineSeconds).toFixed(1)} MB/s)\n` +
          `  ratio      ${(ratio * 100).toFixed(0)}% of raw COPY (target >= 50%) ${ratio >= 0.5 ? 'PASS' : 'FAIL'}`,
      );
      if (ratio < 0.5) misses.push(`ingest: pipeline at ${(ratio * 100).toFixed(0)}% of raw COPY (target 50%)`);
    }
    if (names.includes('authz')) {
      out(`\nauthorization: a page of 100 incidents over the ingested rows (in-process, no HTTP)`);
      const iterations = Number(process.env.BENCH_AUTHZ_ITERATIONS ?? 300);
      const z = await benchAuthz({ url }, iterations, log);
      const overhead = (z.authorizedMedianMs - z.baselineMedianMs) / z.baselineMedianMs;
      out(
        `  authorization off   median ${z.baselineMedianMs.toFixed(2)} ms\n` +
          `  authorized          median ${z.authorizedMedianMs.toFixed(2)} ms (${z.rowsPerPage} rows, ability + masks + grants lookup)\n` +
          `  overhead            ${(overhead * 100).toFixed(0)}% of median latency (target <= 30%) ${overhead <= 0.3 ? 'PASS' : 'FAIL'}`,
      );
      if (overhead > 0.3) misses.push(`authz: ${(overhead * 100).toFixed(0)}% overhead in-process (target 30%)`);
      for (const plan of z.plans) {
        const seq = plan.incidentScans.includes('Seq Scan');
        out(
          `  page plan, ${plan.user}: ${plan.incidentRowsRead.toLocaleString('en-GB')} incident rows read for a page of 100 ` +
            `(${plan.incidentScans.join(', ')}; ${plan.sharedBuffers.toLocaleString('en-GB')} buffers; ${plan.executionMs.toFixed(2)} ms) ${seq ? 'FAIL: sequential scan' : 'PASS'}`,
        );
        if (process.env.BENCH_PLANS === '1') out(plan.text.replace(/^/gm, '    '));
        if (seq) misses.push(`authz: the page of ${plan.user} scans incident sequentially`);
      }
    }
  });
  return { failures: [], misses };
}

/** One database of BENCH_ROWS incidents, the hub, its authorization-off twin and the peer, shared by the read benchmarks. */
async function runReadBenches(server: ScratchServer, names: (keyof typeof READ_BENCHES)[], settings: BenchSettings): Promise<BenchOutcome> {
  const name = `csp_hub_bench_read_${Date.now()}`;
  let stack: BenchStack | undefined;
  const outcome: BenchOutcome = { failures: [], misses: [] };
  const cleanup = async (): Promise<void> => {
    await stack?.stop();
    stack = undefined;
    await server.dropDatabase(name).catch(() => undefined);
    await dropPeerRole(server.adminUrl, peerRoleFor(name)).catch((error: unknown) => log(`could not drop role ${peerRoleFor(name)}: ${String(error)}`));
  };
  return owing(cleanup, async () => {
    out(`\nread benchmarks: ${settings.rows.toLocaleString('en-GB')} generated Leicestershire Police street rows through the ingest pipeline`);
    const dataset = await prepareReadDataset(server, name, settings.rows, log);
    out(
      `  loaded ${dataset.rows.toLocaleString('en-GB')} incidents in ${dataset.files} files, ${dataset.firstMonth} to ${dataset.lastMonth}, ` +
        `in ${dataset.loadSeconds.toFixed(0)} s; VACUUM ANALYZE done`,
    );
    stack = await startBenchStack(dataset.url);
    out(`  hub ${stack.hub.base}, hub-off ${stack.off.base}, peer ${stack.peer.base} (PostGraphile 4.14, RLS, role ${peerRoleFor(name)})`);
    for (const bench of names) {
      const r = await READ_BENCHES[bench](stack, dataset, settings);
      outcome.failures.push(...r.failures);
      outcome.misses.push(...r.misses);
    }
    return outcome;
  });
}

async function main(): Promise<number> {
  const names = selection(process.argv.slice(2));
  const settings = benchSettings();
  const server = await startScratchServer(process.env.DATABASE_URL);
  return owing(() => server.stop(), async () => {
    const admin = new pg.Pool({ connectionString: server.adminUrl, max: 1 });
    try {
      out(`pnpm bench ${names.join(' ')}`);
      for (const line of await machineLines(admin)) log(line);
    } finally {
      await admin.end();
    }
    const outcome: BenchOutcome = { failures: [], misses: [] };
    const add = (r: BenchOutcome): void => {
      outcome.failures.push(...r.failures);
      outcome.misses.push(...r.misses);
    };
    if (names.includes('ingest') || names.includes('authz')) add(await runIngestAndAuthz(server, names));
    const reads = names.filter((n): n is keyof typeof READ_BENCHES => n in READ_BENCHES);
    if (reads.length > 0) add(await runReadBenches(server, reads, settings));
    if (names.includes('scale')) {
      // BENCH_ROWS when set (e.g. 10,000,000 when the disk is short), else the issue's 20 million.
      const rows = process.env.BENCH_ROWS ? settings.rows : 20_000_000;
      const iterations = Number(process.env.BENCH_SCALE_ITERATIONS ?? 20);
      if (!Number.isSafeInteger(iterations) || iterations < 1) throw new Error(`BENCH_SCALE_ITERATIONS must be a positive whole number, not "${process.env.BENCH_SCALE_ITERATIONS}"`);
      add(await benchScale(server, owing, rows, iterations, log));
    }
    out(`\n${loadLine()} at the end`);
    if (outcome.misses.length > 0) out(`targets missed:\n${outcome.misses.map((m) => `  ${m}`).join('\n')}`);
    if (outcome.failures.length > 0) {
      out(`ERRORS (the figures above are not valid):\n${outcome.failures.map((f) => `  ${f}`).join('\n')}`);
      return 1;
    }
    return settings.strict && outcome.misses.length > 0 ? 1 : 0;
  });
}

let code: number;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`pnpm bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
// Everything it started is stopped by now; exit even if a library left a timer behind.
process.exit(code);
