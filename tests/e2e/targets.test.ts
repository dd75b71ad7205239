import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { expectedOn, topLocations } from '@csp-hub/analysis';
import { authenticateAccess, DEFAULT_CELL_KEY, type AccessContext, type OperatorContext } from '@csp-hub/authz';
import { DEMO_TARGET_PLANS, demoEmail, User } from '@csp-hub/db';
import { ingestFile, policeStreetCsv, type PoliceStreetRow } from '@csp-hub/ingest';
import { createTarget, listTargets, measureTarget, placesAtBaseline, retireTarget, seedDemoTargets, updateTarget, type TargetInput } from '@csp-hub/insight';
import { isHubError } from '@csp-hub/taxonomy';
import { CHARNWOOD_LSOAS, HARBOROUGH_LSOAS } from '../support/dataset';
import { startTestHub, type TestHub } from '../support/hub';
import { expectErrorCode, gqlData } from './leaks/http';

/**
 * Priority targets as partnership data (issue #13): who may set them (audited), and progress over
 * incidents planted through the real ingest pipeline, measured through the authorized relation and
 * checked against independent counts. Planted: Charnwood police street crime, January to June 2024;
 * baseline January, monthly measurement, target date 1 February 2025, asOf 15 July 2024 (latest
 * actual: June, dated 30 June, day 150 of 366 of the trajectory).
 */

const who = (handle: string, slug = 'charnwood') => demoEmail(slug, handle);
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'] as const;
const AS_OF = '2024-07-15';

/** Monthly counts planted per crime type (and location for the place and repeat targets). */
const PLAN: Record<string, number[]> = {
  'Criminal damage and arson': [100, 99, 98, 96, 93, 90], // -12%: expected 95.1 at 30 June -> green
  'Vehicle crime': [50, 50, 50, 49, 49, 49], // -12%: expected 47.5, tolerance 2.4 -> amber
  Burglary: [40, 41, 42, 43, 44, 45], // -12%: expected 38.0 -> red
  'Public order': [30, 30, 31, 32, 33, 34], // +10%, up is good: expected 31.2 -> green
};
/** Violence at seven places: the top five in January hold 40; by June another place leads. */
const VIOLENCE: Record<string, number[]> = {
  'Market Place': [10, 8, 8, 7, 7, 7],
  'High Street': [9, 8, 7, 7, 7, 7],
  'Church Gate': [8, 7, 7, 7, 7, 7],
  'Ashby Road': [7, 7, 7, 7, 7, 7],
  'Baxter Gate': [6, 6, 6, 7, 7, 7],
  'Nottingham Road': [2, 4, 8, 12, 16, 20],
  'Park Road': [1, 3, 5, 9, 12, 15],
};
/** Anti-social behaviour: repeat places (2+ a month) and one-offs. */
const ASB: Record<string, number[]> = {
  'Queens Park': [3, 3, 2, 2, 2, 2],
  'Bus Station': [2, 2, 2, 2, 1, 0],
  'Swan Street': [1, 1, 1, 1, 1, 1],
  'Leicester Road': [1, 1, 1, 1, 1, 1],
};

/** Shoplifting by the same force in Charnwood and in Harborough, another partnership's district. */
const SHOPLIFTING: Record<string, number[]> = {
  Charnwood: [0, 4, 5, 6, 7, 8],
  Harborough: [0, 20, 20, 20, 20, 20],
};
const CHARNWOOD_SHOP = { location: 'On or near Loughborough Market', lsoaCode: CHARNWOOD_LSOAS[0]! };
const HARBOROUGH_SHOP = { location: 'On or near Market Harborough Square', lsoaCode: HARBOROUGH_LSOAS[0]! };

function placed(location: string): { location: string; lsoaCode: string } {
  // Each place has one LSOA, so a place key (location text + LSOA) is one place.
  const i = [...Object.keys(VIOLENCE), ...Object.keys(ASB)].indexOf(location);
  return { location: `On or near ${location}`, lsoaCode: CHARNWOOD_LSOAS[Math.max(0, i) % CHARNWOOD_LSOAS.length]! };
}

