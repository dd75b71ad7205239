import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linesWithSingleSuppression, protectTable } from './sdc';

describe('disclosure control', () => {
  it('withholds small counts and one more so the total cannot give a withheld count away', () => {
    const t = protectTable([
      { row: 'violence', column: '', value: 3 },
      { row: 'burglary', column: '', value: 12 },
      { row: 'arson', column: '', value: 7 },
    ]);
    const byKey = Object.fromEntries(t.rowKeys.map((k, i) => [k, t.cells[i]![0]]));
    expect(byKey.violence).toMatchObject({ value: 3, suppressed: true, reason: 'primary' });
    expect(byKey.arson).toMatchObject({ suppressed: true, reason: 'secondary' }); // the smallest other count
    expect(byKey.burglary!.suppressed).toBe(false);
    expect(t.total).toMatchObject({ value: 22, suppressed: false });
  });

  it('withholds the total when there is no other count to withhold', () => {
    const t = protectTable([{ row: 'violence', column: '', value: 2 }, { row: 'arson', column: '', value: 0 }]);
    expect(t.total.suppressed).toBe(true);
  });

  it('publishes zeros and counts above the threshold untouched', () => {
    const t = protectTable([{ row: 'a', column: 'x', value: 0 }, { row: 'a', column: 'y', value: 9 }, { row: 'b', column: 'x', value: 5 }, { row: 'b', column: 'y', value: 30 }]);
    expect(t.cells.flat().every((e) => !e.suppressed)).toBe(true);
  });

  it('two-way tables: no row, column or margin is left with a single withheld entry (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ row: fc.constantFrom('r1', 'r2', 'r3', 'r4'), column: fc.constantFrom('c1', 'c2', 'c3'), value: fc.integer({ min: 0, max: 12 }) }), { maxLength: 12 }),
        (counts) => {
          const t = protectTable(counts);
          expect(linesWithSingleSuppression(t)).toBe(0);
          for (const e of [...t.cells.flat(), ...t.rowTotals, ...t.columnTotals, t.total]) {
            if (e.value >= 1 && e.value <= 4) expect(e.suppressed).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('one-way tables keep the same invariant (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ row: fc.string({ minLength: 1, maxLength: 3 }), column: fc.constant(''), value: fc.integer({ min: 0, max: 9 }) }), { maxLength: 10 }), (counts) => {
        expect(linesWithSingleSuppression(protectTable(counts))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
