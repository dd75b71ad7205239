import type { AgencyType, Role } from '@csp-hub/taxonomy';

/**
 * The real partnership structure the demo and tests run on: four Leicestershire
 * district CSPs (Leicestershire Police force area) and West Oxfordshire (Thames
 * Valley). Codes are ONS CSP/LAD/county/PFA codes (December 2019).
 */
export interface DemoAgency {
  code: string;
  name: string;
  type: AgencyType;
  statutory: boolean;
  /** Police: the force name its data.police.uk files carry. */
  forceName?: string;
}

export interface DemoPartnership {
  slug: string;
  code: string;
  name: string;
  ladCodes: string[];
  countyCode: string;
  pfaCode: string;
  /** Agency codes: police, fire, health (ICB), district council, county council, probation, then others. */
  agencies: { police: string; fire: string; health: string; district: string; county: string; probation: string; others: string[] };
}

export const DEMO_AGENCIES: DemoAgency[] = [
  { code: 'leicestershire-police', name: 'Leicestershire Police', type: 'police', statutory: true, forceName: 'Leicestershire Police' },
  { code: 'leicestershire-fire', name: 'Leicestershire Fire and Rescue Service', type: 'fire', statutory: true },
  { code: 'llr-icb', name: 'NHS Leicester, Leicestershire and Rutland Integrated Care Board', type: 'health', statutory: true },
  { code: 'uhl-emergency-department', name: 'University Hospitals of Leicester NHS Trust (Emergency Department)', type: 'health', statutory: false },
  { code: 'leicestershire-county-council', name: 'Leicestershire County Council', type: 'council', statutory: true },
  { code: 'probation-east-midlands', name: 'Probation Service - East Midlands', type: 'probation', statutory: true },
  { code: 'leicestershire-youth-justice', name: 'Leicestershire Youth Justice Service', type: 'youth_offending', statutory: false },
  { code: 'charnwood-borough-council', name: 'Charnwood Borough Council', type: 'council', statutory: true },
  { code: 'harborough-district-council', name: 'Harborough District Council', type: 'council', statutory: true },
  { code: 'north-west-leicestershire-district-council', name: 'North West Leicestershire District Council', type: 'council', statutory: true },
  { code: 'oadby-and-wigston-borough-council', name: 'Oadby and Wigston Borough Council', type: 'council', statutory: true },
  { code: 'thames-valley-police', name: 'Thames Valley Police', type: 'police', statutory: true, forceName: 'Thames Valley Police' },
  { code: 'oxfordshire-fire', name: 'Oxfordshire County Council Fire and Rescue Service', type: 'fire', statutory: true },
  { code: 'bob-icb', name: 'NHS Buckinghamshire, Oxfordshire and Berkshire West Integrated Care Board', type: 'health', statutory: true },
  { code: 'oxfordshire-county-council', name: 'Oxfordshire County Council', type: 'council', statutory: true },
  { code: 'probation-south-central', name: 'Probation Service - South Central', type: 'probation', statutory: true },
  { code: 'west-oxfordshire-district-council', name: 'West Oxfordshire District Council', type: 'council', statutory: true },
  { code: 'cottsway-housing', name: 'Cottsway Housing Association', type: 'housing', statutory: false },
];

const LEICESTERSHIRE = {
  police: 'leicestershire-police',
  fire: 'leicestershire-fire',
  health: 'llr-icb',
  county: 'leicestershire-county-council',
  probation: 'probation-east-midlands',
};

