import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { countIncidents, countIncidentsBy, getIncident, getSubmission, listIncidents, type GroupByField } from '@csp-hub/authz';
import { HubError, isHubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import {
  CountCellObject,
  GroupByEnum,
  IncidentConnectionObject,
  IncidentFilterInput,
  IncidentObject,
  PageInfoObject,
  ProviderCountsObject,
} from '../types/incident.type';
import { SubmissionObject } from '../types/submission.type';
import { requestedIncidentFields } from '../selection';

function parseId(id: string, what: string): number {
  if (!/^\d{1,15}$/.test(id)) throw HubError.notFound(what, id);
  return Number(id);
}

/** Incident reads: every one goes through @csp-hub/authz (row filter, field masks, audit). */
@Resolver(() => IncidentObject)
export class IncidentResolver {
  @Query(() => IncidentConnectionObject, { description: 'Incidents you may see, newest month first (at most 100 a page)' })
  async incidents(
    @Arg('filter', () => IncidentFilterInput, { nullable: true }) filter: IncidentFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<IncidentConnectionObject> {
    // Only the fields the query asks for are read (masks and hiddenFields are the same either way).
    const page = await listIncidents(ctx.access, { filter: { ...(filter ?? {}) }, first, after, fields: requestedIncidentFields(info, ['nodes']) });
    return Object.assign(new IncidentConnectionObject(), {
      nodes: page.items.map(IncidentObject.from),
      pageInfo: Object.assign(new PageInfoObject(), { hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
    });
  }

  @Query(() => IncidentObject, { description: 'One incident; NOT_FOUND when it does not exist or is not yours to see' })
  async incident(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<IncidentObject> {
    return IncidentObject.from(await getIncident(ctx.access, parseId(id, 'Incident')));
  }

  @Query(() => Int, { description: 'How many incidents you may see record by record under the filter' })
  async incidentCount(
    @Arg('filter', () => IncidentFilterInput, { nullable: true }) filter: IncidentFilterInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return countIncidents(ctx.access, { ...(filter ?? {}) });
  }

  @Query(() => [ProviderCountsObject], {
    description: 'Counts per providing agency grouped by up to two fields; aggregate-tier data goes through disclosure control',
  })
  async incidentCounts(
    @Arg('groupBy', () => [GroupByEnum]) groupBy: GroupByField[],
    @Arg('filter', () => IncidentFilterInput, { nullable: true }) filter: IncidentFilterInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProviderCountsObject[]> {
    const tables = await countIncidentsBy(ctx.access, { groupBy, filter: { ...(filter ?? {}) } }, ctx.sdc);
    return tables.map((t) =>
      Object.assign(new ProviderCountsObject(), {
        agencyId: String(t.agencyId),
        controlled: t.controlled,
        cells: t.cells.map((c) => Object.assign(new CountCellObject(), c)),
        rowTotals: t.rowTotals.map((c) => Object.assign(new CountCellObject(), c)),
        columnTotals: t.columnTotals.map((c) => Object.assign(new CountCellObject(), c)),
        total: t.total,
      }),
    );
  }

  @FieldResolver(() => SubmissionObject, { nullable: true, description: 'The submission that last changed it, when you may see submissions of that agency' })
  async submission(@Root() incident: IncidentObject, @Ctx() ctx: GraphQLContext): Promise<SubmissionObject | null> {
    if (incident.submissionId === null) return null;
    try {
      return SubmissionObject.from(await getSubmission(ctx.access, incident.submissionId));
    } catch (error) {
      if (isHubError(error) && error.kind === 'not_found') return null;
      throw error;
    }
  }
}
