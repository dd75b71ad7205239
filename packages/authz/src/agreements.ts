import { subject as asSubject } from '@casl/ability';
import { OptimisticLockError } from '@mikro-orm/core';
import {
  Agency,
  IspAgreement,
  User,
  type AgreementActor,
  type AgreementApproval,
  type AgreementStatus,
  type AgreementTerms,
  type EntityManager,
  type PendingApproval,
  type Signatory,
} from '@csp-hub/db';
import { AGENCY_TYPES, FEEDS, HubError, isDataTier, isFeedId, tierRank, type DataTier } from '@csp-hub/taxonomy';
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
  effectiveStatus: 'in_force' | 'not_yet_in_force' | 'expired' | 'draft' | 'requested' | 'suspended' | 'declined' | 'lapsed';
  reviewOverdue: boolean;
  signatories: Signatory[];
  /** The provider's decisions, oldest first. */
  approvals: AgreementApproval[];
  /** What waits for the provider: activation, or a change whose terms are not yet in force. */
  pendingApproval: PendingApproval | null;
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

/**
 * The state machine. Each allowed step names who may take it:
 *  - manage: a chair, partnership admin or data owner of the partnership (either side);
 *  - approve: a chair, partnership admin or data owner of the PROVIDER agency.
 * Activation (from draft, requested or suspended) and declining need the provider.
 */
type Step = 'request' | 'approve' | 'decline' | 'withdraw' | 'suspend' | 'lapse';
const STEPS: Record<AgreementStatus, Partial<Record<AgreementStatus, Step>>> = {
  draft: { requested: 'request', active: 'approve', lapsed: 'lapse' },
  requested: { active: 'approve', declined: 'decline', draft: 'withdraw', lapsed: 'lapse' },
  active: { suspended: 'suspend', lapsed: 'lapse' },
  suspended: { active: 'approve', requested: 'request', lapsed: 'lapse' },
  declined: { requested: 'request', draft: 'withdraw', lapsed: 'lapse' },
  lapsed: {},
};
const PROVIDER_STEPS: ReadonlySet<Step> = new Set(['approve', 'decline']);

/** The transitions, for documentation and tests: from -> to -> who. */
export const AGREEMENT_TRANSITIONS: Readonly<Record<AgreementStatus, Partial<Record<AgreementStatus, 'either side' | 'provider'>>>> = Object.fromEntries(
  Object.entries(STEPS).map(([from, tos]) => [from, Object.fromEntries(Object.entries(tos).map(([to, step]) => [to, PROVIDER_STEPS.has(step) ? 'provider' : 'either side']))]),
) as Record<AgreementStatus, Partial<Record<AgreementStatus, 'either side' | 'provider'>>>;

function termsOf(a: IspAgreement): AgreementTerms {
  return {
    title: a.title,
    providerAgencyId: a.provider.id,
    datasets: [...a.datasets],
    recipientAgencyIds: [...a.recipientAgencyIds],
    recipientAgencyTypes: [...a.recipientAgencyTypes],
    tier: a.tier,
    purposes: [...a.purposes],
    lawfulBasis: a.lawfulBasis,
    validFrom: a.validFrom,
    validTo: a.validTo,
    reviewDate: a.reviewDate,
    signatories: a.signatories.map((s) => ({ ...s })),
  };
}

function view(a: IspAgreement, today = londonToday()): AgreementView {
  const effectiveStatus: AgreementView['effectiveStatus'] =
    a.status !== 'active' ? a.status : today < a.validFrom ? 'not_yet_in_force' : today > a.validTo ? 'expired' : 'in_force';
  return {
    id: a.id,
    ...termsOf(a),
    partnershipIds: a.partnershipIds,
    status: a.status,
    effectiveStatus,
    reviewOverdue: a.reviewDate < today && a.status !== 'lapsed',
    approvals: a.approvals,
    pendingApproval: a.pendingApproval,
    version: a.version,
    updatedAt: a.updatedAt.toISOString(),
  };
}

function partnershipSubject(ctx: AccessContext, providerAgencyId?: number) {
  return asSubject('IspAgreement', { partnershipId: ctx.principal.partnershipId, ...(providerAgencyId !== undefined ? { providerAgencyId } : {}) });
}

