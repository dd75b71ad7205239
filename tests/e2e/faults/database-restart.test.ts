import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import {
  createOrm,
  demoEmail,
  embeddedAdminUrl,
  ensureDatabase,
  freePort,
  runMigrations,
  seedDemo,
  startEmbeddedPostgres,
  withDatabase,
  type MikroORM,
  type RunningServer,
} from '@csp-hub/db';
import { createHubApp, signToken, type HubApp } from '@csp-hub/gateway';
import { testKeys, testUploadLimits } from '../../support/hub';
import { capturedLogger, LEVEL, loudLines } from './support';

/**
 * Issue #14: PostgreSQL restarted under load. The test runs its own embedded
 * server so it can stop and start it; a few clients keep reading and writing
 * through the hub the whole time. Requests during the outage must get 503 with
 * Retry-After (never a 500, never a 200 carrying an error); every write that
 * got a 200 must be there afterwards; /healthz stays up and /readyz says why
 * the hub is not ready.
 */

interface Outcome {
  kind: 'read' | 'write';
  start: number;
  end: number;
  status: number;
  retryAfter: string | null;
  codes: string[];
  hasData: boolean;
  agreementId?: number;
}

const READ = '{ me { id } agreements { id title } partnerships { code } }';
const CREATE = 'mutation($input: AgreementInput!) { createAgreement(input: $input) { id } }';

