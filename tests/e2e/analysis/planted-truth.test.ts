import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { ingestFile, policeStreetCsv, type PoliceStreetRow } from '@csp-hub/ingest';
import { hotspots, repeats, trends, type HotspotResult, type RepeatResult, type TrendResult } from '@csp-hub/insight';
import { startTestHub, type TestHub } from '../../support/hub';
import { gqlData } from '../leaks/http';
import { accessFor, CHARNWOOD, crimeIdOf, demoBoundaries, POLICE_ANALYST, seeded } from './support';

/**
 * Planted truth, end to end (issue #13): a generated data.police.uk street
 * file for Charnwood goes through the real ingest pipeline, then the engine
 * reads it back through the authorized relation as the police analyst (a real
 * access context, and over GraphQL). Planted:
 *  - background: 40 drugs offences a month spread over Charnwood's LSOAs;
 *  - a hotspot: 60 violent offences a month within ~100 m of Loughborough
 *    Market Place (plus 40 violent offences a month spread out) — flat in time;
 *  - a significant rise: criminal damage 40 a month, 100 in March 2024;
 *  - a non-significant wobble: burglary 40 a month, 46 in March 2024;
 *  - a repeat: "On or near Planted Close" hit 4 times in March 2024.
 * The engine finds the hotspot (hot, persistent) and the rise, and does not
 * flag the wobble.
 */

const MONTHS = ['2021-03', '2022-03', '2023-03', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];
const CURRENT = '2024-03';
const MARKET_PLACE = { longitude: -1.2052, latitude: 52.7721 };

