import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RejectView, SubmissionView } from '@csp-hub/authz';

@ObjectType('Reject', { description: 'A source row that was not accepted' })
export class RejectObject {
  @Field(() => Int)
  rowNumber!: number;

  @Field(() => String, { nullable: true })
  column!: string | null;

  @Field(() => String, { nullable: true })
  value!: string | null;

  @Field(() => String)
  reason!: string;

  @Field(() => String)
  message!: string;

  static from(r: RejectView): RejectObject {
    return Object.assign(new RejectObject(), r);
  }
}

@ObjectType('RejectPage')
export class RejectPageObject {
  @Field(() => Int)
  total!: number;

  @Field(() => [RejectObject])
  items!: RejectObject[];
}

@ObjectType('Submission', { description: 'Provenance of one submitted file' })
export class SubmissionObject {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  agencyId!: string;

  @Field(() => String)
  feed!: string;

  @Field(() => String)
  format!: string;

  @Field(() => String)
  fileName!: string;

  @Field(() => String, { description: 'SHA-256 of the file' })
  checksum!: string;

  @Field(() => Int)
  bytes!: number;

  @Field(() => String, { nullable: true })
  encoding!: string | null;

  @Field(() => String, { description: 'accepted, duplicate or refused' })
  status!: string;

  @Field(() => Int)
  rowsRead!: number;

  @Field(() => Int)
  rowsAccepted!: number;

  @Field(() => Int)
  rowsRejected!: number;

  @Field(() => Int)
  rowsInserted!: number;

  @Field(() => Int)
  rowsUpdated!: number;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => ID, { nullable: true })
  duplicateOf!: string | null;

  @Field(() => String)
  submittedBy!: string;

  @Field(() => String)
  submittedVia!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  header!: Record<string, string> | null;

  @Field(() => GraphQLDateTimeISO)
  startedAt!: Date;

  @Field(() => GraphQLDateTimeISO)
  finishedAt!: Date;

  @Field(() => Int)
  durationMs!: number;

  static from(s: SubmissionView): SubmissionObject {
    return Object.assign(new SubmissionObject(), {
      ...s,
      id: String(s.id),
      agencyId: String(s.agencyId),
      duplicateOf: s.duplicateOf === null ? null : String(s.duplicateOf),
      submittedBy: s.submittedByLabel,
      startedAt: new Date(s.startedAt),
      finishedAt: new Date(s.finishedAt),
    });
  }
}
