import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_CELL_KEY, loadPrincipal } from '@csp-hub/authz';
import { allowAllAccessContext } from '@csp-hub/authz/testing';
import { createOrm, createReadPool, demoEmail, User, type MikroORM } from '@csp-hub/db';
import { createHubApp, createLogger, signToken, type AppDeps, type HubApp, type SigningKeys } from '@csp-hub/gateway';
import { BOUNDARIES_FILE, loadDistrictBoundaries } from '@csp-hub/insight';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import { runHttpLoad, type LoadResult, type LoadSpec } from './http-load';
import { startPeer, type Peer } from './peer';

/** A server the benchmarks send requests to. */
export interface Target {
  /** hub (authorized), hub-off (same gateway, every read allowed) or peer (PostGraphile + RLS). */
  name: 'hub' | 'hub-off' | 'peer';
  /** http://127.0.0.1:<port> */
  base: string;
}

export interface BenchUser {
  /** Short label for reports, e.g. `provider`. */
  label: string;
  email: string;
  userId: number;
  partnershipId: number;
  ladCodes: string[];
  token: string;
}

/** Everything the read benchmarks run against, all in this process except PostgreSQL and the load client. */
export interface BenchStack {
  hub: Target;
  off: Target;
  peer: Target;
  peerPool: pg.Pool;
  /** Peer.withPageIndex: the peer's page index exists only while fn runs. */
  withPeerPageIndex: Peer['withPageIndex'];
  /** Owner connection to the bench database (raw SQL baselines). */
  pool: pg.Pool;
  user(label: string, partnership: string, handle: string): Promise<BenchUser>;
  /**
   * Waits until no server holds a database connection (for 250 ms running):
   * requests a finished run abandoned go on in the server, and must not
   * overlap the next measurement.
   */
  settle(): Promise<void>;
  /** runHttpLoad, settling the servers after the warm-up and after the measured run. */
  measure(spec: LoadSpec): Promise<LoadResult>;
  stop(): Promise<void>;
}

function busy(pool: pg.Pool): boolean {
  return pool.waitingCount > 0 || pool.idleCount < pool.totalCount;
}

/** Waits until none of the pools has a connection checked out or a request waiting, for `quietMs` in a row (at most `maxMs`). */
export async function settlePools(pools: pg.Pool[], quietMs = 250, maxMs = 120_000): Promise<void> {
  const until = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < until) {
    if (pools.some(busy)) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the servers were still busy ${maxMs / 1000} s after a run ended`);
}

/** Connections each server's database pool holds: the same for the hub and the peer (the production hub's pool size). */
export const POOL_SIZE = 10;

/** A fresh ES256 key pair, as production configures (JWT_ALGORITHM default). */
function benchKeys(): SigningKeys {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    algorithm: 'ES256',
    signing: { key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: null },
    verifying: new Map([[null, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()]]),
    issuer: 'csp-hub',
    audience: 'csp-hub-api',
    maxTtlSeconds: 12 * 3600,
  };
}

async function listen(app: HubApp): Promise<string> {
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
}

/**
 * Starts, over the bench database: the hub gateway as production builds it
 * (authorized), the same gateway with authorization off (accessOverride: the
 * token is verified and its user loaded as usual, then every read is allowed),
 * and the peer. Tokens are real ES256 JWTs that all three verify.
 */
export async function startBenchStack(url: string): Promise<BenchStack> {
  const keys = benchKeys();
  const orm: MikroORM = await createOrm({ url, poolMax: 2 });
  // The hub's read pool, configured as production configures it.
  const pool = createReadPool(url, { max: POOL_SIZE });
  const stops: (() => Promise<void>)[] = [async () => orm.close(), async () => pool.end()];
  const settlers: pg.Pool[] = [pool];
  const stop = async (): Promise<void> => {
    await settlePools(settlers, 250, 30_000).catch(() => undefined);
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const deps: AppDeps = {
      orm,
      pool,
      ingestPool: pool,
      keys,
      // Warnings and errors only: request lines at info would cost both the hub and its baseline the same, and flood the report.
      logger: createLogger(process.env.CSP_HUB_TEST_LOG ?? 'warn'),
      production: false,
      uploads: { maxBytes: 64 * 1024 * 1024, maxConcurrent: 2, maxPerUser: 1, spoolDir: path.join(os.tmpdir(), 'csp-hub-bench-spool') },
      sdc: DEFAULT_CELL_KEY,
      // Hotspot study areas from the real district boundaries, as the served hub reads them from CSP_HUB_REFERENCE_DIR.
      boundaries: loadDistrictBoundaries(sharedData(BOUNDARIES_FILE)),
      // The benchmark is the only client: rate limits would measure the limiter, not the hub.
      http: { rateLimit: { windowMs: 60_000, perIp: 0, perUser: 0, store: 'memory' } },
    };
    const hubApp = await createHubApp(deps);
    stops.push(async () => void (await hubApp.stop()));
    const offApp = await createHubApp({
      ...deps,
      accessOverride: async ({ userId, partnershipId }, requestId) => ({
        ...(await allowAllAccessContext(pool, orm.em.fork(), await loadPrincipal(pool, userId, partnershipId))),
        requestId,
      }),
    });
    stops.push(async () => void (await offApp.stop()));
    const hub: Target = { name: 'hub', base: await listen(hubApp) };
    const off: Target = { name: 'hub-off', base: await listen(offApp) };
    const peer: Peer = await startPeer(url, keys, POOL_SIZE);
    stops.push(() => peer.stop());
    settlers.push(peer.pool);
    return {
      hub,
      off,
      peer: { name: 'peer', base: new URL(peer.url).origin },
      peerPool: peer.pool,
      withPeerPageIndex: (fn) => peer.withPageIndex(fn),
      pool,
      async user(label, partnership, handle) {
        const email = demoEmail(partnership, handle);
        const user = await orm.em.fork().findOneOrFail(User, { email }, { populate: ['partnership'] });
        return {
          label,
          email,
          userId: user.id,
          partnershipId: user.partnership.id,
          ladCodes: [...user.partnership.ladCodes],
          token: signToken(keys, { sub: String(user.id), pid: user.partnership.id }, '4h'),
        };
      },
      settle: () => settlePools(settlers),
      async measure(spec) {
        const result = await runHttpLoad(spec, () => settlePools(settlers));
        await settlePools(settlers);
        return result;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
