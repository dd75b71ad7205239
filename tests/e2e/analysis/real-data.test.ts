import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '@csp-hub/ingest';
import { hotspots, repeats, trends, type HotspotResult, type TrendResult } from '@csp-hub/insight';
import { startTestHub, type TestHub } from '../../support/hub';
import { cliEnv, COL, runCli, streetFile, streetRows } from '../ingest/support';
import { accessFor, CHARNWOOD, CHARNWOOD_CSP, demoBoundaries, POLICE_ANALYST } from './support';

/**
 * The engine on the real data.police.uk Leicestershire files (January to
 * March 2024), ingested through the real pipeline, against an independent
 * computation straight from the source CSVs: a plain split of the rows
 * (the files hold no quoted fields, checked), the district in each row's
 * LSOA name, and the crime type -> priority table written out here. The reader is
 * Charnwood's police analyst, who may list every row (no disclosure control).
 */

/** data.police.uk crime types -> partnership priorities (the taxonomy's published table, written out independently). */
const PRIORITY_OF: Record<string, string> = {
  'Anti-social behaviour': 'anti_social_behaviour',
  'Bicycle theft': 'acquisitive_crime',
  Burglary: 'acquisitive_crime',
  'Criminal damage and arson': 'criminal_damage_arson',
  Drugs: 'drugs_alcohol',
  'Other crime': 'other',
  'Other theft': 'acquisitive_crime',
  'Possession of weapons': 'violence',
  'Public order': 'anti_social_behaviour',
  Robbery: 'acquisitive_crime',
  Shoplifting: 'acquisitive_crime',
  'Theft from the person': 'acquisitive_crime',
  'Vehicle crime': 'acquisitive_crime',
  'Violence and sexual offences': 'violence',
};

/**
 * Whether a row lies in Charnwood, from the source itself: data.police.uk names
 * each LSOA "<district name> <nnnX>". (Its codes are partly 2021 LSOAs that the
 * 2011 ONS lookup does not list; the name holds for both.)
 */
function inCharnwood(lsoaName: string): boolean {
  return /^Charnwood \d{3}[A-Z]$/.test(lsoaName);
}

interface Independent {
  byCategory: Record<string, number>;
  byLocation: Map<string, { location: string; lsoa: string; count: number }>;
  byLsoa: Map<string, number>;
}

function independent(month: '2024-01' | '2024-02' | '2024-03'): Independent {
  const byCategory: Record<string, number> = {};
  const byLocation = new Map<string, { location: string; lsoa: string; count: number }>();
  const byLsoa = new Map<string, number>();
  for (const f of streetRows(streetFile(month))) {
    const lsoa = f[COL.lsoaCode]!;
    if (!inCharnwood(f[COL.lsoaName]!)) continue;
    const category = PRIORITY_OF[f[COL.crimeType]!];
    if (!category) throw new Error(`unmapped crime type ${f[COL.crimeType]}`);
    byCategory[category] = (byCategory[category] ?? 0) + 1;
    const key = `${f[COL.location]}\u0000${lsoa}`;
    const cell = byLocation.get(key) ?? { location: f[COL.location]!, lsoa, count: 0 };
    cell.count += 1;
    byLocation.set(key, cell);
    byLsoa.set(lsoa, (byLsoa.get(lsoa) ?? 0) + 1);
  }
  return { byCategory, byLocation, byLsoa };
}

