import { Migration } from '@mikro-orm/migrations';

export class Migration20261201041616_incident_revisions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "submission" drop constraint if exists "submission_status_check";`);

    this.addSql(`alter table "submission" add column "container" text null, add column "rows_retired" int not null default 0, add column "rows_kept_newer" int not null default 0, add column "as_of" timestamptz null, add column "as_of_source" text check ("as_of_source" in ('file', 'submitter', 'upload')) null, add column "periods" date[] not null default '{}', add column "revises" bigint[] not null default '{}', add column "quality" jsonb null;`);
    this.addSql(`alter table "submission" add constraint "submission_status_check" check("status" in ('accepted', 'duplicate', 'refused', 'failed'));`);
    this.addSql(`comment on column "submission"."checksum" is 'SHA-256 of the submitted content (decompressed), hex';`);

    this.addSql(`alter table "ingest_reject" add column "severity" text check ("severity" in ('reject', 'note')) not null default 'reject';`);
    this.addSql(`comment on table "ingest_reject" is 'Rejected or noted source rows with the reason; visible to the submitting agency only';`);

    this.addSql(`alter table "incident" add column "content_hash" uuid null, add column "as_of" timestamptz not null default now(), add column "retired_at" timestamptz null, add column "retired_by_submission_id" bigint null, add column "record_key" smallint not null default (floor(random() * 256))::smallint;`);
    this.addSql(`comment on column "incident"."content_hash" is 'md5 of the source content of the row; null for rows stored before revisions were tracked';`);
    this.addSql(`comment on column "incident"."record_key" is 'cell-key method record key, uniform 0-255';`);
    this.addSql(`create index "incident_shared_ref_idx" on "incident" ("agency_id", "feed", "source_ref") where natural_key <> source_ref;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "submission" drop constraint if exists "submission_status_check";`);

    this.addSql(`drop index "incident_shared_ref_idx";`);
    this.addSql(`alter table "incident" drop column "content_hash", drop column "as_of", drop column "retired_at", drop column "retired_by_submission_id", drop column "record_key";`);

    this.addSql(`alter table "ingest_reject" drop column "severity";`);

    this.addSql(`comment on table "ingest_reject" is 'Rejected source rows with the reason; visible to the submitting agency';`);

    this.addSql(`alter table "submission" drop column "container", drop column "rows_retired", drop column "rows_kept_newer", drop column "as_of", drop column "as_of_source", drop column "periods", drop column "revises", drop column "quality";`);

    this.addSql(`alter table "submission" add constraint "submission_status_check" check("status" in ('accepted', 'duplicate', 'refused'));`);
    this.addSql(`comment on column "submission"."checksum" is 'SHA-256 of the submitted bytes, hex';`);
  }

}
