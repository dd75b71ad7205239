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

@ObjectType('QualityNote', { description: 'A data-quality note on a submission, as a code and a count (no source values)' })
export class QualityNoteObject {
  @Field(() => String)
  code!: string;

  @Field(() => Int)
  rows!: number;

  @Field(() => String)
  message!: string;
}

@ObjectType('Submission', {
  description:
    "Provenance of one submitted file. The submitting agency sees every field; partners see what happened but not the file's name, " +
    'messages quoting it, its row counts or notes (null, named in withheld)',
})
export class SubmissionObject {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  agencyId!: string;

  @Field(() => String)
  feed!: string;

  @Field(() => String)
  format!: string;

  @Field(() => String, { nullable: true })
  fileName!: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the content (inside a .gz or .zip: of the file it holds)' })
  checksum!: string | null;

  @Field(() => Int, { nullable: true, description: 'Bytes received' })
  bytes!: number | null;

  @Field(() => String, { nullable: true, description: 'gzip or zip when the file came compressed' })
  container!: string | null;

  @Field(() => String, { nullable: true })
  encoding!: string | null;

  @Field(() => String, { description: 'accepted, duplicate, refused or failed' })
  status!: string;

  @Field(() => Int, { nullable: true })
  rowsRead!: number | null;

  @Field(() => Int, { nullable: true })
  rowsAccepted!: number | null;

  @Field(() => Int, { nullable: true })
  rowsRejected!: number | null;

  @Field(() => Int, { nullable: true })
  rowsInserted!: number | null;

  @Field(() => Int, { nullable: true })
  rowsUpdated!: number | null;

  @Field(() => Int, { nullable: true, description: 'Rows a later snapshot of the same months no longer publishes' })
  rowsRetired!: number | null;

  @Field(() => Int, { nullable: true, description: 'Rows that differed but were kept because the stored values are as new or newer' })
  rowsKeptNewer!: number | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: "Why; for partners, the fixed text of the code (never quoting the file)" })
  errorMessage!: string | null;

  @Field(() => ID, { nullable: true })
  duplicateOf!: string | null;

  @Field(() => String, { nullable: true })
  submittedBy!: string | null;

  @Field(() => String)
  submittedVia!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  header!: Record<string, string> | null;

  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When the content was current (see asOfSource)' })
  asOf!: Date | null;

  @Field(() => String, { nullable: true, description: 'file, submitter or upload' })
  asOfSource!: string | null;

  @Field(() => [String], { description: 'Months the file holds (YYYY-MM)' })
  periods!: string[];

  @Field(() => [ID], { description: 'Earlier submissions of the same feed and months this one revises' })
  revises!: string[];

  @Field(() => [QualityNoteObject], { nullable: true })
  quality!: QualityNoteObject[] | null;

  @Field(() => GraphQLDateTimeISO)
  startedAt!: Date;

  @Field(() => GraphQLDateTimeISO)
  finishedAt!: Date;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => [String], { description: 'Fields withheld from you' })
  withheld!: string[];

  static from(s: SubmissionView): SubmissionObject {
    return Object.assign(new SubmissionObject(), {
      ...s,
      id: String(s.id),
      agencyId: String(s.agencyId),
      duplicateOf: s.duplicateOf === null ? null : String(s.duplicateOf),
      submittedBy: s.submittedByLabel,
      asOf: s.asOf === null ? null : new Date(s.asOf),
      revises: s.revises.map(String),
      startedAt: new Date(s.startedAt),
      finishedAt: new Date(s.finishedAt),
    });
  }
}
