import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getAdapter, listFeeds } from '@csp-hub/ingest';
import { HubError, type AdapterItem } from '@csp-hub/taxonomy';

/**
 * Property tests of every feed adapter (issue #14): whatever bytes arrive,
 * reading either finishes (rows and row-level rejects) or throws a HubError
 * naming the problem; nothing else is ever thrown, and nothing hangs. Runs are
 * bounded (numRuns, a per-run timeout) so the suite stays fast.
 */
const FEEDS = listFeeds();
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const TIMEOUT_MS = 5000;

/** Feeds a file to the adapter in the given chunks; resolves what happened. */
async function read(feed: string, chunks: Uint8Array[], encoding?: 'utf-8' | 'windows-1252' | 'auto'): Promise<'ok' | HubError> {
  async function* source() {
    for (const c of chunks) yield c;
  }
  try {
    let items = 0;
    for await (const batch of getAdapter(feed).read(source(), encoding ? { encoding } : {})) {
      items += (batch as AdapterItem[]).length;
    }
    expect(items).toBeGreaterThanOrEqual(0);
    return 'ok';
  } catch (error) {
    if (error instanceof HubError) {
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.reason).toMatch(/^[A-Z][A-Z0-9_]+$/);
      return error;
    }
    throw new Error(`${feed}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of a HubError`);
  }
}

/** Splits bytes at the given cut points (multi-byte characters and CRLF land across chunk boundaries). */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

const encodings = fc.constantFrom<('utf-8' | 'windows-1252' | 'auto' | undefined)[]>(undefined, 'utf-8', 'windows-1252', 'auto');

/** Text that looks like CSV: quotes, separators, line ends, a BOM, formula starters, non-ASCII. */
const csvCell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '"', '""', '"a,b"', '"unterminated', '=SUM(A1)', '+1', '-', '@x', '2024-01', '2024-13', '31/02/2024 25:61', 'E01025672', 'E07000130', '-1.2', '52.77', 'NaN', '1e309', '\u00a3', '\u2019', '\ufeff', 'é', '\u0000', '\t'),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '');

function csvText(header: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return fc
    .tuple(header, fc.array(fc.array(csvCell, { maxLength: 14 }), { maxLength: 12 }), lineEnd, fc.boolean())
    .map(([h, rows, eol, bom]) => `${bom ? '\ufeff' : ''}${[h, ...rows].map((r) => r.join(',')).join(eol || '\n')}${eol}`);
}

/** The feed's own columns, shuffled, some dropped, some renamed in case or padded, plus random extra ones. */
function headerFor(required: readonly string[]): fc.Arbitrary<string[]> {
  return fc
    .tuple(
      fc.shuffledSubarray([...required], { minLength: Math.max(0, required.length - 2) }),
      fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('Context', 'Notes', 'Crime ID', 'LSOA code')), { maxLength: 4 }),
      fc.array(fc.constantFrom<'upper' | 'pad' | 'same'>('upper', 'pad', 'same'), { minLength: required.length, maxLength: required.length }),
    )
    .map(([cols, extra, how]) => [...cols.map((c, i) => (how[i] === 'upper' ? c.toUpperCase() : how[i] === 'pad' ? ` ${c} ` : c)), ...extra]);
}

describe.each(FEEDS.map((f) => [f.feed, f] as const))('adapter %s under random input', (feed, info) => {
  it('arbitrary bytes in arbitrary chunks: HubError or rows, never anything else, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 6 }), encodings, async (bytes, cuts, encoding) => {
        await read(feed, chunked(bytes, cuts), encoding);
      }),
      { numRuns: RUNS, timeout: TIMEOUT_MS, markInterruptAsFailure: true },
    );
  });

  it('CSV-ish text with random headers and cells', async () => {
    const text = csvText(fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...info.columns)), { maxLength: 14 }));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 4 }), async (t, cuts) => {
        await read(feed, chunked(new TextEncoder().encode(t), cuts));
      }),
      { numRuns: RUNS, timeout: TIMEOUT_MS, markInterruptAsFailure: true },
    );
  });

  it("its own columns shuffled, dropped, renamed or padded, with random rows", async () => {
    await fc.assert(
      fc.asyncProperty(csvText(headerFor(info.columns)), encodings, async (t, encoding) => {
        await read(feed, [new TextEncoder().encode(t)], encoding);
      }),
      { numRuns: RUNS, timeout: TIMEOUT_MS, markInterruptAsFailure: true },
    );
  });
});

describe('the fuzz harness', () => {
  it('covers every feed with an adapter', () => {
    expect(FEEDS.length).toBeGreaterThanOrEqual(8);
  });

  it('tells a HubError from anything else', async () => {
    const result = await read(FEEDS[0]!.feed, [new TextEncoder().encode('')]);
    expect(result === 'ok' || result instanceof HubError).toBe(true);
  });
});