/** Whether the principal approves for this provider: its chair, partnership admin or data owner. */
export function canApproveFor(ctx: AccessContext, providerAgencyId: number): boolean {
  return ctx.ability.can('approve', partnershipSubject(ctx, providerAgencyId));
}

function manageGuard(ctx: AccessContext): void {
  if (!ctx.ability.can('administer', partnershipSubject(ctx))) {
    throw HubError.forbidden('NOT_ALLOWED', 'Only a partnership chair, administrator or data owner manages agreements');
  }
}

async function approverGuard(em: EntityManager, ctx: AccessContext, providerAgencyId: number, what: string): Promise<void> {
  if (canApproveFor(ctx, providerAgencyId)) return;
  const provider = await em.findOne(Agency, { id: providerAgencyId });
  throw HubError.forbidden(
    'PROVIDER_APPROVAL_REQUIRED',
    `Only a chair, partnership administrator or data owner of ${provider?.name ?? `agency ${providerAgencyId}`} (the provider) can ${what}; request their approval instead.`,
  );
}

function actorOf(ctx: AccessContext): AgreementActor {
  return { userId: ctx.principal.userId, name: ctx.principal.displayName, agencyId: ctx.principal.agencyId, roles: [...ctx.principal.roles] };
}

function decision(ctx: AccessContext, d: AgreementApproval['decision'], subject: AgreementApproval['subject'], version: number, note: string | null): AgreementApproval {
  return { ...actorOf(ctx), decision: d, subject, at: new Date().toISOString(), version, note: note?.trim() || null };
}

/** Agreements of the principal's partnership. */
export async function listAgreements(ctx: AccessContext, status?: AgreementStatus | null): Promise<AgreementView[]> {
  if (!ctx.ability.can('read', partnershipSubject(ctx))) return [];
  const rows = await ctx.em.find(IspAgreement, { ...(status ? { status } : {}) }, { orderBy: { id: 'asc' } });
  return rows.filter((a) => a.partnershipIds.includes(ctx.principal.partnershipId)).map((a) => view(a));
}

async function findVisibleIn(em: EntityManager, ctx: AccessContext, id: number): Promise<IspAgreement> {
  const a = Number.isSafeInteger(id) ? await em.findOne(IspAgreement, { id }) : null;
  if (!a || !a.partnershipIds.includes(ctx.principal.partnershipId)) throw HubError.notFound('Agreement', String(id));
  return a;
}

export async function getAgreement(ctx: AccessContext, id: number): Promise<AgreementView> {
  return view(await findVisibleIn(ctx.em, ctx, id));
}

/** Checks an agreement against the partnership: who provides, what, to whom, when, and who signed. Names every problem. */
async function validate(ctx: AccessContext, input: AgreementInput | AgreementTerms): Promise<void> {
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
  if (problems.length > 0) throw HubError.invalidInput('INVALID_AGREEMENT', `The agreement is not valid: ${problems.join('; ')}.`, { problems });
}

/** The terms an input sets (validated first). */
function termsFrom(input: AgreementInput): AgreementTerms {
  return {
    title: input.title.trim(),
    providerAgencyId: input.providerAgencyId,
    datasets: [...new Set(input.datasets)],
    recipientAgencyIds: [...new Set(input.recipientAgencyIds)],
    recipientAgencyTypes: [...new Set(input.recipientAgencyTypes)],
    tier: input.tier as DataTier,
    purposes: input.purposes.map((p) => p.trim()),
    lawfulBasis: input.lawfulBasis.trim(),
    validFrom: input.validFrom,
    validTo: input.validTo,
    reviewDate: input.reviewDate,
    signatories: input.signatories.map((s) => ({ name: s.name, role: s.role, agencyId: s.agencyId, signedOn: s.signedOn })),
  };
}

function applyTerms(em: EntityManager, a: IspAgreement, t: AgreementTerms): void {
  const { providerAgencyId, ...rest } = t;
  Object.assign(a, rest, { provider: em.getReference(Agency, providerAgencyId) });
}

const subsetOf = <T>(xs: readonly T[], ys: readonly T[]) => xs.every((x) => ys.includes(x));

