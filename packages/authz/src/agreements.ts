import { subject as asSubject } from '@casl/ability';
import { OptimisticLockError } from '@mikro-orm/core';
import { Agency, IspAgreement, User, type AgreementStatus, type EntityManager, type Signatory } from '@csp-hub/db';
import { AGENCY_TYPES, FEEDS, HubError, isDataTier, isFeedId, type DataTier } from '@csp-hub/taxonomy';
import type { AccessContext } from './access';
import { inUnitOfWork } from './access';
import { londonToday } from './grants';

export interface AgreementView {
  id: number;
  title: string;
  partnershipIds: number[];
  providerAgencyId: number;
  datasets: string[];
  recipientAgencyIds: number[];
  recipientAgencyTypes: string[];
  tier: DataTier;
  purposes: string[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  status: AgreementStatus;
  /** What the agreement does today: in force, not yet in force, expired, or its status. */
  effectiveStatus: 'in_force' | 'not_yet_in_force' | 'expired' | 'draft' | 'suspended' | 'lapsed';
  reviewOverdue: boolean;
  signatories: Signatory[];
  version: number;
  updatedAt: string;
}

export interface AgreementInput {
  title: string;
  providerAgencyId: number;
  datasets: string[];
  recipientAgencyIds: number[];
  recipientAgencyTypes: string[];
  tier: string;
  purposes: string[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  signatories: Signatory[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRANSITIONS: Record<AgreementStatus, AgreementStatus[]> = {
  draft: ['active', 'lapsed'],
  active: ['suspended', 'lapsed'],
  suspended: ['active', 'lapsed'],
  lapsed: [],
};

function view(a: IspAgreement, today = londonToday()): AgreementView {
  const effectiveStatus: AgreementView['effectiveStatus'] =
    a.status !== 'active' ? a.status : today < a.validFrom ? 'not_yet_in_force' : today > a.validTo ? 'expired' : 'in_force';
  return {
    id: a.id,
    title: a.title,
    partnershipIds: a.partnershipIds,
    providerAgencyId: a.provider.id,
    datasets: a.datasets,
    recipientAgencyIds: a.recipientAgencyIds,
    recipientAgencyTypes: a.recipientAgencyTypes,
    tier: a.tier,
    purposes: a.purposes,
    lawfulBasis: a.lawfulBasis,
    validFrom: a.validFrom,
    validTo: a.validTo,
    reviewDate: a.reviewDate,
    status: a.status,
    effectiveStatus,
    reviewOverdue: a.reviewDate < today && a.status !== 'lapsed',
    signatories: a.signatories,
    version: a.version,
    updatedAt: a.updatedAt.toISOString(),
  };
}

function canManage(ctx: AccessContext): boolean {
  return ctx.ability.can('manage', asSubject('IspAgreement', { partnershipId: ctx.principal.partnershipId }));
}

/** Agreements of the principal's partnership. */
export async function listAgreements(ctx: AccessContext, status?: AgreementStatus | null): Promise<AgreementView[]> {
  if (!ctx.ability.can('read', asSubject('IspAgreement', { partnershipId: ctx.principal.partnershipId }))) return [];
  const rows = await ctx.em.find(IspAgreement, { ...(status ? { status } : {}) }, { orderBy: { id: 'asc' } });
  return rows.filter((a) => a.partnershipIds.includes(ctx.principal.partnershipId)).map((a) => view(a));
}

async function findVisible(ctx: AccessContext, id: number): Promise<IspAgreement> {
  const a = Number.isSafeInteger(id) ? await ctx.em.findOne(IspAgreement, { id }) : null;
  if (!a || !a.partnershipIds.includes(ctx.principal.partnershipId)) throw HubError.notFound('Agreement', String(id));
  return a;
}

export async function getAgreement(ctx: AccessContext, id: number): Promise<AgreementView> {
  return view(await findVisible(ctx, id));
}

/** Checks an agreement against the partnership: who provides, what, to whom, when, and who signed. */
async function validate(ctx: AccessContext, input: AgreementInput, status: AgreementStatus): Promise<void> {
  const problems: string[] = [];
  const partners = new Set(ctx.partnershipAgencyIds);
  if (!input.title.trim() || input.title.length > 200) problems.push('title must be 1-200 characters');
  const provider = await ctx.em.findOne(Agency, { id: input.providerAgencyId });
  if (!provider || !partners.has(provider.id)) problems.push(`provider agency ${input.providerAgencyId} is not a partner of this partnership`);
  if (input.datasets.length === 0) problems.push('datasets must name at least one feed');
  for (const d of input.datasets) {
    if (!isFeedId(d)) problems.push(`dataset ${d} is not a feed`);
    else if (provider && FEEDS[d].agencyType !== provider.type) problems.push(`dataset ${d} is not a ${provider.type} feed`);
  }
  if (input.recipientAgencyIds.length === 0 && input.recipientAgencyTypes.length === 0) problems.push('name at least one recipient agency or agency type');
  for (const r of input.recipientAgencyIds) {
    if (!partners.has(r)) problems.push(`recipient agency ${r} is not a partner of this partnership`);
    if (r === input.providerAgencyId) problems.push('the provider cannot be its own recipient');
  }
  for (const t of input.recipientAgencyTypes) if (!(AGENCY_TYPES as readonly string[]).includes(t)) problems.push(`recipient agency type ${t} is unknown`);
  if (!isDataTier(input.tier)) problems.push('tier must be personal, pseudonymised, aggregate or public');
  if (input.purposes.length === 0 || input.purposes.some((p) => !p.trim())) problems.push('state at least one purpose');
  if (!input.lawfulBasis.trim()) problems.push('state the lawful basis (e.g. s115 Crime and Disorder Act 1998)');
  for (const [name, value] of [['validFrom', input.validFrom], ['validTo', input.validTo], ['reviewDate', input.reviewDate]] as const) {
    if (!DATE.test(value) || Number.isNaN(Date.parse(value))) problems.push(`${name} must be a date YYYY-MM-DD`);
  }
  if (input.validTo < input.validFrom) problems.push('validTo is before validFrom');
  for (const s of input.signatories) {
    if (!s.name?.trim() || !s.role?.trim() || !DATE.test(s.signedOn ?? '')) problems.push('each signatory needs a name, a role and signedOn (YYYY-MM-DD)');
    if (!partners.has(s.agencyId)) problems.push(`signatory agency ${s.agencyId} is not a partner`);
  }
  if (status === 'active') {
    if (!input.signatories.some((s) => s.agencyId === input.providerAgencyId)) problems.push('an active agreement needs a signatory for the provider');
    if (!input.signatories.some((s) => s.agencyId !== input.providerAgencyId)) problems.push('an active agreement needs a signatory for a recipient');
  }
  if (problems.length > 0) throw HubError.invalidInput('INVALID_AGREEMENT', `The agreement is not valid: ${problems.join('; ')}.`, { problems });
}

/** The entity fields an agreement input sets (validated first). */
function agreementFields(ctx: AccessContext, input: AgreementInput) {
  return {
    title: input.title.trim(),
    provider: ctx.em.getReference(Agency, input.providerAgencyId),
    datasets: input.datasets,
    recipientAgencyIds: input.recipientAgencyIds,
    recipientAgencyTypes: input.recipientAgencyTypes,
    tier: input.tier as DataTier,
    purposes: input.purposes,
    lawfulBasis: input.lawfulBasis.trim(),
    validFrom: input.validFrom,
    validTo: input.validTo,
    reviewDate: input.reviewDate,
    signatories: input.signatories,
  };
}

function manageGuard(ctx: AccessContext): void {
  if (!canManage(ctx)) throw HubError.forbidden('NOT_ALLOWED', 'Only the partnership chair or administrator manages agreements');
}

export async function createAgreement(ctx: AccessContext, input: AgreementInput, status: 'draft' | 'active' = 'draft'): Promise<AgreementView> {
  manageGuard(ctx);
  await validate(ctx, input, status);
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = em.create(IspAgreement, {
      ...agreementFields(ctx, input),
      partnershipIds: [ctx.principal.partnershipId],
      status,
      createdBy: em.getReference(User, ctx.principal.userId),
    });
    await em.flush();
    await audit({ operation: 'create', objectType: 'IspAgreement', objectId: String(a.id), detail: { status, tier: input.tier, providerAgencyId: input.providerAgencyId, datasets: input.datasets }, rowCount: 1, agreementIds: [a.id] });
    return view(a);
  });
}

async function saveVersioned(em: EntityManager, a: IspAgreement, expectedVersion: number): Promise<void> {
  if (a.version !== expectedVersion) {
    throw HubError.conflict('STALE_AGREEMENT', `Agreement ${a.id} has changed since version ${expectedVersion} (now ${a.version}); reload it and try again.`);
  }
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof OptimisticLockError) throw HubError.conflict('STALE_AGREEMENT', `Agreement ${a.id} was changed by someone else; reload it and try again.`);
    throw error;
  }
}

