import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160651_incident_page_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "incident_lad_month_id_idx" on "incident" ("lad_code", "occurred_month", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "incident_lad_month_id_idx";`);
  }

}
