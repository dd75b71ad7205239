import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { MeObject } from '../types/user.type';

@Resolver()
export class MeResolver {
  @Query(() => MeObject, { description: 'The signed-in user, their agency, partnership and roles' })
  me(@Ctx() ctx: GraphQLContext): MeObject {
    return MeObject.from(ctx.principal);
  }
}
