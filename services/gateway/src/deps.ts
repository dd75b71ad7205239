import type { Request } from 'express';
import type pg from 'pg';
import { authenticateAccess, type AccessContext, type SdcOptions } from '@csp-hub/authz';
import type { MikroORM } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { bearerToken, verifyToken } from './auth/jwt';
import type { SigningKeys } from './auth/keys';
import type { HttpOptions } from './http/options';
import type { ReadinessCheck } from './http/health';
import type { Logger } from './logger';
import type { HubMetrics } from './metrics';

export interface AppDeps {
  orm: MikroORM;
  /** Raw pool for health checks and COPY streams. */
  pool: pg.Pool;
  keys: SigningKeys;
  logger: Logger;
  production: boolean;
  uploadMaxBytes: number;
  sdc: SdcOptions;
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
 * of the token's partnership, with the access (agreements in force today) that
 * every read of shared data goes through. One database round trip.
 */
export async function authenticate(deps: AppDeps, req: Request): Promise<AccessContext> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw HubError.unauthenticated('TOKEN_MISSING', 'Sign in: send Authorization: Bearer <token>');
  const claims = verifyToken(deps.keys, token);
  return authenticateAccess(deps.pool, deps.orm.em.fork(), Number(claims.sub), claims.pid, req.requestId ?? null);
}

