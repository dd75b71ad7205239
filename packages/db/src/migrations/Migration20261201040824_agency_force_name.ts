import { Migration } from '@mikro-orm/migrations';

export class Migration20261201040824_agency_force_name extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "agency" add column "force_name" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agency" drop column "force_name";`);
  }

}