/**
 * What a change widens, compared with the terms in force: a higher tier, datasets, recipient agencies or
 * types or purposes added, an earlier start or later end, or another lawful basis. Empty: it only narrows
 * (or changes documentary fields: title, review date, signatories).
 */
export function wideningOf(from: AgreementTerms, to: AgreementTerms): string[] {
  const widens: string[] = [];
  if (tierRank(to.tier) > tierRank(from.tier)) widens.push('tier');
  if (!subsetOf(to.datasets, from.datasets)) widens.push('datasets');
  if (!subsetOf(to.recipientAgencyIds, from.recipientAgencyIds)) widens.push('recipientAgencyIds');
  if (!subsetOf(to.recipientAgencyTypes, from.recipientAgencyTypes)) widens.push('recipientAgencyTypes');
  if (!subsetOf(to.purposes, from.purposes)) widens.push('purposes');
  if (to.lawfulBasis !== from.lawfulBasis) widens.push('lawfulBasis');
  if (to.validFrom < from.validFrom) widens.push('validFrom');
  if (to.validTo > from.validTo) widens.push('validTo');
  return widens;
}

/**
 * The terms that may take effect at once while a widening change waits: the narrowing part of the
 * change (lower tier, fewer datasets, recipients or purposes, a shorter period) and its documentary
 * fields; everything that widens stays as it is. Where nothing would be left (every dataset replaced,
 * disjoint periods), the terms in force stay.
 */
export function narrowingPart(from: AgreementTerms, to: AgreementTerms): AgreementTerms {
  const both = <T>(xs: readonly T[], ys: readonly T[]) => xs.filter((x) => ys.includes(x));
  const datasets = both(to.datasets, from.datasets);
  const ids = both(to.recipientAgencyIds, from.recipientAgencyIds);
  const types = both(to.recipientAgencyTypes, from.recipientAgencyTypes);
  const purposes = both(to.purposes, from.purposes);
  const validFrom = to.validFrom > from.validFrom ? to.validFrom : from.validFrom;
  const validTo = to.validTo < from.validTo ? to.validTo : from.validTo;
  const recipientsLeft = ids.length + types.length > 0;
  return {
    title: to.title,
    providerAgencyId: from.providerAgencyId,
    datasets: datasets.length ? datasets : from.datasets,
    recipientAgencyIds: recipientsLeft ? ids : from.recipientAgencyIds,
    recipientAgencyTypes: recipientsLeft ? types : from.recipientAgencyTypes,
    tier: tierRank(to.tier) < tierRank(from.tier) ? to.tier : from.tier,
    purposes: purposes.length ? purposes : from.purposes,
    lawfulBasis: from.lawfulBasis,
    validFrom: validFrom <= validTo ? validFrom : from.validFrom,
    validTo: validFrom <= validTo ? validTo : from.validTo,
    reviewDate: to.reviewDate,
    signatories: to.signatories,
  };
}

/**
 * Records a new agreement as a draft, as requested (awaiting the provider), or active. Only the
 * provider's chair, partnership admin or data owner may create it active (that is their approval).
 */
