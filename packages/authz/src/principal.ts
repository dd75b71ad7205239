import { User, type EntityManager } from '@csp-hub/db';
import { HubError, type AgencyType, type Role } from '@csp-hub/taxonomy';

/** Who is asking: the facts every ability is built from. */
export interface Principal {
  userId: number;
  displayName: string;
  agencyId: number;
  agencyCode: string;
  agencyName: string;
  agencyType: AgencyType;
  partnershipId: number;
  partnershipCode: string;
  partnershipName: string;
  /** Districts the user's partnership covers. */
  ladCodes: string[];
  roles: Role[];
}

/**
 * Resolves a verified token subject to a Principal. The user must exist, be
 * active and belong to the partnership the token was issued for.
 */
export async function loadPrincipal(em: EntityManager, userId: number, tokenPartnershipId: number): Promise<Principal> {
  const user = await em.findOne(User, { id: userId }, { populate: ['agency', 'partnership'] });
  if (!user || !user.active) throw HubError.unauthenticated('USER_UNKNOWN', 'The token names no active user');
  if (user.partnership.id !== tokenPartnershipId) {
    throw HubError.unauthenticated('PARTNERSHIP_MISMATCH', 'The token was issued for another partnership');
  }
  return {
    userId: user.id,
    displayName: user.displayName,
    agencyId: user.agency.id,
    agencyCode: user.agency.code,
    agencyName: user.agency.name,
    agencyType: user.agency.type,
    partnershipId: user.partnership.id,
    partnershipCode: user.partnership.code,
    partnershipName: user.partnership.name,
    ladCodes: [...user.partnership.ladCodes],
    roles: [...user.roles],
  };
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
