import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { createOrm, runMigrations, seedDemo, type ScratchServer } from '@csp-hub/db';
import { importGeography, ingestFile } from '@csp-hub/ingest';
import { readStreetTemplates, writeStreetSeries } from './street-generator';

/** The database the read benchmarks (http-page, aggregate, load) share. */
export interface ReadDataset {
  url: string;
  name: string;
  rows: number;
  /** Oldest and newest month loaded, YYYY-MM. */
  firstMonth: string;
  lastMonth: string;
  /** The newest month with every real row in it (the newest may be part of one). */
  lastFullMonth: string;
  months: number;
  files: number;
  loadSeconds: number;
}

/** The month `back` months before 2024-12, as YYYY-MM. */
function monthBefore(back: number): string {
  const index = 2024 * 12 + 11 - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Months per generated file: four monthly releases of the real Leicestershire rows, about 100,000 rows. */
const MONTHS_PER_FILE = 4;

/**
 * A fresh database with the migrations, the demo seed (partnerships, users,
 * agreements) and the real ONS geography, then `rows` generated
 * Leicestershire Police street-level rows loaded through the real ingest
 * pipeline in files of about 100,000 rows (four months each, newest month
 * 2024-12), then VACUUM ANALYZE so every reader plans on settled statistics.
 */
export async function prepareReadDataset(server: ScratchServer, name: string, rows: number, log: (line: string) => void): Promise<ReadDataset> {
  if (!Number.isSafeInteger(rows) || rows < 1) throw new Error(`BENCH_ROWS must be a positive integer, not ${rows}`);
  const url = await server.createDatabase(name);
  const orm = await createOrm({ url });
  try {
    await runMigrations(orm);
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-bench-read-'));
  try {
    await importGeography(pool, sharedData());
    const templates = readStreetTemplates(['2024-01', '2024-02', '2024-03'].map((m) => sharedData('police', `${m}-leicestershire-street.csv`)));
    // One release of the real rows a month by default; BENCH_MONTHS packs the rows into about that many months
    // (several releases a month), each month whole in one file so the twins of rows without a Crime ID stay apart.
    const spanMonths = Number(process.env.BENCH_MONTHS ?? 0);
    const perMonth = spanMonths > 0 ? Math.max(1, Math.round(rows / (spanMonths * templates.length))) : 1;
    const months = Math.ceil(rows / (templates.length * perMonth));
    const monthOf = (block: number): string => monthBefore(months - 1 - Math.floor(block / perMonth));
    const perFile = templates.length * perMonth * Math.max(1, Math.floor(MONTHS_PER_FILE / perMonth));
    const agencyId = (await pool.query<{ id: number }>(`select id from agency where code = 'leicestershire-police'`)).rows[0]?.id;
    if (agencyId === undefined) throw new Error('the demo seed has no leicestershire-police agency');
    const started = process.hrtime.bigint();
    let files = 0;
    for (let from = 0; from < rows; from += perFile) {
      const count = Math.min(perFile, rows - from);
      const file = path.join(dir, `street-${files}.csv`);
      await writeStreetSeries(file, templates, from, count, monthOf);
      const mb = statSync(file).size / 1024 ** 2;
      const result = await ingestFile(pool, {
        agencyId,
        feed: 'police.street',
        fileName: `bench-street-${files}.csv`,
        source: fileSource(file, 1 << 20),
        submitter: { userId: null, label: 'bench', via: 'cli' },
      });
      rmSync(file, { force: true });
      if (result.status !== 'accepted' || result.rowsAccepted !== count || result.rowsInserted !== count) {
        throw new Error(`bench file ${files} did not load every row as new: ${JSON.stringify({ ...result, firstRejects: result.firstRejects.slice(0, 3) })}`);
      }
      files += 1;
      log(`file ${files}: ${count.toLocaleString('en-GB')} rows (${mb.toFixed(0)} MB, ${monthOf(Math.floor(from / templates.length))} to ${monthOf(Math.floor((from + count - 1) / templates.length))}) in ${(result.durationMs / 1000).toFixed(1)} s`);
    }
    const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await pool.query('vacuum (analyze) incident');
    const total = Number((await pool.query<{ n: string }>('select count(*) as n from incident')).rows[0]!.n);
    if (total !== rows) throw new Error(`the bench database holds ${total} incidents, not the ${rows} generated`);
    const monthRows = templates.length * perMonth;
    const lastFullMonth = monthBefore(rows % monthRows === 0 || months === 1 ? 0 : 1);
    return { url, name, rows, firstMonth: monthBefore(months - 1), lastMonth: monthBefore(0), lastFullMonth, months, files, loadSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pool.end();
  }
}
