import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { getPartnershipByCode } from '@csp-hub/authz';
import type { TargetProvenance } from '@csp-hub/db';
import { baselinePlaces, createTarget, getTarget, listTargets, measureTarget, retireTarget, updateTarget, type TargetInput, type TargetView } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import { PriorityTargetObject, TargetChangeInput, TargetInputType, TargetPlacesInput, TargetPlacesObject, type TargetProvenanceInput } from '../types/target.type';

function id(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw HubError.notFound('Target', value);
  return Number(value);
}

function provenance(p: TargetProvenanceInput | null | undefined): TargetProvenance | null | undefined {
  if (p === undefined) return undefined;
  if (p === null) return null;
  const planBaseline =
    p.planBaselineValue != null || p.planBaselinePeriod != null
      ? { value: p.planBaselineValue ?? Number.NaN, period: p.planBaselinePeriod ?? '' }
      : null;
  if (planBaseline && (!Number.isFinite(planBaseline.value) || planBaseline.period.trim() === '')) {
    throw HubError.invalidInput('INVALID_TARGET', "The plan's baseline needs both planBaselineValue and planBaselinePeriod.");
  }
  return { planWording: p.planWording, source: p.source ?? null, planBaseline, rebased: p.rebased ?? null };
}

/** GraphQL nulls for "not given" become absent, so a change touches only what it names. */
function change(input: TargetChangeInput): Partial<TargetInput> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== null && v !== undefined && k !== 'provenance') out[k] = v;
  const p = provenance(input.provenance);
  if (p) out.provenance = p;
  return out as Partial<TargetInput>;
}

/**
 * Priority targets (issue #13): every member reads their partnership's targets with progress measured
 * through their own access; chairs and partnership administrators create, change and retire them
 * (audited). Another partnership's target is NOT_FOUND.
 */
@Resolver()
export class TargetResolver {
  @Query(() => [PriorityTargetObject], { description: "Your partnership's priority targets, each with its progress as you see it" })
  async targets(
    @Arg('asOf', () => String, { nullable: true, description: 'YYYY-MM-DD (default today)' }) asOf: string | null,
    @Arg('includeRetired', () => Boolean, { defaultValue: false }) includeRetired: boolean,
    @Arg('partnership', () => String, { nullable: true, description: 'ONS CSP code (default yours)' }) partnershipCode: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriorityTargetObject[]> {
    const partnershipId = partnershipCode ? (await getPartnershipByCode(ctx.em, partnershipCode)).id : ctx.principal.partnershipId;
    const targets = await listTargets(ctx.access, partnershipId, { includeRetired });
    const out: PriorityTargetObject[] = [];
    for (const t of targets) out.push(await this.withProgress(ctx, t, asOf));
    return out;
  }

  @Query(() => PriorityTargetObject, { description: 'One target of your partnership, with its progress as you see it' })
  async target(
    @Arg('id', () => ID) targetId: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriorityTargetObject> {
    return this.withProgress(ctx, await getTarget(ctx.access, id(targetId)), asOf);
  }

  @Query(() => TargetPlacesObject, { description: "The top places of a baseline window as you count them in your partnership, for a place-subset target's places and baseline (audited)" })
  async targetPlaces(@Arg('input', () => TargetPlacesInput) input: TargetPlacesInput, @Ctx() ctx: GraphQLContext): Promise<TargetPlacesObject> {
    const ranked = await baselinePlaces(ctx.access, { ...input, placeUnit: input.placeUnit as TargetInput['placeUnit'] }, ctx.sdc);
    return Object.assign(new TargetPlacesObject(), ranked);
  }

  @Mutation(() => PriorityTargetObject, { description: "Chair or partnership admin: set a target for your partnership (audited)" })
  async createTarget(@Arg('input', () => TargetInputType) input: TargetInputType, @Ctx() ctx: GraphQLContext): Promise<PriorityTargetObject> {
    const { provenance: p, ...rest } = input;
    const t = await createTarget(ctx.access, ctx.principal.partnershipId, { ...rest, provenance: provenance(p) ?? null } as TargetInput);
    return PriorityTargetObject.from(t);
  }

  @Mutation(() => PriorityTargetObject, { description: 'Chair or partnership admin: change an active target (audited); give version to refuse a change on a stale copy' })
  async updateTarget(
    @Arg('id', () => ID) targetId: string,
    @Arg('change', () => TargetChangeInput) input: TargetChangeInput,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriorityTargetObject> {
    return PriorityTargetObject.from(await updateTarget(ctx.access, id(targetId), change(input), version));
  }

  @Mutation(() => PriorityTargetObject, { description: 'Chair or partnership admin: retire a target (kept on record, no longer reported; audited)' })
  async retireTarget(
    @Arg('id', () => ID) targetId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriorityTargetObject> {
    return PriorityTargetObject.from(await retireTarget(ctx.access, id(targetId), reason));
  }

  private async withProgress(ctx: GraphQLContext, t: TargetView, asOf: string | null): Promise<PriorityTargetObject> {
    if (t.status !== 'active') return PriorityTargetObject.from(t);
    return PriorityTargetObject.from(t, await measureTarget(ctx.access, t, { ...(asOf ? { asOf } : {}), cellKey: ctx.sdc }));
  }
}
