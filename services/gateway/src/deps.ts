import type { Request } from 'express';
import type pg from 'pg';
import { authenticateAccess, type AccessContext, type SdcOptions } from '@csp-hub/authz';
import type { MikroORM } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { bearerToken, verifyToken } from './auth/jwt';
import type { SigningKeys } from './auth/keys';
import type { Logger } from './logger';

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
   * Benchmarks only: builds the access context of a verified token instead of
   * authenticateAccess, so `pnpm bench` can run the same gateway and code path
   * with authorization off (an allow-all ability) and measure what it costs.
   * createHubApp refuses it in production; the CLI never sets it.
   */
  accessOverride?: (verified: { userId: number; partnershipId: number }, requestId: string | null) => Promise<AccessContext>;
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
  if (deps.accessOverride) return deps.accessOverride({ userId: Number(claims.sub), partnershipId: claims.pid }, req.requestId ?? null);
  return authenticateAccess(deps.pool, deps.orm.em.fork(), Number(claims.sub), claims.pid, req.requestId ?? null);
}