function plantedRows(): PoliceStreetRow[] {
  const rows: PoliceStreetRow[] = [];
  let id = 0;
  const add = (month: string, crimeType: string, place: { location: string; lsoaCode: string }, n: number) => {
    for (let k = 0; k < n; k++) {
      id += 1;
      rows.push({
        crimeId: crimeType === 'Anti-social behaviour' ? '' : `f${id.toString(16).padStart(63, '0')}`,
        month,
        force: 'Leicestershire Police',
        longitude: -1.2 - (id % 50) / 1000,
        latitude: 52.77,
        location: place.location,
        lsoaCode: place.lsoaCode,
        lsoaName: 'Charnwood 001A',
        crimeType,
        outcome: 'Under investigation',
      });
    }
  };
  MONTHS.forEach((month, i) => {
    for (const [type, counts] of Object.entries(PLAN)) add(month, type, { location: 'On or near Granby Street', lsoaCode: CHARNWOOD_LSOAS[i % 5]! }, counts[i]!);
    // From February (January is the demo seed's baseline month): the force's shoplifting in Charnwood and, more of it, in Harborough.
    for (const [place, counts] of Object.entries(SHOPLIFTING)) add(month, 'Shoplifting', place === 'Harborough' ? HARBOROUGH_SHOP : CHARNWOOD_SHOP, counts[i]!);
    for (const [place, counts] of Object.entries(VIOLENCE)) add(month, 'Violence and sexual offences', placed(place), counts[i]!);
    for (const [place, counts] of Object.entries(ASB)) add(month, 'Anti-social behaviour', placed(place), counts[i]!);
  });
  return rows;
}

const countTarget = (title: string, sourceCategories: string[], priorities: string[], direction: 'down' | 'up', baselineValue: number, changePct: number): TargetInput => ({
  title,
  priorities,
  sourceCategories,
  // Police-recorded crime: without the feed, a read that also reaches a provider the reader may only count is perturbed.
  feeds: ['police.street'],
  kind: 'count',
  direction,
  baselineValue,
  baselinePeriod: 'January 2024',
  baselineFrom: '2024-01',
  baselineTo: '2024-01',
  changePct,
  targetDate: '2025-02-01',
});

