import type { Request } from 'express';
import type pg from 'pg';
import { loadPrincipal, type Principal, type SdcOptions } from '@csp-hub/authz';
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
}

/** Authenticates a request: bearer token -> verified claims -> active user principal. */
export async function authenticate(deps: AppDeps, req: Request): Promise<Principal> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw HubError.unauthenticated('TOKEN_MISSING', 'Sign in: send Authorization: Bearer <token>');
  const claims = verifyToken(deps.keys, token);
  return loadPrincipal(deps.orm.em.fork(), Number(claims.sub), claims.pid);
}

