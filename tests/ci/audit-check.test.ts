import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { advisoriesOf, evaluate, parseAllowlist, type AllowEntry } from '../../.ci/audit-check';

const report = {
  advisories: {
    '1100': { id: 1100, github_advisory_id: 'GHSA-aaaa-bbbb-cccc', module_name: 'left-pad', severity: 'high', title: 'Prototype pollution', url: 'https://example.test/1' },
    '1101': { id: 1101, github_advisory_id: 'GHSA-dddd-eeee-ffff', module_name: 'tiny-lib', severity: 'moderate', title: 'ReDoS', url: 'https://example.test/2' },
  },
};
const entry = (over: Partial<AllowEntry> = {}): AllowEntry => ({ id: 'GHSA-dddd-eeee-ffff', package: 'tiny-lib', reason: 'only parses our own config', reviewBy: '2027-06-30', ...over });

describe('pnpm audit allow-list check', () => {
  it('fails on an advisory that is not allowed, passes one that is', () => {
    const d = evaluate(advisoriesOf(report), [entry()], '2027-01-01');
    expect(d.ok).toBe(false);
    expect(d.blocked.map((a) => a.id)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(d.allowed.map((a) => a.id)).toEqual(['GHSA-dddd-eeee-ffff']);
  });

  it('an entry past its review date stops counting', () => {
    const d = evaluate(advisoriesOf({ advisories: { x: report.advisories['1101'] } }), [entry({ reviewBy: '2026-12-31' })], '2027-01-01');
    expect(d.ok).toBe(false);
    expect(d.expired).toHaveLength(1);
  });

  it('an entry for another package does not match; unused entries are named', () => {
    const d = evaluate(advisoriesOf({ advisories: { x: report.advisories['1101'] } }), [entry({ package: 'other' })], '2027-01-01');
    expect(d.blocked).toHaveLength(1);
    expect(d.unused).toHaveLength(1);
    expect(evaluate([], [], '2027-01-01').ok).toBe(true);
  });

  it('refuses an allow-list entry without a reason or a review date', () => {
    expect(() => parseAllowlist(JSON.stringify({ advisories: [{ id: 'GHSA-x', package: 'p' }] }))).toThrow(/entry 0: reason is required[\s\S]*entry 0: reviewBy is required/);
    expect(() => parseAllowlist(JSON.stringify({ advisories: [entry({ reviewBy: 'next year' })] }))).toThrow(/reviewBy must be YYYY-MM-DD/);
  });

  it('the committed allow-list is valid', () => {
    expect(() => parseAllowlist(readFileSync(path.resolve(import.meta.dirname, '../../audit-allowlist.json'), 'utf8'))).not.toThrow();
  });
});
