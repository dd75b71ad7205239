import { openCsv, peekCsvHeader, sniff, type AdapterContext, type ByteSource, type Encoding, type FeedAdapter } from '@csp-hub/adapter-kit';
import { FEEDS, HubError, type AdapterItem, type FeedDescription, type FeedId } from '@csp-hub/taxonomy';
import type { CompiledLayout } from './compile';

/**
 * One way a feed's CSV can be read: a layout file run by the engine, or a
 * reader written in code (data.police.uk, ISTV). For a feed, every candidate
 * is tried against the header; the one whose columns are all there reads it.
 */
export interface LayoutCandidate {
  id: string;
  version: number;
  label: string;
  feed: FeedId;
  /** `file`: a layout run by the engine; `code`: a reader in an adapter package. */
  kind: 'file' | 'code';
  required: readonly string[];
  anyOf?: { name: string; groups: readonly (readonly string[])[] } | undefined;
  /** Reads a whole file with this layout (the header already chose it, or the submitter named it). */
  read(source: ByteSource, context: AdapterContext): AsyncIterable<AdapterItem[]>;
}

function anyOfText(groups: readonly (readonly string[])[], join: 'words' | 'plus'): string {
  if (join === 'plus') return groups.map((g) => g.join(' + ')).join(' or ');
  const parts = groups.map((g) => g.join(' and '));
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')}, or ${parts[parts.length - 1]}` : parts[0]!;
}

function expectedColumns(layout: CompiledLayout): string {
  const alternatives = layout.anyOf ? `, and at least one of ${anyOfText(layout.anyOf.groups, 'words')}` : '';
  return `Expected the ${layout.label} columns: ${layout.required.join(', ')}${alternatives}.`;
}

/** What openCsv cannot check: both columns of a coordinate pair, and at least one alternative group. */
function checkLayoutHeader(layout: CompiledLayout, header: readonly string[]): void {
  const has = (c: string) => header.includes(c);
  for (const [a, b] of layout.pairs) {
    if (has(a) !== has(b)) {
      const [found, lacking] = has(a) ? [a, b] : [b, a];
      throw HubError.invalidInput('WRONG_HEADER', `This ${layout.label} file has ${found} but no ${lacking} column. ${expectedColumns(layout)}`, { found: header });
    }
  }
  if (layout.anyOf && !layout.anyOf.groups.some((g) => g.every(has))) {
    throw HubError.invalidInput('WRONG_HEADER', `This ${layout.label} file has no ${layout.anyOf.name}. ${expectedColumns(layout)} Found: ${header.slice(0, 40).join(', ')}.`, {
      missing: [...new Set(layout.anyOf.groups.flat())],
      found: header,
    });
  }
}

/** Reads a whole CSV with one compiled layout. */
export async function* readWithLayout(layout: CompiledLayout, source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const csv = await openCsv(source, {
    feedLabel: layout.label,
    requiredColumns: layout.required,
    optionalColumns: layout.optional,
    encoding: context.encoding ?? layout.encoding,
    ...(context.onEncoding ? { onEncoding: context.onEncoding } : {}),
  });
  checkLayoutHeader(layout, csv.header);
  const map = layout.bind(csv.column);
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) items.push(map(row, fields));
    yield items;
  }
}

/** A compiled layout as a candidate for its feed. */
export function fileCandidate(layout: CompiledLayout): LayoutCandidate {
  return {
    id: layout.id,
    version: layout.version,
    label: layout.label,
    feed: layout.feed,
    kind: 'file',
    required: layout.required,
    anyOf: layout.anyOf,
    read: (source, context) => readWithLayout(layout, source, context),
  };
}

/** A code adapter's CSV form as a candidate (its required columns recognise it). */
export function codeCandidate(adapter: FeedAdapter, meta: { id: string; label: string }): LayoutCandidate {
  return {
    id: meta.id,
    version: 1,
    label: meta.label,
    feed: adapter.description.feed,
    kind: 'code',
    required: adapter.description.requiredColumns,
    read: (source, context) => adapter.read(source, context),
  };
}

function missingFrom(c: LayoutCandidate, present: ReadonlySet<string>): string[] {
  const missing = c.required.filter((col) => !present.has(col));
  if (c.anyOf && !c.anyOf.groups.some((g) => g.every((col) => present.has(col)))) missing.push(anyOfText(c.anyOf.groups, 'plus'));
  return missing;
}

function needs(c: LayoutCandidate): string {
  const alternatives = c.anyOf ? `, and ${anyOfText(c.anyOf.groups, 'plus')}` : '';
  return `${c.label}: ${c.required.join(', ')}${alternatives}`;
}

