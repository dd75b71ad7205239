/**
 * Statistical disclosure control for count tables.
 *  - Primary suppression: a count in [min, max] (default 1-4) is withheld.
 *  - Secondary suppression: a published total would let a reader recover a
 *    single withheld count in its line (row, column or the margins), so every
 *    line must hold zero or at least two withheld entries; we withhold the
 *    smallest further positive count (or the line's total) until that holds.
 * Zeros are published: they disclose no individual.
 */
export interface SdcOptions {
  min: number;
  max: number;
}

export const DEFAULT_SDC: SdcOptions = { min: 1, max: 4 };

export interface Entry {
  value: number;
  suppressed: boolean;
  /** Why withheld: primary (small) or secondary (to protect another). */
  reason: 'primary' | 'secondary' | null;
}

export interface SdcTable {
  rowKeys: string[];
  columnKeys: string[];
  /** cells[r][c]; missing combinations are zero. */
  cells: Entry[][];
  rowTotals: Entry[];
  columnTotals: Entry[];
  total: Entry;
}

function entry(value: number, opts: SdcOptions): Entry {
  const small = value >= opts.min && value <= opts.max;
  return { value, suppressed: small, reason: small ? 'primary' : null };
}

/**
 * Builds a two-way table (a one-way table has a single column) from counts
 * keyed by row and column, and applies primary and secondary suppression.
 */
export function protectTable(counts: { row: string; column: string; value: number }[], opts: SdcOptions = DEFAULT_SDC): SdcTable {
  const rowKeys = [...new Set(counts.map((c) => c.row))].sort();
  const columnKeys = [...new Set(counts.map((c) => c.column))].sort();
  const ri = new Map(rowKeys.map((k, i) => [k, i]));
  const ci = new Map(columnKeys.map((k, i) => [k, i]));
  const values = rowKeys.map(() => columnKeys.map(() => 0));
  for (const c of counts) values[ri.get(c.row)!]![ci.get(c.column)!]! += c.value;
  const cells = values.map((row) => row.map((v) => entry(v, opts)));
  const rowTotals = values.map((row) => entry(row.reduce((a, b) => a + b, 0), opts));
  const columnTotals = columnKeys.map((_, c) => entry(values.reduce((a, row) => a + row[c]!, 0), opts));
  const total = entry(values.flat().reduce((a, b) => a + b, 0), opts);

  // Lines: each is a set of entries that sum to its last entry (the line total).
  const lines: Entry[][] = [];
  const oneWay = columnKeys.length <= 1;
  if (oneWay) {
    lines.push([...cells.map((r) => r[0]!).filter(Boolean), total]);
  } else {
    cells.forEach((row, r) => lines.push([...row, rowTotals[r]!]));
    columnKeys.forEach((_, c) => lines.push([...cells.map((row) => row[c]!), columnTotals[c]!]));
    lines.push([...rowTotals, total]);
    lines.push([...columnTotals, total]);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const withheld = line.filter((e) => e.suppressed).length;
      if (withheld !== 1) continue;
      const parts = line.slice(0, -1);
      const candidate = parts
        .filter((e) => !e.suppressed && e.value > 0)
        .sort((a, b) => a.value - b.value)[0];
      const target = candidate ?? line[line.length - 1]!;
      if (target.suppressed) continue;
      target.suppressed = true;
      target.reason = 'secondary';
      changed = true;
    }
  }
  if (oneWay) {
    // a one-way table's row totals equal its cells
    rowTotals.forEach((t, r) => Object.assign(t, cells[r]![0]));
    if (columnTotals[0]) Object.assign(columnTotals[0], total);
  }
  return { rowKeys, columnKeys, cells, rowTotals, columnTotals, total };
}

/** No line of a protected table has exactly one withheld entry (the invariant tests check). */
export function linesWithSingleSuppression(t: SdcTable): number {
  const lines: Entry[][] = [];
  if (t.columnKeys.length <= 1) lines.push([...t.cells.map((r) => r[0]!), t.total]);
  else {
    t.cells.forEach((row, r) => lines.push([...row, t.rowTotals[r]!]));
    t.columnKeys.forEach((_, c) => lines.push([...t.cells.map((row) => row[c]!), t.columnTotals[c]!]));
    lines.push([...t.rowTotals, t.total]);
    lines.push([...t.columnTotals, t.total]);
  }
  return lines.filter((l) => l.filter((e) => e.suppressed).length === 1).length;
}
