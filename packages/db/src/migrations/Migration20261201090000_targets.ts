import { Migration } from '@mikro-orm/migrations';

export class Migration20261201090000_targets extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "priority_target" ("id" serial primary key, "partnership_id" int not null, "title" text not null, "priorities" text[] not null, "source_categories" text[] not null default '{}', "feeds" text[] not null default '{}', "kind" text check ("kind" in ('count', 'place-subset', 'repeats')) not null, "direction" text check ("direction" in ('down', 'up')) not null, "baseline_value" double precision not null, "baseline_period" text not null, "baseline_from" text not null, "baseline_to" text not null, "change_pct" double precision not null, "start_date" date not null, "target_date" date not null, "milestones" text not null default 'year', "place_unit" text null, "places" text[] null, "provenance" jsonb null, "status" text check ("status" in ('active', 'retired')) not null default 'active', "retired_at" timestamptz null, "retired_reason" text null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint priority_target_baseline_months check (baseline_to >= baseline_from), constraint priority_target_dates check (target_date > start_date));`);
    this.addSql(`comment on table "priority_target" is 'Partnership priority targets (community safety plan): baseline, change sought, what is counted';`);
    this.addSql(`create index "priority_target_partnership_idx" on "priority_target" ("partnership_id", "status");`);

    this.addSql(`alter table "priority_target" add constraint "priority_target_partnership_id_foreign" foreign key ("partnership_id") references "partnership" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "priority_target" cascade;`);
  }

}
