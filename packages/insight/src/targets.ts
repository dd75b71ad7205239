import { subject as asSubject } from '@casl/ability';
import { OptimisticLockError } from '@mikro-orm/core';
import { checkTarget, type TargetDefinition, type TargetDirection, type TargetKind } from '@csp-hub/analysis';
import { inActorUnitOfWork, isOperator, type Actor } from '@csp-hub/authz';
import { Partnership, PLACE_UNITS, PriorityTarget, type EntityManager, type PlaceUnit, type PriorityTargetStatus, type TargetProvenance } from '@csp-hub/db';
import { HubError, isFeedId, isPriority, PRIORITIES } from '@csp-hub/taxonomy';

/**
 * Priority targets as partnership data (issue #13, ADR 0022). Every member of a partnership reads its
 * targets; its chairs and partnership administrators (and the CLI operator) create, change and retire
 * them, each change audited in the transaction that makes it. A target of another partnership is
 * NOT_FOUND, like one that does not exist. Progress is measured per reader in targets-progress.ts.
 */

export interface TargetInput {
  title: string;
  /** Partnership priorities counted (taxonomy PRIORITIES). */
  priorities: string[];
  /** Narrow to these source categories (case-insensitive); empty or absent: the whole priorities. */
  sourceCategories?: string[] | null;
  /** Narrow to these feeds; empty or absent: every feed the reader may count. */
  feeds?: string[] | null;
  kind: TargetKind;
  direction: TargetDirection;
  baselineValue: number;
  baselinePeriod: string;
  /** YYYY-MM: the baseline window; progress is measured over windows of its length. */
  baselineFrom: string;
  baselineTo: string;
  changePct: number;
  /** Default: the first day after the baseline window. */
  startDate?: string | null;
  targetDate: string;
  milestones?: 'year' | 'quarter' | null;
  /** place-subset and repeats: how places are named (default location: street-level text + LSOA). */
  placeUnit?: PlaceUnit | null;
  /** place-subset: the place keys fixed at the baseline. */
  places?: string[] | null;
  provenance?: TargetProvenance | null;
}

