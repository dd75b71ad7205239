import { HubError } from '@csp-hub/taxonomy';
import { benjaminiHochberg } from './fdr';
import { checkKey, compareKeys } from './inputs';
import { normalTwoSidedPValue } from './poisson-test';

/**
 * Getis-Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary weights: a
 * cell's neighbourhood is itself plus its neighbours (queen contiguity on a
 * square grid, the first ring on H3). For cell i with neighbourhood N_i of
 * W_i cells, over n cells with mean X̄ and S = √(Σx²/n − X̄²):
 *
 *   Gi* = (Σ_{j∈N_i} x_j − X̄·W_i) / (S·√((n·W_i − W_i²)/(n − 1)))
 *
 * Gi* is a z-score; p = 2·Φ(−|Gi*|). See docs/analysis.md "Hotspots".
 */

export interface CellValue {
  /** Cell id in the lattice's own system (BNG grid 'col:row', H3 index). */
  id: string;
  /** Count (or rate) in the cell; 0 for cells of the study area with no incidents. */
  value: number;
}

/** Neighbours of a cell. Ids outside the lattice are ignored; the cell itself is always included. */
export type NeighbourRule = (id: string) => Iterable<string>;

export type GiClass = 'hot-99' | 'hot-95' | 'cold-99' | 'cold-95' | 'not-significant';
export const GI_CLASSES: readonly GiClass[] = ['hot-99', 'hot-95', 'not-significant', 'cold-95', 'cold-99'];

export interface GiStarOptions {
  /**
   * 'fdr' (default): classify on Benjamini–Hochberg q-values across the
   * lattice, so a map of thousands of cells does not show 5% of them hot by
   * chance. 'none': classify on each cell's own p-value.
   */
  correction?: 'fdr' | 'none';
}

export interface GiStarCell {
  id: string;
  value: number;
  /** Cells in the neighbourhood, the cell itself included. */
  neighbourhood: number;
  /** Gi* z-score; 0 when undefined (no variation at all, or a neighbourhood that is the whole lattice). */
  z: number;
  /** Two-sided p-value of z. */
  pValue: number;
  /** Benjamini–Hochberg q-value across the lattice. */
  qValue: number;
  /** 99% / 95% hot or cold (on q with correction 'fdr', else on p), by the sign of z. */
  class: GiClass;
}

export interface GiStarResult {
  cells: GiStarCell[];
  n: number;
  mean: number;
  /** S = √(Σx²/n − X̄²) (population form, as in the statistic). */
  s: number;
  correction: 'fdr' | 'none';
}

export function isHot(c: GiClass): boolean {
  return c === 'hot-99' || c === 'hot-95';
}

export function isCold(c: GiClass): boolean {
  return c === 'cold-99' || c === 'cold-95';
}

function classify(z: number, level: number): GiClass {
  if (level < 0.01) return z > 0 ? 'hot-99' : 'cold-99';
  if (level < 0.05) return z > 0 ? 'hot-95' : 'cold-95';
  return 'not-significant';
}

/**
 * Gi* for every cell of a lattice. `cells` must be the whole study area,
 * zero cells included (see buildLattice): leaving them out raises the mean
 * and hides real clusters. Results are in cell id order.
 */
export function getisOrdGiStar(cells: readonly CellValue[], neighbours: NeighbourRule, options: GiStarOptions = {}): GiStarResult {
  const correction = options.correction ?? 'fdr';
  if (correction !== 'fdr' && correction !== 'none') {
    throw HubError.invalidInput('INVALID_VALUE', `correction must be fdr or none, got "${String(correction)}"`);
  }
  const n = cells.length;
  if (n < 2) throw HubError.invalidInput('LATTICE_TOO_SMALL', `Gi* needs a study area of at least 2 cells, got ${n}`);
  const valueOf = new Map<string, number>();
  for (const [i, c] of cells.entries()) {
    checkKey(`cells[${i}].id`, c.id);
    if (!Number.isFinite(c.value)) throw HubError.invalidInput('INVALID_VALUE', `value of cell ${c.id} must be a finite number, got ${String(c.value)}`);
    if (valueOf.has(c.id)) throw HubError.invalidInput('DUPLICATE_KEY', `cell ${c.id} is given more than once`);
    valueOf.set(c.id, c.value);
  }
  const ordered = [...cells].sort((a, b) => compareKeys(a.id, b.id));
  let sum = 0;
  let sumSquares = 0;
  for (const c of ordered) {
    sum += c.value;
    sumSquares += c.value * c.value;
  }
  const mean = sum / n;
  const s = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
  // Relative guard: S is zero (up to rounding) only when every value is the same.
  const flat = s <= 1e-12 * Math.max(1, Math.abs(mean));

  const raw = ordered.map((c) => {
    const hood = new Set<string>([c.id]);
    for (const j of neighbours(c.id)) if (valueOf.has(j)) hood.add(j);
    const w = hood.size;
    let local = 0;
    for (const j of hood) local += valueOf.get(j)!;
    const spread = (n * w - w * w) / (n - 1);
    const z = flat || spread <= 0 ? 0 : (local - mean * w) / (s * Math.sqrt(spread));
    return { id: c.id, value: c.value, neighbourhood: w, z, pValue: normalTwoSidedPValue(z) };
  });
  const q = benjaminiHochberg(raw.map((r) => r.pValue));
  return {
    cells: raw.map((r, i) => ({ ...r, qValue: q[i]!, class: classify(r.z, correction === 'fdr' ? q[i]! : r.pValue) })),
    n,
    mean,
    s,
    correction,
  };
}
