import { Migration } from '@mikro-orm/migrations';

/**
 * A file accepted once may be read again under another named layout (to correct a reading):
 * the "same file accepted twice" guard now includes the layout that read it.
 */
export class Migration20261201064000_duplicate_per_layout extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "submission_accepted_checksum_uniq";`);
    this.addSql(`create unique index "submission_accepted_checksum_uniq" on "submission" ("agency_id", "feed", "checksum", coalesce("layout", '')) where status = 'accepted';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "submission_accepted_checksum_uniq";`);
    this.addSql(`create unique index "submission_accepted_checksum_uniq" on "submission" ("agency_id", "feed", "checksum") where status = 'accepted';`);
  }
}
