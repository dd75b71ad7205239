import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatementCancelled } from './availability';
import { abortablePool, QueryAbortedError } from './cancel';
import { createTestDatabase, type TestDatabase } from './testing';

describe('abortablePool', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase('cancel', { empty: true });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('cancels the running statement in PostgreSQL when the signal fires', async () => {
    const controller = new AbortController();
    const view = abortablePool(pool, controller.signal);
    const started = Date.now();
    const running = view.query('select pg_sleep(20)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const error = await running;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isStatementCancelled(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('57014');
    // the cancelled connection is closed rather than handed to the next caller
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.idleCount).toBe(0);
    expect((await pool.query('select 1 as one')).rows[0].one).toBe(1);
  });

  it('stops waiting for a connection when the signal fires, and starts nothing after', async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      const controller = new AbortController();
      const view = abortablePool(pool, controller.signal);
      const waiting = view.query('select 1').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      expect(pool.waitingCount).toBe(1);
      controller.abort();
      expect(await waiting).toBeInstanceOf(QueryAbortedError);
      await expect(view.query('select 1')).rejects.toBeInstanceOf(QueryAbortedError);
    } finally {
      a.release();
      b.release();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.waitingCount).toBe(0);
  });

  it('a checked-out client runs only ROLLBACK after the abort', async () => {
    const controller = new AbortController();
    const client = await abortablePool(pool, controller.signal).connect();
    await client.query('begin');
    controller.abort();
    await expect(client.query('select 1')).rejects.toBeInstanceOf(QueryAbortedError);
    await expect(client.query('rollback')).resolves.toBeDefined();
    client.release();
  });

  it('passes everything else through to the pool', async () => {
    const view = abortablePool(pool, new AbortController().signal);
    expect((await view.query<{ n: number }>('select $1::int as n', [7])).rows[0]!.n).toBe(7);
    expect(view.totalCount).toBe(pool.totalCount);
    expect(view.options).toBe(pool.options);
  });
});
