import type { Request } from 'express';
import type pg from 'pg';
import { authenticateAccess, type AccessContext, type SdcOptions } from '@csp-hub/authz';
import type { MikroORM } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { bearerToken, verifyToken } from './auth/jwt';
import type { SigningKeys } from './auth/keys';
import type { Logger } from './logger';

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
  keys: SigningKeys;
  logger: Logger;
  production: boolean;
  uploads: UploadLimits;
  sdc: SdcOptions;
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

