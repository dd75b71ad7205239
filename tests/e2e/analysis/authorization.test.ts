import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import { hotspots, repeats, trends } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { loadStandardDataset, WEST_OXFORDSHIRE_LSOAS } from '../../support/dataset';
import { startTestHub, type TestHub } from '../../support/hub';
import { cliEnv, runCli } from '../ingest/support';
import { expectErrorCode, gqlData } from '../leaks/http';
import {
  accessFor,
  auditSince,
  CHARNWOOD,
  CHARNWOOD_CSP,
  DISTRICT_ANALYST,
  HARBOROUGH_POLICE_ANALYST,
  lastAuditId,
  OXFORDSHIRE_ANALYST,
  POLICE_ANALYST,
} from './support';

/**
 * Authorization of the analysis engine (issue #13) on the standard dataset:
 * a user's analysis sees only what that user may see. The fire analyst holds
 * Charnwood's police data (public), the council's fly-tipping (pseudonymised,
 * listed) and — added here — the council's ASB at aggregate tier (counts
 * only); the police analyst holds the council's ASB at personal tier.
 */

const FIRE = 'fire.analyst@charnwood.demo.csp-hub.test';
const JANUARY = { from: '2024-01', to: '2024-01' };

describe('the analysis engine sees only what its reader may see', () => {
  let hub: TestHub;
  let council: number;

  beforeAll(async () => {
    hub = await startTestHub('analysis-authorization');
    const pool = hub.db.pool;
    await loadStandardDataset(pool);
    council = (await pool.query<{ id: number }>(`select id from agency where code = 'charnwood-borough-council'`)).rows[0]!.id;
    await pool.query(
      `insert into isp_agreement (title, partnership_ids, provider_id, datasets, recipient_agency_ids, recipient_agency_types, tier, purposes,
         lawful_basis, valid_from, valid_to, review_date, status, signatories)
       select 'ASB counts to fire (analysis test)', array[p.id], $1, array['council.asb'], '{}', array['fire'], 'aggregate', array['Deliberate fire reduction'],
         's115 Crime and Disorder Act 1998', current_date - 30, current_date + 30, current_date + 20, 'active', '[]'::jsonb
       from partnership p where p.code = $2`,
      [council, CHARNWOOD_CSP],
    );
  });
  afterAll(async () => hub?.stop());

  /** True counts per priority in Charnwood, January 2024, of the feeds the fire analyst may count (read as the owner). */
  async function truth(): Promise<Record<string, number>> {
    const r = await hub.db.pool.query<{ category: string; n: number }>(
      `select category, count(*)::int as n from incident i join agency a on a.id = i.agency_id
       where i.lad_code = $1 and i.occurred_month = date '2024-01-01' and i.retired_at is null
         and ((a.code = 'leicestershire-police' and i.feed = 'police.street' and i.tier = 'public')
           or (a.code = 'charnwood-borough-council' and i.feed in ('council.asb', 'council.fly_tipping'))
           or a.code = 'leicestershire-fire')
       group by category`,
      [CHARNWOOD],
    );
    return Object.fromEntries(r.rows.map((x) => [x.category, x.n]));
  }

  it('a partner who may only count some records gets perturbed counts, within the noise of the truth', async () => {
    const ctx = await accessFor(hub.pool, hub.orm, FIRE);
    const t = await trends(ctx, { period: JANUARY });
    expect(t.controlled).toBe(true);
    expect(t.controlledAgencies).toContain(council);
    const exact = await truth();
    const rows = t.rows.filter((r) => r.level === 'partnership');
    expect(rows.length).toBeGreaterThan(3);
    let differ = 0;
    for (const r of rows) {
      const n = exact[r.category] ?? 0;
      expect(Math.abs(r.current - n), r.category).toBeLessThanOrEqual(DEFAULT_CELL_KEY.maxNoise);
      if (r.current !== n) differ += 1;
    }
    expect(differ).toBeGreaterThan(0);
    // Naming only the feeds the fire analyst may list gives exact counts: nothing is controlled.
    const listed = await trends(ctx, { period: JANUARY, feeds: ['police.street'] });
    expect(listed.controlled).toBe(false);
  });

  it('locations and repeats count only rows whose location the reader may see: aggregate-tier ASB never shows', async () => {
    // The ASB's places as stored (read as the owner): no police or fly-tipping row of the dataset has them.
    const asb = (
      await hub.db.pool.query<{ location_text: string; n: number }>(
        `select location_text, count(*)::int as n from incident where feed = 'council.asb' and lad_code = $1 and location_text is not null group by 1`,
        [CHARNWOOD],
      )
    ).rows;
    const ASB_LOCATIONS = asb.map((r) => r.location_text);
    expect(ASB_LOCATIONS.length).toBeGreaterThan(0);
    const fire = await accessFor(hub.pool, hub.orm, FIRE);
    const police = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    // Counts only: the ASB is in the fire analyst's trends (category is countable) ...
    const asbTrends = await trends(fire, { period: JANUARY, feeds: ['council.asb'] });
    expect(asbTrends.controlled).toBe(true);
    expect(asbTrends.rows.find((r) => r.level === 'partnership' && r.category === 'anti_social_behaviour')).toBeDefined();
    // ... but none of it has a location the fire analyst may group on.
    const asbPlaces = await hotspots(fire, { period: JANUARY, feeds: ['council.asb'], top: 100 });
    expect(asbPlaces.topLocations).toMatchObject({ total: 0, locationCount: 0, locations: [] });
    expect((await repeats(fire, { period: JANUARY, feeds: ['council.asb'] })).locations.events).toBe(0);
    const all = await hotspots(fire, { period: JANUARY, top: 100 });
    for (const l of all.topLocations.locations) expect(ASB_LOCATIONS).not.toContain(l.locationText);
    expect(all.topLocations.locations.map((l) => l.locationText)).toContain('Layby on Ashby Road');
    const fireRepeats = await repeats(fire, { period: JANUARY, top: 500 });
    for (const r of fireRepeats.locations.repeats) expect(ASB_LOCATIONS).not.toContain(r.locationText);
    // The police analyst holds the ASB at personal tier: the same places are there for them.
    const policePlaces = await hotspots(police, { period: JANUARY, feeds: ['council.asb'], top: 100 });
    expect(new Set(policePlaces.topLocations.locations.map((l) => l.locationText))).toEqual(new Set(ASB_LOCATIONS));
    expect(policePlaces.topLocations.total).toBe(asb.reduce((a, r) => a + r.n, 0));
  });

  it("the hub's disclosure-control setting reaches analysis over GraphQL and the CLI: its noise, not the default", async () => {
    const configured = { maxNoise: 6, variance: 9, threshold: 2 };
    type Row = { level: string; category: string; current: number };
    const byCategory = (rows: Row[]) => Object.fromEntries(rows.filter((r) => r.level === 'partnership').map((r) => [r.category, r.current]));
    const fire = await accessFor(hub.pool, hub.orm, FIRE);
    const expected = byCategory((await trends({ ...fire, cellKey: configured }, { period: JANUARY })).rows);
    const byDefault = byCategory((await trends(fire, { period: JANUARY })).rows);
    expect(expected).not.toEqual(byDefault);
    await hub.restart({ sdc: configured });
    try {
      const query = 'query($p: PeriodInput!) { analysisTrends(period: $p) { controlled rows { level category current } } }';
      const data = await gqlData<{ analysisTrends: { controlled: boolean; rows: Row[] } }>(hub, await hub.tokenFor(FIRE), query, { p: JANUARY });
      expect(data.analysisTrends.controlled).toBe(true);
      expect(byCategory(data.analysisTrends.rows)).toEqual(expected);
    } finally {
      await hub.restart();
    }
    // The CLI takes it from SDC_* as the server does.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-sdc-'));
    try {
      const env = { ...cliEnv(hub.db, dataDir), SDC_MAX_NOISE: '6', SDC_NOISE_VARIANCE: '9', SDC_THRESHOLD: '2' };
      const cli = await runCli(['analysis', 'trends', '--as', FIRE, '--partnership', CHARNWOOD_CSP, '--period', '2024-01', '--json'], { env });
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(byCategory((JSON.parse(cli.stdout) as { rows: Row[] }).rows)).toEqual(expected);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a user of another partnership sees nothing of this one', async () => {
    const oxford = await accessFor(hub.pool, hub.orm, OXFORDSHIRE_ANALYST);
    await expect(trends(oxford, { period: JANUARY, partnership: CHARNWOOD_CSP })).rejects.toMatchObject({ kind: 'forbidden', reason: 'OTHER_PARTNERSHIP' });
    await expect(hotspots(oxford, { period: JANUARY, districts: [CHARNWOOD] })).rejects.toMatchObject({ kind: 'invalid_input', reason: 'AREA_OUTSIDE_PARTNERSHIP' });
    const own = await trends(oxford, { period: JANUARY });
    for (const r of own.rows) expect(['E07000181', 'E22000315']).toContain(r.areaCode);
    const places = await hotspots(oxford, { period: JANUARY, top: 100 });
    for (const l of places.topLsoas.locations) expect(WEST_OXFORDSHIRE_LSOAS).toContain(l.lsoaCode);
    // The same police force's analyst in Harborough: their own agency's records, but only Harborough's.
    const harborough = await accessFor(hub.pool, hub.orm, HARBOROUGH_POLICE_ANALYST);
    const h = await trends(harborough, { period: JANUARY, feeds: ['police.street'] });
    expect(new Set(h.rows.filter((r) => r.level === 'district').map((r) => r.areaCode))).toEqual(new Set(['E07000131']));
    const lsoas = (await hotspots(harborough, { period: JANUARY, feeds: ['police.street'], top: 100 })).topLsoas.locations.map((l) => l.lsoaCode);
    expect(lsoas.length).toBeGreaterThan(0);
    const lads = (await hub.db.pool.query<{ lad_code: string }>(`select distinct lad_code from area where code = any($1)`, [lsoas])).rows.map((r) => r.lad_code);
    expect(lads).toEqual(['E07000131']);
  });

  it('is audited as aggregateIncidents audits: personal or pseudonymised records counted, with the agreements relied on', async () => {
    const police = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    let since = await lastAuditId(hub.db.pool);
    await trends(police, { period: JANUARY });
    const entries = await auditSince(hub.db.pool, since);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ operation: 'aggregate', user_id: police.principal.userId, detail: { analysis: 'trends', by: 'district' } });
    expect(entries[0]!.agreement_ids.length).toBeGreaterThan(0);
    // Public police records only: nothing sensitive relied on, nothing to audit.
    since = await lastAuditId(hub.db.pool);
    await hotspots(police, { period: JANUARY, feeds: ['police.street'] });
    expect(await auditSince(hub.db.pool, since)).toEqual([]);
  });

  it('repeat victims need a partner\'s personal-tier data: FORBIDDEN for the fire analyst, over GraphQL too', async () => {
    const fire = await accessFor(hub.pool, hub.orm, FIRE);
    await expect(repeats(fire, { period: JANUARY, victims: true })).rejects.toEqual(
      HubError.forbidden('PERSONAL_TIER_REQUIRED', 'repeat victims need personal-tier data; you hold none in these districts'),
    );
    const { body } = await hub.gql('query($p: PeriodInput!) { analysisRepeats(period: $p, victims: true) { windowDays } }', {
      token: await hub.tokenFor(FIRE),
      variables: { p: JANUARY },
    });
    expectErrorCode(body, 'FORBIDDEN', 'PERSONAL_TIER_REQUIRED');
    // The police analyst holds the council's ASB at personal tier: allowed (no feed carries a victim key yet, so none repeat).
    const police = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    expect((await repeats(police, { period: JANUARY, victims: true })).victims).toMatchObject({ repeats: [], repeatKeys: 0 });
    // Not asked for: no victims section at all.
    const district = await accessFor(hub.pool, hub.orm, DISTRICT_ANALYST);
    expect((await repeats(district, { period: JANUARY })).victims).toBeNull();
  });
});