describe('priority targets as partnership data', () => {
  let hub: TestHub;
  let police: number;
  let charnwood: number;
  const contexts = new Map<string, AccessContext>();
  const as = async (email: string): Promise<AccessContext> => {
    const user = await hub.orm.em.fork().findOneOrFail(User, { email }, { populate: ['partnership'] });
    const ctx = await authenticateAccess(hub.pool, hub.orm.em.fork(), user.id, user.partnership.id);
    contexts.set(email, ctx);
    return ctx;
  };
  const operator = (): OperatorContext => ({ operator: 'cli:test', em: hub.orm.em.fork(), db: hub.pool });
  /** Independent count straight from the table (the police analyst reads their own agency in full). */
  const stored = async (where: string, values: unknown[]) =>
    (await hub.db.pool.query<{ n: number }>(`select count(*)::int as n from incident where agency_id = $1 and retired_at is null and ${where}`, [police, ...values])).rows[0]!.n;
  const auditOf = async (objectId: number) =>
    (await hub.db.pool.query<{ operation: string; user_id: number | null; partnership_id: number; detail: Record<string, unknown> }>(
      `select operation, user_id, partnership_id, detail from audit_log where object_type = 'PriorityTarget' and object_id = $1 order by id`, [String(objectId)],
    )).rows;

  beforeAll(async () => {
    hub = await startTestHub('targets');
    const ids = Object.fromEntries((await hub.db.pool.query<{ id: number; code: string }>('select id, code from agency')).rows.map((r) => [r.code, r.id]));
    police = ids['leicestershire-police']!;
    charnwood = (await hub.db.pool.query<{ id: number }>(`select id from partnership where code = 'E22000165'`)).rows[0]!.id;
    const result = await ingestFile(hub.db.pool, {
      agencyId: police,
      feed: 'police.street',
      fileName: 'planted-targets.csv',
      source: bytesOf(policeStreetCsv(plantedRows())),
      submitter: { userId: null, label: 'test targets', via: 'seed' },
    });
    expect(result).toMatchObject({ status: 'accepted', rowsRejected: 0 });
  }, 120_000);
  afterAll(async () => hub?.stop());

  describe('who sets targets', () => {
    const input = countTarget('Reduce criminal damage', ['Criminal damage and arson'], ['criminal_damage_arson'], 'down', 100, 12);

    it('a chair creates one for their partnership, audited with its terms', async () => {
      const chair = await as(who('district.chair'));
      const t = await createTarget(chair, charnwood, input);
      expect(t).toMatchObject({ partnershipCode: 'E22000165', kind: 'count', baselineValue: 100, startDate: '2024-02-01', status: 'active', version: 1 });
      const audit = await auditOf(t.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ operation: 'create', user_id: chair.principal.userId, partnership_id: charnwood });
      expect(audit[0]!.detail).toMatchObject({ title: 'Reduce criminal damage', baselineValue: 100, changePct: 12, direction: 'down', targetDate: '2025-02-01' });
    });

    it('a partnership admin changes and retires one; each change audited with from and to', async () => {
      const admin = await as(who('district.admin'));
      const t = await createTarget(admin, charnwood, { ...input, title: 'To be changed' });
      const changed = await updateTarget(admin, t.id, { changePct: 15, title: 'Changed' }, t.version);
      expect(changed).toMatchObject({ changePct: 15, title: 'Changed', version: t.version + 1 });
      await expect(updateTarget(admin, t.id, { changePct: 20 }, t.version)).rejects.toMatchObject({ kind: 'conflict', reason: 'STALE_TARGET' });
      const retired = await retireTarget(admin, t.id, 'superseded by the 2025 plan');
      expect(retired.status).toBe('retired');
      await expect(updateTarget(admin, t.id, { changePct: 5 })).rejects.toMatchObject({ kind: 'conflict', reason: 'TARGET_RETIRED' });
      const audit = await auditOf(t.id);
      expect(audit.map((a) => a.operation)).toEqual(['create', 'update', 'update']);
      expect(audit[1]!.detail).toEqual({ changePct: { from: 12, to: 15 }, title: { from: 'To be changed', to: 'Changed' } });
      expect(audit[2]!.detail).toEqual({ status: { from: 'active', to: 'retired' }, reason: 'superseded by the 2025 plan' });
      expect((await listTargets(admin, charnwood)).map((x) => x.id)).not.toContain(t.id);
      expect((await listTargets(admin, charnwood, { includeRetired: true })).map((x) => x.id)).toContain(t.id);
    });

    it("refuses analysts and other partnerships' chairs with a clear error, and writes nothing", async () => {
      const before = (await hub.db.pool.query<{ n: number }>('select count(*)::int as n from priority_target')).rows[0]!.n;
      const analyst = await as(who('police.analyst'));
      await expect(createTarget(analyst, charnwood, input)).rejects.toMatchObject({ kind: 'forbidden', reason: 'NOT_ALLOWED', message: expect.stringMatching(/chair or partnership administrator/) });
      const otherChair = await as(who('district.chair', 'harborough'));
      await expect(createTarget(otherChair, charnwood, input)).rejects.toMatchObject({ kind: 'forbidden', reason: 'NOT_YOUR_PARTNERSHIP', message: expect.stringMatching(/Charnwood/) });
      const [existing] = await listTargets(analyst, charnwood);
      await expect(updateTarget(otherChair, existing!.id, { changePct: 1 })).rejects.toMatchObject({ kind: 'not_found' });
      await expect(retireTarget(analyst, existing!.id)).rejects.toMatchObject({ kind: 'forbidden', reason: 'NOT_ALLOWED' });
      await expect(listTargets(otherChair, charnwood)).rejects.toMatchObject({ kind: 'forbidden', reason: 'NOT_YOUR_PARTNERSHIP' });
      expect((await hub.db.pool.query<{ n: number }>('select count(*)::int as n from priority_target')).rows[0]!.n).toBe(before);
    });

    it('names every problem of a bad target', async () => {
      const chair = contexts.get(who('district.chair'))!;
      const error = await createTarget(chair, charnwood, { ...input, priorities: ['graffiti'], baselineFrom: '2024-13', feeds: ['police.nope'] }).catch((e: unknown) => e);
      expect(isHubError(error) && error.reason).toBe('INVALID_TARGET');
      expect((error as Error).message).toMatch(/"graffiti" is not a priority.*"police.nope" is not a feed.*baselineFrom must be a month/);
      await expect(createTarget(chair, charnwood, { ...input, changePct: 120 })).rejects.toMatchObject({ reason: 'INVALID_TARGET', message: expect.stringMatching(/reduction cannot exceed 100%/) });
      await expect(createTarget(chair, charnwood, { ...input, kind: 'place-subset' })).rejects.toMatchObject({ message: expect.stringMatching(/needs the places fixed at the baseline/) });
    });
  });

  describe('progress over the planted incidents', () => {
    it('each actual equals an independent count, and RAG follows the planted trajectories: green, amber, red, and green for up-is-good', async () => {
      const chair = contexts.get(who('district.chair')) ?? (await as(who('district.chair')));
      const analyst = contexts.get(who('police.analyst')) ?? (await as(who('police.analyst')));
      const specs = [
        ['Criminal damage and arson', countTarget('CD', ['Criminal damage and arson'], ['criminal_damage_arson'], 'down', 100, 12), 'green', 'on target'],
        ['Vehicle crime', countTarget('Vehicle', ['Vehicle crime'], ['acquisitive_crime'], 'down', 50, 12), 'amber', 'near'],
        ['Burglary', countTarget('Burglary', ['burglary'], ['acquisitive_crime'], 'down', 40, 12), 'red', 'not on target'],
        ['Public order', countTarget('Hate (public order)', ['Public order'], ['anti_social_behaviour'], 'up', 30, 10), 'green', 'on target'],
      ] as const;
      for (const [type, spec, rag, status] of specs) {
        const target = await createTarget(chair, charnwood, spec);
        const m = await measureTarget(analyst, target, { asOf: AS_OF });
        expect(m.series.map((s) => s.to), type).toEqual(MONTHS.slice(1));
        for (const s of m.series) expect(s.value, `${type} ${s.to}`).toBe(await stored(`source_category = $2 and occurred_month = $3::date`, [type, `${s.to}-01`]));
        expect(m.series.map((s) => s.value), type).toEqual(PLAN[type]!.slice(1));
        expect(m.baselineAsSeen, type).toBe(PLAN[type]![0]);
        expect(m.controlled).toBe(false);
        expect(m.progress.actual).toEqual({ date: '2024-06-30', value: PLAN[type]![5] });
        expect(m.progress.expected).toBeCloseTo(expectedOn({ kind: 'count', baselineValue: spec.baselineValue, baselinePeriod: 'January 2024', changePct: spec.changePct, direction: spec.direction, startDate: '2024-02-01', targetDate: spec.targetDate }, '2024-06-30'), 9);
        expect([m.progress.rag, m.progress.status], type).toEqual([rag, status]);
      }
      // Without the feed, the analyst's read also reaches the ICB's ISTV returns, which they may only
      // count: every count is then perturbed (cell-key), within the noise bound, and flagged.
      const wide = await createTarget(chair, charnwood, { ...specs[0][1], title: 'CD, every feed', feeds: [] });
      const perturbed = await measureTarget(analyst, wide, { asOf: AS_OF });
      expect(perturbed.controlled).toBe(true);
      for (const s of perturbed.series) {
        const exact = await stored(`source_category = 'Criminal damage and arson' and occurred_month = $2::date`, [`${s.to}-01`]);
        expect(Math.abs(s.value - exact), s.to).toBeLessThanOrEqual(DEFAULT_CELL_KEY.maxNoise);
      }
      // Up is good: 30 -> 34 against a required +3 is 133% of the change achieved.
      const up = (await listTargets(chair, charnwood)).find((t) => t.title === 'Hate (public order)')!;
      const upProgress = (await measureTarget(chair, up, { asOf: AS_OF })).progress;
      expect(upProgress.targetValue).toBeCloseTo(33, 9);
      expect(upProgress.shareAchieved).toBeCloseTo(4 / 3, 9);
      expect(upProgress.milestones.map((x) => x.date)).toEqual(['2025-02-01']);
    });

    it("a target counts the partnership's districts only, though a provider reads more of its own records", async () => {
      const chair = contexts.get(who('district.chair'))!;
      const analyst = contexts.get(who('police.analyst')) ?? (await as(who('police.analyst')));
      const target = await createTarget(chair, charnwood, {
        ...countTarget('Shoplifting', ['Shoplifting'], ['acquisitive_crime'], 'down', 4, 10), baselinePeriod: 'February 2024', baselineFrom: '2024-02', baselineTo: '2024-02',
      });
      const inCharnwood = (month: string) => stored(`source_category = 'Shoplifting' and occurred_month = $2::date and lad_code = 'E07000130'`, [`${month}-01`]);
      // The force's analyst reads Harborough's shoplifting too (their own records), yet the Charnwood target counts Charnwood's.
      expect(await stored(`source_category = 'Shoplifting' and occurred_month = '2024-03-01' and lad_code = 'E07000131'`, [])).toBe(20);
      for (const reader of [analyst, chair]) {
        const m = await measureTarget(reader, target, { asOf: AS_OF });
        expect(m.baselineAsSeen).toBe(4);
        expect(m.series.map((s) => s.to)).toEqual(MONTHS.slice(2));
        for (const s of m.series) expect(s.value, s.to).toBe(await inCharnwood(s.to));
        expect(m.series.map((s) => s.value)).toEqual(SHOPLIFTING.Charnwood!.slice(2));
      }
      const places = await placesAtBaseline(analyst, { priorities: ['acquisitive_crime'], sourceCategories: ['Shoplifting'], feeds: ['police.street'], placeUnit: 'location' }, '2024-03', '2024-03', 5);
      expect(places).toMatchObject({ places: [`${CHARNWOOD_SHOP.location} | ${CHARNWOOD_SHOP.lsoaCode}`], baselineValue: 5 });
      // Another partnership's analyst cannot measure Charnwood's target with their own districts.
      const harborough = await as(who('police.analyst', 'harborough'));
      await expect(measureTarget(harborough, target, { asOf: AS_OF })).rejects.toMatchObject({ kind: 'forbidden', reason: 'OTHER_PARTNERSHIP' });
    });

    it('a place-subset target keeps the five places of its baseline, though another place leads later', async () => {
      const chair = contexts.get(who('district.chair'))!;
      const measure = { priorities: ['violence'], sourceCategories: ['Violence and sexual offences'], feeds: ['police.street'], placeUnit: 'location' as const };
      const top = await placesAtBaseline(chair, measure, '2024-01', '2024-01', 5);
      const expectedPlaces = ['Market Place', 'High Street', 'Church Gate', 'Ashby Road', 'Baxter Gate'].map((p) => `${placed(p).location} | ${placed(p).lsoaCode}`);
      expect(top.places).toEqual(expectedPlaces);
      expect(top.baselineValue).toBe(40);
      const target = await createTarget(chair, charnwood, {
        ...countTarget('Violence in the top five hotspot locations', measure.sourceCategories, measure.priorities, 'down', top.baselineValue, 12),
        kind: 'place-subset', feeds: measure.feeds, placeUnit: 'location', places: top.places,
      });
      // June's own top five is not the baseline's: Nottingham Road and Park Road lead.
      const june = await hub.db.pool.query<{ key: string; n: number }>(
        `select location_text || ' | ' || lsoa_code as key, count(*)::int as n from incident where agency_id = $1 and source_category = 'Violence and sexual offences' and occurred_month = '2024-06-01' group by 1`, [police]);
      const juneTop = topLocations(june.rows.map((r) => ({ key: r.key, count: r.n })), 5).locations.map((l) => l.key);
      expect(juneTop.slice(0, 2)).toEqual([`${placed('Nottingham Road').location} | ${placed('Nottingham Road').lsoaCode}`, `${placed('Park Road').location} | ${placed('Park Road').lsoaCode}`]);
      const m = await measureTarget(chair, target, { asOf: AS_OF });
      expect(m.target.places).toEqual(expectedPlaces);
      for (const s of m.series) {
        expect(s.value).toBe(await stored(`source_category = 'Violence and sexual offences' and occurred_month = $2::date and location_text || ' | ' || lsoa_code = any($3)`, [`${s.to}-01`, expectedPlaces]));
      }
      expect(m.progress.actual?.value).toBe(35);
      expect(m.progress.rag).toBe('green');
      // Ranking again later over the same baseline window gives the same five.
      expect((await placesAtBaseline(chair, measure, '2024-01', '2024-01', 5)).places).toEqual(expectedPlaces);
    });

    it('a repeats target counts incidents at places hit twice or more in the window', async () => {
      const chair = contexts.get(who('district.chair'))!;
      const target = await createTarget(chair, charnwood, {
        ...countTarget('Repeat ASB locations', ['Anti-social behaviour'], ['anti_social_behaviour'], 'down', 5, 10),
        kind: 'repeats', feeds: ['police.street'],
      });
      const m = await measureTarget(chair, target, { asOf: AS_OF });
      const independent = async (month: string) =>
        (await hub.db.pool.query<{ n: number }>(
          `select coalesce(sum(n), 0)::int as n from (select count(*) as n from incident where agency_id = $1 and source_category = 'Anti-social behaviour' and occurred_month = $2::date group by location_text, lsoa_code having count(*) >= 2) x`,
          [police, `${month}-01`])).rows[0]!.n;
      expect(m.baselineAsSeen).toBe(await independent('2024-01'));
      expect(m.baselineAsSeen).toBe(5);
      for (const s of m.series) expect(s.value, s.to).toBe(await independent(s.to));
      expect(m.series.map((s) => s.value)).toEqual([5, 4, 4, 2, 2]);
      expect(m.progress.rag).toBe('green');
    });

    it('no data is not a zero: months the reader has no records for give no actual', async () => {
      const chair = contexts.get(who('district.chair'))!;
      const [t] = await listTargets(chair, charnwood);
      const m = await measureTarget(chair, { ...t!, targetDate: '2026-02-01' }, { asOf: '2025-12-31' });
      expect(m.series.at(-1)!.to).toBe('2024-06');
      expect(m.progress.actual!.date).toBe('2024-06-30');
    });
  });

  it('the demo seed creates the plan targets, rebased onto the data present, with the plan as provenance', async () => {
    const op = operator();
    const result = await seedDemoTargets(op, { baselineMonth: '2024-01' });
    const charnwoodPlans = DEMO_TARGET_PLANS.filter((p) => p.partnership === 'charnwood');
    // Only Charnwood has planted data here: the other partnerships' chairs count nothing in January 2024.
    expect(result.created).toBe(charnwoodPlans.length - 1); // no bicycle theft was planted
    expect(result.skipped.map((s) => s.title).sort()).toEqual(
      [...DEMO_TARGET_PLANS.filter((p) => p.partnership !== 'charnwood').map((p) => p.title), 'Reduce cycle theft'].sort(),
    );
    const chair = contexts.get(who('district.chair'))!;
    const seeded = (await listTargets(chair, charnwood)).filter((t) => t.provenance !== null);
    const damage = seeded.find((t) => t.title === 'Reduce criminal damage to other property')!;
    expect(damage).toMatchObject({ baselineValue: 100, baselineFrom: '2024-01', baselineTo: '2024-01', startDate: '2024-02-01', targetDate: '2027-02-01', changePct: 10 });
    expect(damage.provenance).toMatchObject({ planWording: 'Reduce criminal damage to other property against a baseline of 549 crimes (2006/07)', planBaseline: { value: 549, period: '2006/07' } });
    expect(damage.provenance!.rebased).toMatch(/^Rebased for the demo: 100 is what the partnership chair counted in January 2024/);
    const hate = seeded.find((t) => t.title === 'Increase reporting of hate incidents')!;
    expect(hate).toMatchObject({ direction: 'up', baselineValue: 30 });
    const audit = await auditOf(damage.id);
    expect(audit[0]).toMatchObject({ operation: 'create', user_id: null, partnership_id: charnwood, detail: expect.objectContaining({ via: 'cli', by: 'cli:test' }) });
    // Idempotent
    const again = await seedDemoTargets(operator(), { baselineMonth: '2024-01' });
    expect(again.created).toBe(0);
    expect(again.existing).toBe(result.created);
  });
  describe('over GraphQL and the CLI', () => {
    const FIELDS = 'id title kind direction baselineValue places provenance { planWording rebased } progress { actual actualDate expected rag status shareAchieved controlled series { to value } }';

    it('targets lists each target with progress as the caller sees it; another partnership asking is refused', async () => {
      const token = await hub.tokenFor(who('police.analyst'));
      const { targets } = await gqlData<{ targets: { title: string; progress: { actual: number; rag: string; status: string; controlled: boolean; series: { to: string; value: number }[] } }[] }>(
        hub, token, `query($asOf: String) { targets(asOf: $asOf) { ${FIELDS} } }`, { asOf: AS_OF });
      const vehicle = targets.find((t) => t.title === 'Vehicle')!;
      expect(vehicle.progress).toMatchObject({ actual: 49, rag: 'amber', status: 'near', controlled: false });
      expect(vehicle.progress.series.map((s) => s.value)).toEqual(PLAN['Vehicle crime']!.slice(1));
      const other = await hub.gql('query { targets(partnership: "E22000165") { id } }', { token: await hub.tokenFor(who('police.analyst', 'harborough')) });
      expectErrorCode(other.body, 'FORBIDDEN', 'NOT_YOUR_PARTNERSHIP');
    });

    it('createTarget, updateTarget and retireTarget: chairs yes, analysts FORBIDDEN, bad input BAD_USER_INPUT naming the problem', async () => {
      const input = { title: 'Drugs down', priorities: ['drugs_alcohol'], feeds: ['police.street'], kind: 'count', direction: 'down', baselineValue: 12, baselinePeriod: 'January 2024', baselineFrom: '2024-01', baselineTo: '2024-01', changePct: 10, targetDate: '2025-02-01', provenance: { planWording: 'Reduce drug offences', planBaselineValue: 300, planBaselinePeriod: '2019/20' } };
      const create = 'mutation($input: TargetInput!) { createTarget(input: $input) { id version provenance { planWording } } }';
      const refused = await hub.gql(create, { token: await hub.tokenFor(who('district.analyst')), variables: { input } });
      expectErrorCode(refused.body, 'FORBIDDEN', 'NOT_ALLOWED');
      const bad = await hub.gql(create, { token: await hub.tokenFor(who('district.chair')), variables: { input: { ...input, direction: 'sideways' } } });
      expect(expectErrorCode(bad.body, 'BAD_USER_INPUT', 'INVALID_TARGET')[0]!.message).toMatch(/direction must be down or up/);
      const chair = await hub.tokenFor(who('district.chair'));
      const { createTarget: made } = await gqlData<{ createTarget: { id: string; version: number; provenance: { planWording: string } } }>(hub, chair, create, { input });
      expect(made.provenance.planWording).toBe('Reduce drug offences');
      const { updateTarget: changed } = await gqlData<{ updateTarget: { changePct: number; version: number } }>(
        hub, chair, 'mutation($id: ID!, $v: Int) { updateTarget(id: $id, change: { changePct: 20 }, version: $v) { changePct version } }', { id: made.id, v: made.version });
      expect(changed).toEqual({ changePct: 20, version: made.version + 1 });
      const { retireTarget: retired } = await gqlData<{ retireTarget: { status: string } }>(hub, chair, 'mutation($id: ID!) { retireTarget(id: $id, reason: "merged") { status } }', { id: made.id });
      expect(retired.status).toBe('retired');
      expect((await auditOf(Number(made.id))).map((a) => a.operation)).toEqual(['create', 'update', 'update']);
      const otherChair = await hub.gql('mutation($id: ID!) { retireTarget(id: $id) { id } }', { token: await hub.tokenFor(who('district.chair', 'harborough')), variables: { id: made.id } });
      expectErrorCode(otherChair.body, 'NOT_FOUND');
    });

    it('targetPlaces ranks the baseline places as the caller counts them, the CLI prints the same, and bad input is named', async () => {
      const chair = contexts.get(who('district.chair'))!;
      const measure = { priorities: ['violence'], sourceCategories: ['Violence and sexual offences'], feeds: ['police.street'], placeUnit: 'location' as const };
      const expected = await placesAtBaseline(chair, measure, '2024-01', '2024-01', 3);
      expect(expected.places).toHaveLength(3);
      const query = 'query($input: TargetPlacesInput!) { targetPlaces(input: $input) { places baselineValue controlled } }';
      const input = { ...measure, baselineFrom: '2024-01', baselineTo: '2024-01', top: 3 };
      const { targetPlaces } = await gqlData<{ targetPlaces: { places: string[]; baselineValue: number; controlled: boolean } }>(hub, await hub.tokenFor(who('district.chair')), query, { input });
      expect(targetPlaces).toEqual(expected);
      const bad = await hub.gql(query, { token: await hub.tokenFor(who('district.chair')), variables: { input: { ...input, priorities: ['violence', 'weather'], sourceCategories: ['Violence\u0000'], baselineTo: '2023-12', top: 0 } } });
      const message = expectErrorCode(bad.body, 'BAD_USER_INPUT', 'INVALID_TARGET')[0]!.message;
      expect(message).toMatch(/"weather" is not a priority/);
      expect(message).toMatch(/ends \(2023-12\) before it starts \(2024-01\)/);
      expect(message).toMatch(/top places must be 1 to 100, got 0/);
      expect(message).toMatch(/must not contain NUL characters/);

      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-places-'));
      try {
        const bin = path.resolve(import.meta.dirname, '../../services/gateway/bin/csp-hub.js');
        const env = { ...process.env, DATABASE_URL: hub.db.appUrl, MIGRATION_DATABASE_URL: hub.db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
        const args = ['analysis', 'places', '--as', who('district.chair'), '--partnership', 'E22000165', '--period', '2024-01..2024-01', '--category', 'violence',
          '--source-category', 'Violence and sexual offences', '--feed', 'police.street', '--top', '3'];
        const json = spawnSync(process.execPath, [bin, ...args, '--json'], { env, encoding: 'utf8' });
        expect(json.stderr).toBe('');
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout)).toEqual({ partnership: 'E22000165', baselineFrom: '2024-01', baselineTo: '2024-01', ...expected });
        const text = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
        expect(text.stdout).toContain(`Top 3 places for E22000165, 2024-01..2024-01: ${expected.baselineValue} incidents`);
        expect(text.stdout).toContain(`1  ${expected.places[0]}`);
        const district = spawnSync(process.execPath, [bin, ...args, '--district', 'E07000130'], { env, encoding: 'utf8' });
        expect(district.status).not.toBe(0);
        expect(district.stderr).toMatch(/takes no --district/);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 60_000);

    it('csp-hub analysis targets --as prints the same progress as the insight call', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-targets-'));
      try {
        const bin = path.resolve(import.meta.dirname, '../../services/gateway/bin/csp-hub.js');
        const env = { ...process.env, DATABASE_URL: hub.db.appUrl, MIGRATION_DATABASE_URL: hub.db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
        const args = ['analysis', 'targets', '--as', who('district.chair'), '--partnership', 'E22000165', '--as-of', AS_OF];
        const json = spawnSync(process.execPath, [bin, ...args, '--json'], { env, encoding: 'utf8' });
        expect(json.stderr).toBe('');
        expect(json.status).toBe(0);
        const printed = JSON.parse(json.stdout) as { target: { title: string }; progress: { rag: string; actual: { value: number } } }[];
        const chair = contexts.get(who('district.chair'))!;
        const expected = await Promise.all((await listTargets(chair, charnwood)).map((t) => measureTarget(chair, t, { asOf: AS_OF })));
        expect(printed.map((m) => [m.target.title, m.progress.rag, m.progress.actual?.value])).toEqual(expected.map((m) => [m.target.title, m.progress.rag, m.progress.actual?.value]));
        const text = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
        expect(text.stdout).toMatch(/Burglary  \[target \d+\]\n  count, -12% from 40 \(January 2024\) to 35\.2 by 2025-02-01\n  latest 45 \(to 2024-06-30\), expected 38: NOT ON TARGET \(red\)/);
        const missing = spawnSync(process.execPath, [bin, 'analysis', 'targets', '--partnership', 'E22000165'], { env, encoding: 'utf8' });
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/needs --as <e-mail>/);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 60_000);
  });
});
