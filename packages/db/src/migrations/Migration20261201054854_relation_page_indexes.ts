import { Migration } from '@mikro-orm/migrations';

export class Migration20261201054854_relation_page_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "incident_lad_month_id_idx";`);

    this.addSql(`create index "incident_page_lad_idx" on "incident" ("agency_id", "feed", "lad_code", "occurred_month", "id") where retired_at is null;`);
    this.addSql(`create index "incident_page_feed_idx" on "incident" ("agency_id", "feed", "occurred_month", "id") where retired_at is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "incident_page_lad_idx";`);
    this.addSql(`drop index "incident_page_feed_idx";`);

    this.addSql(`create index "incident_lad_month_id_idx" on "incident" ("lad_code", "occurred_month", "id");`);
  }

}
