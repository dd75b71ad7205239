import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { DEFAULT_CELL_KEY, type CellKeyOptions } from '@csp-hub/authz';
import type { DistrictBoundaries } from '@csp-hub/insight';
import { createOrm, createReadPool, User, type MikroORM } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createHubApp, createLogger, signToken, type HttpOptions, type HubApp, type Logger, type OidcVerifier, type SigningKeys, type UploadLimits } from '@csp-hub/gateway';

export interface TestHub {
  /** http://127.0.0.1:<port> (changes on restart) */
  base: string;
  db: TestDatabase;
  orm: MikroORM;
  /** The hub-token keys the running gateway uses (changes on restart). */
  keys: SigningKeys;
  app: HubApp;
  /** The request pool the hub uses (tests may hold its connections). */
  pool: pg.Pool;
  /** A valid token for a user by e-mail. */
  tokenFor(email: string, ttl?: string): Promise<string>;
  /** POST a GraphQL query; returns status and parsed body. */
  gql(query: string, options?: { token?: string; variables?: Record<string, unknown> }): Promise<{ status: number; body: GraphQLBody }>;
  /**
   * Stops the gateway and starts it again on the same database and pool with
   * other keys or identity provider, on a new port (base changes) so no client
   * connection to the stopped server is reused.
   */
  restart(options?: TestHubOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface TestHubOptions {
  /** Hub-token keys; a fresh ES256 pair without kid when absent. */
  keys?: SigningKeys;
  /** OpenID Connect sign-in; none when absent. */
  oidc?: OidcVerifier | null;
  /** HTTP limits and policies; by default rate limits are off so suites that send many requests are not throttled. */
  http?: Partial<HttpOptions>;
  /** Where the hub logs (default: stderr at CSP_HUB_TEST_LOG or error). */
  logger?: Logger;
  /** District boundaries for hotspot study areas (default: none, LSOA extents). */
  boundaries?: DistrictBoundaries;
  /** Disclosure control, as the SDC_* settings give it (default DEFAULT_CELL_KEY). */
  sdc?: CellKeyOptions;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

/** Upload limits for test hubs: generous, with the spool in the system's temporary folder. */
export function testUploadLimits(): UploadLimits {
  return { maxBytes: 512 * 1024 * 1024, maxConcurrent: 8, maxPerUser: 4, spoolDir: path.join(os.tmpdir(), 'csp-hub-test-spool') };
}

export function testKeys(): SigningKeys {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    algorithm: 'ES256',
    signing: { key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: null },
    verifying: new Map([[null, publicPem]]),
    issuer: 'csp-hub',
    audience: 'csp-hub-api',
    maxTtlSeconds: 12 * 3600,
  };
}


/** The gateway in-process over a fresh copy of the template database, on a free port. */
export async function startTestHub(label: string, options: TestHubOptions = {}): Promise<TestHub> {
  const db = await createTestDatabase(label);
  // The hub under test connects as the application role, as in production (ADR 0018).
  const orm = await createOrm({ url: db.appUrl, poolMax: 5 });
  const pool = quietOnDrop(createReadPool(db.appUrl, { max: 5 }));
  const ingestPool = quietOnDrop(new pg.Pool({ connectionString: db.appUrl, max: 3 }));
  // Errors reach stderr so an unexpected 500 in a test run can be diagnosed.
  const logger = options.logger ?? createLogger(process.env.CSP_HUB_TEST_LOG ?? 'error');
  const start = async (opts: TestHubOptions): Promise<{ app: HubApp; keys: SigningKeys; base: string }> => {
    const keys = opts.keys ?? testKeys();
    const app = await createHubApp({
      orm,
      pool,
      keys,
      oidc: opts.oidc ?? null,
      logger,
      production: false,
      ingestPool,
      uploads: testUploadLimits(),
      sdc: opts.sdc ?? options.sdc ?? DEFAULT_CELL_KEY,
      ...(opts.boundaries ?? options.boundaries ? { boundaries: opts.boundaries ?? options.boundaries } : {}),
      http: { ...opts.http, rateLimit: { windowMs: 60_000, perIp: 0, perUser: 0, store: 'memory', ...opts.http?.rateLimit } },
    });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
    return { app, keys, base: `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}` };
  };
  let running = await start(options);
  const hub: TestHub = {
    base: running.base,
    db,
    orm,
    keys: running.keys,
    app: running.app,
    pool,
    async tokenFor(email, ttl = '1h') {
      const user = await orm.em.fork().findOneOrFail(User, { email }, { populate: ['partnership'] });
      return signToken(hub.keys, { sub: String(user.id), pid: user.partnership.id }, ttl);
    },
    async gql(query, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const res = await fetch(`${hub.base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables }) });
      return { status: res.status, body: (await res.json()) as GraphQLBody };
    },
    async restart(opts = {}) {
      await running.app.stop();
      running = await start(opts);
      hub.keys = running.keys;
      hub.base = running.base;
      hub.app = running.app;
    },
    async stop() {
      await running.app.stop();
      await orm.close();
      await pool.end();
      await ingestPool.end();
      await db.drop();
    },
  };
  return hub;
}
