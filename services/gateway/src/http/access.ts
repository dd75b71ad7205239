import type { Request } from 'express';
import type { AccessContext } from '@csp-hub/authz';
import { abortablePool } from '@csp-hub/db';
import type { AppDeps } from '../deps';
import { authenticate } from '../deps';

/**
 * The request's principal and access context, authenticated once per request
 * (the per-user rate limit, REST routes and the GraphQL context share it).
 * Its reads run on a view of the pool tied to the request's AbortSignal: when
 * the client goes away (or shutdown cuts the request off) the statement it is
 * running is cancelled in PostgreSQL and nothing new starts.
 */
export function requestAccess(deps: AppDeps, req: Request): Promise<AccessContext> {
  if (!req.access) {
    req.access = authenticate(deps, req).then((access) => (req.signal ? { ...access, db: abortablePool(deps.pool, req.signal) } : access));
    req.access.catch(() => undefined); // handled by whoever awaits it; never an unhandled rejection
  }
  return req.access;
}
