import { createHash } from 'node:crypto';
import type pg from 'pg';
import { HubError } from '@csp-hub/taxonomy';
import { inTransaction, isDatabaseUnavailable, isStatementCancelled } from '@csp-hub/db';

/** What an audited access or change records. Never record contents: filters, ids and counts only. */
export interface AuditRecord {
  userId: number | null;
  agencyId: number | null;
  partnershipId: number | null;
  roles: string[];
  operation: string;
  objectType: string;
  objectId?: string | null;
  detail?: Record<string, unknown>;
  rowCount: number;
  agreementIds: number[];
  requestId?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Key-sorted JSON so the same detail always hashes the same. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

interface ChainFields {
  id: number;
  at: string;
  userId: number | null;
  agencyId: number | null;
  partnershipId: number | null;
  roles: string[];
  operation: string;
  objectType: string;
  objectId: string | null;
  detail: unknown;
  rowCount: number;
  agreementIds: number[];
  requestId: string | null;
}

/** sha256(prev_hash + canonical entry): the link that makes the log tamper-evident. */
export function entryHash(prevHash: string, e: ChainFields): string {
  const canonical = canonicalJson({
    id: e.id,
    at: e.at,
    userId: e.userId,
    agencyId: e.agencyId,
    partnershipId: e.partnershipId,
    roles: e.roles,
    operation: e.operation,
    objectType: e.objectType,
    objectId: e.objectId,
    detail: e.detail,
    rowCount: e.rowCount,
    agreementIds: e.agreementIds,
    requestId: e.requestId,
  });
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

const LOCK_KEY = 0x4353_5048; // 'CSPH': one lock serialises the chain

/** Anything that runs parameterised SQL ($1, $2 ...) in the caller's transaction: a pg client or a MikroORM unit of work. */
export interface SqlExecutor {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Appends one entry to the chain inside the caller's open transaction, so the
 * entry commits or rolls back with the change it records. Writers serialise on
 * a transaction-scoped advisory lock (held until the caller commits) so each
 * entry links to the one before it; the id is taken first so it is hashed too.
 * Take it as late in a long transaction as possible.
 */
export async function appendAuditIn(tx: SqlExecutor, record: AuditRecord): Promise<number> {
  await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
  const last = await tx.query<{ hash: string }>('select hash from audit_log order by id desc limit 1');
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  const id = Number((await tx.query<{ id: string }>(`select nextval('audit_log_id_seq') as id`)).rows[0]!.id);
  const at = new Date().toISOString();
  const fields: ChainFields = {
    id,
    at,
    userId: record.userId,
    agencyId: record.agencyId,
    partnershipId: record.partnershipId,
    roles: record.roles,
    operation: record.operation,
    objectType: record.objectType,
    objectId: record.objectId ?? null,
    detail: record.detail ?? {},
    rowCount: record.rowCount,
    agreementIds: [...record.agreementIds].sort((a, b) => a - b),
    requestId: record.requestId ?? null,
  };
  const hash = entryHash(prevHash, fields);
  await tx.query(
    `insert into audit_log (id, at, user_id, agency_id, partnership_id, roles, operation, object_type, object_id, detail,
       row_count, agreement_ids, request_id, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10::jsonb, $11, $12::int[], $13, $14, $15)`,
    [id, at, fields.userId, fields.agencyId, fields.partnershipId, pgArray(fields.roles), fields.operation, fields.objectType, fields.objectId,
      JSON.stringify(fields.detail), fields.rowCount, pgArray(fields.agreementIds), fields.requestId, prevHash, hash],
  );
  return id;
}

/** A PostgreSQL array literal ({"a","b"}), so every executor passes arrays the same way. */
function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

/**
 * Appends one entry in a transaction of its own (reads that are audited, and
 * callers with no transaction). A failure refuses the access it would record.
 */
export async function appendAudit(pool: pg.Pool, record: AuditRecord): Promise<number> {
  try {
    return await inTransaction(pool, (client) => appendAuditIn(client, record));
  } catch (error) {
    // An outage or a cancelled request keeps its own meaning (503, or nothing to answer); anything else is a fault.
    if (isDatabaseUnavailable(error) || isStatementCancelled(error)) throw error;
    throw new HubError('other', 'AUDIT_WRITE_FAILED', `the access could not be audited, so it was refused: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not check out, and why. */
  firstBroken?: { id: number; problem: string };
}

/** What a signed checkpoint (audit-checkpoint.ts) says the chain held. */
export interface CheckpointClaim {
  entries: number;
  headId: number;
  headHash: string;
  at: string;
}

/**
 * Recomputes the whole chain in id order. An edited entry fails its own hash;
 * a deleted entry breaks the next entry's link (prev_hash). With a checkpoint
 * (already checked for its signature), the chain must also hold, at the
 * checkpoint's head, exactly that many entries ending in that hash: so cutting
 * off the tail, or rewriting the chain and recomputing every hash, shows.
 */
export async function verifyAudit(pool: pg.Pool, onProgress?: (checked: number) => void, checkpoint?: CheckpointClaim): Promise<AuditVerification> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    let prevHash = GENESIS_HASH;
    let prevId = 0;
    let checked = 0;
    let lastId = 0;
    for (;;) {
      const batch = await client.query<{
        id: string; at: Date; user_id: number | null; agency_id: number | null; partnership_id: number | null; roles: string[];
        operation: string; object_type: string; object_id: string | null; detail: unknown; row_count: number; agreement_ids: number[];
        request_id: string | null; prev_hash: string; hash: string;
      }>('select * from audit_log where id > $1 order by id limit 5000', [lastId]);
      if (batch.rows.length === 0) break;
      for (const r of batch.rows) {
        const id = Number(r.id);
        lastId = id;
        if (r.prev_hash !== prevHash) {
          const problem = prevId > 0 && id !== prevId + 1
            ? `entries ${prevId + 1}..${id - 1} are missing (deleted?): this entry links to a hash the log no longer holds`
            : 'its link to the previous entry (prev_hash) does not match that entry';
          return { ok: false, entries: checked, firstBroken: { id, problem } };
        }
        const expected = entryHash(prevHash, {
          id, at: r.at.toISOString(), userId: r.user_id, agencyId: r.agency_id, partnershipId: r.partnership_id, roles: r.roles,
          operation: r.operation, objectType: r.object_type, objectId: r.object_id, detail: r.detail, rowCount: r.row_count,
          agreementIds: r.agreement_ids, requestId: r.request_id,
        });
        if (expected !== r.hash) return { ok: false, entries: checked, firstBroken: { id, problem: 'its contents do not match its hash (edited?)' } };
        prevHash = r.hash;
        prevId = id;
        checked += 1;
        if (checkpoint && id === checkpoint.headId) {
          if (r.hash !== checkpoint.headHash || checked !== checkpoint.entries) {
            return {
              ok: false,
              entries: checked,
              firstBroken: {
                id,
                problem: `the checkpoint of ${checkpoint.at} recorded ${checkpoint.entries} entries ending here with hash ${checkpoint.headHash.slice(0, 12)}…; ` +
                  `the log has ${checked} ending with ${r.hash.slice(0, 12)}… (rewritten before the checkpoint?)`,
              },
            };
          }
        }
      }
      onProgress?.(checked);
    }
    if (checkpoint && checkpoint.entries > 0 && (prevId < checkpoint.headId || checked < checkpoint.entries)) {
      return {
        ok: false,
        entries: checked,
        firstBroken: {
          id: prevId + 1,
          problem: `the log ends at entry ${prevId} after ${checked} entries, but the checkpoint of ${checkpoint.at} recorded ${checkpoint.entries} entries up to entry ${checkpoint.headId}: its tail was removed`,
        },
      };
    }
    return { ok: true, entries: checked };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
