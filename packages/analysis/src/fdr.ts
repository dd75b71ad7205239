import { HubError } from '@csp-hub/taxonomy';

/**
 * Benjamini–Hochberg adjusted p-values (q-values) for a family of tests:
 * q(i) = min over j ≥ i of p(j)·m/j on the p-values sorted ascending, capped at 1.
 * Declaring every test with q < α keeps the expected share of false
 * discoveries among them at most α. Returned in the input's order.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw HubError.invalidInput('INVALID_PROBABILITY', `p-value ${i} must be between 0 and 1, got ${String(p)}`);
  });
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank -= 1) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    q[i] = running;
  }
  return q;
}
