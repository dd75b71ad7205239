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
    // The hub's disclosure control goes with the context, so every aggregate of the request uses it.
    req.access = authenticate(deps, req).then((access) => ({ ...access, cellKey: deps.sdc, ...(req.signal ? { db: abortablePool(deps.pool, req.signal) } : {}) }));
    req.access.catch(() => undefined); // handled by whoever awaits it; never an unhandled rejection
  }
  return req.access;
}
