import { subject as asSubject } from '@casl/ability';
import { Agency, User } from '@csp-hub/db';
import { HubError, type DataTier } from '@csp-hub/taxonomy';
import { DATA_ROLES, buildAbility } from './ability';
import type { AccessContext } from './access';
import { audit } from './access';
import { ALL_INCIDENT_FIELDS, type IncidentField } from './fields';
import { accessPlan, type Scope } from './plan';
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

/** The area a scope covers, in words for the explanation. */
function areaOf(scope: Scope): string {
  return scope.lad.kind === 'any' ? 'all' : scope.lad.kind === 'code' ? scope.lad.code : 'no district';
}

/**
 * What a user can see, of which agency, at which tier, under which agreement,
 * read off the same access plan every query uses (so the explanation cannot
 * drift from enforcement). Anyone may ask about themselves; chairs and
 * auditors about anyone in their partnership. Anyone else — whether the user
 * exists, is in another partnership, or is not the asker's to explain — gets
 * the same NOT_FOUND.
 */
export async function explainAccess(ctx: AccessContext, userId?: number | null): Promise<AccessExplanation> {
  let target: Principal = ctx.principal;
  if (userId !== undefined && userId !== null && userId !== ctx.principal.userId) {
    const user = Number.isSafeInteger(userId) ? await ctx.em.findOne(User, { id: userId }, { populate: ['partnership'] }) : null;
    const mayExplain = user !== null && ctx.ability.can('explain', asSubject('UserAccess', { userId, partnershipId: user.partnership.id }));
    if (!user || !mayExplain || !user.active) throw HubError.notFound('User', String(userId));
    target = await loadPrincipal(ctx.db, userId, user.partnership.id);
  }
  const grants = target === ctx.principal ? ctx.grants : await loadGrants(ctx.db, target);
  const agencies = target === ctx.principal ? ctx.partnershipAgencyIds : await partnershipAgencyIds(ctx.db, target.partnershipId);
  const ability = target === ctx.principal ? ctx.ability : buildAbility({ principal: target, grants, partnershipAgencyIds: agencies });
  const plan = accessPlan(ability, target.ladCodes);
  const own = plan.scopes.filter((s) => s.agencyId === target.agencyId);
  const fieldsWhere = (scopes: Scope[], recordTier: DataTier, shows: (scope: Scope, field: IncidentField) => boolean): IncidentField[] =>
    ALL_INCIDENT_FIELDS.filter((f) => scopes.some((s) => s.tiers[recordTier].list && shows(s, f)));
  const lines: AccessLine[] = [
    {
      providerAgencyId: target.agencyId,
      providerName: target.agencyName,
      datasets: own.some((s) => s.feed === null) ? ['all'] : [...new Set(own.map((s) => s.feed!))],
      access: own.some((s) => RECORD_TIERS.some((t) => s.tiers[t].list)) ? 'rows' : 'counts',
      tier: 'own',
      fieldsByRecordTier: RECORD_TIERS.map((recordTier) => ({ recordTier, fields: fieldsWhere(own, recordTier, (s, f) => s.tiers[recordTier].readFields.includes(f)) })),
      area: [...new Set(own.map(areaOf))],
      agreementId: null,
      agreementTitle: null,
      lawfulBasis: null,
      validTo: null,
    },
  ];
  for (const g of grants) {
    // The scopes this agreement grants anything in, and what it shows there, per record tier.
    const by = (s: Scope) => RECORD_TIERS.some((t) => s.tiers[t].countBy.includes(g.agreementId) || Object.values(s.tiers[t].readBy).some((ids) => ids?.includes(g.agreementId)));
    const scopes = plan.scopes.filter((s) => s.agencyId === g.providerAgencyId && by(s));
    if (scopes.length === 0) continue;
    const shows = (recordTier: DataTier) => (s: Scope, f: IncidentField) => s.tiers[recordTier].readBy[f]?.includes(g.agreementId) ?? false;
    const fieldsByRecordTier = RECORD_TIERS.map((recordTier) => ({ recordTier, fields: fieldsWhere(scopes, recordTier, shows(recordTier)) }));
    lines.push({
      providerAgencyId: g.providerAgencyId,
      providerName: g.providerName,
      datasets: [...new Set(scopes.map((s) => s.feed ?? 'all'))],
      access: fieldsByRecordTier.some((t) => t.fields.length > 0) ? 'rows' : 'counts',
      tier: g.tier,
      fieldsByRecordTier,
      area: [...new Set(scopes.map(areaOf))],
      agreementId: g.agreementId,
      agreementTitle: g.title,
      lawfulBasis: g.lawfulBasis,
      validTo: g.validTo,
    });
  }
  const notes: string[] = [];
  if (!DATA_ROLES.some((r) => target.roles.includes(r))) {
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
