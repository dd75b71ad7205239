import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AgreementResolver } from './resolvers/agreement.resolver';
import { AnalysisResolver } from './resolvers/analysis.resolver';
import { IncidentResolver } from './resolvers/incident.resolver';
import { MeResolver } from './resolvers/me.resolver';
import { ReferenceResolver } from './resolvers/reference.resolver';
import { SubmissionResolver } from './resolvers/submission.resolver';
import { TargetResolver } from './resolvers/target.resolver';
import { UserAdminResolver } from './resolvers/user-admin.resolver';

export const RESOLVERS = [MeResolver, ReferenceResolver, IncidentResolver, SubmissionResolver, AgreementResolver, UserAdminResolver, AnalysisResolver, TargetResolver] as const;

/** Builds the type-graphql schema (validation is done by hand and zod, not class-validator). */
export async function buildHubSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...RESOLVERS], validate: false });
}