async function findVisibleIn(em: EntityManager, ctx: AccessContext, id: number): Promise<IspAgreement> {
  const a = Number.isSafeInteger(id) ? await em.findOne(IspAgreement, { id }) : null;
  if (!a || !a.partnershipIds.includes(ctx.principal.partnershipId)) throw HubError.notFound('Agreement', String(id));
  return a;
}

export async function updateAgreement(ctx: AccessContext, id: number, expectedVersion: number, input: AgreementInput): Promise<AgreementView> {
  manageGuard(ctx);
  await validate(ctx, input, (await findVisible(ctx, id)).status);
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    if (a.status === 'lapsed') throw HubError.conflict('AGREEMENT_LAPSED', `Agreement ${id} has lapsed and can no longer change; create a new one.`);
    const before = view(a);
    Object.assign(a, { ...agreementFields(ctx, input), provider: em.getReference(Agency, input.providerAgencyId) });
    await saveVersioned(em, a, expectedVersion);
    const after = view(a);
    const changed = (Object.keys(after) as (keyof AgreementView)[]).filter(
      (k) => !['version', 'updatedAt', 'effectiveStatus', 'reviewOverdue'].includes(k) && JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    await audit({ operation: 'update', objectType: 'IspAgreement', objectId: String(id), detail: { changed, fromVersion: expectedVersion }, rowCount: 1, agreementIds: [id] });
    return after;
  });
}

/** Activates, suspends or lapses an agreement. Suspension and lapse stop access on the next request. */
export async function setAgreementStatus(ctx: AccessContext, id: number, expectedVersion: number, status: AgreementStatus, reason: string): Promise<AgreementView> {
  manageGuard(ctx);
  if (!reason.trim()) throw HubError.invalidInput('REASON_REQUIRED', 'Say why the status changes');
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    if (!TRANSITIONS[a.status].includes(status)) {
      throw HubError.conflict('ILLEGAL_STATUS_CHANGE', `Agreement ${id} cannot go from ${a.status} to ${status}.`);
    }
    if (status === 'active') {
      await validate(ctx, { ...view(a), tier: a.tier, providerAgencyId: a.provider.id }, 'active');
    }
    const from = a.status;
    a.status = status;
    await saveVersioned(em, a, expectedVersion);
    await audit({ operation: 'update', objectType: 'IspAgreement', objectId: String(id), detail: { status: { from, to: status }, reason }, rowCount: 1, agreementIds: [id] });
    return view(a);
  });
}
