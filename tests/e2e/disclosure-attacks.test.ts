import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import {
  aggregateIncidents,
  authenticateAccess,
  buildPTable,
  cellKey,
  DEFAULT_CELL_KEY,
  dimensions,
  perturb,
  type AccessContext,
  type Dimension,
  type IncidentFilter,
} from '@csp-hub/authz';
import { User } from '@csp-hub/db';
import { asbCsv, flyTippingCsv, ingestFile } from '@csp-hub/ingest';
import { startTestHub, type TestHub } from '../support/hub';
import { gqlData } from './leaks/http';
import { seeded } from '../support/seeded';

/**
 * Attacks on disclosure control by arithmetic (issue #12, point 2). A fire
 * analyst holds Charnwood council ASB at aggregate tier (counts only) and the
 * council's fly-tipping at pseudonymised tier (listed). Small ASB counts must
 * not be recoverable:
 *  1. by differencing two requests (the same table with one month fewer);
 *  2. by subtracting a listable subset from a controlled total;
 *  3. inside one two-way table, by solving its margins against its cells.
 * Each attack is first run by the council's own analyst, whose tables are
 * exact: there it recovers every small count, which shows the attack itself is
 * right. Under the cell-key method the fire analyst's answers are noisy:
 * recovered exactly only by chance, and never with any way to tell which.
 * Record keys are set from a seeded generator so the run is repeatable.
 */

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const CHARNWOOD = 'E07000130';
const FIRE = 'fire.analyst@charnwood.demo.csp-hub.test';
const COUNCIL = 'district.analyst@charnwood.demo.csp-hub.test';


interface Table {
  agencyId: string;
  controlled: boolean;
  cells: { keys: string[]; count: number }[];
  rowTotals: { keys: string[]; count: number }[];
  columnTotals: { keys: string[]; count: number }[];
  total: number;
}

