import { median } from 'simple-statistics';
import { type DataTier, HubError, tierCovers } from '@csp-hub/taxonomy';
import { checkKey, checkPositive, DAY_MS, instant, compareKeys } from './inputs';

/**
 * Repeats: the same location (or victim) hit two or more times within the
 * window. See docs/analysis.md "Repeats".
 */

export interface KeyedEvent {
  /** Location key (street-level location + LSOA) or, for victims, a pseudonymous victim key. */
  key: string;
  /** When it happened: Date, epoch ms or ISO 8601 text ('2024-01-15', '2024-01-15T22:10:00Z'). */
  at: Date | number | string;
}

export interface RepeatOptions {
  /** Length of the window in days, ending at `end`. */
  windowDays: number;
  /** End of the window (inclusive); default the latest event. */
  end?: Date | number | string;
}

export interface RepeatKey {
  key: string;
  /** Events at this key inside the window (≥ 2). */
  count: number;
  first: string;
  last: string;
  /** Days between consecutive events, in time order (0 for events at the same time). */
  gapsDays: number[];
  medianGapDays: number;
  minGapDays: number;
}

export interface RepeatSummary {
  /** Keys with ≥ 2 events in the window: most events first, then key. */
  repeats: RepeatKey[];
  /** Events inside the window. */
  events: number;
  /** Distinct keys with an event inside the window. */
  keys: number;
  /** Events at repeat keys (all of their events, the first one included). */
  repeatEvents: number;
  /** repeatEvents / events; null when there are no events. */
  repeatShare: number | null;
  /** Events before the window start or after its end, not counted. */
  outsideWindow: number;
  window: { start: string; end: string } | null;
}

function summarise(events: readonly KeyedEvent[], options: RepeatOptions): RepeatSummary {
  const windowMs = checkPositive('windowDays', options.windowDays) * DAY_MS;
  const parsed = events.map((e, i) => ({ key: checkKey(`events[${i}].key`, e.key), ms: instant(`events[${i}].at`, e.at) }));
  if (parsed.length === 0 && options.end === undefined) {
    return { repeats: [], events: 0, keys: 0, repeatEvents: 0, repeatShare: null, outsideWindow: 0, window: null };
  }
  const end = options.end === undefined ? parsed.reduce((m, e) => Math.max(m, e.ms), -Infinity) : instant('end', options.end);
  const start = end - windowMs;
  // Window (start, end]: a window of 28 days ending at the last event holds 28 days, not 29.
  const inside = parsed.filter((e) => e.ms > start && e.ms <= end);
  const byKey = new Map<string, number[]>();
  for (const e of inside) {
    const list = byKey.get(e.key);
    if (list) list.push(e.ms);
    else byKey.set(e.key, [e.ms]);
  }
  const repeats: RepeatKey[] = [];
  for (const [key, times] of byKey) {
    if (times.length < 2) continue;
    times.sort((a, b) => a - b);
    const gapsDays = times.slice(1).map((t, i) => (t - times[i]!) / DAY_MS);
    repeats.push({
      key,
      count: times.length,
      first: new Date(times[0]!).toISOString(),
      last: new Date(times.at(-1)!).toISOString(),
      gapsDays,
      medianGapDays: median(gapsDays),
      minGapDays: gapsDays.reduce((m, g) => Math.min(m, g), Infinity),
    });
  }
  repeats.sort((a, b) => b.count - a.count || compareKeys(a.key, b.key));
  const repeatEvents = repeats.reduce((s, r) => s + r.count, 0);
  return {
    repeats,
    events: inside.length,
    keys: byKey.size,
    repeatEvents,
    repeatShare: inside.length === 0 ? null : repeatEvents / inside.length,
    outsideWindow: parsed.length - inside.length,
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
  };
}

/** Repeat locations: keys with two or more events in the window. */
export function repeatLocations(events: readonly KeyedEvent[], options: RepeatOptions): RepeatSummary {
  return summarise(events, options);
}

/**
 * Repeat victims: the same summary on a victim key. Victim keys exist only in
 * personal-tier data, so the caller states the tier the reader holds for the
 * records passed in; anything short of personal is refused — a second guard
 * behind the authorization layer, which must not have let the keys out at all.
 */
export function repeatVictims(events: readonly KeyedEvent[], options: RepeatOptions & { readerTier: DataTier }): RepeatSummary {
  if (!tierCovers(options.readerTier, 'personal')) {
    throw HubError.forbidden('PERSONAL_TIER_REQUIRED', 'repeat victims need personal-tier data; this reader does not hold it');
  }
  return summarise(events, options);
}
