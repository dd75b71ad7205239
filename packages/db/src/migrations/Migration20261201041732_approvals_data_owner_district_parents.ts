import { Migration } from '@mikro-orm/migrations';

export class Migration20261201041732_approvals_data_owner_district_parents extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "isp_agreement" drop constraint if exists "isp_agreement_status_check";`);

    this.addSql(`alter table "area" add column "pfa_code" text null, add column "county_code" text null;`);

    this.addSql(`alter table "app_user" drop constraint app_user_roles_known;`);

    this.addSql(`alter table "app_user" add constraint app_user_roles_known check(roles <@ array['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor', 'data_owner']::text[] and cardinality(roles) > 0);`);

    this.addSql(`alter table "isp_agreement" add column "approvals" jsonb not null default '[]', add column "pending_approval" jsonb null;`);
    this.addSql(`alter table "isp_agreement" add constraint "isp_agreement_status_check" check("status" in ('draft', 'requested', 'active', 'suspended', 'declined', 'lapsed'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "isp_agreement" drop constraint if exists "isp_agreement_status_check";`);

    this.addSql(`alter table "app_user" drop constraint app_user_roles_known;`);

    this.addSql(`alter table "app_user" add constraint app_user_roles_known check((roles <@ ARRAY['analyst'::text, 'tasking_member'::text, 'chair'::text, 'partnership_admin'::text, 'auditor'::text]) AND (cardinality(roles) > 0));`);

    this.addSql(`alter table "area" drop column "pfa_code", drop column "county_code";`);

    this.addSql(`alter table "isp_agreement" drop column "approvals", drop column "pending_approval";`);

    this.addSql(`alter table "isp_agreement" add constraint "isp_agreement_status_check" check("status" in ('draft', 'active', 'suspended', 'lapsed'));`);
  }

}
