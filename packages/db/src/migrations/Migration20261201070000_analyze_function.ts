import { Migration } from '@mikro-orm/migrations';

/**
 * ANALYZE needs the table's owner, and the hub does not run as the owner (ADR
 * 0018): after a large load it refreshes planner statistics through this
 * function, which runs as its owner and does nothing but ANALYZE a table of
 * the public schema.
 */
export class Migration20261201070000_analyze_function extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create function csp_hub_analyze(target text) returns void language plpgsql security definer
      set search_path = pg_catalog, public as $$
      begin
        if to_regclass(format('public.%I', target)) is null then
          raise exception 'csp_hub_analyze: no table public.% to analyze', target using errcode = 'undefined_table';
        end if;
        execute format('analyze public.%I', target);
      end $$;`);
    this.addSql(`revoke all on function csp_hub_analyze(text) from public;`);
    this.addSql(`comment on function csp_hub_analyze(text) is 'planner statistics for the application role, which owns no table (ADR 0018)';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists csp_hub_analyze(text);`);
  }

}
