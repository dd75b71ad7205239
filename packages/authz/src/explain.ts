import { subject as asSubject } from '@casl/ability';
import { Agency, User } from '@csp-hub/db';
import { HubError, type DataTier } from '@csp-hub/taxonomy';
import { DATA_ROLES, buildAbility } from './ability';
import type { AccessContext } from './access';
import { audit } from './access';
import { ALL_INCIDENT_FIELDS, BASE_FIELDS, DETAIL_FIELDS, type IncidentField } from './fields';
import { loadGrants, partnershipAgencyIds } from './grants';
import { loadPrincipal, type Principal } from './principal';

export interface AccessLine {
  providerAgencyId: number;
  providerName: string;
  datasets: string[];
  /** rows: record by record; counts: aggregates only, small counts withheld. */
  access: 'rows' | 'counts';
  tier: DataTier | 'own';
  /** Fields shown on records of each record tier. */
  fieldsByRecordTier: { recordTier: DataTier; fields: IncidentField[] }[];
  area: string[];
  agreementId: number | null;
  agreementTitle: string | null;
  lawfulBasis: string | null;
  validTo: string | null;
}

export interface AccessExplanation {
  userId: number;
  displayName: string;
  agencyName: string;
  partnershipName: string;
  roles: string[];
  lines: AccessLine[];
  notes: string[];
}

const RECORD_TIERS: DataTier[] = ['public', 'pseudonymised', 'personal'];

function fieldsFor(tier: DataTier, recordTier: DataTier): IncidentField[] {
  switch (tier) {
    case 'personal':
      return [...BASE_FIELDS, ...DETAIL_FIELDS];
    case 'pseudonymised':
      return recordTier === 'personal' ? [...BASE_FIELDS] : [...BASE_FIELDS, ...DETAIL_FIELDS];
    case 'public':
      return recordTier === 'public' ? [...BASE_FIELDS, ...DETAIL_FIELDS] : [];
    case 'aggregate':
      return [];
  }
}

/**
 * What a user can see, of which agency, at which tier, under which agreement.
 * Anyone may ask about themselves; chairs and auditors about anyone in their
 * partnership. Someone outside it is NOT_FOUND (no existence leak).
 */
export async function explainAccess(ctx: AccessContext, userId?: number | null): Promise<AccessExplanation> {
  let target: Principal = ctx.principal;
  if (userId !== undefined && userId !== null && userId !== ctx.principal.userId) {
    const user = Number.isSafeInteger(userId) ? await ctx.em.findOne(User, { id: userId }, { populate: ['partnership'] }) : null;
    if (!user || user.partnership.id !== ctx.principal.partnershipId) throw HubError.notFound('User', String(userId));
    if (!ctx.ability.can('explain', asSubject('UserAccess', { userId, partnershipId: user.partnership.id }))) {
      throw HubError.forbidden('NOT_ALLOWED', 'Only the partnership chair or an auditor can ask what another user can see');
    }
    target = await loadPrincipal(ctx.db, userId, user.partnership.id);
  }
  const grants = target === ctx.principal ? ctx.grants : await loadGrants(ctx.db, target);
  const agencies = target === ctx.principal ? ctx.partnershipAgencyIds : await partnershipAgencyIds(ctx.db, target.partnershipId);
  const ability = target === ctx.principal ? ctx.ability : buildAbility({ principal: target, grants, partnershipAgencyIds: agencies });
  const lines: AccessLine[] = [
    {
      providerAgencyId: target.agencyId,
      providerName: target.agencyName,
      datasets: ['all'],
      access: 'rows',
      tier: 'own',
      fieldsByRecordTier: RECORD_TIERS.map((recordTier) => ({ recordTier, fields: [...ALL_INCIDENT_FIELDS] })),
      area: ['all'],
      agreementId: null,
      agreementTitle: null,
      lawfulBasis: null,
      validTo: null,
    },
  ];
  const dataRole = DATA_ROLES.some((r) => target.roles.includes(r));
  const notes: string[] = [];
  if (dataRole) {
    for (const g of grants) {
      // Confirm against the ability itself, so the explanation cannot drift from enforcement.
      const sample = { agencyId: g.providerAgencyId, feed: g.datasets[0] ?? '', ladCode: target.ladCodes[0] ?? null, tier: 'public' };
      const rows = ability.can('read', asSubject('Incident', sample)) || ability.can('read', asSubject('Incident', { ...sample, tier: 'pseudonymised' }));
      lines.push({
        providerAgencyId: g.providerAgencyId,
        providerName: g.providerName,
        datasets: g.datasets,
        access: g.tier === 'aggregate' || !rows ? 'counts' : 'rows',
        tier: g.tier,
        fieldsByRecordTier: RECORD_TIERS.map((recordTier) => ({ recordTier, fields: fieldsFor(g.tier, recordTier) })),
        area: target.ladCodes,
        agreementId: g.agreementId,
        agreementTitle: g.title,
        lawfulBasis: g.lawfulBasis,
        validTo: g.validTo,
      });
    }
  } else {
    notes.push(`Roles ${target.roles.join(', ')} see only their own agency's records: partners' data reaches analysts, tasking members and chairs.`);
  }
  notes.push('Restricted free text (e.g. ISTV location descriptions) is shown only to the agency that provided it.');
  const withoutAgreement = agencies.filter((a) => a !== target.agencyId && !grants.some((g) => g.providerAgencyId === a));
  if (withoutAgreement.length > 0) {
    const names = await ctx.em.find(Agency, { id: { $in: withoutAgreement } }, { orderBy: { name: 'asc' } });
    notes.push(`No agreement in force gives access to: ${names.map((n) => n.name).join(', ')}.`);
  }
  if (target !== ctx.principal) {
    await audit(ctx, { operation: 'explain', objectType: 'UserAccess', objectId: String(target.userId), detail: {}, rowCount: 1, agreementIds: grants.map((g) => g.agreementId) });
  }
  return {
    userId: target.userId,
    displayName: target.displayName,
    agencyName: target.agencyName,
    partnershipName: target.partnershipName,
    roles: target.roles,
    lines,
    notes,
  };
}
