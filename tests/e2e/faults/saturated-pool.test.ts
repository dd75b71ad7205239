import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import { createOrm, demoEmail, type MikroORM } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createHubApp, signToken, type HubApp } from '@csp-hub/gateway';
import { testKeys, testUploadLimits } from '../../support/hub';
import { capturedLogger, loudLines } from './support';

/**
 * Issue #14: /healthz reported "database down" under plain load because its
 * probe queued on the same full pool. Liveness no longer touches the database,
 * readiness uses a connection of its own, and a request that cannot get a
 * connection in time is told 503 with Retry-After instead of hanging.
 */
describe('a saturated request pool', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let pool: pg.Pool;
  let app: HubApp;
  let base: string;
  let token: string;
  const held: pg.PoolClient[] = [];
  const log = capturedLogger('info');

  beforeAll(async () => {
    db = await createTestDatabase('saturated-pool');
    orm = await createOrm({ url: db.url, poolMax: 3, acquireTimeoutMillis: 800 });
    pool = quietOnDrop(new pg.Pool({ connectionString: db.url, max: 3, connectionTimeoutMillis: 800 }));
    const keys = testKeys();
    app = await createHubApp({
      orm,
      pool,
      keys,
      logger: log.logger,
      production: false,
      ingestPool: pool,
      uploads: testUploadLimits(),
      sdc: DEFAULT_CELL_KEY,
      http: { rateLimit: { windowMs: 60_000, perIp: 0, perUser: 0, store: 'memory' }, metricsToken: 'm'.repeat(32) },
    });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
    const user = (await db.pool.query<{ id: number; partnership_id: number }>('select id, partnership_id from app_user where email = $1', [demoEmail('charnwood', 'police.analyst')])).rows[0]!;
    token = signToken(keys, { sub: String(user.id), pid: user.partnership_id }, '1h');
  });
  afterAll(async () => {
    for (const c of held.splice(0)) c.release();
    await app?.stop({ graceMs: 100 });
    await orm?.close();
    await pool?.end();
    await db?.drop();
  });

  it('keeps /healthz and /readyz answering, and refuses what cannot get a connection with 503', async () => {
    for (let i = 0; i < 3; i++) held.push(await pool.connect());
    expect(pool.waitingCount).toBe(0);
    expect(pool.totalCount).toBe(3);

    const started = Date.now();
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } });

    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');

    // the pool gauges show the saturation while it lasts
    const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${'m'.repeat(32)}` } })).text();
    expect(metrics).toMatch(/csp_hub_db_pool_connections\{pool="app",state="total"\} 3/);
    expect(metrics).toMatch(/csp_hub_db_pool_connections\{pool="app",state="idle"\} 0/);
    expect(metrics).toMatch(/csp_hub_db_pool_connections\{pool="probe",state="total"\} 1/);

    for (const c of held.splice(0)) c.release();
    const after = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(after.status).toBe(200);
    expect(loudLines(log.lines)).toEqual([]);
  });
});