describe('PostgreSQL restarted mid-load', () => {
  let dir: string;
  let port: number;
  let server: RunningServer;
  let orm: MikroORM;
  let pool: pg.Pool;
  let app: HubApp;
  let base: string;
  let url: string;
  const log = capturedLogger('info');
  const keys = testKeys();
  const tokens: { analyst: string; chair: string } = { analyst: '', chair: '' };
  let agencies: { provider: number; recipient: number };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-restart-'));
    chmodSync(dir, 0o755); // the server runs as the postgres account when the tests run as root
    port = await freePort();
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
    await ensureDatabase(embeddedAdminUrl(port), 'hub');
    url = withDatabase(embeddedAdminUrl(port), 'hub');
    orm = await createOrm({ url, poolMax: 4, acquireTimeoutMillis: 1000 });
    await runMigrations(orm);
    await seedDemo(orm.em.fork());
    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 1000 });
    pool.on('error', () => undefined); // the restart ends idle connections; the pool replaces them
    app = await createHubApp({
      orm,
      pool,
      keys,
      logger: log.logger,
      production: false,
      ingestPool: pool,
      uploads: testUploadLimits(),
      sdc: DEFAULT_CELL_KEY,
      http: { rateLimit: { windowMs: 60_000, perIp: 0, perUser: 0, store: 'memory' }, readinessTimeoutMs: 500 },
    });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
    const user = async (email: string) =>
      (await pool.query<{ id: number; partnership_id: number }>('select id, partnership_id from app_user where email = $1', [email])).rows[0]!;
    const analyst = await user(demoEmail('charnwood', 'police.analyst'));
    const chair = await user(demoEmail('charnwood', 'district.chair'));
    tokens.analyst = signToken(keys, { sub: String(analyst.id), pid: analyst.partnership_id }, '1h');
    tokens.chair = signToken(keys, { sub: String(chair.id), pid: chair.partnership_id }, '1h');
    const code = async (c: string) => (await pool.query<{ id: number }>('select id from agency where code = $1', [c])).rows[0]!.id;
    agencies = { provider: await code('charnwood-borough-council'), recipient: await code('leicestershire-fire') };
  });

  afterAll(async () => {
    await app?.stop({ graceMs: 100 });
    await orm?.close();
    await pool?.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(kind: 'read' | 'write', n: number): Promise<Outcome> {
    const today = new Date().toISOString().slice(0, 10);
    const body =
      kind === 'read'
        ? { query: READ }
        : {
            query: CREATE,
            variables: {
              input: {
                title: `Restart test agreement ${n}`,
                providerAgencyId: agencies.provider,
                datasets: ['council.asb'],
                recipientAgencyIds: [agencies.recipient],
                recipientAgencyTypes: [],
                tier: 'PSEUDONYMISED',
                purposes: ['Deliberate fire reduction'],
                lawfulBasis: 's115 Crime and Disorder Act 1998',
                validFrom: today,
                validTo: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
                reviewDate: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
                signatories: [],
              },
            },
          };
    const start = Date.now();
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${kind === 'read' ? tokens.analyst : tokens.chair}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: { createAgreement?: { id: string } } | null; errors?: { extensions?: { code?: string } }[] };
    const id = json.data?.createAgreement?.id;
    return {
      kind,
      start,
      end: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      codes: (json.errors ?? []).map((e) => e.extensions?.code ?? '?'),
      hasData: json.data !== undefined && json.data !== null,
      ...(id ? { agreementId: Number(id) } : {}),
    };
  }

  it('answers 503 with Retry-After only while the database is down, loses no accepted write, and says why on /readyz', async () => {
    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    const worker = async (kind: 'read' | 'write') => {
      while (running) {
        outcomes.push(await call(kind, n++));
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const workers = [worker('read'), worker('read'), worker('write')];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await sleep(1500);
    const downAt = Date.now();
    await server.stop(); // fast shutdown: sessions are terminated (57P01), then connections are refused
    const stoppedAt = Date.now();
    await sleep(300);
    const live = await fetch(`${base}/healthz`);
    const ready = await fetch(`${base}/readyz`);
    const readyBody = (await ready.json()) as { status: string; checks: Record<string, { status: string; reason?: string }>; reasons: string[] };
    await sleep(1200);
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
    const upAt = Date.now();
    await sleep(2000);
    running = false;
    await Promise.all(workers);

    // liveness never depends on the database; readiness names it
    expect(live.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(readyBody.status).toBe('not_ready');
    expect(readyBody.checks.database?.status).toBe('failing');
    expect(readyBody.reasons[0]).toMatch(/^database: /);

    const refused = outcomes.filter((o) => o.status !== 200);
    const ok = outcomes.filter((o) => o.status === 200);
    // every answer is a clean 200 or a 503 that says SERVICE_UNAVAILABLE with Retry-After: no 500, no 200 with an error
    const internal = log.lines.filter((l) => l.level >= LEVEL.error).map((l) => ({ msg: l.msg, err: { name: l.err?.['type' as never], message: l.err?.message, code: (l.err as { code?: string } | undefined)?.code } }));
    expect(ok.filter((o) => o.codes.length > 0), JSON.stringify(internal)).toEqual([]);
    expect(refused.map((o) => o.status).filter((s) => s !== 503)).toEqual([]);
    for (const o of refused) {
      expect(o.retryAfter).toMatch(/^\d+$/);
      expect(o.codes.length).toBeGreaterThan(0);
      expect(new Set(o.codes)).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    }
    // 503s only during the outage: each overlaps [stop begins, server up + 1 s to reconnect]
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.end).toBeGreaterThanOrEqual(downAt);
      expect(o.start).toBeLessThanOrEqual(upAt + 1000);
    }
    // it served before and recovered after, for reads and writes
    expect(ok.filter((o) => o.end < downAt).length).toBeGreaterThan(0);
    expect(ok.filter((o) => o.start > upAt + 1000 && o.kind === 'read').length).toBeGreaterThan(0);
    expect(ok.filter((o) => o.start > upAt + 1000 && o.kind === 'write').length).toBeGreaterThan(0);
    expect(stoppedAt - downAt).toBeLessThan(10_000);

    // every write that was answered 200 is stored
    const accepted = ok.filter((o) => o.kind === 'write').map((o) => o.agreementId!);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const stored = await check.query<{ id: number }>('select id from isp_agreement where id = any($1::int[])', [accepted]);
      expect(stored.rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
    } finally {
      await check.end();
    }

    // the outage is logged once at warn, without a stack; nothing at error level
    const warnings = log.lines.filter((l) => l.level === LEVEL.warn && /database unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(loudLines(log.lines)).toEqual([]);
  });
});