export async function createAgreement(
  ctx: AccessContext,
  input: AgreementInput,
  status: 'draft' | 'requested' | 'active' = 'draft',
  note: string | null = null,
): Promise<AgreementView> {
  manageGuard(ctx);
  if (status === 'active') await approverGuard(ctx.em, ctx, input.providerAgencyId, 'create an agreement over its data as active');
  await validate(ctx, input);
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = em.create(IspAgreement, {
      ...termsFrom(input),
      provider: em.getReference(Agency, input.providerAgencyId),
      partnershipIds: [ctx.principal.partnershipId],
      status,
      createdBy: em.getReference(User, ctx.principal.userId),
      approvals: status === 'active' ? [decision(ctx, 'approved', 'activation', 1, note)] : [],
      pendingApproval:
        status === 'requested' ? { kind: 'activation', requestedBy: actorOf(ctx), requestedAt: new Date().toISOString(), note: note?.trim() || null, terms: null, widens: [] } : null,
    });
    await em.flush();
    await audit({
      operation: 'create',
      objectType: 'IspAgreement',
      objectId: String(a.id),
      detail: { status, tier: input.tier, providerAgencyId: input.providerAgencyId, datasets: input.datasets },
      rowCount: 1,
      agreementIds: [a.id],
    });
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

function changedFields(before: AgreementTerms, after: AgreementTerms): string[] {
  return (Object.keys(after) as (keyof AgreementTerms)[]).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
}

/**
 * Changes an agreement (send the version you read). Not yet in force (draft, requested, declined,
 * suspended): the change applies, and activation still needs the provider. Active: a change that only
 * narrows applies at once, by either side; a widening change by anyone but the provider's approvers
 * waits for them (pendingApproval) while its narrowing part applies and the rest of the terms in force
 * stay; by the provider's approvers it applies at once and is recorded as their approval.
 */
export async function updateAgreement(ctx: AccessContext, id: number, expectedVersion: number, input: AgreementInput): Promise<AgreementView> {
  manageGuard(ctx);
  await findVisibleIn(ctx.em, ctx, id);
  await validate(ctx, input);
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    if (a.status === 'lapsed') throw HubError.conflict('AGREEMENT_LAPSED', `Agreement ${id} has lapsed and can no longer change; create a new one.`);
    const before = termsOf(a);
    const proposed = termsFrom(input);
    if (proposed.providerAgencyId !== before.providerAgencyId && a.status !== 'draft') {
      throw HubError.conflict('PROVIDER_FIXED', `Agreement ${id} is ${a.status}: its provider cannot change; create a new agreement for another provider.`);
    }
    let awaitingProvider: string[] = [];
    if (a.status === 'active') {
      const widens = wideningOf(before, proposed);
      if (widens.length > 0 && !canApproveFor(ctx, before.providerAgencyId)) {
        applyTerms(em, a, narrowingPart(before, proposed));
        a.pendingApproval = { kind: 'change', requestedBy: actorOf(ctx), requestedAt: new Date().toISOString(), note: null, terms: proposed, widens };
        awaitingProvider = widens;
      } else {
        applyTerms(em, a, proposed);
        a.pendingApproval = null;
        if (widens.length > 0) a.approvals = [...a.approvals, decision(ctx, 'approved', 'change', expectedVersion, null)];
      }
    } else {
      applyTerms(em, a, proposed);
    }
    await saveVersioned(em, a, expectedVersion);
    const changed = changedFields(before, termsOf(a));
    await audit({
      operation: 'update',
      objectType: 'IspAgreement',
      objectId: String(id),
      detail: { changed, fromVersion: expectedVersion, ...(awaitingProvider.length ? { awaitingProvider } : {}) },
      rowCount: 1,
      agreementIds: [id],
    });
    return view(a);
  });
}

/**
 * Moves an agreement along the state machine (STEPS). Activation and declining are the provider's;
 * suspension and lapse take effect on the next request, by either side, and drop a pending change.
 */
export async function setAgreementStatus(ctx: AccessContext, id: number, expectedVersion: number, status: AgreementStatus, reason: string): Promise<AgreementView> {
  manageGuard(ctx);
  if (!reason.trim()) throw HubError.invalidInput('REASON_REQUIRED', 'Say why the status changes');
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    const step = STEPS[a.status][status];
    if (!step) throw HubError.conflict('ILLEGAL_STATUS_CHANGE', `Agreement ${id} cannot go from ${a.status} to ${status}.`);
    if (PROVIDER_STEPS.has(step)) await approverGuard(em, ctx, a.provider.id, step === 'approve' ? 'activate an agreement over its data' : 'decline an agreement over its data');
    if (step === 'approve') await validate(ctx, termsOf(a));
    const from = a.status;
    const dropped = a.pendingApproval?.kind === 'change';
    a.status = status;
    switch (step) {
      case 'approve':
        a.approvals = [...a.approvals, decision(ctx, 'approved', 'activation', expectedVersion, reason)];
        a.pendingApproval = null;
        break;
      case 'decline':
        a.approvals = [...a.approvals, decision(ctx, 'declined', 'activation', expectedVersion, reason)];
        a.pendingApproval = null;
        break;
      case 'request':
        a.pendingApproval = { kind: 'activation', requestedBy: actorOf(ctx), requestedAt: new Date().toISOString(), note: reason.trim(), terms: null, widens: [] };
        break;
      default:
        a.pendingApproval = null;
    }
    await saveVersioned(em, a, expectedVersion);
    await audit({
      operation: 'update',
      objectType: 'IspAgreement',
      objectId: String(id),
      detail: { status: { from, to: status }, reason, ...(dropped && step !== 'approve' ? { droppedPendingChange: true } : {}) },
      rowCount: 1,
      agreementIds: [id],
    });
    return view(a);
  });
}

