import type { Request } from 'express';
import type pg from 'pg';
import { authenticateAccess, authenticateUser, type AccessContext, type CellKeyOptions } from '@csp-hub/authz';
import type { MikroORM } from '@csp-hub/db';
import type { DistrictBoundaries } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { bearerToken, unverifiedIssuer, verifyToken } from './auth/jwt';
import type { SigningKeys } from './auth/keys';
import type { OidcVerifier } from './auth/oidc';
import type { HttpOptions } from './http/options';
import type { ReadinessCheck } from './http/health';
import type { Logger } from './logger';
import type { HubMetrics } from './metrics';

/** How uploads are received: size, how many at once, where they wait on disk. */
export interface UploadLimits {
  maxBytes: number;
  /** Uploads in progress across all users. */
  maxConcurrent: number;
  maxPerUser: number;
  /** Folder where an upload is received in full before its ingest starts. */
  spoolDir: string;
}

export interface AppDeps {
  orm: MikroORM;
  /** The pool that serves reads (authorized queries, audit of reads, health). */
  pool: pg.Pool;
  /** A separate pool for ingest transactions, so long loads never starve reads. */
  ingestPool: pg.Pool;
  /** Keys of hub-signed tokens (development, service use). */
  keys: SigningKeys;
  /** People's sign-in through an OpenID Connect provider; absent when not configured. */
  oidc?: OidcVerifier | null;
  logger: Logger;
  production: boolean;
  uploads: UploadLimits;
  sdc: CellKeyOptions;
  /** District boundaries for hotspot study areas (CSP_HUB_REFERENCE_DIR); without them a district's LSOA extent is used. */
  boundaries?: DistrictBoundaries;
  /**
   * Benchmarks only: builds the access context of a verified token instead of
   * authenticateAccess, so `pnpm bench` can run the same gateway and code path
   * with authorization off (an allow-all ability) and measure what it costs.
   * createHubApp refuses it in production; the CLI never sets it.
   */
  accessOverride?: (verified: { userId: number; partnershipId: number }, requestId: string | null) => Promise<AccessContext>;
  /**
   * Prometheus registry and the counters other modules increment (ingest rows, queue depth). createHubApp
   * creates one when absent and hands routers deps with it set, so route code can rely on it.
   */
  metrics?: HubMetrics;
  /** HTTP limits and policies; unset fields take DEFAULT_HTTP_OPTIONS (httpOptionsFromConfig reads the environment). */
  http?: Partial<HttpOptions>;
  /** Readiness checks beside the database one (e.g. the job queue), run by /readyz. */
  readinessChecks?: ReadinessCheck[];
}

/**
 * Authenticates a request: bearer token -> verified claims -> the active user
 * with the access (agreements in force today) that every read of shared data
 * goes through. A token whose issuer is the OpenID Connect provider is checked
 * against the provider's keys and names its user by e-mail or subject; any other
 * token must be hub-signed (user id and partnership). One database round trip.
 */
export async function authenticate(deps: AppDeps, req: Request): Promise<AccessContext> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw HubError.unauthenticated('TOKEN_MISSING', 'Sign in: send Authorization: Bearer <token>');
  const requestId = req.requestId ?? null;
  if (deps.oidc && unverifiedIssuer(token) === deps.oidc.issuer) {
    const identity = await deps.oidc.verify(token);
    return authenticateUser(deps.pool, deps.orm.em.fork(), identity, requestId);
  }
  const claims = verifyToken(deps.keys, token);
  if (deps.accessOverride) return deps.accessOverride({ userId: Number(claims.sub), partnershipId: claims.pid }, requestId);
  return authenticateAccess(deps.pool, deps.orm.em.fork(), Number(claims.sub), claims.pid, requestId);
}
