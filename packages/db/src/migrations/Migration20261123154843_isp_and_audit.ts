import { Migration } from '@mikro-orm/migrations';

export class Migration20261123154843_isp_and_audit extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_log" ("id" bigserial primary key, "at" timestamptz not null, "user_id" int null, "agency_id" int null, "partnership_id" int null, "roles" text[] not null, "operation" text not null, "object_type" text not null, "object_id" text null, "detail" jsonb not null, "row_count" int not null default 0, "agreement_ids" int[] not null, "request_id" text null, "prev_hash" text not null, "hash" text not null);`);
    this.addSql(`comment on table "audit_log" is 'Append-only, hash-chained audit of sensitive reads and every write';`);
    this.addSql(`alter table "audit_log" add constraint "audit_log_hash_unique" unique ("hash");`);
    this.addSql(`create index "audit_log_user_idx" on "audit_log" ("user_id", "at");`);
    this.addSql(`create index "audit_log_at_idx" on "audit_log" ("at");`);

    this.addSql(`create table "isp_agreement" ("id" serial primary key, "title" text not null, "partnership_ids" int[] not null, "provider_id" int not null, "datasets" text[] not null, "recipient_agency_ids" int[] not null, "recipient_agency_types" text[] not null, "tier" text check ("tier" in ('public', 'aggregate', 'pseudonymised', 'personal')) not null, "purposes" text[] not null, "lawful_basis" text not null, "valid_from" date not null, "valid_to" date not null, "review_date" date not null, "status" text check ("status" in ('draft', 'active', 'suspended', 'lapsed')) not null, "signatories" jsonb not null, "created_by_id" int null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint isp_agreement_dates check (valid_to >= valid_from));`);
    this.addSql(`comment on table "isp_agreement" is 'Information Sharing Protocol agreements: the source of every cross-agency permission';`);
    this.addSql(`create index "isp_agreement_provider_idx" on "isp_agreement" ("provider_id", "status");`);

    this.addSql(`alter table "isp_agreement" add constraint "isp_agreement_provider_id_foreign" foreign key ("provider_id") references "agency" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "isp_agreement" add constraint "isp_agreement_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    // The audit log is append-only whoever connects: UPDATE, DELETE and TRUNCATE raise.
    this.addSql(`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger audit_log_no_update_delete before update or delete on audit_log for each row execute function audit_log_append_only();`);
    this.addSql(`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only();`);
    this.addSql(`revoke update, delete, truncate on audit_log from public;`);
    // Least privilege for the application role, where the migrating account may create roles.
    this.addSql(`do $$
      begin
        if not exists (select from pg_roles where rolname = 'csp_hub_app') then
          begin
            create role csp_hub_app nologin;
          exception when insufficient_privilege then
            raise notice 'csp_hub_app role not created (no CREATEROLE): grant it by hand, see infra/postgres/roles.sql';
          end;
        end if;
        if exists (select from pg_roles where rolname = 'csp_hub_app') then
          grant select, insert on audit_log to csp_hub_app;
          grant usage, select on sequence audit_log_id_seq to csp_hub_app;
        end if;
      end $$;`);
    this.addSql(`comment on column "audit_log"."hash" is 'sha256 hex of prev_hash and the canonical entry (see packages/authz audit.ts)';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_log_no_update_delete on audit_log;`);
    this.addSql(`drop trigger if exists audit_log_no_truncate on audit_log;`);
    this.addSql(`drop function if exists audit_log_append_only();`);
    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "isp_agreement" cascade;`);
  }

}
