import { Migration } from '@mikro-orm/migrations';

export class Migration20261123152523_foundation extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "agency" ("id" serial primary key, "code" text not null, "name" text not null, "type" text check ("type" in ('police', 'fire', 'health', 'council', 'probation', 'youth_offending', 'housing', 'other')) not null, "statutory" boolean not null default false, "created_at" timestamptz not null default now());`);
    this.addSql(`comment on table "agency" is 'Partner organisations; one agency may serve several partnerships';`);
    this.addSql(`alter table "agency" add constraint "agency_code_unique" unique ("code");`);

    this.addSql(`create table "area" ("code" text not null, "kind" text check ("kind" in ('lsoa', 'ward', 'district', 'csp', 'county', 'pfa', 'beat')) not null, "name" text not null, "ward_code" text null, "lad_code" text null, "parent_code" text null, "longitude" double precision null, "latitude" double precision null, "source" text not null, constraint "area_pkey" primary key ("code"));`);
    this.addSql(`comment on table "area" is 'ONS reference geography (LSOA 2011 -> ward 2019 -> LAD 2019) and beats';`);
    this.addSql(`create index "area_lsoa_centroid_gist" on "area" using gist (point(longitude * 0.62, latitude)) where kind = 'lsoa' and longitude is not null;`);
    this.addSql(`create index "area_kind_lad_idx" on "area" ("kind", "lad_code");`);

    this.addSql(`create table "partnership" ("id" serial primary key, "code" text not null, "name" text not null, "lad_codes" text[] not null, "county_code" text null, "pfa_code" text null, "created_at" timestamptz not null default now());`);
    this.addSql(`comment on table "partnership" is 'Community Safety Partnerships (CDA 1998 s5-6)';`);
    this.addSql(`alter table "partnership" add constraint "partnership_code_unique" unique ("code");`);

    this.addSql(`create table "partnership_agency" ("partnership_id" int not null, "agency_id" int not null, constraint "partnership_agency_pkey" primary key ("partnership_id", "agency_id"));`);

    this.addSql(`create table "app_user" ("id" serial primary key, "email" text not null, "display_name" text not null, "agency_id" int not null, "partnership_id" int not null, "roles" text[] not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), constraint app_user_roles_known check (roles <@ array['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor']::text[] and cardinality(roles) > 0));`);
    this.addSql(`comment on table "app_user" is 'Hub users; roles are checked against ROLES by a constraint';`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "submission" ("id" bigserial primary key, "agency_id" int not null, "feed" text not null, "format" text not null, "file_name" text not null, "checksum" text not null, "bytes" bigint not null default 0, "encoding" text null, "status" text check ("status" in ('accepted', 'duplicate', 'refused')) not null, "rows_read" int not null default 0, "rows_accepted" int not null default 0, "rows_rejected" int not null default 0, "rows_inserted" int not null default 0, "rows_updated" int not null default 0, "error_code" text null, "error_message" text null, "duplicate_of" bigint null, "submitted_by_id" int null, "submitted_via" text check ("submitted_via" in ('cli', 'http', 'seed')) not null, "submitted_by_label" text not null, "header" jsonb null, "started_at" timestamptz not null, "finished_at" timestamptz not null, "duration_ms" int not null default 0, constraint submission_rows_add_up check (rows_read = rows_accepted + rows_rejected));`);
    this.addSql(`comment on table "submission" is 'Feed provenance: one row per file submitted';`);
    this.addSql(`comment on column "submission"."checksum" is 'SHA-256 of the submitted bytes, hex';`);
    this.addSql(`create unique index "submission_accepted_checksum_uniq" on "submission" ("agency_id", "feed", "checksum") where status = 'accepted';`);
    this.addSql(`create index "submission_agency_feed_idx" on "submission" ("agency_id", "feed", "started_at");`);

    this.addSql(`create table "ingest_reject" ("id" bigserial primary key, "submission_id" bigint not null, "row_number" int not null, "column_name" text null, "value" text null, "reason" text not null, "message" text not null);`);
    this.addSql(`comment on table "ingest_reject" is 'Rejected source rows with the reason; visible to the submitting agency';`);
    this.addSql(`create index "ingest_reject_submission_row_idx" on "ingest_reject" ("submission_id", "row_number");`);

    this.addSql(`create table "incident" ("id" bigserial primary key, "submission_id" bigint not null, "agency_id" int not null, "feed" text not null, "source_ref" text null, "natural_key" text not null, "source_category" text not null, "category" text check ("category" in ('anti_social_behaviour', 'acquisitive_crime', 'violence', 'criminal_damage_arson', 'drugs_alcohol', 'road_safety', 'environmental', 'other')) not null, "occurred_month" date not null, "occurred_at" timestamptz null, "location_text" text null, "lsoa_code" text null, "ward_code" text null, "lad_code" text null, "area_method" text not null, "latitude" double precision null, "longitude" double precision null, "outcome" text null, "tier" text check ("tier" in ('public', 'aggregate', 'pseudonymised', 'personal')) not null, "attributes" jsonb not null default '{}', "restricted_text" text null, "first_seen_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint incident_month_first_day check (extract(day from occurred_month) = 1), constraint incident_longitude_range check (longitude is null or (longitude >= -180::double precision and longitude <= 180::double precision)), constraint incident_latitude_range check (latitude is null or (latitude >= -90::double precision and latitude <= 90::double precision)));`);
    this.addSql(`comment on table "incident" is 'Normalised agency records; read only through the authorization layer';`);
    this.addSql(`comment on column "incident"."natural_key" is 'source_ref when the source has one, else a hash of the row content plus its ordinal among identical rows';`);
    this.addSql(`comment on column "incident"."area_method" is 'source, lsoa-name, ward-name, nearest-centroid or none';`);
    this.addSql(`comment on column "incident"."tier" is 'classification of the record content';`);
    this.addSql(`comment on column "incident"."restricted_text" is 'kept to the providing agency until reviewed';`);
    this.addSql(`create index "incident_lsoa_idx" on "incident" ("lsoa_code");`);
    this.addSql(`create index "incident_submission_idx" on "incident" ("submission_id");`);
    this.addSql(`create index "incident_lad_month_category_idx" on "incident" ("lad_code", "occurred_month", "category");`);
    this.addSql(`alter table "incident" add constraint "incident_natural_key_uniq" unique ("agency_id", "feed", "natural_key");`);

    this.addSql(`alter table "partnership_agency" add constraint "partnership_agency_partnership_id_foreign" foreign key ("partnership_id") references "partnership" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "partnership_agency" add constraint "partnership_agency_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "app_user" add constraint "app_user_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "app_user" add constraint "app_user_partnership_id_foreign" foreign key ("partnership_id") references "partnership" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "submission" add constraint "submission_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "submission" add constraint "submission_submitted_by_id_foreign" foreign key ("submitted_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ingest_reject" add constraint "ingest_reject_submission_id_foreign" foreign key ("submission_id") references "submission" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "incident" add constraint "incident_submission_id_foreign" foreign key ("submission_id") references "submission" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "incident" add constraint "incident_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "partnership_agency" drop constraint "partnership_agency_agency_id_foreign";`);

    this.addSql(`alter table "app_user" drop constraint "app_user_agency_id_foreign";`);

    this.addSql(`alter table "submission" drop constraint "submission_agency_id_foreign";`);

    this.addSql(`alter table "incident" drop constraint "incident_agency_id_foreign";`);

    this.addSql(`alter table "partnership_agency" drop constraint "partnership_agency_partnership_id_foreign";`);

    this.addSql(`alter table "app_user" drop constraint "app_user_partnership_id_foreign";`);

    this.addSql(`alter table "submission" drop constraint "submission_submitted_by_id_foreign";`);

    this.addSql(`alter table "ingest_reject" drop constraint "ingest_reject_submission_id_foreign";`);

    this.addSql(`alter table "incident" drop constraint "incident_submission_id_foreign";`);

    this.addSql(`drop table if exists "agency" cascade;`);

    this.addSql(`drop table if exists "area" cascade;`);

    this.addSql(`drop table if exists "partnership" cascade;`);

    this.addSql(`drop table if exists "partnership_agency" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "submission" cascade;`);

    this.addSql(`drop table if exists "ingest_reject" cascade;`);

    this.addSql(`drop table if exists "incident" cascade;`);
  }

}