export interface TargetView {
  id: number;
  partnershipId: number;
  partnershipCode: string;
  title: string;
  priorities: string[];
  sourceCategories: string[];
  feeds: string[];
  kind: TargetKind;
  direction: TargetDirection;
  baselineValue: number;
  baselinePeriod: string;
  baselineFrom: string;
  baselineTo: string;
  changePct: number;
  startDate: string;
  targetDate: string;
  milestones: 'year' | 'quarter';
  placeUnit: PlaceUnit | null;
  places: string[] | null;
  provenance: TargetProvenance | null;
  status: PriorityTargetStatus;
  retiredAt: string | null;
  retiredReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date YYYY-MM-DD (not 2024-02-30). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** Every text of the input, for checks that apply to all of them. */
function texts(input: TargetInput): string[] {
  const p = input.provenance;
  return [
    input.title, input.baselinePeriod, ...(input.priorities ?? []), ...(input.sourceCategories ?? []), ...(input.feeds ?? []), ...(input.places ?? []),
    ...(p ? [p.planWording, p.source ?? '', p.planBaseline?.period ?? '', p.rebased ?? ''] : []),
  ].filter((t): t is string => typeof t === 'string');
}

/** Months from `from` to `to`, both counted. */
function monthSpan(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

/** The first day of the month after `month` (YYYY-MM). */
export function dayAfterMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

function view(t: PriorityTarget): TargetView {
  return {
    id: t.id,
    partnershipId: t.partnership.id,
    partnershipCode: t.partnership.code,
    title: t.title,
    priorities: [...t.priorities],
    sourceCategories: [...t.sourceCategories],
    feeds: [...t.feeds],
    kind: t.kind,
    direction: t.direction,
    baselineValue: t.baselineValue,
    baselinePeriod: t.baselinePeriod,
    baselineFrom: t.baselineFrom,
    baselineTo: t.baselineTo,
    changePct: t.changePct,
    startDate: t.startDate,
    targetDate: t.targetDate,
    milestones: t.milestones,
    placeUnit: t.placeUnit,
    places: t.places ? [...t.places] : null,
    provenance: t.provenance,
    status: t.status,
    retiredAt: t.retiredAt?.toISOString() ?? null,
    retiredReason: t.retiredReason,
    version: t.version,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/**
 * What a target counts and its baseline window, checked: each problem is added to `problems`;
 * the lists come back trimmed and without repeats.
 */
export function checkMeasure(
  input: Pick<TargetInput, 'priorities' | 'sourceCategories' | 'feeds' | 'baselineFrom' | 'baselineTo'>,
  problems: string[],
): { priorities: string[]; sourceCategories: string[]; feeds: string[] } {
  if ([...(input.priorities ?? []), ...(input.sourceCategories ?? []), ...(input.feeds ?? [])].some((t) => typeof t === 'string' && t.includes('\u0000'))) {
    problems.push('priorities, source categories and feeds must not contain NUL characters');
  }
  const priorities = [...new Set((input.priorities ?? []).map((p) => p.trim()))];
  if (priorities.length === 0) problems.push(`name at least one priority (${PRIORITIES.join(', ')})`);
  for (const p of priorities) if (!isPriority(p)) problems.push(`"${p}" is not a priority (${PRIORITIES.join(', ')})`);
  const sourceCategories = [...new Set((input.sourceCategories ?? []).map((c) => c.trim()).filter((c) => c !== ''))];
  if (sourceCategories.length > 50 || sourceCategories.some((c) => c.length > 100)) problems.push('at most 50 source categories of at most 100 characters');
  const feeds = [...new Set((input.feeds ?? []).map((f) => f.trim()))];
  for (const f of feeds) if (!isFeedId(f)) problems.push(`"${f}" is not a feed`);
  for (const [name, m] of [['baselineFrom', input.baselineFrom], ['baselineTo', input.baselineTo]] as const) {
    if (typeof m !== 'string' || !MONTH.test(m)) problems.push(`${name} must be a month YYYY-MM, got "${String(m)}"`);
  }
  if (MONTH.test(input.baselineFrom ?? '') && MONTH.test(input.baselineTo ?? '') && input.baselineTo < input.baselineFrom) {
    problems.push(`the baseline window ends (${input.baselineTo}) before it starts (${input.baselineFrom})`);
  } else if (MONTH.test(input.baselineFrom ?? '') && MONTH.test(input.baselineTo ?? '') && monthSpan(input.baselineFrom, input.baselineTo) > 36) {
    problems.push(`the baseline window is at most 36 months, got ${monthSpan(input.baselineFrom, input.baselineTo)}`);
  }
  return { priorities, sourceCategories, feeds };
}

/** The stored fields of a valid input, or INVALID_TARGET naming every problem at once. */
export function checkTargetInput(input: TargetInput): Omit<TargetView, 'id' | 'partnershipId' | 'partnershipCode' | 'status' | 'retiredAt' | 'retiredReason' | 'version' | 'createdAt' | 'updatedAt'> {
  const problems: string[] = [];
  if (texts(input).some((t) => t.includes('\u0000'))) problems.push('text must not contain NUL characters');
  const p = input.provenance;
  if (p && (typeof p.planWording !== 'string' || p.planWording.trim() === '' || [p.planWording, p.source, p.rebased].some((t) => typeof t === 'string' && t.length > 2000))) {
    problems.push('provenance needs the plan wording, and its texts are at most 2000 characters');
  }
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  if (title === '' || title.length > 200) problems.push('the title must be 1 to 200 characters');
  const { priorities, sourceCategories, feeds } = checkMeasure(input, problems);
  const startDate = input.startDate ?? (MONTH.test(input.baselineTo ?? '') ? dayAfterMonth(input.baselineTo) : '');
  for (const [name, d] of [['startDate', startDate], ['targetDate', input.targetDate]] as const) {
    if (!isCalendarDate(d)) problems.push(`${name} must be a date YYYY-MM-DD, got "${String(d)}"`);
  }
  const placeUnit = input.kind === 'count' ? null : (input.placeUnit ?? 'location');
  if (input.kind === 'count' && input.placeUnit) problems.push('a count target has no place unit');
  if (placeUnit !== null && !PLACE_UNITS.includes(placeUnit)) problems.push(`placeUnit must be one of ${PLACE_UNITS.join(', ')}, got "${String(placeUnit)}"`);
  const places = input.places === undefined || input.places === null ? null : input.places.map((p) => String(p).trim());
  if (places !== null && (places.length > 100 || places.some((p) => p.length > 300))) problems.push('at most 100 places of at most 300 characters');
  const milestones = input.milestones ?? 'year';
  if (problems.length === 0) {
    const definition: TargetDefinition = {
      kind: input.kind,
      baselineValue: input.baselineValue,
      baselinePeriod: input.baselinePeriod,
      changePct: input.changePct,
      direction: input.direction,
      startDate,
      targetDate: input.targetDate,
      milestones,
      ...(places !== null ? { places } : {}),
    };
    try {
      checkTarget(definition);
    } catch (error) {
      if (error instanceof HubError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length) throw HubError.invalidInput('INVALID_TARGET', `The target is not valid: ${problems.join('; ')}.`, { problems });
  return {
    title,
    priorities,
    sourceCategories,
    feeds,
    kind: input.kind,
    direction: input.direction,
    baselineValue: input.baselineValue,
    baselinePeriod: input.baselinePeriod.trim(),
    baselineFrom: input.baselineFrom,
    baselineTo: input.baselineTo,
    changePct: input.changePct,
    startDate,
    targetDate: input.targetDate,
    milestones,
    placeUnit,
    places,
    provenance: input.provenance ?? null,
  };
}

/** Chairs and partnership admins of the partnership (or the operator); others are told why not. */
function guardAdminister(actor: Actor, partnership: Partnership): void {
  if (isOperator(actor)) return;
  if (actor.ability.can('administer', asSubject('PriorityTarget', { partnershipId: partnership.id }))) return;
  if (actor.ability.can('administer', asSubject('PriorityTarget', { partnershipId: actor.principal.partnershipId }))) {
    throw HubError.forbidden('NOT_YOUR_PARTNERSHIP', `Only ${partnership.name}'s chairs and partnership administrators set its targets.`);
  }
  throw HubError.forbidden('NOT_ALLOWED', 'Only a chair or partnership administrator sets their partnership\'s targets.');
}

/** Members read their partnership's targets (the operator any). */
export function guardReadTargets(actor: Actor, partnership: { id: number; name: string }): void {
  if (isOperator(actor)) return;
  if (!actor.ability.can('read', asSubject('PriorityTarget', { partnershipId: partnership.id }))) {
    throw HubError.forbidden('NOT_YOUR_PARTNERSHIP', `The targets of ${partnership.name} are for its members.`);
  }
}

async function partnershipById(em: EntityManager, id: number): Promise<Partnership> {
  const p = Number.isSafeInteger(id) ? await em.findOne(Partnership, { id }) : null;
  if (!p) throw HubError.notFound('Partnership', String(id));
  return p;
}

/** A target the actor may see (its partnership's, any for the operator), or NOT_FOUND. */
async function findVisible(em: EntityManager, actor: Actor, id: number): Promise<PriorityTarget> {
  const t = Number.isSafeInteger(id) ? await em.findOne(PriorityTarget, { id }, { populate: ['partnership'] }) : null;
  if (!t || (!isOperator(actor) && t.partnership.id !== actor.principal.partnershipId)) throw HubError.notFound('Target', String(id));
  return t;
}

/** The targets of a partnership, oldest first; retired ones only when asked. */
export async function listTargets(actor: Actor, partnershipId: number, options: { includeRetired?: boolean } = {}): Promise<TargetView[]> {
  const em = actor.em.fork();
  const partnership = await partnershipById(em, partnershipId);
  guardReadTargets(actor, partnership);
  const rows = await em.find(
    PriorityTarget,
    { partnership: partnership.id, ...(options.includeRetired ? {} : { status: 'active' as const }) },
    { populate: ['partnership'], orderBy: { id: 'asc' } },
  );
  return rows.map(view);
}

/** One target the actor may see, or NOT_FOUND. */
export async function getTarget(actor: Actor, id: number): Promise<TargetView> {
  return view(await findVisible(actor.em.fork(), actor, id));
}

/** What an audit entry keeps of a target: its terms, never any count beyond the baseline it states. */
function auditTerms(t: ReturnType<typeof checkTargetInput>): Record<string, unknown> {
  return {
    title: t.title,
    priorities: t.priorities,
    sourceCategories: t.sourceCategories,
    feeds: t.feeds,
    kind: t.kind,
    direction: t.direction,
    baselineValue: t.baselineValue,
    baselinePeriod: t.baselinePeriod,
    baselineWindow: [t.baselineFrom, t.baselineTo],
    changePct: t.changePct,
    startDate: t.startDate,
    targetDate: t.targetDate,
    placeUnit: t.placeUnit,
    places: t.places?.length ?? null,
  };
}

export async function createTarget(actor: Actor, partnershipId: number, input: TargetInput): Promise<TargetView> {
  const em = actor.em.fork();
  const partnership = await partnershipById(em, partnershipId);
  guardAdminister(actor, partnership);
  const fields = checkTargetInput(input);
  return inActorUnitOfWork({ ...actor, em }, async ({ em: tx, audit }) => {
    const target = tx.create(PriorityTarget, { ...fields, partnership: tx.getReference(Partnership, partnership.id) });
    await tx.flush();
    target.partnership = partnership;
    await audit({
      partnershipId: partnership.id,
      operation: 'create',
      objectType: 'PriorityTarget',
      objectId: String(target.id),
      detail: { ...auditTerms(fields), ...(fields.provenance ? { provenance: fields.provenance } : {}) },
      rowCount: 1,
      agreementIds: [],
    });
    return view(target);
  });
}

const CHANGEABLE = [
  'title', 'priorities', 'sourceCategories', 'feeds', 'kind', 'direction', 'baselineValue', 'baselinePeriod', 'baselineFrom', 'baselineTo',
  'changePct', 'startDate', 'targetDate', 'milestones', 'placeUnit', 'places', 'provenance',
] as const;

/**
 * Changes an active target: the given fields replace the stored ones and the whole target is checked
 * again. `expectedVersion` (optional) refuses a change made on a stale copy (CONFLICT).
 */
export async function updateTarget(actor: Actor, id: number, change: Partial<TargetInput>, expectedVersion?: number | null): Promise<TargetView> {
  const em = actor.em.fork();
  const current = await findVisible(em, actor, id);
  guardAdminister(actor, current.partnership);
  if (current.status === 'retired') throw HubError.conflict('TARGET_RETIRED', `Target ${id} is retired: create a new one instead.`);
  const before = view(current);
  const merged: TargetInput = { ...before, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as TargetInput;
  // A kind change resets what belongs only to the old kind unless the change sets it.
  if (change.kind && change.kind !== before.kind) {
    if (change.placeUnit === undefined) merged.placeUnit = null;
    if (change.places === undefined) merged.places = null;
  }
  if (change.baselineTo !== undefined && change.startDate === undefined) merged.startDate = null;
  const fields = checkTargetInput(merged);
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of CHANGEABLE) {
    if (JSON.stringify(before[k]) !== JSON.stringify(fields[k])) changed[k] = { from: k === 'places' ? before.places?.length ?? null : before[k], to: k === 'places' ? fields.places?.length ?? null : fields[k] };
  }
  if (Object.keys(changed).length === 0) throw HubError.invalidInput('NO_CHANGE', `The change leaves target ${id} as it is.`);
  try {
    return await inActorUnitOfWork({ ...actor, em }, async ({ em: tx, audit }) => {
      const target = await tx.findOneOrFail(PriorityTarget, { id }, { populate: ['partnership'] });
      if (expectedVersion != null && expectedVersion !== target.version) {
        throw HubError.conflict('STALE_TARGET', `Target ${id} was changed by someone else (version ${target.version}, not ${expectedVersion}): read it again.`);
      }
      tx.assign(target, fields);
      await tx.flush();
      await audit({
        partnershipId: target.partnership.id,
        operation: 'update',
        objectType: 'PriorityTarget',
        objectId: String(target.id),
        detail: changed,
        rowCount: 1,
        agreementIds: [],
      });
      return view(target);
    });
  } catch (error) {
    if (error instanceof OptimisticLockError) throw HubError.conflict('STALE_TARGET', `Target ${id} was changed at the same time: read it again.`);
    throw error;
  }
}

/** Retires a target: it stays on record (and in the audit) but is no longer reported. */
export async function retireTarget(actor: Actor, id: number, reason: string | null = null): Promise<TargetView> {
  const em = actor.em.fork();
  const current = await findVisible(em, actor, id);
  guardAdminister(actor, current.partnership);
  if (current.status === 'retired') throw HubError.conflict('TARGET_RETIRED', `Target ${id} is already retired.`);
  const why = reason?.trim() || null;
  if (why !== null && (why.length > 500 || why.includes('\u0000'))) throw HubError.invalidInput('INVALID_TARGET', 'The reason must be at most 500 characters, without NUL characters.');
  return inActorUnitOfWork({ ...actor, em }, async ({ em: tx, audit }) => {
    const target = await tx.findOneOrFail(PriorityTarget, { id }, { populate: ['partnership'] });
    target.status = 'retired';
    target.retiredAt = new Date();
    target.retiredReason = why;
    await tx.flush();
    await audit({
      partnershipId: target.partnership.id,
      operation: 'update',
      objectType: 'PriorityTarget',
      objectId: String(target.id),
      detail: { status: { from: 'active', to: 'retired' }, ...(why ? { reason: why } : {}) },
      rowCount: 1,
      agreementIds: [],
    });
    return view(target);
  });
}
