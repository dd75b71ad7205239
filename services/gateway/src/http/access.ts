import type { Request } from 'express';
import type { AccessContext } from '@csp-hub/authz';
import type { AppDeps } from '../deps';
import { authenticate } from '../deps';

/** The request's principal and access context (REST routes; GraphQL builds the same in its context). */
export function requestAccess(deps: AppDeps, req: Request): Promise<AccessContext> {
  return authenticate(deps, req);
}