/** Count descending, then code-unit order of the key: the engine's documented order. */
function ranked<T extends { count: number }>(entries: [string, T][]): [string, T][] {
  return entries.sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('the analysis engine on real Leicestershire police data agrees with the source CSVs', () => {
  let hub: TestHub;
  let march: Independent;
  let february: Independent;
  let dataDir: string;
  const period = { from: '2024-03', to: '2024-03' };
  const feeds = ['police.street'];

  beforeAll(async () => {
    hub = await startTestHub('analysis-real-data', { boundaries: demoBoundaries() });
    const police = (await hub.db.pool.query<{ id: number }>(`select id from agency where code = 'leicestershire-police'`)).rows[0]!.id;
    for (const month of ['2024-01', '2024-02', '2024-03'] as const) {
      const r = await ingestFile(hub.db.pool, {
        agencyId: police,
        feed: 'police.street',
        fileName: `${month}.csv`,
        source: createReadStream(streetFile(month)),
        submitter: { userId: null, label: 'real data', via: 'seed' },
      });
      expect(r).toMatchObject({ status: 'accepted', rowsRejected: 0 });
    }
    march = independent('2024-03');
    february = independent('2024-02');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-analysis-'));
  });
  afterAll(async () => {
    await hub?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('trends: category counts this month and last month match the CSVs; years without data are no data, not 0', async () => {
    const ctx = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    const t = await trends(ctx, { period, feeds });
    expect(t.controlled).toBe(false);
    expect(t.periodsWithoutData).toEqual(['2023-03..2023-03', '2022-03..2022-03', '2021-03..2021-03']);
    const rows = t.rows.filter((r) => r.level === 'district' && r.areaCode === CHARNWOOD);
    expect(Object.fromEntries(rows.map((r) => [r.category, r.current]).filter(([, n]) => n !== 0))).toEqual(march.byCategory);
    for (const r of rows) {
      expect(r.previous?.baseCount ?? null).toBe(february.byCategory[r.category] ?? 0);
      expect(r.lastYear).toBeNull();
      expect(r.seasonal).toBeNull();
      expect(r.exceedance).toBeNull();
    }
    // Charnwood is one of the partnership's districts, so the partnership's rows are the same counts.
    const total = Object.values(march.byCategory).reduce((a, b) => a + b, 0);
    expect(t.rows.filter((r) => r.level === 'partnership').reduce((a, r) => a + r.current, 0)).toBe(total);
  });

  it('hotspots: top locations and top LSOAs, counts, shares and ties match the CSVs', async () => {
    const ctx = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    const h = await hotspots(ctx, { period, feeds, top: 25 }, { boundaries: demoBoundaries() });
    const total = [...march.byLocation.values()].reduce((a, c) => a + c.count, 0);
    const expected = ranked([...march.byLocation]).slice(0, 25);
    expect(h.topLocations.total).toBe(total);
    expect(h.topLocations.locationCount).toBe(march.byLocation.size);
    expect(h.topLocations.locations.map((l) => [l.locationText, l.lsoaCode, l.count])).toEqual(expected.map(([, c]) => [c.location, c.lsoa, c.count]));
    expect(h.topLocations.locations[0]!.share).toBeCloseTo(expected[0]![1].count / total, 12);
    const tiedWithLast = ranked([...march.byLocation]).slice(25).filter(([, c]) => c.count === expected.at(-1)![1].count).length;
    expect(h.topLocations.tiedBeyondCut).toBe(tiedWithLast);
    const lsoas = ranked([...march.byLsoa].map(([k, count]) => [k, { count }] as [string, { count: number }])).slice(0, 25);
    expect(h.topLsoas.locations.map((l) => [l.lsoaCode, l.count])).toEqual(lsoas.map(([k, c]) => [k, c.count]));
    // Every located incident of the month is on the grid; the few whose snapped map point falls in a cell whose
    // centre is outside Charnwood's generalised boundary are reported, not dropped silently.
    expect(h.grid.studyArea).toBe('boundary');
    expect(h.grid.located).toBe(total);
    expect(h.grid.outside.count).toBeLessThan(total * 0.02);
  });

  it('repeats: the locations hit twice or more in the month are those of the CSV', async () => {
    const ctx = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    const r = await repeats(ctx, { period, feeds, top: 500 });
    const repeated = [...march.byLocation.values()].filter((c) => c.count >= 2);
    expect(r.resolution).toBe('month');
    expect(r.locations.events).toBe([...march.byLocation.values()].reduce((a, c) => a + c.count, 0));
    expect(r.locations.repeatKeys).toBe(repeated.length);
    expect(r.locations.repeatEvents).toBe(repeated.reduce((a, c) => a + c.count, 0));
    const top = r.locations.repeats[0]!;
    const most = ranked([...march.byLocation])[0]![1];
    expect([top.locationText, top.lsoaCode, top.count]).toEqual([most.location, most.lsoa, most.count]);
  });

  it('the CLI gives the same answers as JSON, and a readable table without --json', async () => {
    const env = cliEnv(hub.db, dataDir);
    const args = ['--as', POLICE_ANALYST, '--partnership', CHARNWOOD_CSP, '--period', '2024-03..2024-03', '--feed', 'police.street'];
    const ctx = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    const t = await runCli(['analysis', 'trends', ...args, '--json'], { env });
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout) as TrendResult).toEqual(JSON.parse(JSON.stringify(await trends(ctx, { period, feeds }))));
    const h = await runCli(['analysis', 'hotspots', ...args, '--json'], { env });
    expect(h.code).toBe(0);
    expect(JSON.parse(h.stdout) as HotspotResult).toEqual(JSON.parse(JSON.stringify(await hotspots(ctx, { period, feeds }, { boundaries: demoBoundaries() }))));
    const table = await runCli(['analysis', 'hotspots', ...args], { env });
    expect(table.code).toBe(0);
    const first = ranked([...march.byLocation])[0]![1];
    expect(table.stdout).toContain(`Hotspots for ${CHARNWOOD_CSP} (E07000130`);
    expect(table.stdout).toMatch(new RegExp(`\\n\\s*1  ${first.location}\\s+${first.lsoa}\\s+${first.count}\\s`));
    // Another partnership is refused, and so is a missing --period, each with its reason.
    const other = await runCli(['analysis', 'repeats', '--as', POLICE_ANALYST, '--partnership', 'E22000166', '--period', '2024-03'], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('(OTHER_PARTNERSHIP)');
    const noPeriod = await runCli(['analysis', 'trends', '--as', POLICE_ANALYST, '--partnership', CHARNWOOD_CSP], { env });
    expect(noPeriod.code).toBe(1);
    expect(noPeriod.stderr).toContain('--period');
  });
});
