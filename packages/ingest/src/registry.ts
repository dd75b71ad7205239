import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { COUNCIL_ADAPTERS, COUNCIL_LAYOUT_FILES, COUNCIL_TRANSFORMS } from '@csp-hub/adapter-council';
import { FIRE_ADAPTERS, FIRE_LAYOUT_FILES, FIRE_TRANSFORMS } from '@csp-hub/adapter-fire';
import { HEALTH_ADAPTERS, istvAdapter } from '@csp-hub/adapter-health';
import { outcomesAdapter, POLICE_ADAPTERS, stopSearchAdapter, streetAdapter } from '@csp-hub/adapter-police';
import {
  candidatesAdapter,
  codeCandidate,
  compileLayout,
  fileCandidate,
  parseLayout,
  transformRegistry,
  type LayoutCandidate,
  type LayoutDefinition,
  type TransformRegistry,
} from '@csp-hub/layouts';
import { HubError, FEEDS, FEED_IDS, type FeedId } from '@csp-hub/taxonomy';

const ADAPTERS = new Map<FeedId, FeedAdapter>([...POLICE_ADAPTERS, ...FIRE_ADAPTERS, ...HEALTH_ADAPTERS, ...COUNCIL_ADAPTERS].map((a) => [a.description.feed, a]));

/** The adapter for a feed id; HubError invalid_input naming the feeds that exist. */
export function getAdapter(feed: string): FeedAdapter {
  const adapter = ADAPTERS.get(feed as FeedId);
  if (!adapter) {
    throw HubError.invalidInput('UNKNOWN_FEED', `There is no feed "${feed}". Feeds: ${[...ADAPTERS.keys()].join(', ')}`);
  }
  return adapter;
}

/** Feeds that have an adapter, with what they are. */
export function listFeeds(): { feed: FeedId; agencyType: string; label: string; formats: readonly string[]; columns: readonly string[] }[] {
  return FEED_IDS.filter((id) => ADAPTERS.has(id)).map((id) => {
    const adapter = ADAPTERS.get(id)!;
    return { feed: id, agencyType: FEEDS[id].agencyType, label: FEEDS[id].label, formats: adapter.description.formats, columns: adapter.description.requiredColumns };
  });
}

/** Every named transform a layout file may refer to (built-in and registered layouts alike). */
export const LAYOUT_TRANSFORMS: TransformRegistry = transformRegistry(FIRE_TRANSFORMS, COUNCIL_TRANSFORMS);

/** A layout that ships with the hub: a file run by the engine, or a CSV reader written in code. */
export interface BuiltInLayout {
  id: string;
  version: number;
  feed: FeedId;
  label: string;
  kind: 'file' | 'code';
  required: readonly string[];
  /** The layout file's text and its validated form (files only). */
  source: string | null;
  definition: LayoutDefinition | null;
  /** Where it lives in the repository. */
  file: string;
}

/**
 * CSV forms that stay code: data.police.uk shares its row rules with the API
 * JSON readers of the same feeds (outcomes produce updates, not incidents), and
 * ISTV's submission header must agree on every row. See ADR 0008.
 */
const CODE_LAYOUTS: readonly { adapter: FeedAdapter; id: string; label: string; file: string }[] = [
  { adapter: streetAdapter, id: 'police-street', label: 'data.police.uk street-level crime', file: 'packages/adapter-police/src/street.ts' },
  { adapter: outcomesAdapter, id: 'police-outcomes', label: 'data.police.uk outcomes', file: 'packages/adapter-police/src/outcomes.ts' },
  { adapter: stopSearchAdapter, id: 'police-stop-search', label: 'data.police.uk stop and search', file: 'packages/adapter-police/src/stop-search.ts' },
  { adapter: istvAdapter, id: 'istv-csv', label: 'ISTV (ISB/SCCI 1594) assault CSV', file: 'packages/adapter-health/src/csv.ts' },
];

const SHIPPED_FILES = [...FIRE_LAYOUT_FILES, ...COUNCIL_LAYOUT_FILES];