/** "IncidentGroup" for "incidentgroup" and the like: columns a header has in another case. */
function caseHints(missing: readonly string[], header: readonly string[]): string {
  return missing
    .map((m) => {
      const match = header.find((h) => h.toLowerCase() === m.toLowerCase());
      return match ? ` ("${match}" differs only in case from "${m}")` : '';
    })
    .join('');
}

/**
 * The candidate a header belongs to: of those whose required columns (and one
 * alternative group) are all present, the one that requires the most columns;
 * on a tie, the earlier (built-in layouts come first). Otherwise HubError
 * invalid_input WRONG_HEADER naming what each candidate needs and what the
 * closest one lacks.
 */
export function chooseCandidate(candidates: readonly LayoutCandidate[], header: readonly string[], feed: FeedId): LayoutCandidate {
  const present = new Set(header);
  const scored = candidates.map((candidate) => ({ candidate, missing: missingFrom(candidate, present) }));
  const matches = scored.filter((s) => s.missing.length === 0);
  if (matches.length > 0) {
    const size = (c: LayoutCandidate) => c.required.length + (c.anyOf ? 1 : 0);
    return matches.reduce((best, s) => (size(s.candidate) > size(best.candidate) ? s : best)).candidate;
  }
  const closest = scored
    .map((s) => ({ ...s, share: s.missing.length / (s.candidate.required.length + (s.candidate.anyOf ? 1 : 0)) }))
    .reduce((best, s) => (s.share < best.share ? s : best));
  throw HubError.invalidInput(
    'WRONG_HEADER',
    `This is not a ${FEEDS[feed].label} (${feed}) file: the header matches none of the accepted layouts. ` +
      `Accepted layouts and the columns each needs — ${candidates.map(needs).join('; ')}. ` +
      `Closest is the ${closest.candidate.label}, missing ${closest.missing.join(', ')}${caseHints(closest.missing, header)}. ` +
      `Found: ${header.slice(0, 40).join(', ') || '(nothing)'}.`,
    {
      missing: closest.missing,
      closestLayout: closest.candidate.id,
      layouts: Object.fromEntries(candidates.map((c) => [c.id, [...c.required]])),
      found: [...header],
    },
  );
}

export interface FeedAdapterOptions {
  /** What the feed says about itself (formats, the documented layout's columns). */
  description: FeedDescription;
  /** A code adapter that reads the feed's other formats (JSON, XML): files that do not start like a CSV go to it. */
  otherFormats?: FeedAdapter;
}

/**
 * A feed adapter over candidate layouts. A file starting with `[`, `{` or `<`
 * goes to `otherFormats`; a CSV is read by the one candidate, or by the one its
 * header chooses (see chooseCandidate). The choice is reported through
 * `context.onLayout` (and, for layout files, `context.onHeader` as
 * `{ layout, layoutLabel }`).
 */
export function candidatesAdapter(candidates: readonly LayoutCandidate[], options: FeedAdapterOptions): FeedAdapter {
  if (candidates.length === 0) throw new Error(`no layouts for ${options.description.feed}`);
  const feed = options.description.feed;
  return {
    description: options.description,
    async *read(input, context = {}) {
      let source: ByteSource = input;
      if (options.otherFormats) {
        const sniffed = await sniff(input);
        source = sniffed.source;
        if (sniffed.first === '[' || sniffed.first === '{' || sniffed.first === '<') {
          yield* options.otherFormats.read(source, context);
          return;
        }
      }
      context.onFormat?.('csv');
      let chosen = candidates[0]!;
      if (candidates.length > 1) {
        const peeked = await peekCsvHeader(source, `${FEEDS[feed].label} (${feed})`);
        source = peeked.source;
        chosen = chooseCandidate(candidates, peeked.header, feed);
      }
      context.onLayout?.(chosen.id, chosen.version);
      if (chosen.kind === 'file') context.onHeader?.({ layout: chosen.id, layoutLabel: chosen.label });
      yield* chosen.read(source, context);
    },
  };
}

/** The description of a feed read by layouts: the documented layout's columns, and every other column any layout reads. */
export function layoutsDescription(feed: FeedId, documented: CompiledLayout, all: readonly CompiledLayout[]): FeedDescription {
  const required = [...documented.required];
  const optional = [...new Set(all.flatMap((l) => [...l.required, ...l.optional]))].filter((c) => !required.includes(c));
  const encoding: Encoding = documented.encoding;
  return { feed, formats: ['csv'], requiredColumns: required, optionalColumns: optional, defaultEncoding: encoding === 'utf-8' ? 'utf-8' : 'auto' };
}
