import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createOrm, User, type MikroORM } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createHubApp, createLogger, signToken, type HubApp, type SigningKeys, type UploadLimits } from '@csp-hub/gateway';

export interface TestHub {
  /** http://127.0.0.1:<port> */
  base: string;
  db: TestDatabase;
  orm: MikroORM;
  keys: SigningKeys;
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

/** Upload limits for test hubs: generous, with the spool in the system's temporary folder. */
export function testUploadLimits(): UploadLimits {
  return { maxBytes: 512 * 1024 * 1024, maxConcurrent: 8, maxPerUser: 4, spoolDir: path.join(os.tmpdir(), 'csp-hub-test-spool') };
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

/** The gateway in-process over a fresh copy of the template database, on a free port. */
export async function startTestHub(label: string): Promise<TestHub> {
  const db = await createTestDatabase(label);
  const orm = await createOrm({ url: db.url, poolMax: 5 });
  const pool = quietOnDrop(new pg.Pool({ connectionString: db.url, max: 5 }));
  const ingestPool = quietOnDrop(new pg.Pool({ connectionString: db.url, max: 3 }));
  const keys = testKeys();
  const app: HubApp = await createHubApp({
    orm,
    pool,
    keys,
    // Errors reach stderr so an unexpected 500 in a test run can be diagnosed.
    logger: createLogger(process.env.CSP_HUB_TEST_LOG ?? 'error'),
    production: false,
    ingestPool,
    uploads: testUploadLimits(),
    sdc: { min: 1, max: 4 },
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
  const { port } = app.httpServer.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const hub: TestHub = {
    base,
    db,
    orm,
    keys,
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
      await ingestPool.end();
      await db.drop();
    },
  };
  return hub;
}
