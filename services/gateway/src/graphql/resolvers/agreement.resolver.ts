import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { createAgreement, explainAccess, getAgreement, listAgreements, setAgreementStatus, updateAgreement, type AgreementInput } from '@csp-hub/authz';
import type { AgreementStatus } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import type { GraphQLContext } from '../context';
import { AccessExplanationObject, AgreementInputType, AgreementObject, AgreementStatusEnum } from '../types/agreement.type';

function id(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw HubError.notFound(what, value);
  return Number(value);
}

function input(i: AgreementInputType): AgreementInput {
  return { ...i, signatories: i.signatories.map((s) => ({ ...s })) };
}

@Resolver()
export class AgreementResolver {
  @Query(() => [AgreementObject], { description: "Your partnership's information sharing agreements" })
  async agreements(
    @Arg('status', () => AgreementStatusEnum, { nullable: true }) status: AgreementStatus | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject[]> {
    return (await listAgreements(ctx.access, status ?? null)).map(AgreementObject.from);
  }

  @Query(() => AgreementObject)
  async agreement(@Arg('id', () => ID) agreementId: string, @Ctx() ctx: GraphQLContext): Promise<AgreementObject> {
    return AgreementObject.from(await getAgreement(ctx.access, id(agreementId, 'Agreement')));
  }

  @Mutation(() => AgreementObject, { description: 'Chair or partnership admin: record a new agreement (draft, or active when signed)' })
  async createAgreement(
    @Arg('input', () => AgreementInputType) agreement: AgreementInputType,
    @Arg('activate', () => Boolean, { defaultValue: false }) activate: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await createAgreement(ctx.access, input(agreement), activate ? 'active' : 'draft'));
  }

  @Mutation(() => AgreementObject, { description: 'Chair or partnership admin: change an agreement (send the version you read)' })
  async updateAgreement(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => AgreementInputType) agreement: AgreementInputType,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await updateAgreement(ctx.access, id(agreementId, 'Agreement'), version, input(agreement)));
  }

  @Mutation(() => AgreementObject, { description: 'Chair or partnership admin: activate, suspend or lapse an agreement; takes effect on the next request' })
  async setAgreementStatus(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('status', () => AgreementStatusEnum) status: AgreementStatus,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await setAgreementStatus(ctx.access, id(agreementId, 'Agreement'), version, status, reason));
  }

  @Query(() => AccessExplanationObject, {
    description: 'What you (or, for a chair or auditor, another user of the partnership) can see, of which agency, at which tier, under which agreement',
  })
  async explainAccess(@Arg('userId', () => ID, { nullable: true }) userId: string | null, @Ctx() ctx: GraphQLContext): Promise<AccessExplanationObject> {
    return AccessExplanationObject.from(await explainAccess(ctx.access, userId === null || userId === undefined ? null : id(userId, 'User')));
  }
}
