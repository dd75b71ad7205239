import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { getSubmission, listRejects, listSubmissions } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import { RejectObject, RejectPageObject, SubmissionObject } from '../types/submission.type';

@Resolver(() => SubmissionObject)
export class SubmissionResolver {
  @Query(() => [SubmissionObject], { description: "Submissions you may see (your agency's; chairs, admins, auditors: partners'), newest first" })
  async submissions(
    @Arg('agencyId', () => ID, { nullable: true }) agencyId: string | null,
    @Arg('feed', () => String, { nullable: true }) feed: string | null,
    @Arg('status', () => String, { nullable: true }) status: string | null,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SubmissionObject[]> {
    const rows = await listSubmissions(ctx.access, { agencyId: agencyId ? Number(agencyId) : null, feed, status, limit, offset });
    return rows.map(SubmissionObject.from);
  }

  @Query(() => SubmissionObject, { description: 'One submission; NOT_FOUND when missing or not yours to see' })
  async submission(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SubmissionObject> {
    if (!/^\d{1,15}$/.test(id)) throw HubError.notFound('Submission', id);
    return SubmissionObject.from(await getSubmission(ctx.access, Number(id)));
  }

  @FieldResolver(() => RejectPageObject, { description: "Rejected rows: the submitting agency's own users only (audited)" })
  async rejects(
    @Root() submission: SubmissionObject,
    @Arg('limit', () => Int, { defaultValue: 500 }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RejectPageObject> {
    const page = await listRejects(ctx.access, Number(submission.id), limit, offset);
    return Object.assign(new RejectPageObject(), { total: page.total, items: page.rejects.map(RejectObject.from) });
  }

  @FieldResolver(() => RejectPageObject, {
    description: "Rows accepted with a data-quality note (e.g. sharing a source id with other rows): the submitting agency's own users only (audited)",
  })
  async notes(
    @Root() submission: SubmissionObject,
    @Arg('limit', () => Int, { defaultValue: 500 }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RejectPageObject> {
    const page = await listRejects(ctx.access, Number(submission.id), limit, offset, 'note');
    return Object.assign(new RejectPageObject(), { total: page.total, items: page.rejects.map(RejectObject.from) });
  }
}
