import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterItem, IncidentUpdate, NormalisedIncident, RowReject } from '@csp-hub/taxonomy';
import type { ByteSource } from '../decode';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Path of a file in the shared real-data folder (../shared/data next to the
 * repository, or CSP_HUB_SHARED_DATA). Tests read fixtures from there; nothing
 * is copied into the repository.
 */
export function sharedData(...parts: string[]): string {
  const base = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
  const file = path.join(base, ...parts);
  if (!existsSync(file)) throw new Error(`shared data file missing: ${file} (set CSP_HUB_SHARED_DATA to the folder with PROVENANCE.md)`);
  return file;
}

/** A file as a ByteSource. */
export function fileSource(file: string, highWaterMark = 64 * 1024): ByteSource {
  return createReadStream(file, { highWaterMark });
}

export interface Collected {
  incidents: NormalisedIncident[];
  updates: IncidentUpdate[];
  rejects: RowReject[];
}

/** Drains an adapter's output into arrays (tests only: holds everything). */
export async function collect(batches: AsyncIterable<AdapterItem[]>): Promise<Collected> {
  const out: Collected = { incidents: [], updates: [], rejects: [] };
  for await (const batch of batches) {
    for (const item of batch) {
      if (item.kind === 'incident') out.incidents.push(item);
      else if (item.kind === 'update') out.updates.push(item);
      else out.rejects.push(item);
    }
  }
  return out;
}

/** Counts of a key over items, as a plain object sorted by key. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
export { csvTable, splitCsv } from './split-csv';
