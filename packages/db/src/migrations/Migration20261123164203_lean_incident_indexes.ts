import { Migration } from '@mikro-orm/migrations';

export class Migration20261123164203_lean_incident_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "incident_lad_month_category_idx";`);
    this.addSql(`drop index "incident_lsoa_idx";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "incident_lad_month_category_idx" on "incident" ("lad_code", "occurred_month", "category");`);
    this.addSql(`create index "incident_lsoa_idx" on "incident" ("lsoa_code");`);
  }

}
