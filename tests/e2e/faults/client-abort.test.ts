import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../../support/hub';
import { capturedLogger, LEVEL, loudLines } from './support';

/**
 * Issue #14: a client that goes away was logged at error with full stacks,
 * and its statement kept running in PostgreSQL. Now it is logged once at info,
 * and the statement is cancelled (pg_cancel_backend) when the client goes.
 * A lock held by the test makes the request's statement wait, so it is still
 * running when the client aborts.
 */
describe('a client that goes away', () => {
  let hub: TestHub;
  let token: string;
  let locker: pg.PoolClient;
  const log = capturedLogger('debug');
  beforeAll(async () => {
    hub = await startTestHub('client-abort', { logger: log.logger });
    token = await hub.tokenFor(demoEmail('charnwood', 'police.analyst'));
  });
  afterAll(async () => {
    locker?.release();
    await hub?.stop();
  });

  /** Statements of the hub's that are running now and touch the incident table. */
  async function runningOnIncidents(): Promise<number> {
    const r = await hub.db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and pid <> $1 and query ilike '%from incident%'`,
      [(locker as unknown as { processID: number }).processID],
    );
    return r.rows[0]!.n;
  }

  async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return check();
  }

  async function abortWhileBlocked(url: string, init: RequestInit): Promise<{ sawRunning: boolean; cancelledInMs: number }> {
    locker = await hub.db.pool.connect();
    await locker.query('begin');
    await locker.query('lock table incident in access exclusive mode');
    const controller = new AbortController();
    const request = fetch(url, { ...init, signal: controller.signal }).catch((e: unknown) => e);
    const sawRunning = await waitFor(async () => (await runningOnIncidents()) > 0, 5000);
    controller.abort();
    const abortedAt = Date.now();
    await request;
    // the lock is still held: only a cancel ends the statement
    const cancelled = await waitFor(async () => (await runningOnIncidents()) === 0, 3000);
    const cancelledInMs = cancelled ? Date.now() - abortedAt : Infinity;
    await locker.query('rollback');
    locker.release();
    locker = undefined as unknown as pg.PoolClient;
    return { sawRunning, cancelledInMs };
  }

  it('cancels a CSV export\'s statement in PostgreSQL and logs one line at info', async () => {
    const before = log.lines.length;
    const { sawRunning, cancelledInMs } = await abortWhileBlocked(`${hub.base}/api/exports/incidents.csv?monthFrom=2024-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sawRunning).toBe(true);
    expect(cancelledInMs).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 300));
    const lines = log.lines.slice(before);
    const gone = lines.filter((l) => l.level >= LEVEL.info && /client went away/.test(l.msg));
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ level: LEVEL.info, path: '/api/exports/incidents.csv' });
    expect(loudLines(lines)).toEqual([]);
  });

  it("cancels a GraphQL resolver's statement the same way", async () => {
    const before = log.lines.length;
    const { sawRunning, cancelledInMs } = await abortWhileBlocked(`${hub.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ incidentCount(filter: { monthFrom: "2024-01" }) }' }),
    });
    expect(sawRunning).toBe(true);
    expect(cancelledInMs).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 300));
    const lines = log.lines.slice(before);
    expect(lines.filter((l) => l.level >= LEVEL.info && /client went away/.test(l.msg))).toHaveLength(1);
    expect(loudLines(lines)).toEqual([]);
  });

  it('the hub keeps serving afterwards (cancelled connections were not handed to anyone else)', async () => {
    for (let i = 0; i < 8; i++) {
      const { status, body } = await hub.gql('{ incidentCount(filter: { monthFrom: "2024-01" }) }', { token });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
  });
});
