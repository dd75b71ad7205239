import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A request counter for one client (IP or user) in one fixed window, shared by
 * every hub instance when RATE_LIMIT_STORE=postgres. The migration makes the
 * table UNLOGGED: no WAL, and a crash merely resets the windows.
 */
@Entity({ tableName: 'rate_limit_counter', comment: 'Rate-limit windows shared by hub instances (unlogged: a crash resets them)' })
@Index({ name: 'rate_limit_counter_reset_idx', properties: ['resetAt'] })
export class RateLimitCounter {
  /** The limiter's prefix and the client key, e.g. ip:203.0.113.7 or user:42. */
  @PrimaryKey({ type: 'string', columnType: 'text' })
  key!: string;

  @Property({ type: 'integer' })
  hits: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  resetAt!: Date;
}
