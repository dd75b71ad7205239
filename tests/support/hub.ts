import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createOrm, User, type MikroORM } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createHubApp, createLogger, signToken, type HttpOptions, type HubApp, type Logger, type SigningKeys } from '@csp-hub/gateway';

export interface TestHub {
  /** http://127.0.0.1:<port> */
  base: string;
  db: TestDatabase;
  orm: MikroORM;
  keys: SigningKeys;
  app: HubApp;
  /** The request pool the hub uses (tests may hold its connections). */
  pool: pg.Pool;
  /** A valid token for a user by e-mail. */
  tokenFor(email: string, ttl?: string): Promise<string>;
  /** POST a GraphQL query; returns status and parsed body. */
  gql(query: string, options?: { token?: string; variables?: Record<string, unknown> }): Promise<{ status: number; body: GraphQLBody }>;
  stop(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

export function testKeys(): SigningKeys {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    algorithm: 'ES256',
    signingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    verifyingKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    issuer: 'csp-hub',
    audience: 'csp-hub-api',
  };
}

export interface TestHubOptions {
  /** HTTP limits and policies; by default rate limits are off so suites that send many requests are not throttled. */
  http?: Partial<HttpOptions>;
  /** Where the hub logs (default: stderr at CSP_HUB_TEST_LOG or error). */
  logger?: Logger;
}

/** The gateway in-process over a fresh copy of the template database, on a free port. */
export async function startTestHub(label: string, options: TestHubOptions = {}): Promise<TestHub> {
  const db = await createTestDatabase(label);
  const orm = await createOrm({ url: db.url, poolMax: 5 });
  const pool = quietOnDrop(new pg.Pool({ connectionString: db.url, max: 5 }));
  const keys = testKeys();
  const app: HubApp = await createHubApp({
    orm,
    pool,
    keys,
    // Errors reach stderr so an unexpected 500 in a test run can be diagnosed.
    logger: options.logger ?? createLogger(process.env.CSP_HUB_TEST_LOG ?? 'error'),
    production: false,
    uploadMaxBytes: 512 * 1024 * 1024,
    sdc: { min: 1, max: 4 },
    http: { ...options.http, rateLimit: { windowMs: 60_000, perIp: 0, perUser: 0, store: 'memory', ...options.http?.rateLimit } },
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
  const { port } = app.httpServer.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const hub: TestHub = {
    base,
    db,
    orm,
    keys,
    app,
    pool,
    async tokenFor(email, ttl = '1h') {
      const user = await orm.em.fork().findOneOrFail(User, { email }, { populate: ['partnership'] });
      return signToken(keys, { sub: String(user.id), pid: user.partnership.id }, ttl);
    },
    async gql(query, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const res = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables }) });
      return { status: res.status, body: (await res.json()) as GraphQLBody };
    },
    async stop() {
      await app.stop();
      await orm.close();
      await pool.end();
      await db.drop();
    },
  };
  return hub;
}
