import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { HubError } from '@csp-hub/taxonomy';

/**
 * Signed checkpoints of the audit chain (ADR 0017). The chain alone cannot
 * show that its tail was cut off: whoever can delete the last entries can
 * leave a chain that verifies. A checkpoint publishes the chain's length and
 * head hash, signed with an Ed25519 key the database never holds; kept
 * outside the database (files, the log stream), it lets `audit verify
 * --checkpoint` detect truncation or a rewrite of anything up to it.
 */
export interface AuditHead {
  /** Entries in the chain. */
  entries: number;
  /** Id and hash of the last entry (0 and the genesis hash when empty). */
  headId: number;
  headHash: string;
}

export interface AuditCheckpoint extends AuditHead {
  version: 1;
  /** When the head was read (ISO 8601). */
  at: string;
  /** sha256 of the signing public key (SPKI DER), hex: which key to check with. */
  keyId: string;
  /** Ed25519 signature of the canonical form, base64. */
  signature: string;
}

/** The chain's current length and head, read in one snapshot. */
export async function auditHead(pool: pg.Pool): Promise<AuditHead> {
  const row = (
    await pool.query<{ entries: string; id: string | null; hash: string | null }>(
      `select (select count(*) from audit_log) as entries, last.id, last.hash
       from (select 1) one left join lateral (select id, hash from audit_log order by id desc limit 1) last on true`,
    )
  ).rows[0]!;
  return { entries: Number(row.entries), headId: row.id === null ? 0 : Number(row.id), headHash: row.hash ?? '0'.repeat(64) };
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The bytes a checkpoint signature covers: every field but the signature, in a fixed order. */
function signedText(c: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(JSON.stringify([c.version, c.entries, c.headId, c.headHash, c.at, c.keyId]));
}

function checkEd25519(key: KeyObject, kind: 'private' | 'public'): void {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== kind) {
    throw new HubError('other', 'CHECKPOINT_KEY', `audit checkpoints are signed with an Ed25519 ${kind} key (got ${key.asymmetricKeyType ?? key.type} ${key.type})`);
  }
}

export function signCheckpoint(head: AuditHead, privateKey: KeyObject, at: Date = new Date()): AuditCheckpoint {
  checkEd25519(privateKey, 'private');
  const unsigned = { version: 1 as const, ...head, at: at.toISOString(), keyId: keyIdOf(createPublicKey(privateKey)) };
  return { ...unsigned, signature: sign(null, signedText(unsigned), privateKey).toString('base64') };
}

/** Parses a checkpoint document and checks its signature; HubError invalid_input saying what is wrong. */
export function readCheckpoint(text: string, publicKey: KeyObject): AuditCheckpoint {
  checkEd25519(publicKey, 'public');
  let c: AuditCheckpoint;
  try {
    c = JSON.parse(text) as AuditCheckpoint;
  } catch {
    throw HubError.invalidInput('CHECKPOINT_INVALID', 'The checkpoint is not JSON');
  }
  const shapeOk =
    c?.version === 1 && Number.isSafeInteger(c.entries) && c.entries >= 0 && Number.isSafeInteger(c.headId) && /^[0-9a-f]{64}$/.test(c.headHash ?? '') &&
    typeof c.at === 'string' && !Number.isNaN(Date.parse(c.at)) && /^[0-9a-f]{64}$/.test(c.keyId ?? '') && typeof c.signature === 'string';
  if (!shapeOk) throw HubError.invalidInput('CHECKPOINT_INVALID', 'The checkpoint lacks a field or has a malformed one');
  if (c.keyId !== keyIdOf(publicKey)) {
    throw HubError.invalidInput('CHECKPOINT_WRONG_KEY', `The checkpoint was signed with key ${c.keyId.slice(0, 16)}…, not the key given (${keyIdOf(publicKey).slice(0, 16)}…)`);
  }
  if (!verify(null, signedText(c), publicKey, Buffer.from(c.signature, 'base64'))) {
    throw HubError.invalidInput('CHECKPOINT_FORGED', 'The checkpoint signature does not verify: it was altered or not signed by this key');
  }
  return c;
}
