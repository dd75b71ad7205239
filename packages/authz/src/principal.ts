import type pg from 'pg';
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
 * How a request names its user: by id (hub tokens, whose `pid` must also match
 * the user's partnership), or by an identity provider's claim: the e-mail
 * (matched case-insensitively) or the provider's subject (`external_subject`).
 */
export type UserLookup =
  | { by: 'id'; userId: number; tokenPartnershipId: number }
  | { by: 'email'; email: string }
  | { by: 'subject'; subject: string };

const USER_MATCH: Record<UserLookup['by'], string> = {
  id: 'u.id = $1::integer',
  email: 'lower(u.email) = lower($1::text)',
  subject: 'u.external_subject = $1::text',
};

/** The lookup's value, bound as $1 of principalSql. */
export function lookupValue(lookup: UserLookup): number | string {
  return lookup.by === 'id' ? lookup.userId : lookup.by === 'email' ? lookup.email : lookup.subject;
}

/**
 * The user with agency and partnership, as one SQL fragment with the lookup
 * value as $1 (reused by the access query). A user without an agency or a
 * partnership yields no row.
 */
export function principalSql(by: UserLookup['by']): string {
  return `
  select u.id as user_id, u.display_name, u.roles, u.active,
         a.id as agency_id, a.code as agency_code, a.name as agency_name, a.type as agency_type,
         p.id as partnership_id, p.code as partnership_code, p.name as partnership_name, p.lad_codes
  from app_user u join agency a on a.id = u.agency_id join partnership p on p.id = u.partnership_id
  where ${USER_MATCH[by]}`;
}

/** The user by id, as one SQL fragment. */
export const PRINCIPAL_SQL = principalSql('id');

export interface PrincipalRow {
  user_id: number;
  display_name: string;
  roles: Role[];
  active: boolean;
  agency_id: number;
  agency_code: string;
  agency_name: string;
  agency_type: AgencyType;
  partnership_id: number;
  partnership_code: string;
  partnership_name: string;
  lad_codes: string[];
}

/**
 * Checks the row against the token and turns it into a Principal. An unknown
 * and a deactivated user get the same answer, so a caller learns nothing about
 * which e-mails or subjects exist. `tokenPartnershipId` null: the token names
 * no partnership (identity-provider tokens); the user's own applies.
 */
export function principalFromRow(row: PrincipalRow | undefined, tokenPartnershipId: number | null): Principal {
  if (!row || !row.active) throw HubError.unauthenticated('USER_UNKNOWN', 'The token names no active user');
  if (tokenPartnershipId !== null && row.partnership_id !== tokenPartnershipId) {
    throw HubError.unauthenticated('PARTNERSHIP_MISMATCH', 'The token was issued for another partnership');
  }
  return {
    userId: row.user_id,
    displayName: row.display_name,
    agencyId: row.agency_id,
    agencyCode: row.agency_code,
    agencyName: row.agency_name,
    agencyType: row.agency_type,
    partnershipId: row.partnership_id,
    partnershipCode: row.partnership_code,
    partnershipName: row.partnership_name,
    ladCodes: [...row.lad_codes],
    roles: [...row.roles],
  };
}

/**
 * Resolves a verified token subject to a Principal. The user must exist, be
 * active and belong to the partnership the token was issued for.
 */
export async function loadPrincipal(db: pg.Pool, userId: number, tokenPartnershipId: number): Promise<Principal> {
  const rows = await db.query<PrincipalRow>({ name: 'csp-hub-principal', text: PRINCIPAL_SQL, values: [userId] });
  return principalFromRow(rows.rows[0], tokenPartnershipId);
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
