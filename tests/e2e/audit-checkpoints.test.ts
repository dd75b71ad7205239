import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditHead, entryHash, readCheckpoint, signCheckpoint, verifyAudit } from '@csp-hub/authz';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';
import { cliEnv, runCli } from './ingest/support';

/**
 * The audit chain's tail (issue #12, point 5): a database superuser can delete
 * the last entries, or rewrite the chain and recompute every hash, and the
 * chain alone still verifies. A checkpoint signed with a key the database does
 * not hold pins the length and head; `audit verify --checkpoint` then finds the cut.
 */
describe('signed audit checkpoints', () => {
  let db: TestDatabase;
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  const record = (i: number) => ({
    userId: null, agencyId: null, partnershipId: null, roles: [], operation: 'read', objectType: 'Incident', objectId: String(i),
    detail: { i }, rowCount: 1, agreementIds: [],
  });

  /** As the database superuser would: the append-only triggers switched off for one statement. */
  async function asSuperuser(sql: string, values: unknown[] = []): Promise<void> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('alter table audit_log disable trigger user');
      await client.query(sql, values);
      await client.query('alter table audit_log enable trigger user');
      await client.query('commit');
    } finally {
      client.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('audit-checkpoints');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-checkpoints-'));
    env = { ...cliEnv(db, path.join(tmp, 'data')), AUDIT_CHECKPOINT_DIR: path.join(tmp, 'published') };
    for (let i = 0; i < 12; i++) await appendAudit(db.pool, record(i));
  });
  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a checkpoint is signed over the head; altered, forged or checked with another key it is refused', async () => {
    const pair = generateKeyPairSync('ed25519');
    const head = await auditHead(db.pool);
    expect(head.entries).toBeGreaterThanOrEqual(12);
    const checkpoint = signCheckpoint(head, pair.privateKey, new Date('2026-12-01T09:00:00Z'));
    expect(readCheckpoint(JSON.stringify(checkpoint), pair.publicKey)).toEqual(checkpoint);
    expect(() => readCheckpoint(JSON.stringify({ ...checkpoint, entries: head.entries - 2 }), pair.publicKey)).toThrow(/does not verify/);
    expect(() => readCheckpoint(JSON.stringify(checkpoint), generateKeyPairSync('ed25519').publicKey)).toThrow(/not the key given/);
    expect(() => readCheckpoint('{"version":1}', pair.publicKey)).toThrow(/lacks a field/);
    expect(() => signCheckpoint(head, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/Ed25519/);
  });

  it('audit head (CLI) verifies, signs and publishes the head; verify --checkpoint passes on the intact log', async () => {
    const out = path.join(tmp, 'head.json');
    const head = await runCli(['audit', 'head', '--out', out], { env });
    expect(head.code).toBe(0);
    const printed = JSON.parse(head.stdout) as { entries: number; headHash: string };
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
    expect(JSON.parse(readFileSync(path.join(tmp, 'published', 'latest.json'), 'utf8'))).toEqual(printed);
    expect(printed.entries).toBe((await auditHead(db.pool)).entries);
    const verify = await runCli(['audit', 'verify', '--checkpoint', out], { env });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`holds the ${printed.entries} entries the checkpoint of`);
  });

  it('a removed tail passes the chain check alone but not the checkpoint', async () => {
    const out = path.join(tmp, 'before-cut.json');
    expect((await runCli(['audit', 'head', '--out', out], { env })).code).toBe(0);
    const { entries, headId } = JSON.parse(readFileSync(out, 'utf8')) as { entries: number; headId: number };
    await asSuperuser('delete from audit_log where id > $1', [headId - 3]);
    // the weakness: the shortened chain is internally consistent
    expect((await verifyAudit(db.pool)).ok).toBe(true);
    expect((await runCli(['audit', 'verify'], { env })).code).toBe(0);
    const verify = await runCli(['audit', 'verify', '--checkpoint', out], { env });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`recorded ${entries} entries up to entry ${headId}: its tail was removed`);
  });

  it('a chain rewritten with every hash recomputed passes the chain check alone but not the checkpoint', async () => {
    for (let i = 0; i < 3; i++) await appendAudit(db.pool, record(100 + i));
    const out = path.join(tmp, 'before-rewrite.json');
    expect((await runCli(['audit', 'head', '--out', out], { env })).code).toBe(0);
    // Rewrite an early entry's detail, then recompute the hash of it and of every entry after it.
    const rows = (await db.pool.query('select * from audit_log order by id')).rows;
    let prev = '0'.repeat(64);
    const rewritten: { id: number; detail: unknown; prev: string; hash: string }[] = [];
    for (const [i, r] of rows.entries()) {
      const detail = i === 2 ? { i: 'changed' } : r.detail;
      const hash = entryHash(prev, {
        id: Number(r.id), at: r.at.toISOString(), userId: r.user_id, agencyId: r.agency_id, partnershipId: r.partnership_id, roles: r.roles,
        operation: r.operation, objectType: r.object_type, objectId: r.object_id, detail, rowCount: r.row_count, agreementIds: r.agreement_ids,
        requestId: r.request_id,
      });
      rewritten.push({ id: Number(r.id), detail, prev, hash });
      prev = hash;
    }
    await asSuperuser('update audit_log set hash = \'x\' || id where true');
    for (const r of rewritten) await asSuperuser('update audit_log set detail = $2, prev_hash = $3, hash = $4 where id = $1', [r.id, JSON.stringify(r.detail), r.prev, r.hash]);
    expect((await verifyAudit(db.pool)).ok).toBe(true);
    const verify = await runCli(['audit', 'verify', '--checkpoint', out], { env });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('rewritten before the checkpoint?');
  });

  it('a forged checkpoint file is refused before anything is compared', async () => {
    const out = path.join(tmp, 'forged.json');
    expect((await runCli(['audit', 'head', '--out', out], { env })).code).toBe(0);
    const c = JSON.parse(readFileSync(out, 'utf8')) as { entries: number };
    writeFileSync(out, JSON.stringify({ ...c, entries: c.entries - 5 }));
    const verify = await runCli(['audit', 'verify', '--checkpoint', out], { env });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('(CHECKPOINT_FORGED)');
  });
});
