-- csp-hub database roles (ADR 0018)
--
--   csp_hub_owner  owns the schema and runs the migrations      (MIGRATION_DATABASE_URL)
--   csp_hub_app    what the hub connects as day to day         (DATABASE_URL):
--                  reads and writes rows, appends to the audit log but never
--                  changes it, runs no DDL, owns nothing
--
-- Run as a superuser, connected to the hub's database; idempotent (run it again
-- to change a password):
--
--   psql "postgres://postgres@HOST:5432/csp_hub" -v ON_ERROR_STOP=1 \
--     -v owner_password="$CSP_HUB_OWNER_PASSWORD" -v app_password="$CSP_HUB_APP_PASSWORD" \
--     -f infra/postgres/roles.sql
--
-- The hub's embedded server runs this same file (packages/db/src/roles.ts, which
-- skips the psql meta-commands, the lines starting with a backslash). The
-- table privileges of csp_hub_app are granted by the hub after every migration
-- (grantAppRole there), so adding tables needs no change here.

\if :{?owner_password}
\else
  \echo 'roles.sql: pass both passwords: psql ... -v owner_password=... -v app_password=... (see the top of this file); stopping'
\endif
\if :{?app_password}
\else
  \echo 'roles.sql: pass both passwords: psql ... -v owner_password=... -v app_password=... (see the top of this file); stopping'
\endif

begin;
select from (select pg_advisory_xact_lock(7400218001)) serialised;
-- the passwords reach the block below as transaction-local settings (never echoed)
select from (select set_config('csp_hub.owner_password', :'owner_password', true),
                    set_config('csp_hub.app_password', :'app_password', true)) settings;

do $roles$
declare
  r record;
  owner_oid oid;
begin
  for r in
    select * from (values ('csp_hub_owner', current_setting('csp_hub.owner_password')),
                          ('csp_hub_app', current_setting('csp_hub.app_password'))) v(role, password)
  loop
    if coalesce(r.password, '') = '' then
      raise exception 'no password for %: pass -v owner_password=... -v app_password=...', r.role;
    end if;
    execute format('%s role %I login password %L nosuperuser nocreatedb nocreaterole noreplication nobypassrls',
      case when exists (select from pg_roles where rolname = r.role) then 'alter' else 'create' end, r.role, r.password);
  end loop;

  -- The owner owns the database, its public schema and everything in it; nobody else may create there.
  execute format('alter database %I owner to csp_hub_owner', current_database());
  alter schema public owner to csp_hub_owner;
  revoke create on schema public from public;
  owner_oid := (select oid from pg_roles where rolname = 'csp_hub_owner');
  -- Objects a single-role install made (as the superuser) are handed over.
  for r in
    select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and c.relowner <> owner_oid
      -- a sequence that belongs to a column follows its table
      and not (c.relkind = 'S' and exists (select 1 from pg_depend d
        where d.objid = c.oid and d.deptype in ('a', 'i') and d.refclassid = 'pg_class'::regclass))
  loop
    execute format('alter %s %s owner to csp_hub_owner',
      case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table'
                     when 'S' then 'sequence' else 'table' end, r.name);
  end loop;
  for r in
    select p.oid::regprocedure as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proowner <> owner_oid
  loop
    execute format('alter routine %s owner to csp_hub_owner', r.name);
  end loop;
end
$roles$;

commit;
