import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import {
  approveAgreement,
  createAgreement,
  declineAgreement,
  explainAccess,
  getAgreement,
  listAgreements,
  requestAgreementApproval,
  setAgreementStatus,
  updateAgreement,
  type AgreementInput,
} from '@csp-hub/authz';
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

  @Mutation(() => AgreementObject, {
    description:
      "Chair, partnership admin or data owner: record a new agreement as a draft, or requested (awaiting the provider). activate: only the provider agency's chair, admin or data owner (their approval)",
  })
  async createAgreement(
    @Arg('input', () => AgreementInputType) agreement: AgreementInputType,
    @Arg('activate', () => Boolean, { defaultValue: false }) activate: boolean,
    @Arg('request', () => Boolean, { defaultValue: false, description: "Ask the provider's approval at once" }) request: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await createAgreement(ctx.access, input(agreement), activate ? 'active' : request ? 'requested' : 'draft'));
  }

  @Mutation(() => AgreementObject, {
    description:
      "Chair, partnership admin or data owner: change an agreement (send the version you read). On an active agreement a widening change waits for the provider's approval; narrowing applies at once",
  })
  async updateAgreement(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => AgreementInputType) agreement: AgreementInputType,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await updateAgreement(ctx.access, id(agreementId, 'Agreement'), version, input(agreement)));
  }

  @Mutation(() => AgreementObject, {
    description: "Move an agreement along its states (reason required): ACTIVE and DECLINED are the provider's; SUSPENDED and LAPSED take effect on the next request",
  })
  async setAgreementStatus(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('status', () => AgreementStatusEnum) status: AgreementStatus,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await setAgreementStatus(ctx.access, id(agreementId, 'Agreement'), version, status, reason));
  }

  @Mutation(() => AgreementObject, { description: "Ask the provider agency to approve (draft, declined or suspended -> requested)" })
  async requestAgreementApproval(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await requestAgreementApproval(ctx.access, id(agreementId, 'Agreement'), version, note ?? null));
  }

  @Mutation(() => AgreementObject, {
    description: "Provider agency's chair, admin or data owner: approve what waits (activation, or a pending change whose terms then come into force)",
  })
  async approveAgreement(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await approveAgreement(ctx.access, id(agreementId, 'Agreement'), version, note ?? null));
  }

  @Mutation(() => AgreementObject, {
    description: "Provider agency's chair, admin or data owner: decline what waits (a request -> declined; a pending change is dropped, the terms in force stay)",
  })
  async declineAgreement(
    @Arg('id', () => ID) agreementId: string,
    @Arg('version', () => Int) version: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgreementObject> {
    return AgreementObject.from(await declineAgreement(ctx.access, id(agreementId, 'Agreement'), version, reason));
  }

  @Query(() => AccessExplanationObject, {
    description: 'What you (or, for a chair or auditor, another user of the partnership) can see, of which agency, at which tier, under which agreement',
  })
  async explainAccess(@Arg('userId', () => ID, { nullable: true }) userId: string | null, @Ctx() ctx: GraphQLContext): Promise<AccessExplanationObject> {
    return AccessExplanationObject.from(await explainAccess(ctx.access, userId === null || userId === undefined ? null : id(userId, 'User')));
  }
}
