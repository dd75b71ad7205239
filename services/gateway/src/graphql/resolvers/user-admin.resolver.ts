import { subject as asSubject } from '@casl/ability';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { activeUsersByAgency, createUser, listAgencies, listUsers, setUserActive, setUserRoles, type UserView } from '@csp-hub/authz';
import { Agency } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import { HubUserObject, NewUserInput, PartnershipMemberObject } from '../types/hub-user.type';

function id(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw HubError.notFound(what, value);
  return Number(value);
}

async function withAgencyTypes(ctx: GraphQLContext, users: UserView[]): Promise<HubUserObject[]> {
  const types = new Map((await ctx.em.find(Agency, { id: { $in: [...new Set(users.map((u) => u.agencyId))] } })).map((a) => [a.id, a.type]));
  return users.map((u) => HubUserObject.from(u, types.get(u.agencyId) ?? 'other'));
}

/**
 * User administration for partnership admins (chairs and auditors may list). Acts only within the
 * caller's partnership; users elsewhere are NOT_FOUND. Every change is audited with it.
 */
@Resolver()
export class UserAdminResolver {
  @Query(() => [HubUserObject], { description: 'Users of your partnership (partnership admins, chairs, auditors)' })
  async users(
    @Arg('includeInactive', () => Boolean, { defaultValue: true }) includeInactive: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HubUserObject[]> {
    return withAgencyTypes(ctx, await listUsers(ctx.access, ctx.principal.partnershipId, { includeInactive }));
  }

  @Query(() => [PartnershipMemberObject], { description: 'Partner agencies of your partnership and their active users (partnership admins, chairs, auditors)' })
  async partnershipMembers(@Ctx() ctx: GraphQLContext): Promise<PartnershipMemberObject[]> {
    if (!ctx.access.ability.can('read', asSubject('User', { partnershipId: ctx.principal.partnershipId }))) {
      throw HubError.forbidden('NOT_ALLOWED', 'Only partnership administrators, chairs and auditors list memberships');
    }
    const counts = await activeUsersByAgency(ctx.em, ctx.principal.partnershipId);
    return (await listAgencies(ctx.em, ctx.principal.partnershipCode)).map((a) => PartnershipMemberObject.from(a, counts.get(a.id) ?? 0));
  }

  @Mutation(() => HubUserObject, { description: 'Partnership admin: add a user of a partner agency to your partnership' })
  async createUser(@Arg('input', () => NewUserInput) input: NewUserInput, @Ctx() ctx: GraphQLContext): Promise<HubUserObject> {
    const agencyId = /^\d{1,9}$/.test(input.agencyId) ? Number(input.agencyId) : -1;
    const user = await createUser(ctx.access, {
      email: input.email,
      displayName: input.displayName ?? null,
      agencyId,
      partnershipId: ctx.principal.partnershipId,
      roles: input.roles,
    });
    return (await withAgencyTypes(ctx, [user]))[0]!;
  }

  @Mutation(() => HubUserObject, { description: "Partnership admin: replace a user's roles (the partnership keeps at least one active admin)" })
  async setUserRoles(@Arg('id', () => ID) userId: string, @Arg('roles', () => [String]) roles: string[], @Ctx() ctx: GraphQLContext): Promise<HubUserObject> {
    return (await withAgencyTypes(ctx, [await setUserRoles(ctx.access, id(userId, 'User'), roles)]))[0]!;
  }

  @Mutation(() => HubUserObject, { description: "Partnership admin: deactivate a user; their access ends on their next request" })
  async deactivateUser(
    @Arg('id', () => ID) userId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HubUserObject> {
    return (await withAgencyTypes(ctx, [await setUserActive(ctx.access, id(userId, 'User'), false, reason ?? null)]))[0]!;
  }

  @Mutation(() => HubUserObject, { description: 'Partnership admin: reactivate a user' })
  async reactivateUser(@Arg('id', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<HubUserObject> {
    return (await withAgencyTypes(ctx, [await setUserActive(ctx.access, id(userId, 'User'), true)]))[0]!;
  }
}
