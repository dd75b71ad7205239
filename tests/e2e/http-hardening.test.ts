import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import { demoEmail } from '@csp-hub/db';
import { createHubApp, type HttpOptions, type HubApp } from '@csp-hub/gateway';
import { startTestHub, testUploadLimits, type TestHub } from '../support/hub';
import { capturedLogger } from './faults/support';

const ANALYST = demoEmail('charnwood', 'police.analyst');
const OTHER_ANALYST = demoEmail('charnwood', 'fire.analyst');
const METRICS_TOKEN = 'metrics-'.padEnd(40, 'x');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('HTTP hardening', () => {
  let hub: TestHub;
  let token: string;
  let otherToken: string;
  const log = capturedLogger('info');
  const extra: HubApp[] = [];

  /** Another app over the same database and pools, with its own HTTP options. */
  async function appWith(http: Partial<HttpOptions>): Promise<string> {
    const app = await createHubApp({
      orm: hub.orm,
      pool: hub.pool,
      keys: hub.keys,
      logger: log.logger,
      production: false,
      ingestPool: hub.pool,
      uploads: testUploadLimits(),
      sdc: DEFAULT_CELL_KEY,
      http,
    });
    extra.push(app);
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
  }

  const gql = (base: string, query: string, t = token, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t}`, ...headers },
      body: JSON.stringify({ query }),
    });

  beforeAll(async () => {
    hub = await startTestHub('http-hardening', { logger: log.logger, http: { corsOrigins: ['https://hub.example.gov.uk'], metricsToken: METRICS_TOKEN } });
    token = await hub.tokenFor(ANALYST);
    otherToken = await hub.tokenFor(OTHER_ANALYST);
  });
  afterAll(async () => {
    for (const app of extra) await app.stop({ graceMs: 100 });
    await hub?.stop();
  });

  it('sends the security headers a scanner looks for, and no X-Powered-By', async () => {
    for (const res of [await fetch(`${hub.base}/healthz`), await gql(hub.base, '{ me { id } }')]) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allows only the configured origins cross-origin', async () => {
    const allowed = await gql(hub.base, '{ me { id } }', token, { origin: 'https://hub.example.gov.uk' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://hub.example.gov.uk');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await gql(hub.base, '{ me { id } }', token, { origin: 'https://evil.example.com' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${hub.base}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://hub.example.gov.uk', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://hub.example.gov.uk');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    // with no CORS_ORIGINS, no origin is allowed
    const closed = await appWith({});
    const none = await gql(closed, '{ me { id } }', token, { origin: 'https://hub.example.gov.uk' });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("uses the server's own request id everywhere; a client's X-Request-Id is only logged beside it", async () => {
    const res = await fetch(`${hub.base}/api/exports/incidents.csv?monthFrom=2024-01`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'client-chosen-id-42' },
    });
    expect(res.status).toBe(200);
    await res.text();
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    const audit = await hub.db.pool.query<{ request_id: string }>(`select request_id from audit_log where operation = 'export' order by id desc limit 1`);
    expect(audit.rows[0]!.request_id).toBe(id);
    const line = log.lines.find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ clientRequestId: 'client-chosen-id-42' });
    // an id that does not look like one is not even logged
    const odd = await fetch(`${hub.base}/healthz`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    const oddId = odd.headers.get('x-request-id')!;
    expect(oddId).toMatch(UUID);
    expect(log.lines.find((l) => l.requestId === oddId)?.clientRequestId).toBeUndefined();
  });

  it('refuses automatic persisted queries, so no hash cache is shared between users', async () => {
    const sha256Hash = 'ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38';
    for (const body of [
      { extensions: { persistedQuery: { version: 1, sha256Hash } } },
      { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash } } },
    ]) {
      const res = await fetch(`${hub.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(json.data ?? null).toBeNull();
      expect(json.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    }
  });

  describe('rate limits', () => {
    it('per address: 429 with Retry-After past the limit; probes are never limited', async () => {
      const base = await appWith({ rateLimit: { windowMs: 60_000, perIp: 5, perUser: 0, store: 'memory' } });
      for (let i = 0; i < 5; i++) expect((await gql(base, '{ me { id } }')).status).toBe(200);
      const limited = await gql(base, '{ me { id } }');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-policy')).toContain('q=5');
      const body = (await limited.json()) as { errors: { message: string; extensions: { code: string; reason: string } }[] };
      expect(body.errors[0]!.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
      expect(body.errors[0]!.message).toMatch(/from this address: at most 5 per 60 s/);
      const rest = await fetch(`${base}/api/exports/incidents.csv`, { headers: { authorization: `Bearer ${token}` } });
      expect(rest.status).toBe(429);
      expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      for (let i = 0; i < 10; i++) expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it('per user: one user past the limit does not hold back another', async () => {
      const base = await appWith({ rateLimit: { windowMs: 60_000, perIp: 0, perUser: 3, store: 'memory' } });
      for (let i = 0; i < 3; i++) expect((await gql(base, '{ me { id } }')).status).toBe(200);
      const limited = await gql(base, '{ me { id } }');
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/for this user/);
      expect((await gql(base, '{ me { id } }', otherToken)).status).toBe(200);
      // a request without a valid token is not counted against anyone: it is refused as unauthenticated
      expect((await gql(base, '{ me { id } }', 'not-a-token')).status).toBe(401);
    });

    it('with RATE_LIMIT_STORE=postgres, instances share their counts', async () => {
      const options = { rateLimit: { windowMs: 60_000, perIp: 0, perUser: 4, store: 'postgres' as const } };
      const a = await appWith(options);
      const b = await appWith(options);
      const statuses: number[] = [];
      for (const base of [a, b, a, b, a, b]) statuses.push((await gql(base, '{ me { id } }')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const userId = (await hub.db.pool.query<{ id: number }>('select id from app_user where email = $1', [ANALYST])).rows[0]!.id;
      const row = await hub.db.pool.query<{ hits: number; reset_at: Date }>('select hits, reset_at from rate_limit_counter where key = $1', [`user:${userId}`]);
      expect(row.rows[0]!.hits).toBe(6);
      expect(row.rows[0]!.reset_at.getTime()).toBeGreaterThan(Date.now());
      const unlogged = await hub.db.pool.query<{ relpersistence: string }>(`select relpersistence from pg_class where relname = 'rate_limit_counter'`);
      expect(unlogged.rows[0]!.relpersistence).toBe('u');
    });
  });

  describe('metrics', () => {
    it('are off without METRICS_TOKEN and need the token when on', async () => {
      const off = await appWith({});
      expect((await fetch(`${off}/metrics`)).status).toBe(404);
      const none = await fetch(`${hub.base}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await fetch(`${hub.base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    });

    it('count requests per route and per GraphQL operation, pools, process, and the counters others increment', async () => {
      expect((await gql(hub.base, 'query WhoAmI { me { id } }')).status).toBe(200);
      await (await fetch(`${hub.base}/api/submissions/12345/rejects.csv`, { headers: { authorization: `Bearer ${token}` } })).text();
      hub.app.metrics.ingestRows.inc({ feed: 'police.street', outcome: 'accepted' }, 250);
      hub.app.metrics.queueDepth.set({ queue: 'exports' }, 3);
      const res = await fetch(`${hub.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toMatch(/csp_hub_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
      expect(text).toMatch(/csp_hub_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/graphql",status="200"\}/);
      expect(text).toMatch(/route="\/api\/submissions\/:id\/rejects\.csv"/);
      expect(text).not.toMatch(/12345/);
      expect(text).toMatch(/csp_hub_graphql_operations_total\{operation="WhoAmI",type="query",outcome="ok"\} 1/);
      expect(text).toMatch(/csp_hub_graphql_operation_duration_seconds_count\{operation="WhoAmI",type="query"\} 1/);
      expect(text).toMatch(/csp_hub_db_pool_connections\{pool="app",state="total"\} \d+/);
      expect(text).toMatch(/csp_hub_db_pool_connections\{pool="orm",state="waiting"\} 0/);
      expect(text).toMatch(/csp_hub_process_cpu_user_seconds_total \d/);
      expect(text).toMatch(/csp_hub_ingest_rows_total\{feed="police.street",outcome="accepted"\} 250/);
      expect(text).toMatch(/csp_hub_job_queue_depth\{queue="exports"\} 3/);
    });

    it('operation names a client chooses cannot grow the label set without bound', () => {
      const m = hub.app.metrics;
      expect(m.operationLabel('has spaces')).toBe('other');
      expect(m.operationLabel(null)).toBe('anonymous');
      for (let i = 0; i < 300; i++) m.operationLabel(`Op${i}`);
      expect(m.operationLabel('OneMoreAfterTheCap')).toBe('other');
    });
  });
});
