import { Migration } from '@mikro-orm/migrations';

export class Migration20261201041725_user_external_subject extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "external_subject" text null;`);
    this.addSql(`comment on column "app_user"."external_subject" is 'sub claim at the OpenID Connect provider (OIDC_USER_CLAIM=sub)';`);
    this.addSql(`alter table "app_user" add constraint "app_user_external_subject_unique" unique ("external_subject");`);
    this.addSql(`create unique index "app_user_email_lower_unique" on "app_user" (lower("email"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop constraint "app_user_external_subject_unique";`);
    this.addSql(`drop index "app_user_email_lower_unique";`);
    this.addSql(`alter table "app_user" drop column "external_subject";`);
  }

}
