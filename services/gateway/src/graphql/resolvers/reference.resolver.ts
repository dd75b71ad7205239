import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Agency, Area, Partnership } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import { AgencyObject } from '../types/agency.type';
import { AreaKindEnum, AreaObject } from '../types/area.type';
import { PartnershipObject } from '../types/partnership.type';

const MAX_AREAS = 1000;

/** Reference data: partnerships, agencies and geography. Public facts, not shared records. */
@Resolver()
export class ReferenceResolver {
  @Query(() => [PartnershipObject], { description: 'Every partnership on the hub with its partner agencies' })
  async partnerships(@Ctx() ctx: GraphQLContext): Promise<PartnershipObject[]> {
    const rows = await ctx.em.find(Partnership, {}, { populate: ['agencies'], orderBy: { name: 'asc' } });
    return rows.map(PartnershipObject.from);
  }

  @Query(() => PartnershipObject, { description: 'One partnership by id' })
  async partnership(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<PartnershipObject> {
    const numeric = Number(id);
    const row = Number.isInteger(numeric)
      ? await ctx.em.findOne(Partnership, { id: numeric }, { populate: ['agencies'] })
      : null;
    if (!row) throw HubError.notFound('Partnership', id);
    return PartnershipObject.from(row);
  }

  @Query(() => [AgencyObject], { description: 'Every partner agency' })
  async agencies(@Ctx() ctx: GraphQLContext): Promise<AgencyObject[]> {
    const rows = await ctx.em.find(Agency, {}, { orderBy: { name: 'asc' } });
    return rows.map(AgencyObject.from);
  }

  @Query(() => [AreaObject], {
    description: "Areas of a kind within a district; by default within the user's partnership",
  })
  async areas(
    @Arg('kind', () => AreaKindEnum) kind: string,
    @Arg('ladCode', () => String, { nullable: true }) ladCode: string | null,
    @Arg('limit', () => Int, { defaultValue: 200 }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AreaObject[]> {
    if (limit < 1 || limit > MAX_AREAS) throw HubError.invalidInput('LIMIT_OUT_OF_RANGE', `limit must be 1 to ${MAX_AREAS}`);
    if (offset < 0) throw HubError.invalidInput('OFFSET_OUT_OF_RANGE', 'offset must not be negative');
    const lads = ladCode ? [ladCode] : ctx.principal.ladCodes;
    const where = kind === 'district' ? { kind: 'district' as const, code: { $in: lads } } : { kind: kind as Area['kind'], ladCode: { $in: lads } };
    const rows = await ctx.em.find(Area, where, { orderBy: { code: 'asc' }, limit, offset });
    return rows.map(AreaObject.from);
  }
}
