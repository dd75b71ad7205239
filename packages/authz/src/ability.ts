import { AbilityBuilder, createMongoAbility, type ForcedSubject, type MongoAbility } from '@casl/ability';
import { isLocatedFeed, type DataTier } from '@csp-hub/taxonomy';
import { BASE_FIELDS, DETAIL_FIELDS, type IncidentField } from './fields';
import type { Principal } from './principal';
import { SUBMISSION_OUTLINE_FIELDS } from './submission-fields';

/** Never 'manage': CASL reads it as every action. */
export type HubAction = 'read' | 'aggregate' | 'create' | 'update' | 'administer' | 'approve' | 'explain';
export type HubSubjectName = 'Incident' | 'Submission' | 'IngestReject' | 'IspAgreement' | 'AuditEntry' | 'UserAccess' | 'User' | 'PriorityTarget';

/** The shape rules match on, per subject (checked with `subject(name, object)`). */
export interface SubjectModels {
  Incident: { agencyId: number; feed: string; ladCode: string | null; tier: string };
  Submission: { agencyId: number };
  IngestReject: { agencyId: number };
  /** providerAgencyId: given when the rule that matters is the provider's (approve). */
  IspAgreement: { partnershipId: number; providerAgencyId?: number };
  AuditEntry: { partnershipId: number };
  UserAccess: { userId: number; partnershipId: number };
  /** A hub user account (user administration). */
  User: { partnershipId: number };
  /** A partnership's priority target (docs/analysis.md "Targets as data"). */
  PriorityTarget: { partnershipId: number };
}

export type HubSubject = HubSubjectName | { [K in HubSubjectName]: SubjectModels[K] & ForcedSubject<K> }[HubSubjectName];
export type HubAbility = MongoAbility<[HubAction, HubSubject]>;

/** An active agreement that applies to the principal today (see loadGrants). */
export interface Grant {
  agreementId: number;
  title: string;
  providerAgencyId: number;
  providerName: string;
  datasets: string[];
  tier: DataTier;
  lawfulBasis: string;
  validTo: string;
}

/** Roles that receive partners' data through agreements; admins, auditors and data owners see only their own agency's. */
export const DATA_ROLES = ['analyst', 'tasking_member', 'chair'] as const;

/**
 * Roles that draft, change, request, suspend and lapse their partnership's agreements; the same
 * roles held at the provider agency approve (or decline) activation and widening changes.
 */
export const AGREEMENT_ROLES = ['chair', 'partnership_admin', 'data_owner'] as const;

const AGREEMENT_REASON = /^ISP #(\d+)/;

export function agreementIdOfReason(reason: string | undefined): number | undefined {
  const m = reason ? AGREEMENT_REASON.exec(reason) : null;
  return m ? Number(m[1]) : undefined;
}

export interface AbilityContext {
  principal: Principal;
  grants: Grant[];
  /** Agencies that are partners in the principal's partnership. */
  partnershipAgencyIds: number[];
}

/**
 * The ability is a pure function of who asks and what the agreements say.
 *  - Everyone reads their own agency's records in full.
 *  - Through an agreement (analysts, tasking members, chairs): the provider's
 *    datasets in the principal's partnership area (feeds without a place:
 *    all of them), at the granted tier:
 *    personal -> all but restricted text; pseudonymised -> base fields, and
 *    detail only on records that are not personal; public -> public records;
 *    aggregate -> counts only (with disclosure control).
 *  - Anything readable row by row may also be counted.
 */
export function buildAbility(context: AbilityContext): HubAbility {
  // A pure function of its inputs: reuse the built ability for identical facts (the
  // facts themselves are read fresh on every request, so changes apply at once).
  const key = JSON.stringify([context.principal, context.grants, context.partnershipAgencyIds]);
  const cached = abilityCache.get(key);
  if (cached) {
    abilityCache.delete(key);
    abilityCache.set(key, cached);
    return cached;
  }
  const ability = defineAbility(context);
  abilityCache.set(key, ability);
  if (abilityCache.size > ABILITY_CACHE_SIZE) abilityCache.delete(abilityCache.keys().next().value!);
  return ability;
}

const ABILITY_CACHE_SIZE = 1000;
const abilityCache = new Map<string, HubAbility>();

