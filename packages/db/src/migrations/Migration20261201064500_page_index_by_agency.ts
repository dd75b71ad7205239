import { Migration } from '@mikro-orm/migrations';

export class Migration20261201064500_page_index_by_agency extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "incident_page_feed_idx";`);

    this.addSql(`create index "incident_page_agency_idx" on "incident" ("agency_id", "occurred_month", "id") where retired_at is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "incident_page_agency_idx";`);

    this.addSql(`CREATE INDEX incident_page_feed_idx ON public.incident USING btree (agency_id, feed, occurred_month, id) WHERE (retired_at IS NULL);`);
  }

}
