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

/** Roles a user can hold within their partnership. */
export const ROLES = ['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
