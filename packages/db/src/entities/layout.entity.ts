import { Check, Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * A layout registered by a partnership (`csp-hub layouts add`): how one
 * agency export's CSV columns map to the incident model. Each version is a row;
 * adding a new version retires the one before (only one active row per id).
 * Built-in layouts ship as files with the adapters and are not stored here.
 */
@Entity({ tableName: 'layout', comment: 'Registered CSV layouts (one row per version); built-in layouts ship as files' })
@Index({ name: 'layout_feed_idx', properties: ['feed', 'active'] })
@Index({ name: 'layout_one_active_uniq', expression: 'create unique index "layout_one_active_uniq" on "layout" ("id") where active' })
@Check({ name: 'layout_version_positive', expression: 'version >= 1' })
export class RegisteredLayout {
  [OptionalProps]?: 'active' | 'createdAt' | 'createdBy';

  /** Layout id as written in the file, e.g. leics-fire-irs. */
  @PrimaryKey({ type: 'string', columnType: 'text' })
  id!: string;

  @PrimaryKey({ type: 'integer' })
  version!: number;

  /** Feed id the layout reads, e.g. fire.incidents. */
  @Property({ type: 'string', columnType: 'text' })
  feed!: string;

  @Property({ type: 'string', columnType: 'text' })
  label!: string;

  /** The validated layout with defaults applied (what the engine runs). */
  @Property({ type: 'json', columnType: 'jsonb' })
  definition!: Record<string, unknown>;

  /** The file as it was registered, comments included (`csp-hub layouts show`). */
  @Property({ type: 'text', columnType: 'text' })
  source!: string;

  /** Only active layouts are candidates at ingest; a newer version retires the older. */
  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  /** Who, in words: the user's e-mail, or the operating-system account for a CLI run without --as. */
  @Property({ type: 'string', columnType: 'text' })
  createdByLabel!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
