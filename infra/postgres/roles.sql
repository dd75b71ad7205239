-- Roles for a production csp-hub database (run once as a superuser; adjust names).
-- csp_hub_owner owns the schema and runs migrations; csp_hub_app is what the hub
-- connects as day to day.
create role csp_hub_owner login;
create role csp_hub_app login;
grant connect on database csp_hub to csp_hub_app;
grant usage on schema public to csp_hub_app;
grant select, insert, update, delete on all tables in schema public to csp_hub_app;
grant usage, select on all sequences in schema public to csp_hub_app;
alter default privileges for role csp_hub_owner in schema public
  grant select, insert, update, delete on tables to csp_hub_app;
alter default privileges for role csp_hub_owner in schema public
  grant usage, select on sequences to csp_hub_app;
