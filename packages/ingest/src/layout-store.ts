import type pg from 'pg';
import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { inTransaction } from '@csp-hub/db';
import { parseLayout, type LayoutDefinition } from '@csp-hub/layouts';
import { HubError, type FeedId } from '@csp-hub/taxonomy';
import { adapterForFeed, findBuiltInLayout, LAYOUT_TRANSFORMS } from './registry';

/** Anything that runs parameterised SQL: a pool, or a client inside the caller's transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A registered layout version as stored. */
export interface StoredLayout {
  id: string;
  version: number;
  feed: string;
  label: string;
  /** The file as registered. */
  source: string;
  active: boolean;
  createdById: number | null;
  createdByLabel: string;
  /** ISO instant. */
  createdAt: string;
}

interface LayoutRow {
  id: string;
  version: number;
  feed: string;
  label: string;
  source: string;
  active: boolean;
  created_by_id: number | null;
  created_by_label: string;
  created_at: Date;
}

const COLUMNS = 'id, version, feed, label, source, active, created_by_id, created_by_label, created_at';

function stored(r: LayoutRow): StoredLayout {
  return {
    id: r.id,
    version: r.version,
    feed: r.feed,
    label: r.label,
    source: r.source,
    active: r.active,
    createdById: r.created_by_id,
    createdByLabel: r.created_by_label,
    createdAt: r.created_at.toISOString(),
  };
}

/** Registered layouts, newest version first within an id; only active ones unless asked. */
export async function listStoredLayouts(db: Queryable, options: { feed?: string; includeInactive?: boolean } = {}): Promise<StoredLayout[]> {
  const rows = await db.query<LayoutRow>(
    `select ${COLUMNS} from layout where ($1::text is null or feed = $1) and (active or $2) order by feed, id, version desc`,
    [options.feed ?? null, options.includeInactive ?? false],
  );
  return rows.rows.map(stored);
}

/** One registered layout: the given version, or the active one (else the newest). */
export async function findStoredLayout(db: Queryable, id: string, version?: number): Promise<StoredLayout | undefined> {
  const rows = await db.query<LayoutRow>(
    `select ${COLUMNS} from layout where id = $1 and ($2::int is null or version = $2) order by active desc, version desc limit 1`,
    [id, version ?? null],
  );
  return rows.rows[0] ? stored(rows.rows[0]) : undefined;
}

export interface RegisterLayoutInput {
  /** The layout file's text (YAML or JSON). */
  text: string;
  /** Named in validation messages. */
  fileName: string;
  createdBy: { userId: number | null; label: string };
}

export interface RegisteredResult {
  layout: StoredLayout;
  definition: LayoutDefinition;
  /** The version this one retired, if any. */
  replacedVersion: number | null;
}

/**
 * Validates a layout file and stores it, inside the caller's transaction (so
 * the caller's audit entry commits with it). Refused: an invalid file
 * (INVALID_LAYOUT, every problem with its line); the id of a built-in layout
 * (LAYOUT_IS_BUILT_IN); an id already registered, unless this is a newer
 * version of it for the same feed (LAYOUT_EXISTS, LAYOUT_FEED_CHANGED). A new
 * version retires the one before.
 */
export async function registerLayout(tx: Queryable, input: RegisterLayoutInput): Promise<RegisteredResult> {
  const definition = parseLayout(input.text, { fileName: input.fileName, transforms: LAYOUT_TRANSFORMS });
  const builtIn = findBuiltInLayout(definition.id);
  if (builtIn) {
    throw HubError.conflict(
      'LAYOUT_IS_BUILT_IN',
      `${definition.id} is a built-in layout (${builtIn.file}); built-in layouts change only with a hub release. Give your layout its own id, e.g. ${definition.id}-<your agency>.`,
    );
  }
  const existing = await tx.query<{ version: number; feed: string; created_by_label: string; created_at: Date }>(
    'select version, feed, created_by_label, created_at from layout where id = $1 order by version desc for update',
    [definition.id],
  );
  const latest = existing.rows[0];
  if (latest) {
    if (latest.feed !== definition.feed) {
      throw HubError.conflict('LAYOUT_FEED_CHANGED', `Layout ${definition.id} reads ${latest.feed}; a new version must read the same feed (this file says ${definition.feed}). Use a new id for another feed.`);
    }
    if (definition.version <= latest.version) {
      throw HubError.conflict(
        'LAYOUT_EXISTS',
        `Layout ${definition.id} version ${latest.version} is already registered (by ${latest.created_by_label}, ${latest.created_at.toISOString().slice(0, 10)}). ` +
          `To change it, set version: ${latest.version + 1} in the file and add it again.`,
      );
    }
  }
  const retired = await tx.query<{ version: number }>('update layout set active = false where id = $1 and active returning version', [definition.id]);
  let row: LayoutRow;
  try {
    row = (
      await tx.query<LayoutRow>(
        `insert into layout (id, version, feed, label, definition, source, active, created_by_id, created_by_label)
         values ($1, $2, $3, $4, $5::jsonb, $6, true, $7, $8) returning ${COLUMNS}`,
        [definition.id, definition.version, definition.feed, definition.label, JSON.stringify(definition), input.text, input.createdBy.userId, input.createdBy.label],
      )
    ).rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw HubError.conflict('LAYOUT_EXISTS', `Layout ${definition.id} version ${definition.version} was registered by someone else just now; check csp-hub layouts show ${definition.id}.`);
    }
    throw error;
  }
  return { layout: stored(row), definition, replacedVersion: retired.rows[0]?.version ?? null };
}

/**
 * The adapter for a feed with the active registered layouts as candidates
 * beside the built-in ones (see adapterForFeed); `layoutId` names the one to use.
 */
export async function feedAdapterFor(db: Queryable, feed: FeedId, layoutId?: string): Promise<FeedAdapter> {
  const registered = await listStoredLayouts(db, { feed });
  if (layoutId === undefined || registered.some((l) => l.id === layoutId)) return adapterForFeed(feed, registered, layoutId);
  const elsewhere = await findStoredLayout(db, layoutId);
  if (elsewhere && elsewhere.feed === feed && !elsewhere.active) {
    throw HubError.invalidInput('LAYOUT_INACTIVE', `Layout ${layoutId} has no active version.`);
  }
  return adapterForFeed(feed, registered, layoutId, elsewhere);
}

/**
 * Registers a layout in a transaction of its own on the pool; `beforeCommit`
 * runs in that transaction (the caller's audit entry), so the layout and its
 * audit entry are stored together or not at all.
 */
export async function registerLayoutAudited(
  pool: import('pg').Pool,
  input: RegisterLayoutInput,
  beforeCommit: (tx: import('pg').PoolClient, result: RegisteredResult) => Promise<void>,
): Promise<RegisteredResult> {
  return inTransaction(pool, async (client) => {
    const result = await registerLayout(client, input);
    await beforeCommit(client, result);
    return result;
  });
}
