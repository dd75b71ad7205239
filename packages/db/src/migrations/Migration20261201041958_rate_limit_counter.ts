import { Migration } from '@mikro-orm/migrations';

export class Migration20261201041958_rate_limit_counter extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create unlogged table "rate_limit_counter" ("key" text not null, "hits" int not null default 0, "reset_at" timestamptz not null, constraint "rate_limit_counter_pkey" primary key ("key"));`);
    this.addSql(`comment on table "rate_limit_counter" is 'Rate-limit windows shared by hub instances (unlogged: a crash resets them)';`);
    this.addSql(`create index "rate_limit_counter_reset_idx" on "rate_limit_counter" ("reset_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counter" cascade;`);
  }

}
