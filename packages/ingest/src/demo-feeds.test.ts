import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { DEMO_PARTNERSHIPS } from '@csp-hub/db';
import type { AdapterItem } from '@csp-hub/taxonomy';
import { generateDemoFeeds, type DemoLsoa } from './demo-feeds';
import { getAdapter } from './registry';

/** A few made-up LSOAs per demo district (the generator only needs codes, names and centroids). */
const LSOAS: DemoLsoa[] = DEMO_PARTNERSHIPS.flatMap((p, pi) =>
  p.ladCodes.flatMap((lad) =>
    Array.from({ length: 12 }, (_, i) => ({
      code: `E0100${pi}${String(i).padStart(3, '0')}`,
      name: `${p.name.split(' ')[0]} 00${i}A`,
      ladCode: lad,
      latitude: 52.5 + pi / 10 + i / 1000,
      longitude: -1.2 - pi / 10 - i / 1000,
    })),
  ),
);

async function readAll(feed: string, content: string): Promise<AdapterItem[]> {
  const items: AdapterItem[] = [];
  for await (const batch of getAdapter(feed).read(bytesOf(content))) items.push(...batch);
  return items;
}

describe('demo feed generator', () => {
  it('is deterministic: the same LSOAs and seed give the same bytes; another seed, other records', () => {
    const a = generateDemoFeeds(LSOAS);
    const b = generateDemoFeeds(LSOAS);
    expect(b).toEqual(a);
    const c = generateDemoFeeds(LSOAS, { seed: 2 });
    expect(c.map((f) => f.fileName)).toEqual(a.map((f) => f.fileName));
    expect(c.map((f) => f.content)).not.toEqual(a.map((f) => f.content));
  });

  it('writes fire, council ASB, fly-tipping and noise, ISTV and Thames Valley street files for the demo agencies', () => {
    const files = generateDemoFeeds(LSOAS);
    const byFeed = (feed: string) => files.filter((f) => f.feed === feed).map((f) => f.agencyCode).sort();
    expect(byFeed('fire.incidents')).toEqual(['leicestershire-fire', 'oxfordshire-fire']);
    const districts = DEMO_PARTNERSHIPS.map((p) => p.agencies.district).sort();
    expect(byFeed('council.asb')).toEqual(districts);
    expect(byFeed('council.noise')).toEqual(districts);
    expect(byFeed('council.fly_tipping')).toEqual([...districts, 'leicestershire-county-council', 'oxfordshire-county-council'].sort());
    // ISTV: one submission per ICB site and month
    expect(byFeed('health.istv')).toEqual(['bob-icb', 'bob-icb', 'bob-icb', 'llr-icb', 'llr-icb', 'llr-icb']);
    expect(byFeed('police.street')).toEqual(['thames-valley-police']);
  });

  it('every file passes its real adapter without a single reject, in the demo months and LSOAs', async () => {
    const codes = new Set(LSOAS.map((l) => l.code));
    for (const f of generateDemoFeeds(LSOAS)) {
      const items = await readAll(f.feed, f.content);
      const rejects = items.filter((i) => i.kind === 'reject');
      expect(rejects, `${f.fileName}: ${JSON.stringify(rejects.slice(0, 2))}`).toEqual([]);
      expect(items).toHaveLength(f.rows);
      for (const i of items) {
        if (i.kind !== 'incident') continue;
        expect(['2024-01', '2024-02', '2024-03'], f.fileName).toContain(i.occurredMonth.slice(0, 7));
        if (f.feed !== 'health.istv') expect(codes.has(i.lsoaCode ?? ''), `${f.fileName} ${i.lsoaCode}`).toBe(true);
      }
    }
  });
});
