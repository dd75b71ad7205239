/**
 * Statistical disclosure control by the cell-key method (Thompson, Broadfoot
 * and Elazar 2013; used by the ABS TableBuilder and by ONS for the 2021
 * Census; ADR 0016):
 *  - every record carries a random record key, uniform on 0..255;
 *  - a cell's key is the sum of its records' keys mod 256, so the same set of
 *    records always has the same cell key, whichever query forms the cell;
 *  - a perturbation table (ptable) maps (true count, cell key) to noise, so the
 *    same cell always gets the same noise, and two cells that differ by a few
 *    records get independent noise: differences of tables stay noisy;
 *  - on top, a perturbed count of 1..threshold is published as 0, and zero
 *    cells are not listed, so a withheld or perturbed cell looks exactly like a
 *    true zero.
 *
 * The noise for a true count i follows the maximum-entropy distribution on
 * {-D..D} (never below zero; a true zero stays zero) with mean 0 and variance
 * V: p(v) ∝ exp(a·v + b·v²), solved for a and b. The ptable spreads each row
 * over the 256 cell keys in proportion to the probabilities.
 */

export interface CellKeyOptions {
  /** D: the largest noise added or taken away. */
  maxNoise: number;
  /** V: the variance of the noise (for counts of at least D). */
  variance: number;
  /** Perturbed counts from 1 to this are published as 0. */
  threshold: number;
}

export const DEFAULT_CELL_KEY: CellKeyOptions = { maxNoise: 2, variance: 1, threshold: 2 };

/** Record keys and cell keys run over 0..KEY_SPACE-1. */
export const KEY_SPACE = 256;

export interface PTable {
  options: CellKeyOptions;
  /** noise[i][k]: the noise for true count i (i >= last row: the last row) and cell key k. */
  noise: number[][];
  /** The distribution behind each row: noise value -> probability. */
  distributions: Map<number, number>[];
}

/** Maximum-entropy probabilities on `support` with mean 0 and the given variance (Newton's method on the two multipliers). */
export function maxEntropy(support: readonly number[], variance: number): Map<number, number> {
  if (support.length === 1) return new Map([[support[0]!, 1]]);
  let a = 0;
  let b = -0.5 / variance;
  const moments = (aa: number, bb: number) => {
    const w = support.map((v) => Math.exp(aa * v + bb * v * v));
    const z = w.reduce((s, x) => s + x, 0);
    const p = w.map((x) => x / z);
    const m = (k: number) => p.reduce((s, pi, i) => s + pi * support[i]! ** k, 0);
    return { p, m1: m(1), m2: m(2), m3: m(3), m4: m(4) };
  };
  for (let iteration = 0; iteration < 200; iteration++) {
    const { m1, m2, m3, m4 } = moments(a, b);
    const f1 = m1;
    const f2 = m2 - variance;
    if (Math.abs(f1) < 1e-12 && Math.abs(f2) < 1e-12) break;
    // Jacobian of (E[v], E[v²]) in (a, b): covariances of (v, v²).
    const j11 = m2 - m1 * m1;
    const j12 = m3 - m1 * m2;
    const j22 = m4 - m2 * m2;
    const det = j11 * j22 - j12 * j12;
    if (!(Math.abs(det) > 1e-15)) throw new Error(`no noise distribution with variance ${variance} on {${support.join(', ')}}`);
    let da = (f1 * j22 - f2 * j12) / det;
    let db = (f2 * j11 - f1 * j12) / det;
    // damped step: never let the exponent run away
    const scale = Math.max(1, Math.abs(da) / 2, Math.abs(db) / 2);
    da /= scale;
    db /= scale;
    a -= da;
    b -= db;
  }
  const { p, m1, m2 } = moments(a, b);
  if (Math.abs(m1) > 1e-9 || Math.abs(m2 - variance) > 1e-6) {
    throw new Error(`no noise distribution with mean 0 and variance ${variance} on {${support.join(', ')}}`);
  }
  return new Map(support.map((v, i) => [v, p[i]!]));
}

/**
 * The ptable for the options. Rows for true counts 0..D (from D on the full
 * support is available, so every larger count uses row D). Counts whose
 * truncated support cannot reach the variance get the largest variance their
 * support allows with mean 0 (documented in ADR 0016).
 */
export function buildPTable(options: CellKeyOptions = DEFAULT_CELL_KEY): PTable {
  const { maxNoise: d, variance, threshold } = options;
  if (!Number.isInteger(d) || d < 1 || d > 10) throw new Error('maxNoise must be a whole number from 1 to 10');
  if (!(variance > 0) || variance > d * d) throw new Error(`variance must be above 0 and at most maxNoise² (${d * d})`);
  if (!Number.isInteger(threshold) || threshold < 0) throw new Error('threshold must be a whole number, 0 or more');
  const distributions: Map<number, number>[] = [];
  const noise: number[][] = [];
  for (let i = 0; i <= d; i++) {
    const support: number[] = [];
    for (let v = -Math.min(d, i); v <= d; v++) support.push(v);
    let dist: Map<number, number>;
    if (i === 0) dist = new Map([[0, 1]]);
    else {
      // the largest variance a mean-0 distribution on this support can have: mass on its two ends
      const lo = support[0]!;
      const hi = support[support.length - 1]!;
      const reachable = -lo * hi;
      dist = maxEntropy(support, Math.min(variance, reachable * 0.9));
    }
    distributions.push(dist);
    noise.push(spread(dist));
  }
  return { options, noise, distributions };
}

/** Spreads a distribution over the key space: key k gets the value whose cumulative interval holds (k + 0.5) / 256. */
function spread(dist: Map<number, number>): number[] {
  const values = [...dist.keys()].sort((x, y) => x - y);
  const row: number[] = [];
  for (let k = 0; k < KEY_SPACE; k++) {
    const u = (k + 0.5) / KEY_SPACE;
    let cumulative = 0;
    let chosen = values[values.length - 1]!;
    for (const v of values) {
      cumulative += dist.get(v)!;
      if (u < cumulative) {
        chosen = v;
        break;
      }
    }
    row.push(chosen);
  }
  return row;
}

/** The published count for a true count and its cell key (0: not published). */
export function perturb(table: PTable, trueCount: number, cellKey: number): number {
  if (trueCount <= 0) return 0;
  const row = table.noise[Math.min(trueCount, table.noise.length - 1)]!;
  const value = trueCount + row[((cellKey % KEY_SPACE) + KEY_SPACE) % KEY_SPACE]!;
  return value <= table.options.threshold ? 0 : value;
}

/** The cell key of a set of records: the sum of their record keys mod 256. */
export function cellKey(recordKeys: Iterable<number>): number {
  let sum = 0;
  for (const k of recordKeys) sum += k;
  return sum % KEY_SPACE;
}

/**
 * The ptable as a SQL expression over a true count and a cell key column
 * (integers), publishing 0 for values at or below the threshold. The table is
 * a parameter (int[][]), so it is not repeated in every statement's text.
 */
export function perturbSql(countSql: string, keySql: string, tableParam: string, table: PTable): string {
  const last = table.noise.length - 1;
  const value = `(${countSql} + (${tableParam})[least(${countSql}, ${last}) + 1][${keySql} + 1])`;
  return `(case when ${countSql} <= 0 then 0 when ${value} <= ${table.options.threshold} then 0 else ${value} end)`;
}