describe('the analysis engine finds planted truth through SQL and authz', () => {
  let hub: TestHub;
  let planted: { rows: number; marketLsoa: string };

  beforeAll(async () => {
    hub = await startTestHub('analysis-planted', { boundaries: demoBoundaries() });
    const pool = hub.db.pool;
    const lsoas = (
      await pool.query<{ code: string; name: string; longitude: number; latitude: number }>(
        `select code, name, longitude, latitude from area where kind = 'lsoa' and lad_code = $1 and longitude is not null order by code`,
        [CHARNWOOD],
      )
    ).rows;
    const market = (
      await pool.query<{ code: string; name: string }>(
        `select code, name from area where kind = 'lsoa' and lad_code = $1 and longitude is not null
         order by (longitude - $2) ^ 2 * 0.37 + (latitude - $3) ^ 2 limit 1`,
        [CHARNWOOD, MARKET_PLACE.longitude, MARKET_PLACE.latitude],
      )
    ).rows[0]!;
    const random = seeded(13);
    const rows: PoliceStreetRow[] = [];
    let serial = 0;
    const add = (month: string, crimeType: string, n: number, at: 'spread' | 'market' | 'close', location?: string) => {
      for (let i = 0; i < n; i++) {
        serial += 1;
        const spot = at === 'market' ? { ...MARKET_PLACE, code: market.code, name: market.name } : at === 'close' ? lsoas[0]! : lsoas[Math.floor(random() * lsoas.length)]!;
        // Spread rows sit near their LSOA's centroid; market rows within ~100 m of the Market Place.
        const jitter = at === 'market' ? 0.0012 : 0.004;
        rows.push({
          crimeId: crimeIdOf(`planted-${serial}`),
          month,
          force: 'Leicestershire Police',
          longitude: Number((spot.longitude + (random() - 0.5) * jitter).toFixed(6)),
          latitude: Number((spot.latitude + (random() - 0.5) * jitter * 0.6).toFixed(6)),
          location: location ?? (at === 'market' ? 'On or near Market Place' : `On or near Street ${serial}`),
          lsoaCode: spot.code,
          lsoaName: spot.name,
          crimeType,
          outcome: 'Under investigation',
        });
      }
    };
    for (const month of MONTHS) {
      add(month, 'Drugs', 40, 'spread');
      add(month, 'Violence and sexual offences', 40, 'spread');
      add(month, 'Violence and sexual offences', 60, 'market');
      add(month, 'Criminal damage and arson', month === CURRENT ? 100 : 40, 'spread');
      add(month, 'Burglary', month === CURRENT ? 46 : 40, 'spread');
    }
    add(CURRENT, 'Drugs', 4, 'close', 'On or near Planted Close');
    const police = (await pool.query<{ id: number }>(`select id from agency where code = 'leicestershire-police'`)).rows[0]!.id;
    const result = await ingestFile(pool, {
      agencyId: police,
      feed: 'police.street',
      fileName: 'planted.csv',
      source: bytesOf(policeStreetCsv(rows)),
      submitter: { userId: null, label: 'planted truth', via: 'seed' },
    });
    expect(result).toMatchObject({ status: 'accepted', rowsRejected: 0, rowsInserted: rows.length });
    planted = { rows: rows.length, marketLsoa: market.code };
  });
  afterAll(async () => hub?.stop());

  const period = { from: CURRENT, to: CURRENT };
  // Police crime only: the analyst lists every police record, so no count is perturbed.
  const feeds = ['police.street'];

  function checkTrends(t: TrendResult): void {
    expect(t.controlled).toBe(false);
    expect(t.periodsWithoutData).toEqual([]);
    const partnership = t.rows.filter((r) => r.level === 'partnership');
    const row = (category: string) => partnership.find((r) => r.category === category)!;
    // The rise ranks first and is significant against every base, above the control limits.
    expect(partnership[0]!.category).toBe('criminal_damage_arson');
    const rise = row('criminal_damage_arson');
    expect(rise.current).toBe(100);
    expect(rise.previous).toMatchObject({ baseCount: 40, change: 60, changePct: 150, significant: true });
    expect(rise.lastYear).toMatchObject({ baseCount: 40, significant: true });
    expect(rise.seasonal).toMatchObject({ expected: 40, significant: true });
    expect(rise.seasonalYears).toBe(3);
    expect(rise.exceedance).toBe('above');
    expect(rise.qValue!).toBeLessThan(0.05);
    // The wobble: +15%, not significant against any base, within the control limits.
    const wobble = row('acquisitive_crime');
    expect(wobble.current).toBe(46);
    expect(wobble.seasonal).toMatchObject({ expected: 40, change: 6, changePct: 15, significant: false });
    expect(wobble.previous!.significant).toBe(false);
    expect(wobble.lastYear!.significant).toBe(false);
    expect(wobble.significant).toBe(false);
    // Flat categories are flat; the planted repeat adds 4 drugs offences this month.
    expect(row('violence')).toMatchObject({ current: 100, significant: false });
    expect(row('drugs_alcohol')).toMatchObject({ current: 44, significant: false });
    // Only Charnwood rows at district level, and they agree with the partnership's.
    const district = t.rows.filter((r) => r.level === 'district');
    expect(new Set(district.map((r) => r.areaCode))).toEqual(new Set([CHARNWOOD]));
    expect(district.find((r) => r.category === 'criminal_damage_arson')!.current).toBe(100);
  }

  function checkHotspots(h: HotspotResult): void {
    expect(h.grid.studyArea).toBe('boundary');
    expect(h.grid.located).toBe(290);
    expect(h.grid.outside.count).toBe(0);
    // Market Place leads the top locations with 60 of the month's 290 located incidents.
    expect(h.topLocations.locations[0]).toMatchObject({ rank: 1, locationText: 'On or near Market Place', lsoaCode: planted.marketLsoa, count: 60 });
    expect(h.topLocations.locations[0]!.share).toBeCloseTo(60 / 290, 10);
    expect(h.topLocations.locations[1]).toMatchObject({ rank: 2, locationText: 'On or near Planted Close', count: 4 });
    expect(h.topLocations.total).toBe(290);
    expect(h.topLsoas.locations[0]!.lsoaCode).toBe(planted.marketLsoa);
    // The cell holding Market Place is hot at 99%, and so are only cells next to it (500 m cells: centres within ~1.1 km).
    const km = (c: { longitude: number; latitude: number }) =>
      Math.hypot((c.longitude - MARKET_PLACE.longitude) * 67.4, (c.latitude - MARKET_PLACE.latitude) * 111.2);
    const market = h.cells.find((c) => c.count >= 60)!;
    expect(market).toMatchObject({ class: 'hot-99' });
    expect(km(market)).toBeLessThan(0.36);
    const hot = h.cells.filter((c) => c.class === 'hot-99' || c.class === 'hot-95');
    expect(hot.length).toBeGreaterThan(1);
    for (const c of hot) expect(km(c)).toBeLessThan(1.1);
    expect(h.cells.filter((c) => c.class.startsWith('cold'))).toEqual([]);
    // Hot in every one of the six months it was planted: persistent; no cell elsewhere was ever hot.
    for (const s of h.status) expect(km(s)).toBeLessThan(1.1);
    const marketStatus = h.status.find((s) => s.id === market.id)!;
    expect(marketStatus).toMatchObject({ status: 'persistent', periods: 6, hotPeriods: 6, currentRun: 6 });
  }

  function checkRepeats(r: RepeatResult): void {
    expect(r.resolution).toBe('month');
    expect(r.windowDays).toBe(31);
    expect(r.locations.repeats.map((x) => [x.locationText, x.count])).toEqual([
      ['On or near Market Place', 60],
      ['On or near Planted Close', 4],
    ]);
    expect(r.locations.events).toBe(290);
    expect(r.locations.repeatEvents).toBe(64);
    expect(r.locations.repeats[1]!.gapsDays).toEqual([0, 0, 0]);
  }

  it('over the package API with the police analyst\'s real access context', async () => {
    const ctx = await accessFor(hub.pool, hub.orm, POLICE_ANALYST);
    checkTrends(await trends(ctx, { period, feeds }));
    checkHotspots(await hotspots(ctx, { period, feeds }, { boundaries: demoBoundaries() }));
    checkRepeats(await repeats(ctx, { period, feeds }));
  });

  it('over GraphQL: the same answers', async () => {
    const token = await hub.tokenFor(POLICE_ANALYST);
    const data = await gqlData<{ analysisTrends: TrendResult; analysisHotspots: HotspotResult; analysisRepeats: RepeatResult }>(
      hub,
      token,
      `query($p: PeriodInput!, $f: [String!]) {
        analysisTrends(period: $p, feeds: $f) { controlled periodsWithoutData rows { category level areaCode rank current seasonalYears exceedance qValue significant
          previous { baseCount expected change changePct pValue z significant } lastYear { baseCount expected change changePct pValue z significant }
          seasonal { baseCount expected change changePct pValue z significant } } }
        analysisHotspots(period: $p, feeds: $f) { grid { studyArea located outside { cells count } }
          topLocations { total locations { rank locationText lsoaCode count share cumulativeShare } }
          topLsoas { locations { rank lsoaCode count share } }
          cells { id longitude latitude count z pValue qValue class } status { id longitude latitude status periods hotPeriods currentRun } }
        analysisRepeats(period: $p, feeds: $f) { resolution windowDays locations { events repeatEvents repeats { locationText lsoaCode count gapsDays } } }
      }`,
      { p: period, f: feeds },
    );
    checkTrends(data.analysisTrends);
    checkHotspots(data.analysisHotspots);
    checkRepeats(data.analysisRepeats);
  });
});
