import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import { DEMO_PARTNERSHIPS, DEMO_TARGET_PLANS, demoEmail } from '@csp-hub/db';
import { createLogger, loadDemo, type DemoLoadResult } from '@csp-hub/gateway';
import { SHARED_DATA } from '../support/dataset';
import { startTestHub, type TestHub } from '../support/hub';
import { gqlData } from './leaks/http';
import { userView } from './leaks/policy';

/**
 * The demo shows the Information Sharing Protocol at work: after seed-demo, the police analyst, the
 * district council analyst and the county council analyst of one partnership see visibly different
 * records and fields, as the demo agreements say (checked against the policy's own reading of them).
 */
const WHO = {
  police: demoEmail('charnwood', 'police.analyst'),
  district: demoEmail('charnwood', 'district.analyst'),
  county: demoEmail('charnwood', 'county.analyst'),
} as const;
type Who = keyof typeof WHO;

interface Node { id: string; agencyId: string; feed: string; ladCode: string | null; outcome: string | null; latitude: number | null; restrictedText: string | null; hiddenFields: string[] }

describe('the demo data shows partners sharing under their agreements', () => {
  let hub: TestHub;
  let loaded: DemoLoadResult;
  const tokens = {} as Record<Who, string>;
  let agencies: Record<string, number>;
  const count = async (who: Who, filter: Record<string, unknown>) =>
    (await gqlData<{ incidentCount: number }>(hub, tokens[who], 'query($f: IncidentFilter) { incidentCount(filter: $f) }', { f: filter })).incidentCount;
  const first = async (who: Who, filter: Record<string, unknown>) =>
    (await gqlData<{ incidents: { nodes: Node[] } }>(hub, tokens[who], 'query($f: IncidentFilter) { incidents(filter: $f, first: 20) { nodes { id agencyId feed ladCode outcome latitude restrictedText hiddenFields } } }', { f: filter })).incidents.nodes;
  const stored = async (where: string, values: unknown[]) =>
    (await hub.db.pool.query<{ n: number }>(`select count(*)::int as n from incident i join agency a on a.id = i.agency_id where ${where}`, values)).rows[0]!.n;

  beforeAll(async () => {
    hub = await startTestHub('demo');
    loaded = await loadDemo({ orm: hub.orm, pool: hub.db.pool, ingestPool: hub.db.pool, cellKey: DEFAULT_CELL_KEY }, SHARED_DATA, createLogger('error'));
    for (const w of Object.keys(WHO) as Who[]) tokens[w] = await hub.tokenFor(WHO[w]);
    agencies = Object.fromEntries((await hub.db.pool.query<{ id: number; code: string }>('select id, code from agency')).rows.map((r) => [r.code, r.id]));
  }, 300_000);
  afterAll(async () => hub?.stop());

  it('seed-demo loads the real police months and the generated partner files through the pipeline, every row accepted', async () => {
    expect(loaded).toMatchObject({ partnerships: 5, geography: true, generatedFiles: 26 });
    expect(loaded.submissions).toBe(3 + 26);
    const rejected = await hub.db.pool.query<{ n: number }>(`select coalesce(sum(rows_rejected), 0)::int as n from submission where submitted_via = 'seed' and file_name not like '%leicestershire-street.csv'`);
    expect(rejected.rows[0]!.n).toBe(0);
    const feeds = (await hub.db.pool.query<{ feed: string }>('select distinct feed from incident order by 1')).rows.map((r) => r.feed);
    expect(feeds).toEqual(['council.asb', 'council.fly_tipping', 'council.noise', 'fire.incidents', 'health.istv', 'police.street']);
    // placed in the partnerships' real districts
    const lads = (await hub.db.pool.query<{ lad_code: string | null }>(`select distinct lad_code from incident where feed <> 'police.street' order by 1`)).rows.map((r) => r.lad_code);
    expect(lads).toEqual(['E07000130', 'E07000131', 'E07000134', 'E07000135', 'E07000181', null]);
  });

  it('is idempotent: a second run adds nothing', async () => {
    const before = await stored('true', []);
    const again = await loadDemo({ orm: hub.orm, pool: hub.db.pool, ingestPool: hub.db.pool, cellKey: DEFAULT_CELL_KEY }, SHARED_DATA, createLogger('error'));
    expect(again.submissions).toBe(0);
    expect(again.targets).toBe(0);
    expect(await stored('true', [])).toBe(before);
  }, 300_000);

  it("each analyst's records are exactly those the policy gives them, and the three differ", async () => {
    const totals: Record<Who, number> = { police: 0, district: 0, county: 0 };
    for (const w of Object.keys(WHO) as Who[]) {
      const expected = (await userView(hub.db.pool, WHO[w])).listableOrdered().length;
      totals[w] = await count(w, {});
      expect(totals[w], w).toBe(expected);
    }
    expect(new Set(Object.values(totals)).size).toBe(3);
  });

  it('council ASB: the district sees its own with the case notes; the police see it without them (personal tier); the county sees none', async () => {
    const asb = { feeds: ['council.asb'] };
    const n = await stored(`a.code = 'charnwood-borough-council' and i.feed = 'council.asb' and i.lad_code = 'E07000130'`, []);
    expect(n).toBeGreaterThan(50);
    expect(await count('district', asb)).toBe(n);
    expect(await count('police', asb)).toBe(n);
    expect(await count('county', asb)).toBe(0);
    for (const r of await first('district', asb)) {
      expect(r.restrictedText).toMatch(/^Description: Caller reports/);
      expect(r.hiddenFields).toEqual([]);
    }
    for (const r of await first('police', asb)) {
      expect(r.restrictedText).toBeNull();
      expect(r.hiddenFields).toEqual(['restrictedText']);
      expect(r.outcome).not.toBeNull();
      expect(r.latitude).not.toBeNull();
    }
  });

  it("noise is shared with the police only; the county's own fly-tipping stays with the county", async () => {
    const noise = { feeds: ['council.noise'] };
    expect(await count('police', noise)).toBeGreaterThan(0);
    expect(await count('county', noise)).toBe(0);
    const countyTipping = { feeds: ['council.fly_tipping'], agencyIds: [agencies['leicestershire-county-council']] };
    const own = await stored(`a.code = 'leicestershire-county-council'`, []);
    expect(own).toBeGreaterThan(0);
    expect(await count('county', countyTipping)).toBe(own); // own agency: everywhere, every field
    expect(await count('police', countyTipping)).toBe(0); // the county -> fire agreement is still a draft
    expect(await count('district', countyTipping)).toBe(0);
  });

  it('fire incidents reach all three (pseudonymised); ISTV is counts only, disclosure-controlled', async () => {
    const fire = { feeds: ['fire.incidents'] };
    const inCharnwood = await stored(`a.code = 'leicestershire-fire' and i.lad_code = 'E07000130'`, []);
    for (const w of Object.keys(WHO) as Who[]) expect(await count(w, fire), w).toBe(inCharnwood);
    const istv = { feeds: ['health.istv'] };
    for (const w of Object.keys(WHO) as Who[]) {
      expect(await count(w, istv), w).toBe(0);
      const tables = (await gqlData<{ incidentCounts: { agencyId: string; controlled: boolean; total: number }[] }>(
        hub, tokens[w], 'query($f: IncidentFilter) { incidentCounts(groupBy: [MONTH], filter: $f) { agencyId controlled total } }', { f: istv },
      )).incidentCounts;
      expect(tables.map((t) => [t.agencyId, t.controlled]), w).toEqual([[String(agencies['llr-icb']), true]]);
    }
  });

  it('explainAccess tells each analyst why', async () => {
    const lines = async (w: Who) =>
      (await gqlData<{ explainAccess: { lines: { providerName: string; tier: string; access: string }[] } }>(hub, tokens[w], '{ explainAccess { lines { providerName tier access } } }'))
        .explainAccess.lines.map((l) => `${l.providerName}: ${l.access}/${l.tier}`).sort();
    expect(await lines('police')).toContain('Charnwood Borough Council: rows/personal');
    expect(await lines('district')).not.toContain('Charnwood Borough Council: rows/personal');
    expect(await lines('county')).toEqual(expect.arrayContaining(['Leicestershire Police: rows/public', 'NHS Leicester, Leicestershire and Rutland Integrated Care Board: counts/aggregate']));
    expect((await lines('county')).some((l) => l.startsWith('Charnwood Borough Council'))).toBe(false);
  });
  it("each partnership has its own plan's targets, rebased onto January 2024, with the plan as provenance and progress for its chair", async () => {
    expect(loaded.targets).toBe(DEMO_TARGET_PLANS.length);
    for (const p of DEMO_PARTNERSHIPS) {
      const token = await hub.tokenFor(demoEmail(p.slug, 'district.chair'));
      const { targets } = await gqlData<{ targets: { title: string; baselineValue: number; baselineFrom: string; provenance: { planWording: string; rebased: string }; progress: { status: string; series: { to: string }[] } }[] }>(
        hub, token, 'query { targets(asOf: "2024-04-15") { title baselineValue baselineFrom provenance { planWording rebased } progress { status series { to } } } }',
      );
      const plans = DEMO_TARGET_PLANS.filter((t) => t.partnership === p.slug);
      expect(targets.map((t) => t.title).sort(), p.slug).toEqual(plans.map((t) => t.title).sort());
      for (const t of targets) {
        const plan = plans.find((x) => x.title === t.title)!;
        expect(t.provenance.planWording).toBe(plan.planWording);
        expect(t.provenance.rebased).toMatch(new RegExp(`^Rebased for the demo: ${t.baselineValue} is what the partnership chair counted in January 2024`));
        expect(t.baselineValue, t.title).toBeGreaterThan(0);
        expect(t.baselineFrom).toBe('2024-01');
        // February and March are in the demo data: two actuals, and a status.
        expect(t.progress.series.map((s) => s.to), t.title).toEqual(['2024-02', '2024-03']);
        expect(t.progress.status).not.toBe('no data');
      }
    }
  });
});
