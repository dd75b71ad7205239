import type pg from 'pg';
import type { EntityManager } from '@csp-hub/db';
import { buildAbility, type Grant, type HubAbility } from './ability';
import { appendAudit, type AuditRecord } from './audit';
import { loadGrants, partnershipAgencyIds } from './grants';
import type { Principal } from './principal';

/** Everything an authorized operation needs: who, what they may do and why, and where to audit. */
export interface AccessContext {
  principal: Principal;
  ability: HubAbility;
  grants: Grant[];
  partnershipAgencyIds: number[];
  db: pg.Pool;
  /** For agreement changes (MikroORM unit of work), forked per request. */
  em: EntityManager;
  requestId: string | null;
}

/** Builds the request's ability from the principal and today's agreements. */
export async function createAccessContext(
  db: pg.Pool,
  em: EntityManager,
  principal: Principal,
  requestId: string | null = null,
  today?: string,
): Promise<AccessContext> {
  const [grants, agencies] = await Promise.all([loadGrants(db, principal, today), partnershipAgencyIds(db, principal.partnershipId)]);
  return { principal, grants, partnershipAgencyIds: agencies, ability: buildAbility({ principal, grants, partnershipAgencyIds: agencies }), db, em, requestId };
}

/** Writes an audit entry for this principal. */
export function audit(ctx: AccessContext, entry: Omit<AuditRecord, 'userId' | 'agencyId' | 'partnershipId' | 'roles' | 'requestId'>): Promise<number> {
  return appendAudit(ctx.db, {
    ...entry,
    userId: ctx.principal.userId,
    agencyId: ctx.principal.agencyId,
    partnershipId: ctx.principal.partnershipId,
    roles: ctx.principal.roles,
    requestId: ctx.requestId,
  });
}