export const DEMO_PARTNERSHIPS: DemoPartnership[] = [
  {
    slug: 'charnwood',
    code: 'E22000165',
    name: 'Charnwood Community Safety Partnership',
    ladCodes: ['E07000130'],
    countyCode: 'E10000018',
    pfaCode: 'E23000021',
    agencies: { ...LEICESTERSHIRE, district: 'charnwood-borough-council', others: ['uhl-emergency-department', 'leicestershire-youth-justice'] },
  },
  {
    slug: 'harborough',
    code: 'E22000166',
    name: 'Harborough Community Safety Partnership',
    ladCodes: ['E07000131'],
    countyCode: 'E10000018',
    pfaCode: 'E23000021',
    agencies: { ...LEICESTERSHIRE, district: 'harborough-district-council', others: ['uhl-emergency-department'] },
  },
  {
    slug: 'north-west-leicestershire',
    code: 'E22000170',
    name: 'North West Leicestershire Community Safety Partnership',
    ladCodes: ['E07000134'],
    countyCode: 'E10000018',
    pfaCode: 'E23000021',
    agencies: { ...LEICESTERSHIRE, district: 'north-west-leicestershire-district-council', others: ['uhl-emergency-department'] },
  },
  {
    slug: 'oadby-wigston',
    code: 'E22000171',
    name: 'Oadby and Wigston Community Safety Partnership',
    ladCodes: ['E07000135'],
    countyCode: 'E10000018',
    pfaCode: 'E23000021',
    agencies: { ...LEICESTERSHIRE, district: 'oadby-and-wigston-borough-council', others: ['uhl-emergency-department', 'leicestershire-youth-justice'] },
  },
  {
    slug: 'west-oxfordshire',
    code: 'E22000315',
    name: 'West Oxfordshire Community Safety Partnership',
    ladCodes: ['E07000181'],
    countyCode: 'E10000025',
    pfaCode: 'E23000029',
    agencies: {
      police: 'thames-valley-police',
      fire: 'oxfordshire-fire',
      health: 'bob-icb',
      district: 'west-oxfordshire-district-council',
      county: 'oxfordshire-county-council',
      probation: 'probation-south-central',
      others: ['cottsway-housing'],
    },
  },
];

type AgencySlot = Exclude<keyof DemoPartnership['agencies'], 'others'>;

/** Users each partnership gets: who they work for (slot) and their roles. */
export const DEMO_USER_TEMPLATES: { handle: string; slot: AgencySlot; roles: Role[]; title: string }[] = [
  { handle: 'police.analyst', slot: 'police', roles: ['analyst'], title: 'Police analyst' },
  { handle: 'fire.analyst', slot: 'fire', roles: ['analyst'], title: 'Fire and rescue analyst' },
  { handle: 'health.analyst', slot: 'health', roles: ['analyst'], title: 'Health analyst' },
  { handle: 'district.analyst', slot: 'district', roles: ['analyst'], title: 'Community safety analyst' },
  { handle: 'county.analyst', slot: 'county', roles: ['analyst'], title: 'County council analyst' },
  { handle: 'police.tasking', slot: 'police', roles: ['tasking_member'], title: 'Police inspector (tasking)' },
  { handle: 'probation.tasking', slot: 'probation', roles: ['tasking_member'], title: 'Probation officer (tasking)' },
  { handle: 'district.chair', slot: 'district', roles: ['chair', 'tasking_member'], title: 'Partnership chair' },
  { handle: 'district.admin', slot: 'district', roles: ['partnership_admin'], title: 'Partnership administrator' },
  { handle: 'county.auditor', slot: 'county', roles: ['auditor'], title: 'Information governance auditor' },
  // Information asset owners: they approve sharing their agency's data (the district council's chair and admin do for it).
  { handle: 'police.data_owner', slot: 'police', roles: ['data_owner'], title: 'Police information asset owner' },
  { handle: 'fire.data_owner', slot: 'fire', roles: ['data_owner'], title: 'Fire and rescue information asset owner' },
  { handle: 'health.data_owner', slot: 'health', roles: ['data_owner'], title: 'Health information asset owner' },
  { handle: 'county.data_owner', slot: 'county', roles: ['data_owner'], title: 'County council information asset owner' },
];

/** Who approves each demo provider's agreements (a user of that agency with a chair, admin or data owner role). */
export const DEMO_APPROVERS: Record<AgencySlot, string | null> = {
  police: 'police.data_owner',
  fire: 'fire.data_owner',
  health: 'health.data_owner',
  district: 'district.chair',
  county: 'county.data_owner',
  probation: null,
};

export const DEMO_EMAIL_DOMAIN = 'demo.csp-hub.test';

export function demoEmail(partnershipSlug: string, handle: string): string {
  return `${handle}@${partnershipSlug}.${DEMO_EMAIL_DOMAIN}`;
}
