import { Migration } from '@mikro-orm/migrations';

export class Migration20261201084827_analysis_lad_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "incident_analysis_lad_idx" on "incident" ("agency_id", "lad_code", "occurred_month") where retired_at is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "incident_analysis_lad_idx";`);
  }

}
