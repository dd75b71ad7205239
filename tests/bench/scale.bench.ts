import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { streetAdapter } from '@csp-hub/adapter-police';
import { fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { AGGREGATE_PLAN_SETTINGS, authenticateAccess, countIncidentsBy, getIncident, listIncidents, type AccessContext, type IncidentFilter } from '@csp-hub/authz';
import { createOrm, createReadPool, demoEmail, runMigrations, seedDemo, User, type MikroORM, type ScratchServer } from '@csp-hub/db';
import { copyLine, importGeography, ingestFile } from '@csp-hub/ingest';
import { loadLine, out, table, type BenchOutcome } from './report';
import { readStreetTemplates, writeStreetSeries } from './street-generator';

/**
 * Issue #14: the hub's schema at national scale. The same generated incidents
 * (BENCH_ROWS, default 20,000,000: five years of about forty police forces,
 * each the size of Leicestershire, made from the real Leicestershire
 * street-level rows) go into two databases: the real schema from the
 * migrations ("flat") and the same schema with `incident` declaratively
 * partitioned by month ("monthly", built here from the real table's DDL, not
 * a migration). Each is measured on its own: bulk COPY into the indexed table,
 * the main reads through the real authz functions with real access contexts,
 * EXPLAIN (ANALYZE, BUFFERS) summaries, sizes, and a slice through the real
 * ingest pipeline. See docs/scaling.md.
 */

export type Layout = 'flat' | 'monthly';

/** The newest generated month; a pipeline slice follows it. */
const LAST_MONTH_INDEX = 2024 * 12 + 11;
/** Months the generated table spans at most (five years kept). */
const YEARS_KEPT = 5;
const CHARNWOOD = 'E07000130';
/** Rows of the pipeline slice: four monthly releases of the real Leicestershire rows, as one file (about 100,000 rows). */
const SLICE_MONTHS = 4;

const COPY_COLUMNS = [
  'submission_id', 'agency_id', 'feed', 'source_ref', 'natural_key', 'source_category', 'category', 'occurred_month', 'location_text',
  'lsoa_code', 'ward_code', 'lad_code', 'area_method', 'latitude', 'longitude', 'outcome', 'tier', 'attributes', 'content_hash', 'record_key',
].join(', ');

function monthText(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** One normalised street-level row, the template every generated copy of it starts from (COPY text after the keys). */
interface TemplateRow {
  hasId: boolean;
  /** The COPY fields after natural_key up to occurred_month (exclusive), and from location_text to attributes, already escaped. */
  head: string;
  tail: string;
}

/** The real Leicestershire rows, parsed by the real adapter, by source month (three months), with their areas. */
async function readTemplates(pool: pg.Pool): Promise<TemplateRow[][]> {
  const lookup = new Map<string, { ward: string; lad: string }>();
  for (const r of (await pool.query<{ code: string; ward_code: string; lad_code: string }>(`select code, ward_code, lad_code from area where kind = 'lsoa'`)).rows) {
    lookup.set(r.code, { ward: r.ward_code, lad: r.lad_code });
  }
  const months: TemplateRow[][] = [];
  for (const m of ['2024-01', '2024-02', '2024-03']) {
    const rows: TemplateRow[] = [];
    for await (const batch of streetAdapter.read(fileSource(sharedData('police', `${m}-leicestershire-street.csv`)))) {
      for (const item of batch) {
        if (item.kind !== 'incident') continue;
        const area = item.lsoaCode ? lookup.get(item.lsoaCode) : undefined;
        const head = copyLine([item.sourceCategory, item.category]).slice(0, -1);
        const tail = copyLine([item.locationText, item.lsoaCode, area?.ward ?? null, area?.lad ?? null, area ? 'source' : 'none',
          item.latitude, item.longitude, item.outcome, item.tier, '{}']).slice(0, -1);
        rows.push({ hasId: item.sourceRef !== null, head, tail });
      }
    }
    months.push(rows);
  }
  return months;
}

/** Incident rows per real Leicestershire month (the adapter's count, before any area is looked up). */
async function templateMonthSizes(): Promise<number[]> {
  const sizes: number[] = [];
  for (const m of ['2024-01', '2024-02', '2024-03']) {
    let n = 0;
    for await (const batch of streetAdapter.read(fileSource(sharedData('police', `${m}-leicestershire-street.csv`)))) for (const item of batch) if (item.kind === 'incident') n++;
    sizes.push(n);
  }
  return sizes;
}

/** How the generated rows are laid out: `agencies` forces, each one real month of rows per month, `months` months ending 2024-12. */
export interface ScalePlan {
  rows: number;
  agencies: number;
  months: number;
  firstMonth: string;
  lastMonth: string;
}

export function scalePlan(rows: number, perMonth: number[]): ScalePlan {
  const mean = perMonth.reduce((a, b) => a + b, 0) / perMonth.length;
  const agencies = Math.max(1, Math.round(rows / (YEARS_KEPT * 12 * mean)));
  let months = 0;
  for (let left = rows; left > 0; months++) left -= agencies * perMonth[months % perMonth.length]!;
  return { rows, agencies, months, firstMonth: monthText(LAST_MONTH_INDEX - months + 1), lastMonth: monthText(LAST_MONTH_INDEX) };
}

/**
 * Replaces the migrated (empty) `incident` table by one partitioned by range
 * on occurred_month, built from the real table: columns, defaults, checks and
 * comments by LIKE; the primary key and unique constraints gain the partition
 * key (PostgreSQL requires it); every other index and the foreign keys as
 * they are; the grants as they were. One partition per month in range.
 */
export async function partitionIncidentByMonth(pool: pg.Pool, fromMonth: string, toMonth: string): Promise<string[]> {
  const client = await pool.connect();
  const changed: string[] = [];
  try {
    await client.query('begin');
    const constraints = (await client.query<{ conname: string; contype: string; def: string }>(
      `select conname, contype, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'incident'::regclass and contype in ('p', 'u', 'f') order by contype desc, conname`)).rows;
    const indexes = (await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'incident'
         and indexname not in (select conname from pg_constraint where conrelid = 'incident'::regclass) order by indexname`)).rows;
    const grants = (await client.query<{ grantee: string; privileges: string }>(
      `select grantee, string_agg(privilege_type, ', ') as privileges from information_schema.role_table_grants
         where table_schema = 'public' and table_name = 'incident' and grantee <> current_user group by grantee`)).rows;
    const comment = (await client.query<{ c: string | null }>(`select obj_description('incident'::regclass, 'pg_class') as c`)).rows[0]?.c ?? null;
    const sequence = (await client.query<{ s: string | null }>(`select pg_get_serial_sequence('incident', 'id') as s`)).rows[0]?.s;
    if (!sequence) throw new Error('incident.id has no sequence: the migrated schema is not what the scale bench expects');

    await client.query('alter table incident rename to incident_flat');
    await client.query(`alter sequence ${sequence} owned by none`);
    await client.query(`create table incident (like incident_flat including defaults including constraints including comments including storage including statistics)
      partition by range (occurred_month)`);
    await client.query('drop table incident_flat');
    await client.query(`alter sequence ${sequence} owned by incident.id`);
    if (comment !== null) await client.query(`comment on table incident is ${client.escapeLiteral(comment)}`);
    for (const c of constraints) {
      let def = c.def;
      if (c.contype !== 'f' && !/\boccurred_month\b/.test(def)) {
        def = def.replace(/\)$/, ', occurred_month)');
        changed.push(`${c.conname}: ${c.def} -> ${def}`);
      }
      await client.query(`alter table incident add constraint ${client.escapeIdentifier(c.conname)} ${def}`);
    }
    for (const i of indexes) await client.query(i.indexdef);
    for (const g of grants) await client.query(`grant ${g.privileges} on incident to ${client.escapeIdentifier(g.grantee)}`);
    const [fy, fm] = fromMonth.split('-').map(Number) as [number, number];
    const [ty, tm] = toMonth.split('-').map(Number) as [number, number];
    for (let m = fy * 12 + fm - 1; m <= ty * 12 + tm - 1; m++) {
      await client.query(`create table incident_${monthText(m).replace('-', '_')} partition of incident for values from ('${monthText(m)}-01') to ('${monthText(m + 1)}-01')`);
    }
    await client.query('commit');
    return changed;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

/** Rows/s of a bulk load, with its progress. */
interface LoadFigures {
  rows: number;
  seconds: number;
  /** Rows/s of each fifth of the load: how the rate holds up as the table grows. */
  fifths: number[];
  vacuumSeconds: number;
}

/** The generated forces: the demo's Leicestershire Police first, then `n - 1` synthetic forces (agency rows only). */
async function forces(pool: pg.Pool, n: number): Promise<number[]> {
  const leics = (await pool.query<{ id: number }>(`select id from agency where code = 'leicestershire-police'`)).rows[0]?.id;
  if (leics === undefined) throw new Error('the demo seed has no leicestershire-police agency');
  const others = (await pool.query<{ id: number }>(
    `insert into agency (code, name, type, statutory, force_name)
     select 'bench-force-' || lpad(g::text, 2, '0'), 'Bench Force ' || g, 'police', true, 'Bench Force ' || g from generate_series(1, $1::int) g
     returning id`, [n - 1])).rows.map((r) => r.id);
  return [leics, ...others];
}

/**
 * COPY of the generated rows, month by month (each force's month one
 * accepted submission, as its monthly release would be), into the indexed
 * table; then VACUUM ANALYZE. Deterministic: both layouts get the same rows,
 * ids and record keys.
 */
async function bulkLoad(pool: pg.Pool, plan: ScalePlan, templates: TemplateRow[][], log: (line: string) => void): Promise<LoadFigures> {
  const agencyIds = await forces(pool, plan.agencies);
  const first = LAST_MONTH_INDEX - plan.months + 1;
  // Untimed: one accepted submission per force and month.
  const submissions = new Map<string, number>();
  for (const r of (await pool.query<{ id: number; agency_id: number; m: string }>(
    `insert into submission (agency_id, feed, format, file_name, checksum, status, submitted_via, submitted_by_label, started_at, finished_at, periods)
     select a, 'police.street', 'csv', 'bulk-' || to_char(m, 'YYYY-MM') || '-street.csv', md5(a::text || m::text), 'accepted', 'cli', 'bench', now(), now(), array[m::date]
     from unnest($1::int[]) a, generate_series($2::date, $3::date, interval '1 month') m
     returning id, agency_id, to_char(periods[1], 'YYYY-MM') as m`, [agencyIds, `${monthText(first)}-01`, `${plan.lastMonth}-01`])).rows) {
    submissions.set(`${r.agency_id}:${r.m}`, r.id);
  }
  await pool.query('checkpoint');
  const fifths: number[] = [];
  let loaded = 0;
  let mark = { rows: 0, at: process.hrtime.bigint() };
  const started = process.hrtime.bigint();
  for (let k = 0; k < plan.months && loaded < plan.rows; k++) {
    const month = monthText(first + k);
    const rows = templates[k % templates.length]!;
    const chunks = function* (): Generator<string> {
      for (const agencyId of agencyIds) {
        if (loaded >= plan.rows) return;
        const prefix = `${submissions.get(`${agencyId}:${month}`)}\t${agencyId}\tpolice.street\t`;
        let text = '';
        for (let j = 0; j < rows.length && loaded < plan.rows; j++) {
          const t = rows[j]!;
          const digest = createHash('sha256').update(`bench-${agencyId}-${month}-${j}`).digest('hex');
          const key = t.hasId ? `${digest}\t${digest}` : `\\N\th:${digest.slice(0, 32)}#1`;
          const hash = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
          text += `${prefix}${key}\t${t.head}\t${month}-01\t${t.tail}\t${hash}\t${parseInt(digest.slice(32, 34), 16)}\n`;
          loaded++;
          if (text.length > 1 << 20) {
            yield text;
            text = '';
          }
        }
        if (text) yield text;
      }
    };
    const client = await pool.connect();
    try {
      await pipeline(Readable.from(chunks()), client.query(copyStreams.from(`copy incident (${COPY_COLUMNS}) from stdin`)));
    } finally {
      client.release();
    }
    if (loaded >= Math.ceil(plan.rows / 5) * (fifths.length + 1) || loaded === plan.rows) {
      const now = process.hrtime.bigint();
      fifths.push((loaded - mark.rows) / (Number(now - mark.at) / 1e9));
      log(`${loaded.toLocaleString('en-GB')} rows loaded (to ${month}), ${Math.round(fifths.at(-1)!).toLocaleString('en-GB')} rows/s over the last ${(loaded - mark.rows).toLocaleString('en-GB')}`);
      mark = { rows: loaded, at: now };
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const v0 = process.hrtime.bigint();
  // On the partitioned table this vacuums every partition and analyzes the parent too (autovacuum never analyzes a parent).
  await pool.query('vacuum (analyze) incident');
  const vacuumSeconds = Number(process.hrtime.bigint() - v0) / 1e9;
  return { rows: loaded, seconds, fifths, vacuumSeconds };
}

/** Heap, index and total bytes of incident (every partition summed), and each index (its partitions summed). */
interface Sizes {
  heap: number;
  indexes: { name: string; bytes: number }[];
  total: number;
  partitions: number;
}

async function sizes(pool: pg.Pool): Promise<Sizes> {
  // pg_partition_tree lists nothing for a plain table: then the table is its own only leaf.
  const tree = (rel: string): string =>
    `(select relid from pg_partition_tree(${rel}) where isleaf union all select ${rel} where (select relkind from pg_class where oid = ${rel}) not in ('p', 'I'))`;
  const rels = (await pool.query<{ heap: string; total: string; parts: number }>(
    `select sum(pg_table_size(relid))::bigint as heap, sum(pg_total_relation_size(relid))::bigint as total, count(*)::int as parts from ${tree(`'incident'::regclass`)} t`)).rows[0]!;
  const indexes = (await pool.query<{ name: string; bytes: string }>(
    `select c.relname as name, (select sum(pg_relation_size(t.relid)) from ${tree('c.oid')} t)::bigint as bytes
     from pg_index x join pg_class c on c.oid = x.indexrelid where x.indrelid = 'incident'::regclass order by c.relname`)).rows;
  return { heap: Number(rels.heap), total: Number(rels.total), partitions: rels.parts, indexes: indexes.map((i) => ({ name: i.name, bytes: Number(i.bytes) })) };
}

/** A statement authz ran: named ones are prepared once and run on generic plans (createReadPool). */
interface Statement {
  name: string | undefined;
  text: string;
  values: unknown[];
}

/** A pool whose queries are recorded (text and values), also those on clients it lends (aggregates run in a transaction), for EXPLAIN of exactly what authz ran. */
function recording(pool: pg.Pool, seen: Statement[]): pg.Pool {
  const record = <T extends pg.Pool | pg.PoolClient>(target: T): T['query'] =>
    ((config: string | pg.QueryConfig, values?: unknown[]) => {
      const text = typeof config === 'string' ? config : config.text;
      seen.push({ name: typeof config === 'string' ? undefined : config.name, text, values: (typeof config === 'string' ? values : (config.values ?? values)) ?? [] });
      return target.query(config as string, values);
    }) as T['query'];
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') return record(target);
      if (prop === 'connect') {
        return async () => {
          const client = await target.connect();
          return new Proxy(client, { get: (c, p, r) => (p === 'query' ? record(c) : (Reflect.get(c, p, r) as unknown)) });
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** What EXPLAIN (ANALYZE, BUFFERS) says about one statement. */
export interface PlanSummary {
  executionMs: number;
  planningMs: number;
  sharedHit: number;
  sharedRead: number;
  /** Partitions of incident in the plan, and those actually scanned (loops > 0). */
  partitionsPlanned: number;
  partitionsScanned: number;
  subplansRemoved: number;
  /** Index and scan nodes, e.g. "Index Only Scan using incident_2024_12_agency_id_feed_lad_code_occurred_month_id_idx". */
  nodes: string[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Loops'?: number;
  'Subplans Removed'?: number;
  Plans?: PlanNode[];
}

export function summarisePlan(
  json: { Plan: PlanNode & { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number }; 'Execution Time': number; 'Planning Time': number },
  parentIndex: ReadonlyMap<string, string> = new Map(),
): PlanSummary {
  const planned = new Set<string>();
  const scanned = new Set<string>();
  const nodes = new Set<string>();
  let removed = 0;
  const walk = (n: PlanNode): void => {
    removed += n['Subplans Removed'] ?? 0;
    const rel = n['Relation Name'];
    if (rel && /^incident(_\d{4}_\d{2})?$/.test(rel)) {
      planned.add(rel);
      if ((n['Actual Loops'] ?? 0) > 0) scanned.add(rel);
    }
    const index = n['Index Name'];
    if (index && /^incident_/.test(index)) nodes.add(`${n['Node Type']} ${parentIndex.get(index) ?? index}`);
    else if (rel && /^incident(_\d{4}_\d{2})?$/.test(rel) && !n['Node Type'].startsWith('Index')) nodes.add(n['Node Type']);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(json.Plan);
  return {
    executionMs: json['Execution Time'],
    planningMs: json['Planning Time'],
    sharedHit: json.Plan['Shared Hit Blocks'] ?? 0,
    sharedRead: json.Plan['Shared Read Blocks'] ?? 0,
    partitionsPlanned: planned.size,
    partitionsScanned: scanned.size,
    subplansRemoved: removed,
    nodes: [...nodes].sort(),
  };
}

/** One of the main reads, as the hub runs it for a request (audit included). */
interface Read {
  name: string;
  run: (ctx: AccessContext) => Promise<unknown>;
  user: 'partner' | 'provider';
}

export interface ReadFigures {
  name: string;
  /** Timed calls made (fewer than asked when they took over a minute together). */
  calls: number;
  medianMs: number;
  p95Ms: number;
  /** What it returned (compared between layouts: partitioning must not change an answer). */
  answer: string;
  plan: PlanSummary | undefined;
}

/** A parameter value as an SQL literal for EXECUTE (arrays as array literals; the prepared statement's casts type them). */
function literal(client: pg.PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return client.escapeLiteral(`{${value.map((v) => JSON.stringify(String(v))).join(',')}}`);
  return client.escapeLiteral(String(value));
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of a statement as the hub runs it: a named one
 * prepared and executed on its generic plan (the read pool's
 * plan_cache_mode), so partitions are pruned at run time; an unnamed one (an
 * aggregate) planned with its values and AGGREGATE_PLAN_SETTINGS.
 */
async function explain(pool: pg.Pool, statement: Statement, parentIndex: ReadonlyMap<string, string>, label: string): Promise<PlanSummary> {
  type Explained = { 'QUERY PLAN': [Parameters<typeof summarisePlan>[0]] };
  const client = await pool.connect();
  // BENCH_PLANS=1: the whole plan as text too, after the summary's run.
  const run = async (what: string, values: unknown[] = []): Promise<PlanSummary> => {
    const summary = summarisePlan((await client.query<Explained>(`explain (analyze, buffers, format json) ${what}`, values)).rows[0]!['QUERY PLAN'][0], parentIndex);
    if (process.env.BENCH_PLANS === '1') {
      const text = (await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${what}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
      out(`  plan of ${label}:\n${text.replace(/^/gm, '    ')}`);
    }
    return summary;
  };
  try {
    if (!statement.name) {
      // An aggregate: planned with its values and the settings aggregateIncidents runs it with.
      await client.query('begin read only');
      try {
        await client.query(AGGREGATE_PLAN_SETTINGS.map((setting) => `set local ${setting}`).join('; '));
        return await run(statement.text, statement.values);
      } finally {
        await client.query('rollback');
      }
    }
    await client.query(`prepare scale_explain as ${statement.text}`);
    try {
      const execute = `execute scale_explain(${statement.values.map((v) => literal(client, v)).join(', ')})`;
      await client.query(execute);
      return await run(execute);
    } finally {
      await client.query('deallocate scale_explain');
    }
  } finally {
    client.release();
  }
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

async function measureReads(url: string, pool: pg.Pool, orm: MikroORM, iterations: number): Promise<ReadFigures[]> {
  const contexts = new Map<string, { userId: number; partnershipId: number }>();
  for (const [label, handle] of [['partner', 'district.analyst'], ['provider', 'police.analyst']] as const) {
    const user = await orm.em.fork().findOneOrFail(User, { email: demoEmail('charnwood', handle) }, { populate: ['partnership'] });
    contexts.set(label, { userId: user.id, partnershipId: user.partnership.id });
  }
  // Each partition's index by the name of the index it belongs to, for the plan summaries.
  const parentIndex = new Map((await pool.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent from pg_inherits h join pg_class c on c.oid = h.inhrelid join pg_class p on p.oid = h.inhparent where p.relkind = 'I'`)).rows
    .map((r) => [r.child, r.parent] as const));
  const last = LAST_MONTH_INDEX;
  const oneMonth: IncidentFilter = { ladCodes: [CHARNWOOD], monthFrom: monthText(last), monthTo: monthText(last) };
  const twelveMonths: IncidentFilter = { ladCodes: [CHARNWOOD], monthFrom: monthText(last - 11), monthTo: monthText(last) };
  // The id read alone: the partner's newest visible incident (the same in both layouts: same rows, same ids).
  const probe = await authenticateAccess(pool, orm.em.fork(), contexts.get('partner')!.userId, contexts.get('partner')!.partnershipId);
  const newest = (await listIncidents(probe, { filter: { ladCodes: [CHARNWOOD] }, first: 1 })).items[0];
  if (!newest) throw new Error(`the partner sees no Charnwood incident in ${url}: the generated data or the demo agreements changed`);
  const reads: Read[] = [
    { name: 'page of 100, partner, Charnwood', user: 'partner', run: async (ctx) => (await listIncidents(ctx, { filter: { ladCodes: [CHARNWOOD] }, first: 100 })).items.map((i) => i.id) },
    { name: 'page of 100, provider (all rows)', user: 'provider', run: async (ctx) => (await listIncidents(ctx, { first: 100 })).items.map((i) => i.id) },
    { name: `counts by category, Charnwood, ${monthText(last)}`, user: 'partner', run: (ctx) => countIncidentsBy(ctx, { groupBy: ['category'], filter: oneMonth }) },
    { name: `counts by month x category, Charnwood, 12 months`, user: 'partner', run: (ctx) => countIncidentsBy(ctx, { groupBy: ['month', 'category'], filter: twelveMonths }) },
    { name: 'counts by month, provider, all months', user: 'provider', run: (ctx) => countIncidentsBy(ctx, { groupBy: ['month'] }) },
    { name: 'one incident by id, partner', user: 'partner', run: async (ctx) => (await getIncident(ctx, newest.id)).id },
  ];
  const figures: ReadFigures[] = [];
  for (const read of reads) {
    const who = contexts.get(read.user)!;
    const context = (db: pg.Pool): Promise<AccessContext> => authenticateAccess(db, orm.em.fork(), who.userId, who.partnershipId);
    const seen: Statement[] = [];
    const answer = JSON.stringify(await read.run(await context(recording(pool, seen))));
    for (let i = 0; i < 3; i++) await read.run(await context(pool));
    const times: number[] = [];
    // Timed calls: `iterations`, but no more once a minute of timed calls has passed (at least 5 calls).
    const timedFrom = process.hrtime.bigint();
    for (let i = 0; i < iterations && (i < 5 || Number(process.hrtime.bigint() - timedFrom) / 1e6 < 60_000); i++) {
      const t0 = process.hrtime.bigint();
      await read.run(await context(pool));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    // EXPLAIN, warm, what the call ran: its statement that reads incident (the audit's do not).
    const statement = seen.find((s) => /\bfrom incident i\b/.test(s.text));
    const summary = statement ? await explain(pool, statement, parentIndex, read.name) : undefined;
    figures.push({ name: read.name, calls: times.length, medianMs: percentile(times, 0.5), p95Ms: percentile(times, 0.95), answer, plan: summary });
  }
  return figures;
}

/**
 * Why a merge fails: the pipeline's upsert names its conflict target
 * (agency_id, feed, natural_key), which needs a unique index on exactly those
 * columns. The same clause on no rows shows whether this table has one.
 */
async function mergeConflictProblem(pool: pg.Pool): Promise<string> {
  try {
    await pool.query(`insert into incident (submission_id, agency_id, feed, natural_key, source_category, category, occurred_month, area_method, tier)
      select submission_id, agency_id, feed, natural_key, source_category, category, occurred_month, area_method, tier from incident where false
      on conflict (agency_id, feed, natural_key) do nothing`);
    return 'none found (on conflict (agency_id, feed, natural_key) plans here)';
  } catch (error) {
    return `on conflict (agency_id, feed, natural_key): ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A file of SLICE_MONTHS new months of Leicestershire rows through ingestFile: rows/s, or why it cannot run. */
async function pipelineSlice(pool: pg.Pool, log: (line: string) => void): Promise<{ rows: number; seconds: number } | { error: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-bench-scale-'));
  try {
    const templates = readStreetTemplates(['2024-01', '2024-02', '2024-03'].map((m) => sharedData('police', `${m}-leicestershire-street.csv`)));
    const count = templates.length * SLICE_MONTHS;
    const file = path.join(dir, 'slice.csv');
    // The months after the bulk load's; Crime IDs hashed from another series than the bulk rows', so every row is new.
    await writeStreetSeries(file, templates, 0, count, (block) => monthText(LAST_MONTH_INDEX + 1 + block));
    const agencyId = (await pool.query<{ id: number }>(`select id from agency where code = 'leicestershire-police'`)).rows[0]!.id;
    const mb = statSync(file).size / 1024 ** 2;
    const t0 = process.hrtime.bigint();
    try {
      const result = await ingestFile(pool, {
        agencyId, feed: 'police.street', fileName: 'scale-slice.csv', source: fileSource(file, 1 << 20), submitter: { userId: null, label: 'bench', via: 'cli' },
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (result.status === 'failed') return { error: `${result.errorCode}; the statement it stops at: ${await mergeConflictProblem(pool)}` };
      if (result.status !== 'accepted' || result.rowsInserted !== count) {
        return { error: `the slice did not load every row as new: ${JSON.stringify({ ...result, firstRejects: result.firstRejects.slice(0, 3) })}` };
      }
      log(`pipeline slice: ${count.toLocaleString('en-GB')} rows (${mb.toFixed(0)} MB) in ${seconds.toFixed(1)} s`);
      return { rows: count, seconds };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LayoutFigures {
  layout: Layout;
  load: LoadFigures;
  sizes: Sizes;
  reads: ReadFigures[];
  slice: { rows: number; seconds: number } | { error: string };
  constraintChanges: string[];
  loadAverage: string;
}

/** One layout end to end in its own database, dropped at the end. */
async function runLayout(server: ScratchServer, owing: Owing, layout: Layout, plan: ScalePlan, iterations: number, log: (line: string) => void): Promise<LayoutFigures> {
  const name = `csp_hub_bench_scale_${layout}_${Date.now()}`;
  return owing(() => server.dropDatabase(name).catch(() => undefined), async () => {
    const url = await server.createDatabase(name);
    const orm = await createOrm({ url, poolMax: 2 });
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    try {
      await runMigrations(orm);
      await seedDemo(orm.em.fork());
      await importGeography(pool, sharedData());
      let constraintChanges: string[] = [];
      if (layout === 'monthly') {
        constraintChanges = await partitionIncidentByMonth(pool, plan.firstMonth, monthText(LAST_MONTH_INDEX + SLICE_MONTHS + 2));
      }
      const templates = await readTemplates(pool);
      out(`\n${layout}: ${layout === 'flat' ? 'the migrated schema' : 'incident partitioned by range (occurred_month), one partition per month'} (database ${name})`);
      const load = await bulkLoad(pool, plan, templates, log);
      log(`bulk COPY: ${load.rows.toLocaleString('en-GB')} rows in ${load.seconds.toFixed(0)} s; VACUUM ANALYZE ${load.vacuumSeconds.toFixed(0)} s; ${loadLine()}`);
      const size = await sizes(pool);
      // Reads on the pool the gateway serves with (generic plans for the named statements).
      const readPool = createReadPool(url, { max: 4, applicationName: 'csp-hub-bench-scale' });
      const reads = await measureReads(url, readPool, orm, iterations).finally(() => readPool.end());
      log(`reads measured; ${loadLine()}`);
      const slice = await pipelineSlice(pool, log);
      return { layout, load, sizes: size, reads, slice, constraintChanges, loadAverage: loadLine() };
    } finally {
      await pool.end();
      await orm.close();
    }
  });
}

function gb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

function fmt(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-GB') : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function planCell(p: PlanSummary | undefined): string {
  if (!p) return '-';
  return `${p.partitionsScanned}/${p.partitionsPlanned}${p.subplansRemoved ? ` (-${p.subplansRemoved})` : ''}`;
}

/**
 * pnpm bench scale: both layouts, one after the other (one database at a
 * time on disk), then the comparison. Rows: BENCH_ROWS (default 20,000,000);
 * iterations per read: BENCH_SCALE_ITERATIONS (default 20).
 */
/** Runs fn with a clean-up owed until it ends, also on Ctrl-C (run.ts). */
export type Owing = <T>(cleanup: () => Promise<void>, fn: () => Promise<T>) => Promise<T>;

export async function benchScale(server: ScratchServer, owing: Owing, rows: number, iterations: number, log: (line: string) => void): Promise<BenchOutcome> {
  const failures: string[] = [];
  const plan = scalePlan(rows, await templateMonthSizes());
  out(`\nscale: ${plan.rows.toLocaleString('en-GB')} generated police.street incidents, ${plan.agencies} forces (Leicestershire Police and ${plan.agencies - 1} synthetic, ` +
    `each one real Leicestershire month of rows per month), ${plan.months} months ${plan.firstMonth} to ${plan.lastMonth}; ${iterations} timed calls per read`);
  out('  ingest: bulk COPY of rows already in table format into the indexed table, the same rows in both layouts (the pipeline cannot run on the partitioned one, below; ' +
    'on the migrated one it would add hours at this size); ' +
    `a ${SLICE_MONTHS}-month Leicestershire file through the real ingest pipeline afterwards`);
  const results: LayoutFigures[] = [];
  for (const layout of ['flat', 'monthly'] as const) results.push(await runLayout(server, owing, layout, plan, iterations, log));
  const [flat, monthly] = results as [LayoutFigures, LayoutFigures];

  const ratio = (a: number, b: number): string => `${(b / a).toFixed(2)}`;
  const rowsTable: string[][] = [['measure', 'flat', 'monthly', 'monthly/flat']];
  const rate = (l: LoadFigures): number => l.rows / l.seconds;
  rowsTable.push(['bulk COPY rows/s (whole load)', fmt(rate(flat.load)), fmt(rate(monthly.load)), ratio(rate(flat.load), rate(monthly.load))]);
  rowsTable.push(['bulk COPY rows/s (last fifth)', fmt(flat.load.fifths.at(-1) ?? 0), fmt(monthly.load.fifths.at(-1) ?? 0), ratio(flat.load.fifths.at(-1) ?? 1, monthly.load.fifths.at(-1) ?? 0)]);
  rowsTable.push(['VACUUM ANALYZE s', fmt(flat.load.vacuumSeconds), fmt(monthly.load.vacuumSeconds), ratio(flat.load.vacuumSeconds, monthly.load.vacuumSeconds)]);
  const sliceRate = (s: LayoutFigures['slice']): string => ('error' in s ? 'fails (below)' : fmt(s.rows / s.seconds));
  rowsTable.push(['ingest pipeline rows/s (slice)', sliceRate(flat.slice), sliceRate(monthly.slice),
    'error' in flat.slice || 'error' in monthly.slice ? '-' : ratio(flat.slice.rows / flat.slice.seconds, monthly.slice.rows / monthly.slice.seconds)]);
  rowsTable.push(['table + indexes', gb(flat.sizes.total), gb(monthly.sizes.total), ratio(flat.sizes.total, monthly.sizes.total)]);
  rowsTable.push(['heap (with TOAST)', gb(flat.sizes.heap), gb(monthly.sizes.heap), ratio(flat.sizes.heap, monthly.sizes.heap)]);
  rowsTable.push(['bytes per row (all)', fmt(flat.sizes.total / flat.load.rows), fmt(monthly.sizes.total / monthly.load.rows), ratio(flat.sizes.total, monthly.sizes.total)]);
  for (const i of flat.sizes.indexes) {
    const m = monthly.sizes.indexes.find((x) => x.name === i.name);
    rowsTable.push([`  index ${i.name}`, gb(i.bytes), m ? gb(m.bytes) : '-', m ? ratio(i.bytes, m.bytes) : '-']);
  }
  for (let r = 0; r < flat.reads.length; r++) {
    const a = flat.reads[r]!;
    const b = monthly.reads[r]!;
    const calls = (f: ReadFigures): string => (f.calls < iterations ? ` (${f.calls} calls)` : '');
    rowsTable.push([`${a.name}: median ms`, `${fmt(a.medianMs)}${calls(a)}`, `${fmt(b.medianMs)}${calls(b)}`, ratio(a.medianMs, b.medianMs)]);
    rowsTable.push([`  p95 ms`, fmt(a.p95Ms), fmt(b.p95Ms), ratio(a.p95Ms, b.p95Ms)]);
    if (a.answer !== b.answer) failures.push(`${a.name}: the layouts answer differently (flat ${a.answer.slice(0, 120)}, monthly ${b.answer.slice(0, 120)})`);
  }
  out(`\nscale: ${plan.rows.toLocaleString('en-GB')} incidents, flat against monthly partitions (${monthly.sizes.partitions} partitions)`);
  out(table(rowsTable));

  const planRows: string[][] = [['read (EXPLAIN ANALYZE, BUFFERS)', 'layout', 'exec ms', 'plan ms', 'shared hit', 'read', 'partitions scanned/planned (-removed)', 'scans']];
  for (let r = 0; r < flat.reads.length; r++) {
    for (const f of [flat, monthly]) {
      const read = f.reads[r]!;
      const p = read.plan;
      planRows.push([f === flat ? read.name : '', f.layout, p ? fmt(p.executionMs) : '-', p ? fmt(p.planningMs) : '-', p ? String(p.sharedHit) : '-', p ? String(p.sharedRead) : '-', planCell(p),
        p ? p.nodes.join('; ').slice(0, 110) : '-']);
    }
  }
  out(table(planRows));
  for (const f of results) {
    if ('error' in f.slice) out(`  ${f.layout}: the ingest pipeline cannot run unchanged: ${f.slice.error}`);
    if (f.constraintChanges.length > 0) out(`  ${f.layout}: constraints changed for partitioning: ${f.constraintChanges.join('; ')}`);
    out(`  ${f.layout}: ${f.loadAverage} after its run`);
  }
  if ('error' in flat.slice) failures.push(`the ingest pipeline failed on the migrated schema: ${flat.slice.error}`);
  return { failures, misses: [] };
}