describe('disclosure control cannot be beaten by arithmetic', () => {
  let hub: TestHub;
  let council: number;
  const tokens: Record<string, string> = {};
  /** True ASB and fly-tipping counts per ward and month, as planted. */
  const asb = new Map<string, number>();
  const tipping = new Map<string, number>();
  let wards: string[] = [];
  const at = (ward: string, month: string) => `${ward}|${month}`;

  beforeAll(async () => {
    hub = await startTestHub('disclosure-attacks');
    const pool = hub.db.pool;
    council = (await pool.query(`select id from agency where code = 'charnwood-borough-council'`)).rows[0].id;
    // One LSOA per ward of Charnwood, so every planted row lands in a known ward.
    const lsoas = (
      await pool.query<{ code: string; ward: string }>(
        `select distinct on (ward_code) code, ward_code as ward from area where kind = 'lsoa' and lad_code = $1 order by ward_code, code`,
        [CHARNWOOD],
      )
    ).rows.slice(0, 12);
    wards = lsoas.map((l) => l.ward);
    const random = seeded(20261201);
    const asbRows: Parameters<typeof asbCsv>[0][number][] = [];
    const tippingRows: Parameters<typeof flyTippingCsv>[0][number][] = [];
    for (const { code, ward } of lsoas) {
      for (const month of MONTHS) {
        const a = Math.floor(random() * 5); // 0..4: the small counts disclosure control is for
        const t = Math.floor(random() * 7);
        asb.set(at(ward, month), a);
        tipping.set(at(ward, month), t);
        const [y, m] = month.split('-');
        for (let i = 0; i < a; i++) {
          asbRows.push({ reference: `ATK-ASB-${ward}-${month}-${i}`, date: `${String(i + 2).padStart(2, '0')}/${m}/${y} 21:30`, lsoaCode: code, locationDescription: 'Market Place',
            asbCategory: 'Nuisance', asbType: 'Rowdy behaviour', outcome: 'Warning letter', description: 'Shouting' });
        }
        for (let i = 0; i < t; i++) {
          tippingRows.push({ reference: `ATK-FT-${ward}-${month}-${i}`, date: `${month}-${String(i + 2).padStart(2, '0')}`, lsoaCode: code, locationDescription: 'Layby',
            landType: 'Highway', wasteType: 'Other household waste', size: 'Small Van Load', actionTaken: 'Fixed penalty notice' });
        }
      }
    }
    const submitter = { userId: null, label: 'attack tests', via: 'seed' as const };
    for (const [feed, csv] of [['council.asb', asbCsv(asbRows)], ['council.fly_tipping', flyTippingCsv(tippingRows)]] as const) {
      const r = await ingestFile(pool, { agencyId: council, feed, fileName: `${feed}.csv`, source: bytesOf(csv), submitter });
      expect(r).toMatchObject({ status: 'accepted', rowsRejected: 0 });
    }
    // Seeded record keys: the same noise every run (in production they are random at insert).
    const keys = seeded(7);
    const ids = (await pool.query<{ id: string }>('select id from incident where agency_id = $1 order by id', [council])).rows;
    await pool.query('update incident set record_key = k.key from unnest($1::bigint[], $2::int[]) as k(id, key) where incident.id = k.id', [
      ids.map((r) => r.id),
      ids.map(() => Math.floor(keys() * 256)),
    ]);
    // Council ASB to fire at aggregate tier (counts only); the demo already shares fly-tipping with fire at pseudonymised tier.
    await pool.query(
      `insert into isp_agreement (title, partnership_ids, provider_id, datasets, recipient_agency_ids, recipient_agency_types, tier, purposes,
         lawful_basis, valid_from, valid_to, review_date, status, signatories)
       select 'ASB counts to fire (attack test)', array[p.id], $1, array['council.asb'], '{}', array['fire'], 'aggregate', array['Deliberate fire reduction'],
         's115 Crime and Disorder Act 1998', current_date - 30, current_date + 30, current_date + 20, 'active', '[]'::jsonb
       from partnership p where p.code = 'E22000165'`,
      [council],
    );
    tokens.fire = await hub.tokenFor(FIRE);
    tokens.council = await hub.tokenFor(COUNCIL);
  });
  afterAll(async () => hub?.stop());

  async function counts(who: 'fire' | 'council', groupBy: string[], filter: Record<string, unknown>): Promise<Table | undefined> {
    const data = await gqlData<{ incidentCounts: Table[] }>(
      hub,
      tokens[who]!,
      `query($g: [GroupBy!]!, $f: IncidentFilter) { incidentCounts(groupBy: $g, filter: $f) {
         agencyId controlled cells { keys count } rowTotals { keys count } columnTotals { keys count } total } }`,
      { g: groupBy, f: filter },
    );
    return data.incidentCounts.find((t) => Number(t.agencyId) === council);
  }
  const cell = (t: Table | undefined, ...keys: string[]) => t?.cells.find((c) => c.keys.join('|') === keys.join('|'))?.count ?? 0;

  /** The small planted counts, and how many of them an attack recovered exactly. */
  function score(recovered: Map<string, number>): { targets: number; exact: number } {
    let targets = 0;
    let exact = 0;
    for (const [k, truth] of asb) {
      if (truth < 1 || !recovered.has(k)) continue;
      targets += 1;
      if (recovered.get(k) === truth) exact += 1;
    }
    return { targets, exact };
  }

  async function differencing(who: 'fire' | 'council'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let previous = await counts(who, ['WARD_CODE'], { feeds: ['council.asb'], monthFrom: MONTHS[0], monthTo: MONTHS[0] });
    for (const w of wards) out.set(at(w, MONTHS[0]!), cell(previous, w));
    for (let k = 1; k < MONTHS.length; k++) {
      const upTo = await counts(who, ['WARD_CODE'], { feeds: ['council.asb'], monthFrom: MONTHS[0], monthTo: MONTHS[k] });
      for (const w of wards) out.set(at(w, MONTHS[k]!), cell(upTo, w) - cell(previous, w));
      previous = upTo;
    }
    return out;
  }

  async function subtraction(who: 'fire' | 'council'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const month of MONTHS) {
      const both = await counts(who, ['WARD_CODE'], { feeds: ['council.asb', 'council.fly_tipping'], monthFrom: month, monthTo: month });
      for (const w of wards) {
        // the fly-tipping records are listed: their exact number comes from incidentCount
        const listed = await gqlData<{ incidentCount: number }>(hub, tokens[who]!, 'query($f: IncidentFilter) { incidentCount(filter: $f) }', {
          f: { feeds: ['council.fly_tipping'], wardCodes: [w], monthFrom: month, monthTo: month },
        });
        expect(listed.incidentCount).toBe(tipping.get(at(w, month)));
        out.set(at(w, month), cell(both, w) - listed.incidentCount);
      }
    }
    return out;
  }

  async function margins(who: 'fire' | 'council'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const t = await counts(who, ['WARD_CODE', 'MONTH'], { feeds: ['council.asb'], monthFrom: MONTHS[0], monthTo: MONTHS[MONTHS.length - 1] });
    for (const w of wards) {
      const rowTotal = t?.rowTotals.find((c) => c.keys[0] === w)?.count ?? 0;
      for (const m of MONTHS) {
        const others = MONTHS.filter((x) => x !== m).reduce((n, x) => n + cell(t, w, x), 0);
        out.set(at(w, m), rowTotal - others);
      }
    }
    return out;
  }

  it.each([
    ['differencing a table and the same table with one month fewer', differencing],
    ['subtracting the listable fly-tipping from a controlled total', subtraction],
    ["solving a two-way table's margins against its cells", margins],
  ] as const)('%s: the attack recovers every small count from exact tables, but not from controlled ones', async (_name, attack) => {
    // The council's own analyst: exact tables, so the attack is exactly right every time.
    const own = score(await attack('council'));
    expect(own.targets).toBeGreaterThanOrEqual(40);
    expect(own.exact).toBe(own.targets);
    // The fire analyst: the same arithmetic on perturbed counts.
    const fire = score(await attack('fire'));
    expect(fire.targets).toBe(own.targets);
    expect(fire.exact / fire.targets).toBeLessThan(0.5);
  });

  it('the same question always gets the same answer, so asking again cannot average the noise away', async () => {
    const filter = { feeds: ['council.asb'], monthFrom: MONTHS[0], monthTo: MONTHS[2] };
    const first = await counts('fire', ['WARD_CODE', 'MONTH'], filter);
    expect(first?.controlled).toBe(true);
    for (let i = 0; i < 3; i++) expect(await counts('fire', ['WARD_CODE', 'MONTH'], filter)).toEqual(first);
    // and a cell reached by another query (one ward, one month) is the same cell with the same value
    const [w, m] = first!.cells[0]!.keys;
    const single = await counts('fire', ['WARD_CODE', 'MONTH'], { feeds: ['council.asb'], monthFrom: m, monthTo: m, wardCodes: [w] });
    expect(cell(single, w!, m!)).toBe(first!.cells[0]!.count);
  });

  describe('a new aggregate built on the authorized relation by a consumer (public API only)', () => {
    async function contextFor(email: string): Promise<AccessContext> {
      const user = await hub.orm.em.fork().findOneOrFail(User, { email }, { populate: ['partnership'] });
      return authenticateAccess(hub.db.pool, hub.orm.em.fork(), user.id, user.partnership.id);
    }
    /** Counts by ward and month with a three-month rolling sum: a window function over the cells. */
    const rolling = (ctx: AccessContext, filter: IncidentFilter) =>
      aggregateIncidents<{ ward: string; month: string; n: number; rolling: number }>(
        ctx,
        { dimensions: [dimensions.of('ward', 'wardCode'), dimensions.month()], filter },
        {
          compose: (cells) => `select ward, month, n, sum(n) over (partition by ward order by month rows between 2 preceding and current row)::int as rolling
            from ${cells} where level = 0 order by ward, month`,
        },
      );

    it('the owner gets exact counts and exact windows', async () => {
      const own = await rolling(await contextFor(COUNCIL), { feeds: ['council.asb'] });
      expect(own.controlled).toBe(false);
      for (const w of wards) {
        const series = own.rows.filter((r) => r.ward === w);
        const truth = MONTHS.map((m) => asb.get(at(w, m))!).map((n, i) => ({ month: MONTHS[i]!, n })).filter((x) => x.n > 0);
        expect(series.map((r) => [r.month, r.n])).toEqual(truth.map((x) => [x.month, x.n]));
        series.forEach((r, i) => expect(r.rolling).toBe(series.slice(Math.max(0, i - 2), i + 1).reduce((a, x) => a + x.n, 0)));
      }
    });

    it('a counts-only reader gets perturbed cells and windows over the perturbed cells, by construction', async () => {
      const fire = await rolling(await contextFor(FIRE), { feeds: ['council.asb'] });
      expect(fire.controlled).toBe(true);
      expect(fire.controlledAgencies).toEqual([council]);
      const keys = new Map<string, number[]>();
      for (const r of (await hub.db.pool.query<{ ward: string; month: string; k: number }>(
        `select ward_code as ward, to_char(occurred_month, 'YYYY-MM') as month, record_key as k from incident where agency_id = $1 and feed = 'council.asb'`,
        [council],
      )).rows) keys.set(at(r.ward, r.month), [...(keys.get(at(r.ward, r.month)) ?? []), r.k]);
      const table = buildPTable(DEFAULT_CELL_KEY);
      for (const w of wards) {
        const expected = MONTHS.map((m) => ({ month: m, n: perturb(table, keys.get(at(w, m))?.length ?? 0, cellKey(keys.get(at(w, m)) ?? [])) })).filter((x) => x.n > 0);
        const series = fire.rows.filter((r) => r.ward === w);
        expect(series.map((r) => [r.month, r.n])).toEqual(expected.map((x) => [x.month, x.n]));
        // the window sees only published cells: no true count can leak through it
        series.forEach((r, i) => expect(r.rolling).toBe(series.slice(Math.max(0, i - 2), i + 1).reduce((a, x) => a + x.n, 0)));
      }
    });

    it('grouping on a field counts only records where the reader sees it: location text groups the listed fly-tipping, never the counts-only ASB', async () => {
      const ctx = await contextFor(FIRE);
      const byPlace = await aggregateIncidents<{ place: string; feed: string; n: number }>(ctx, {
        dimensions: [dimensions.of('place', 'locationText'), dimensions.of('feed', 'feed')],
        filter: { feeds: ['council.asb', 'council.fly_tipping'] },
      });
      expect(new Set(byPlace.rows.map((r) => r.feed))).toEqual(new Set(['council.fly_tipping']));
      expect(byPlace.rows.reduce((n, r) => n + r.n, 0)).toBe([...tipping.values()].reduce((a, b) => a + b, 0));
    });

    it('SQL that reaches for a field it did not declare fails: the relation never carries it', async () => {
      const ctx = await contextFor(FIRE);
      const sneaky: Dimension = { name: 'secret', fields: ['category'], sql: `r."restrictedText"` };
      await expect(aggregateIncidents(ctx, { dimensions: [sneaky] })).rejects.toThrow(/restrictedText/);
      const raw: Dimension = { name: 'secret', fields: ['category'], sql: `i.restricted_text` };
      await expect(aggregateIncidents(ctx, { dimensions: [raw] })).rejects.toThrow();
    });
  });

  it('a perturbed small cell looks exactly like an empty one: no count of 1 or 2, and nothing marks a cell as withheld', async () => {
    const t = await counts('fire', ['WARD_CODE', 'MONTH'], { feeds: ['council.asb'] });
    for (const c of [...t!.cells, ...t!.rowTotals, ...t!.columnTotals]) expect(c.count).toBeGreaterThan(2);
    const empty = [...asb.entries()].filter(([, n]) => n === 0).map(([k]) => k);
    const hiddenSmall = [...asb.entries()].filter(([k, n]) => n > 0 && cell(t, ...k.split('|')) === 0).map(([k]) => k);
    expect(empty.length).toBeGreaterThan(0);
    expect(hiddenSmall.length).toBeGreaterThan(0);
    // both are simply absent: the same shape in the answer
    for (const k of [...empty, ...hiddenSmall]) expect(t!.cells.some((c) => c.keys.join('|') === k)).toBe(false);
  });
});