function nothingWaits(a: IspAgreement): never {
  throw HubError.conflict('NOTHING_AWAITS_APPROVAL', `Agreement ${a.id} is active and no change awaits the provider's approval.`);
}

/** Asks the provider to approve: a draft, declined or suspended agreement becomes `requested`. */
export function requestAgreementApproval(ctx: AccessContext, id: number, expectedVersion: number, note: string | null): Promise<AgreementView> {
  return setAgreementStatus(ctx, id, expectedVersion, 'requested', note?.trim() || 'Approval requested');
}

/**
 * The provider approves what waits for it: a pending widening change (its terms come into force), or
 * the agreement itself (draft, requested or suspended -> active). Only the provider's approvers.
 */
export async function approveAgreement(ctx: AccessContext, id: number, expectedVersion: number, note: string | null): Promise<AgreementView> {
  manageGuard(ctx);
  const current = await findVisibleIn(ctx.em, ctx, id);
  if (current.status === 'active' && !current.pendingApproval) nothingWaits(current);
  if (!(current.status === 'active' && current.pendingApproval?.kind === 'change')) {
    return setAgreementStatus(ctx, id, expectedVersion, 'active', note?.trim() || 'Approved by the provider');
  }
  await approverGuard(ctx.em, ctx, current.provider.id, 'approve a change to an agreement over its data');
  await validate(ctx, current.pendingApproval.terms!);
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    const pending = a.pendingApproval;
    if (a.status !== 'active' || pending?.kind !== 'change' || !pending.terms) {
      throw HubError.conflict('STALE_AGREEMENT', `Agreement ${id} has changed since version ${expectedVersion}; reload it and try again.`);
    }
    const before = termsOf(a);
    applyTerms(em, a, pending.terms);
    a.pendingApproval = null;
    a.approvals = [...a.approvals, decision(ctx, 'approved', 'change', expectedVersion, note)];
    await saveVersioned(em, a, expectedVersion);
    await audit({
      operation: 'update',
      objectType: 'IspAgreement',
      objectId: String(id),
      detail: { approvedChange: pending.widens, changed: changedFields(before, termsOf(a)), fromVersion: expectedVersion, note: note?.trim() || null },
      rowCount: 1,
      agreementIds: [id],
    });
    return view(a);
  });
}

/** The provider declines what waits for it: a pending change (the terms in force stay) or the request (-> declined). */
export async function declineAgreement(ctx: AccessContext, id: number, expectedVersion: number, reason: string): Promise<AgreementView> {
  manageGuard(ctx);
  if (!reason.trim()) throw HubError.invalidInput('REASON_REQUIRED', 'Say why the provider declines');
  const current = await findVisibleIn(ctx.em, ctx, id);
  if (current.status === 'active' && !current.pendingApproval) nothingWaits(current);
  if (!(current.status === 'active' && current.pendingApproval?.kind === 'change')) return setAgreementStatus(ctx, id, expectedVersion, 'declined', reason);
  await approverGuard(ctx.em, ctx, current.provider.id, 'decline a change to an agreement over its data');
  return inUnitOfWork(ctx, async ({ em, audit }) => {
    const a = await findVisibleIn(em, ctx, id);
    const pending = a.pendingApproval;
    if (a.status !== 'active' || pending?.kind !== 'change') {
      throw HubError.conflict('STALE_AGREEMENT', `Agreement ${id} has changed since version ${expectedVersion}; reload it and try again.`);
    }
    a.pendingApproval = null;
    a.approvals = [...a.approvals, decision(ctx, 'declined', 'change', expectedVersion, reason)];
    await saveVersioned(em, a, expectedVersion);
    await audit({
      operation: 'update',
      objectType: 'IspAgreement',
      objectId: String(id),
      detail: { declinedChange: pending.widens, fromVersion: expectedVersion, reason },
      rowCount: 1,
      agreementIds: [id],
    });
    return view(a);
  });
}
