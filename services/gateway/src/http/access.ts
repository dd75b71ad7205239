import type { Request } from 'express';
import { createAccessContext, type AccessContext } from '@csp-hub/authz';
import type { AppDeps } from '../deps';
import { authenticate } from '../deps';

/** The request's principal and access context (REST routes; GraphQL builds the same in its context). */
export async function requestAccess(deps: AppDeps, req: Request): Promise<AccessContext> {
  const principal = await authenticate(deps, req);
  return createAccessContext(deps.pool, deps.orm.em.fork(), principal, req.requestId);
}
