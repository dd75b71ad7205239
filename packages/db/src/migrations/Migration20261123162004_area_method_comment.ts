import { Migration } from '@mikro-orm/migrations';

export class Migration20261123162004_area_method_comment extends Migration {

  override async up(): Promise<void> {
    this.addSql(`comment on column "incident"."area_method" is 'source, lsoa-name, nearest-centroid, ward-code, ward-name or none';`);
  }

  override async down(): Promise<void> {
    this.addSql(`comment on column "incident"."area_method" is 'source, lsoa-name, ward-name, nearest-centroid or none';`);
  }

}
