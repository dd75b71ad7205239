export const AGENCY_TYPES = [
  'police',
  'fire',
  'health',
  'council',
  'probation',
  'youth_offending',
  'housing',
  'other',
] as const;
export type AgencyType = (typeof AGENCY_TYPES)[number];

export function isAgencyType(value: string): value is AgencyType {
  return (AGENCY_TYPES as readonly string[]).includes(value);
}

/**
 * Roles a user can hold within their partnership. `data_owner` is an agency's
 * information asset owner: with the agency's chair or partnership admin, the
 * only people who approve sharing that agency's data (docs/authorization.md).
 */
export const ROLES = ['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor', 'data_owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
