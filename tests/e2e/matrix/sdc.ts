import type { ApiCell, ApiTable } from './api';
import type { ExpectedTable } from './oracle';

/**
 * Checks one provider's count table from incidentCounts against the oracle's
 * true counts, under the policy's disclosure control:
 *  - published counts are exact; withheld ones are null and flagged;
 *  - uncontrolled tables withhold nothing;
 *  - controlled tables withhold every count in [min, max] (primary), cells and totals alike;
 *  - no row, column or margin holds exactly one withheld entry (secondary).
 */
export interface SdcRange {
  min: number;
  max: number;
}

const key = (keys: string[]): string => keys.join('|');

function entryProblems(what: string, e: { count: number | null; suppressed: boolean }, trueCount: number, controlled: boolean, sdc: SdcRange): string[] {
  const out: string[] = [];
  if (e.suppressed) {
    if (e.count !== null) out.push(`${what}: suppressed but count ${e.count} published`);
    if (!controlled) out.push(`${what}: withheld in a table that is not controlled (true count ${trueCount})`);
  } else {
    if (e.count !== trueCount) out.push(`${what}: expected ${trueCount}, got ${e.count}`);
    if (controlled && trueCount >= sdc.min && trueCount <= sdc.max) out.push(`${what}: count ${trueCount} published in a controlled table (must be withheld)`);
  }
  return out;
}

function listProblems(what: string, cells: ApiCell[], expected: Map<string, number>, controlled: boolean, sdc: SdcRange): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of cells) {
    const k = key(c.keys);
    if (seen.has(k)) out.push(`${what} [${k}]: listed twice`);
    seen.add(k);
    const trueCount = expected.get(k) ?? 0;
    if (!expected.has(k) && !(c.count === 0 || (c.suppressed && controlled))) out.push(`${what} [${k}]: not a combination the user may count (${JSON.stringify(c)})`);
    out.push(...entryProblems(`${what} [${k}]`, c, trueCount, controlled, sdc));
  }
  for (const [k, n] of expected) if (!seen.has(k)) out.push(`${what} [${k}]: missing (true count ${n})`);
  return out;
}

export function tableProblems(api: ApiTable, expected: ExpectedTable, dims: number, sdc: SdcRange): string[] {
  const out: string[] = [];
  const who = `provider ${expected.agencyId}`;
  if (api.controlled !== expected.controlled) out.push(`${who}: controlled expected ${expected.controlled}, got ${api.controlled}`);
  const controlled = expected.controlled;
  for (const c of api.cells) if (c.keys.length !== dims) out.push(`${who}: cell ${JSON.stringify(c.keys)} does not have ${dims} keys`);
  out.push(...listProblems(`${who} cell`, api.cells, expected.cells, controlled, sdc));
  out.push(...entryProblems(`${who} total`, api.total, expected.total, controlled, sdc));
  if (dims === 2) {
    out.push(...listProblems(`${who} row total`, api.rowTotals, expected.rowTotals, controlled, sdc));
    out.push(...listProblems(`${who} column total`, api.columnTotals, expected.columnTotals, controlled, sdc));
  } else if (controlled) {
    for (const c of [...api.rowTotals, ...api.columnTotals]) {
      if (!c.suppressed && c.count !== null && c.count >= sdc.min && c.count <= sdc.max) out.push(`${who}: margin ${JSON.stringify(c)} publishes a small count`);
    }
  }
  out.push(...singleWithheldLines(api, dims).map((l) => `${who}: line ${l} holds exactly one withheld entry`));
  return out;
}

/** Lines (rows, columns, margins) of the published table that hold exactly one withheld entry. */
export function singleWithheldLines(api: ApiTable, dims: number): string[] {
  const bad: string[] = [];
  const withheld = (cells: { suppressed: boolean }[]): number => cells.filter((c) => c.suppressed).length;
  const cellAt = new Map(api.cells.map((c) => [key(c.keys), c]));
  const zero = { suppressed: false };
  if (dims <= 1) {
    if (withheld([...api.cells, api.total]) === 1) bad.push('cells + total');
    return bad;
  }
  const rows = [...new Set([...api.cells.map((c) => c.keys[0]!), ...api.rowTotals.map((c) => c.keys[0]!)])];
  const cols = [...new Set([...api.cells.map((c) => c.keys[1]!), ...api.columnTotals.map((c) => c.keys[0]!)])];
  const rowTotal = new Map(api.rowTotals.map((c) => [c.keys[0]!, c]));
  const colTotal = new Map(api.columnTotals.map((c) => [c.keys[0]!, c]));
  for (const r of rows) {
    const line = [...cols.map((c) => cellAt.get(key([r, c])) ?? zero), rowTotal.get(r) ?? zero];
    if (withheld(line) === 1) bad.push(`row ${r}`);
  }
  for (const c of cols) {
    const line = [...rows.map((r) => cellAt.get(key([r, c])) ?? zero), colTotal.get(c) ?? zero];
    if (withheld(line) === 1) bad.push(`column ${c}`);
  }
  if (withheld([...api.rowTotals, api.total]) === 1) bad.push('row totals + total');
  if (withheld([...api.columnTotals, api.total]) === 1) bad.push('column totals + total');
  return bad;
}