function defineAbility({ principal, grants, partnershipAgencyIds }: AbilityContext): HubAbility {
  const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
  const own = { agencyId: principal.agencyId };
  const roles = new Set(principal.roles);

  can('read', 'Incident', own).because('own agency');
  can('aggregate', 'Incident', own).because('own agency');

  if (DATA_ROLES.some((r) => roles.has(r))) {
    for (const g of grants) {
      const reason = `ISP #${g.agreementId} (${g.tier}): ${g.title}`;
      const located = g.datasets.filter(isLocatedFeed);
      const unlocated = g.datasets.filter((d) => !isLocatedFeed(d));
      // Located feeds are shared for the partnership's districts; feeds without a place are shared whole.
      const scopes = [
        ...(located.length ? [{ agencyId: g.providerAgencyId, feed: { $in: located }, ladCode: { $in: principal.ladCodes } }] : []),
        ...(unlocated.length ? [{ agencyId: g.providerAgencyId, feed: { $in: unlocated } }] : []),
      ];
      const detailed: IncidentField[] = [...BASE_FIELDS, ...DETAIL_FIELDS];
      for (const where of scopes) {
        // What may be read row by row may also be counted and grouped by, field for field; an
        // aggregate grant counts records grouped by their base fields only.
        const grant = (fields: IncidentField[], conditions: object): void => {
          can('read', 'Incident', fields, conditions).because(reason);
          can('aggregate', 'Incident', fields, conditions).because(reason);
        };
        switch (g.tier) {
          case 'personal':
            grant(detailed, where);
            break;
          case 'pseudonymised':
            grant(BASE_FIELDS, where);
            grant(DETAIL_FIELDS, { ...where, tier: { $in: ['public', 'pseudonymised'] } });
            break;
          case 'public':
            grant(detailed, { ...where, tier: 'public' });
            break;
          case 'aggregate':
            can('aggregate', 'Incident', BASE_FIELDS, where).because(reason);
            break;
        }
      }
    }
  }

  // Submissions and their rejects: rejects hold raw source values, so only the submitting agency sees them.
  can('read', 'Submission', own);
  can('read', 'IngestReject', own);
  if (roles.has('analyst')) can('create', 'Submission', own);
  if (roles.has('chair') || roles.has('partnership_admin') || roles.has('auditor')) {
    // Partners see what happened, never what the file said or how many rows it had (docs/authorization.md).
    can('read', 'Submission', [...SUBMISSION_OUTLINE_FIELDS], { agencyId: { $in: partnershipAgencyIds.filter((a) => a !== principal.agencyId) } });
  }

  // Agreements: every member reads those of their partnership; chairs, admins and data owners draft,
  // change, request, suspend and lapse them; the same roles at the provider agency approve or decline.
  can('read', 'IspAgreement', { partnershipId: principal.partnershipId });
  if (AGREEMENT_ROLES.some((r) => roles.has(r))) {
    can('administer', 'IspAgreement', { partnershipId: principal.partnershipId });
    can('approve', 'IspAgreement', { partnershipId: principal.partnershipId, providerAgencyId: principal.agencyId });
  }

  // User administration: partnership admins manage their partnership's users; chairs and auditors may list them.
  if (roles.has('partnership_admin')) can('administer', 'User', { partnershipId: principal.partnershipId });
  if (roles.has('partnership_admin') || roles.has('chair') || roles.has('auditor')) can('read', 'User', { partnershipId: principal.partnershipId });

  // Priority targets: every member reads their partnership's; chairs and partnership admins set them.
  can('read', 'PriorityTarget', { partnershipId: principal.partnershipId });
  if (roles.has('chair') || roles.has('partnership_admin')) can('administer', 'PriorityTarget', { partnershipId: principal.partnershipId });

  // Audit: auditors and chairs read their partnership's trail.
  if (roles.has('auditor') || roles.has('chair')) can('read', 'AuditEntry', { partnershipId: principal.partnershipId });

  // explainAccess: anyone for themselves; chairs (and auditors) for anyone in the partnership.
  can('explain', 'UserAccess', { userId: principal.userId });
  if (roles.has('chair') || roles.has('auditor')) can('explain', 'UserAccess', { partnershipId: principal.partnershipId });

  return build();
}
