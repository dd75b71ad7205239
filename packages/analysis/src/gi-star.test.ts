import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getisOrdGiStar } from './gi-star';
import { createBngGrid } from './bng-grid';
import { buildLattice } from './lattice';

/** Cells 0..n-1 on a line, neighbours i − 1 and i + 1. */
const line = (values: number[]) => ({
  cells: values.map((value, i) => ({ id: String(i), value })),
  neighbours: (id: string) => [String(Number(id) - 1), String(Number(id) + 1)],
});

describe('Getis-Ord Gi*', () => {
  it('worked by hand: five cells on a line, values 1 3 8 2 1', () => {
    // n = 5, X̄ = 3, Σx² = 79, S = √(79/5 − 9) = √6.8.
    // Cell 2: neighbourhood {1,2,3}, W = 3, Σ = 13: (13 − 3·3) / (√6.8·√((5·3 − 9)/4)) = 4 / (√6.8·√1.5).
    // Cell 0: neighbourhood {0,1}, W = 2, Σ = 4: (4 − 6) / (√6.8·√((10 − 4)/4)) = −2 / (√6.8·√1.5).
    const { cells, neighbours } = line([1, 3, 8, 2, 1]);
    const r = getisOrdGiStar(cells, neighbours, { correction: 'none' });
    expect(r.mean).toBe(3);
    expect(r.s).toBeCloseTo(Math.sqrt(6.8), 12);
    const z = Object.fromEntries(r.cells.map((c) => [c.id, c.z]));
    expect(z['2']).toBeCloseTo(4 / (Math.sqrt(6.8) * Math.sqrt(1.5)), 12);
    expect(z['0']).toBeCloseTo(-2 / (Math.sqrt(6.8) * Math.sqrt(1.5)), 12);
    expect(z['1']).toBeCloseTo(3 / (Math.sqrt(6.8) * Math.sqrt(1.5)), 12);
    expect(z['4']).toBeCloseTo(-3 / (Math.sqrt(6.8) * Math.sqrt(1.5)), 12);
    expect(r.cells.find((c) => c.id === '2')!.pValue).toBeCloseTo(0.2104064530953712, 9); // scipy 2·norm.sf(1.2524)
    expect(r.cells.every((c) => c.class === 'not-significant')).toBe(true);
    expect(r.cells.map((c) => c.neighbourhood)).toEqual([2, 3, 3, 3, 2]);
  });

  it('matches an independent numpy computation on a 5 × 5 queen grid', () => {
    // Rows from south (row 0) to north; ids col:row. Reference: the formula in numpy with scipy's norm.sf.
    const rows = [
      [0, 1, 0, 0, 0],
      [1, 2, 1, 0, 0],
      [0, 1, 0, 0, 1],
      [0, 0, 0, 3, 0],
      [0, 0, 1, 0, 0],
    ];
    const grid = createBngGrid(100);
    const counts = new Map(rows.flatMap((row, r) => row.map((v, c) => [`${c}:${r}`, v] as [string, number])));
    const lattice = buildLattice(grid.cellsInBox({ minEasting: 0, minNorthing: 0, maxEasting: 500, maxNorthing: 500 }), counts);
    expect(lattice.cells).toHaveLength(25);
    const r = getisOrdGiStar(lattice.cells, grid.neighbours, { correction: 'none' });
    const byId = new Map(r.cells.map((c) => [c.id, c]));
    const reference: [string, number, number][] = [
      ['0:0', 1.5909347712359814, 0.11162425627527793],
      ['1:1', 1.106605743337003, 0.2684644230756128],
      ['2:2', 1.6490595390904357, 0.09913543768645068],
      ['3:3', 0.5641519475835701, 0.5726507271325827],
      ['4:4', 0.880696034077061, 0.3784823639278906],
    ];
    for (const [id, z, p] of reference) {
      expect(byId.get(id)!.z).toBeCloseTo(z, 12);
      expect(byId.get(id)!.pValue).toBeCloseTo(p, 10);
    }
    expect(byId.get('0:0')!.neighbourhood).toBe(4);
    expect(byId.get('2:2')!.neighbourhood).toBe(9);
  });

  it('finds a planted 3 × 3 cluster in an otherwise flat 15 × 15 grid, and nothing else', () => {
    const grid = createBngGrid(250);
    const counts = new Map<string, number>();
    for (let c = 0; c < 15; c += 1) for (let r = 0; r < 15; r += 1) counts.set(`${c}:${r}`, (c + r) % 2); // a chequerboard of 0/1
    for (let c = 6; c <= 8; c += 1) for (let r = 6; r <= 8; r += 1) counts.set(`${c}:${r}`, 6);
    const lattice = buildLattice(grid.cellsInBox({ minEasting: 0, minNorthing: 0, maxEasting: 3750, maxNorthing: 3750 }), counts);
    const r = getisOrdGiStar(lattice.cells, grid.neighbours);
    const hot = r.cells.filter((c) => c.class === 'hot-99' || c.class === 'hot-95').map((c) => c.id);
    expect(r.cells.find((c) => c.id === '7:7')!.class).toBe('hot-99');
    // Hot cells are the cluster and the ring touching it, nothing further out.
    for (const id of hot) {
      const [c, row] = id.split(':').map(Number);
      expect(Math.max(Math.abs(c! - 7), Math.abs(row! - 7))).toBeLessThanOrEqual(2);
    }
  });

  it('no variation at all: every z is 0 and p is 1 (nothing can be a hotspot)', () => {
    const { cells, neighbours } = line([2, 2, 2, 2]);
    const r = getisOrdGiStar(cells, neighbours);
    expect(r.cells.map((c) => [c.z, c.pValue, c.class])).toEqual(Array(4).fill([0, 1, 'not-significant']));
  });

  it('refuses a lattice that is too small, repeated cells or non-numbers', () => {
    expect(() => getisOrdGiStar([{ id: 'a', value: 1 }], () => [])).toThrow(/at least 2 cells/);
    expect(() => getisOrdGiStar([{ id: 'a', value: 1 }, { id: 'a', value: 2 }], () => [])).toThrow(/cell a is given more than once/);
    expect(() => getisOrdGiStar([{ id: 'a', value: Number.NaN }, { id: 'b', value: 2 }], () => [])).toThrow(/value of cell a/);
    expect(() => getisOrdGiStar(line([1, 2]).cells, () => [], { correction: 'bonferroni' as 'none' })).toThrow(/correction/);
  });

  const values = fc.array(fc.nat(30), { minLength: 3, maxLength: 25 });

  it('property: z is unchanged by x -> a·x + b (a > 0), flips sign for a < 0; p in [0, 1], q ≥ p', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 9 }), fc.integer({ min: -20, max: 20 }), (xs, a, b) => {
        const { cells, neighbours } = line(xs);
        const base = getisOrdGiStar(cells, neighbours);
        const scaled = getisOrdGiStar(cells.map((c) => ({ id: c.id, value: a * c.value + b })), neighbours);
        const flipped = getisOrdGiStar(cells.map((c) => ({ id: c.id, value: -a * c.value + b })), neighbours);
        base.cells.forEach((c, i) => {
          expect(scaled.cells[i]!.z).toBeCloseTo(c.z, 8);
          expect(flipped.cells[i]!.z).toBeCloseTo(-c.z, 8);
          expect(c.pValue).toBeGreaterThanOrEqual(0);
          expect(c.pValue).toBeLessThanOrEqual(1);
          expect(c.qValue).toBeGreaterThanOrEqual(c.pValue - 1e-15);
        });
      }),
    );
  });

  it('property: the order cells are passed in does not matter', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const { cells, neighbours } = line(xs);
        expect(getisOrdGiStar([...cells].reverse(), neighbours)).toEqual(getisOrdGiStar(cells, neighbours));
      }),
    );
  });
});