/** Every built-in layout, files first (in the order the header tries them), then the code readers. */
export const BUILT_IN_LAYOUTS: readonly BuiltInLayout[] = [
  ...SHIPPED_FILES.map(({ layout, source, file }) => ({
    id: layout.id,
    version: layout.version,
    feed: layout.feed,
    label: layout.label,
    kind: 'file' as const,
    required: layout.required,
    source,
    definition: layout.definition,
    file,
  })),
  ...CODE_LAYOUTS.map(({ adapter, id, label, file }) => ({
    id,
    version: 1,
    feed: adapter.description.feed,
    label,
    kind: 'code' as const,
    required: adapter.description.requiredColumns,
    source: null,
    definition: null,
    file,
  })),
];

/** The built-in layout with this id, if any. */
export function findBuiltInLayout(id: string): BuiltInLayout | undefined {
  return BUILT_IN_LAYOUTS.find((l) => l.id === id);
}

function builtInCandidates(feed: FeedId): LayoutCandidate[] {
  return [
    ...SHIPPED_FILES.filter((f) => f.layout.feed === feed).map((f) => fileCandidate(f.layout)),
    ...CODE_LAYOUTS.filter((c) => c.adapter.description.feed === feed).map((c) => codeCandidate(c.adapter, c)),
  ];
}

/** A registered layout as the store keeps it: its id, version and the file as written. */
export interface RegisteredLayoutSource {
  id: string;
  version: number;
  feed: string;
  source: string;
}

/** Compiles a registered layout; HubError INVALID_LAYOUT when it no longer validates (e.g. a transform it names was removed). */
export function compileRegistered(layout: RegisteredLayoutSource): LayoutCandidate {
  const definition = parseLayout(layout.source, { fileName: `${layout.id} version ${layout.version}`, transforms: LAYOUT_TRANSFORMS });
  return fileCandidate(compileLayout(definition, LAYOUT_TRANSFORMS));
}

/**
 * The adapter that reads a feed's files: the built-in layouts and the active
 * registered ones are candidates and the header chooses (see chooseCandidate),
 * or the submitter names one (`layoutId`). JSON and XML go to the feed's code
 * readers. HubError invalid_input UNKNOWN_LAYOUT / LAYOUT_NOT_FOR_FEED for a
 * named layout that does not read this feed.
 */
export function adapterForFeed(feed: FeedId, registered: readonly RegisteredLayoutSource[], layoutId?: string, otherFeedLayout?: { feed: string }): FeedAdapter {
  const builtIn = getAdapter(feed);
  const usable: LayoutCandidate[] = [];
  let requested: LayoutCandidate | undefined;
  for (const r of registered.filter((l) => l.feed === feed)) {
    if (layoutId === r.id) {
      requested = compileRegistered(r);
      continue;
    }
    try {
      usable.push(compileRegistered(r));
    } catch {
      // A stored layout that no longer validates is no candidate; naming it (--layout) shows why.
    }
  }
  const candidates = [...builtInCandidates(feed), ...usable];
  requested ??= layoutId === undefined ? undefined : candidates.find((c) => c.id === layoutId);
  if (layoutId !== undefined && !requested) {
    const builtInElsewhere = findBuiltInLayout(layoutId);
    const elsewhere = builtInElsewhere?.feed ?? otherFeedLayout?.feed;
    if (elsewhere) throw HubError.invalidInput('LAYOUT_NOT_FOR_FEED', `Layout ${layoutId} reads ${elsewhere} files, not ${feed}.`);
    throw HubError.invalidInput(
      'UNKNOWN_LAYOUT',
      `There is no layout "${layoutId}". Layouts for ${feed}: ${candidates.map((c) => c.id).join(', ')} (csp-hub layouts list --feed ${feed}).`,
    );
  }
  const otherFormats = builtIn.description.formats.some((f) => f !== 'csv') ? builtIn : undefined;
  return candidatesAdapter(requested ? [requested] : candidates, { description: builtIn.description, ...(otherFormats ? { otherFormats } : {}) });
}
