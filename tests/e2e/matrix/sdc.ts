import { buildPTable, cellKey, perturb, type CellKeyOptions } from '@csp-hub/authz';
import type { ApiCell, ApiTable } from './api';
import type { ExpectedTable } from './oracle';

/**
 * Checks one provider's count table from incidentCounts against the oracle's
 * records, under the policy's disclosure control (cell-key method, ADR 0016):
 *  - an uncontrolled table publishes every true count exactly, and lists
 *    exactly the non-empty combinations;
 *  - a controlled table publishes, for each cell and each total, the ptable's
 *    value for its true count and its cell key (the sum of its records' keys
 *    mod 256), and does not list a cell whose value is 0 — so a small cell looks
 *    exactly like an empty one.
 * The ptable itself (maximum-entropy noise, spread over the 256 keys) is
 * checked on its own in packages/authz cell-key.test.ts; here it is the
 * reference the SQL that applies it must agree with, cell for cell.
 */
const key = (keys: string[]): string => keys.join('|');

export function publishedCount(records: number[], controlled: boolean, options: CellKeyOptions): number {
  if (!controlled) return records.length;
  return perturb(buildPTable(options), records.length, cellKey(records));
}

function listProblems(what: string, cells: ApiCell[], expected: Map<string, number[]>, controlled: boolean, options: CellKeyOptions): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of cells) {
    const k = key(c.keys);
    if (seen.has(k)) out.push(`${what} [${k}]: listed twice`);
    seen.add(k);
    const records = expected.get(k);
    if (!records) {
      out.push(`${what} [${k}]: not a combination the user may count (${JSON.stringify(c)})`);
      continue;
    }
    const want = publishedCount(records, controlled, options);
    if (want === 0) out.push(`${what} [${k}]: listed with ${c.count}, but its published value is 0 (true count ${records.length}): it must not be listed`);
    else if (c.count !== want) out.push(`${what} [${k}]: expected ${want} (true ${records.length}${controlled ? `, cell key ${cellKey(records)}` : ''}), got ${c.count}`);
  }
  for (const [k, records] of expected) {
    if (!seen.has(k) && publishedCount(records, controlled, options) !== 0) out.push(`${what} [${k}]: missing (true count ${records.length})`);
  }
  return out;
}

/** Whether the provider's table appears at all: only when something in it is published. */
export function tablePublished(expected: ExpectedTable, options: CellKeyOptions): boolean {
  const all = [expected.total, ...expected.cells.values(), ...expected.rowTotals.values(), ...expected.columnTotals.values()];
  return all.some((records) => publishedCount(records, expected.controlled, options) > 0);
}

export function tableProblems(api: ApiTable, expected: ExpectedTable, dims: number, options: CellKeyOptions): string[] {
  const out: string[] = [];
  const who = `provider ${expected.agencyId}`;
  if (api.controlled !== expected.controlled) out.push(`${who}: controlled expected ${expected.controlled}, got ${api.controlled}`);
  const controlled = expected.controlled;
  for (const c of api.cells) if (c.keys.length !== dims) out.push(`${who}: cell ${JSON.stringify(c.keys)} does not have ${dims} keys`);
  if (dims > 0) out.push(...listProblems(`${who} cell`, api.cells, expected.cells, controlled, options));
  const total = publishedCount(expected.total, controlled, options);
  if (api.total !== total) out.push(`${who} total: expected ${total} (true ${expected.total.length}), got ${api.total}`);
  if (dims === 2) {
    out.push(...listProblems(`${who} row total`, api.rowTotals, expected.rowTotals, controlled, options));
    out.push(...listProblems(`${who} column total`, api.columnTotals, expected.columnTotals, controlled, options));
  } else if (api.rowTotals.length || api.columnTotals.length) out.push(`${who}: margins in a ${dims}-way table`);
  return out;
}
