import { Migration } from '@mikro-orm/migrations';

export class Migration20261201044723_layouts extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "layout" ("id" text not null, "version" int not null, "feed" text not null, "label" text not null, "definition" jsonb not null, "source" text not null, "active" boolean not null default true, "created_by_id" int null, "created_by_label" text not null, "created_at" timestamptz not null default now(), constraint "layout_pkey" primary key ("id", "version"), constraint layout_version_positive check (version >= 1));`);
    this.addSql(`comment on table "layout" is 'Registered CSV layouts (one row per version); built-in layouts ship as files';`);
    this.addSql(`create unique index "layout_one_active_uniq" on "layout" ("id") where active;`);
    this.addSql(`create index "layout_feed_idx" on "layout" ("feed", "active");`);

    this.addSql(`alter table "layout" add constraint "layout_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "submission" add column "layout" text null, add column "layout_version" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "layout" cascade;`);

    this.addSql(`alter table "submission" drop column "layout", drop column "layout_version";`);
  }

}
