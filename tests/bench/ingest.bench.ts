import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { streetAdapter } from '@csp-hub/adapter-police';
import { fileSource, sharedData } from '@csp-hub/adapter-kit/testing';
import { copyLine, ingestFile } from '@csp-hub/ingest';
import { writeStreetFile } from './street-generator';
/** A migrated, seeded database with the reference geography. */
export interface BenchDatabase {
  url: string;
}

export interface IngestBenchResult {
  rows: number;
  fileMb: number;
  copySeconds: number;
  pipelineSeconds: number;
}

const COPY_COLUMNS = 'submission_id, agency_id, feed, source_ref, natural_key, source_category, category, occurred_month, location_text, lsoa_code, ward_code, lad_code, area_method, latitude, longitude, outcome, tier, attributes';

/**
 * End-to-end ingest of a generated street-level file (parse, validate,
 * normalise, stage, merge with area assignment and indexes) against a raw
 * COPY of the same rows, already in table format, into the same table.
 */
export async function benchIngest(bench: BenchDatabase, rows: number, log: (line: string) => void): Promise<IngestBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-bench-'));
  try {
    const csv = path.join(dir, 'street.csv');
    const months = ['2024-01', '2024-02', '2024-03'].map((m) => sharedData('police', `${m}-leicestershire-street.csv`));
    await writeStreetFile(csv, rows, months);
    const fileMb = statSync(csv).size / 1024 ** 2;
    log(`generated ${rows.toLocaleString('en-GB')} rows (${fileMb.toFixed(0)} MB)`);

    const pool = new pg.Pool({ connectionString: bench.url, max: 4 });
    try {
      const agencyId = (await pool.query(`select id from agency where code = 'leicestershire-police'`)).rows[0].id as number;
      const lookup = new Map<string, { ward: string; lad: string }>();
      for (const r of (await pool.query(`select code, ward_code, lad_code from area where kind = 'lsoa'`)).rows) lookup.set(r.code, { ward: r.ward_code, lad: r.lad_code });
      const submission = (await pool.query(
        `insert into submission (agency_id, feed, format, file_name, checksum, status, submitted_via, submitted_by_label, started_at, finished_at)
         values ($1, 'police.street', 'csv', 'baseline', 'baseline', 'refused', 'cli', 'bench', now(), now()) returning id`, [agencyId])).rows[0].id as number;

      // Baseline input, prepared untimed: the same rows as COPY text in the incident table's format.
      const copyFile = path.join(dir, 'incident.copy');
      const out = createWriteStream(copyFile);
      let n = 0;
      for await (const batch of streetAdapter.read(fileSource(csv))) {
        let text = '';
        for (const item of batch) {
          if (item.kind !== 'incident') continue;
          n += 1;
          const area = item.lsoaCode ? lookup.get(item.lsoaCode) : undefined;
          text += copyLine([submission, agencyId, 'police.street', item.sourceRef, item.sourceRef ?? `h:${n}`, item.sourceCategory, item.category,
            `${item.occurredMonth}-01`, item.locationText, item.lsoaCode, area?.ward ?? null, area?.lad ?? null, area ? 'source' : 'none',
            item.latitude, item.longitude, item.outcome, item.tier, '{}']);
        }
        if (!out.write(text)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');

      await pool.query('checkpoint');
      const client = await pool.connect();
      let copySeconds: number;
      try {
        const t0 = process.hrtime.bigint();
        await pipeline(createReadStream(copyFile, { highWaterMark: 1 << 20 }), client.query(copyStreams.from(`copy incident (${COPY_COLUMNS}) from stdin`)));
        copySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      } finally {
        client.release();
      }
      log(`raw COPY into incident: ${copySeconds.toFixed(2)} s`);
      await pool.query('truncate incident');
      await pool.query('checkpoint');

      const t1 = process.hrtime.bigint();
      const result = await ingestFile(pool, { agencyId, feed: 'police.street', fileName: 'street.csv', source: fileSource(csv, 1 << 20), submitter: { userId: null, label: 'bench', via: 'cli' } });
      const pipelineSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
      if (result.status !== 'accepted' || result.rowsAccepted !== rows) {
        throw new Error(`bench ingest did not accept every row: ${JSON.stringify(result)}`);
      }
      log(`csp-hub ingest pipeline: ${pipelineSeconds.toFixed(2)} s`);
      return { rows, fileMb, copySeconds, pipelineSeconds };
    } finally {
      await pool.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
