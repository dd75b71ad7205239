import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Two database roles (ADR 0018): the owner owns the schema and runs the
 * migrations; the hub runs day to day as the application role, which may read
 * and write rows but cannot run DDL, owns nothing, and may only SELECT and
 * INSERT the audit log. infra/postgres/roles.sql sets up the same on a server
 * an operator runs; this module does it on servers the hub manages (the
 * embedded default and test servers) and grants after every migration.
 */
export const OWNER_ROLE = 'csp_hub_owner';
export const APP_ROLE = 'csp_hub_app';

/**
 * Passwords of the roles on an embedded cluster. It listens on 127.0.0.1 only
 * and its superuser's password is a constant too (embedded.ts): they keep other
 * local accounts out, nothing more. A server anyone else can reach uses
 * infra/postgres/roles.sql with passwords of its own.
 */
export const EMBEDDED_ROLE_PASSWORDS = { owner: 'csp-hub-embedded-owner', app: 'csp-hub-embedded-app' } as const;

/** Tables the application role may read and append to, but never change. */
export const APPEND_ONLY_TABLES = ['audit_log'] as const;

/** The same URL with other credentials. */
export function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The role a URL connects as. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || process.env.PGUSER || 'postgres';
}

/** The one definition of the roles: the file an operator runs with psql (infra/postgres/roles.sql). */
export const ROLES_SQL_FILE = fileURLToPath(new URL('../../../infra/postgres/roles.sql', import.meta.url));

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Roles are shared by every database of a server: two set-ups at once may collide, and the later one retries. */
const COLLISIONS = new Set(['42710', '23505', 'XX000', '40P01']);

/**
 * On a server the hub manages, as its superuser: runs infra/postgres/roles.sql
 * in `database` (both roles with these passwords, the database and everything
 * in its public schema handed to the owner, CREATE taken from everyone else).
 * Idempotent. Returns the URLs of both roles.
 */
export async function setUpRoles(
  adminUrl: string,
  database: string,
  passwords: { owner: string; app: string } = EMBEDDED_ROLE_PASSWORDS,
): Promise<{ ownerUrl: string; appUrl: string }> {
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${encodeURIComponent(database)}`;
  const script = await readFile(ROLES_SQL_FILE, 'utf8');
  await withClient(databaseUrl.toString(), async (client) => {
    // psql's :'name' interpolation, done the same way: a quoted literal.
    const sql = script
      .split('\n')
      .filter((line) => !/^\s*\\/.test(line)) // psql meta-commands are psql's own
      .join('\n')
      .replaceAll(":'owner_password'", client.escapeLiteral(passwords.owner)).replaceAll(":'app_password'", client.escapeLiteral(passwords.app));
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || !code || !COLLISIONS.has(code)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
  return {
    ownerUrl: withCredentials(databaseUrl.toString(), OWNER_ROLE, passwords.owner),
    appUrl: withCredentials(databaseUrl.toString(), APP_ROLE, passwords.app),
  };
}

/**
 * Run as the owner after every migration: the application role may use every
 * table's rows and sequences, append to (never change) the audit log, read but
 * not change the migration history, and run the one maintenance function it
 * needs (csp_hub_analyze). Idempotent; new tables are covered by running it again.
 */
export async function grantAppRole(ownerUrl: string, appRole: string): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const app = client.escapeIdentifier(appRole);
    await client.query('begin');
    try {
      await client.query(`grant usage on schema public to ${app}`);
      await client.query(`grant select, insert, update, delete on all tables in schema public to ${app}`);
      for (const table of APPEND_ONLY_TABLES) await client.query(`revoke update, delete, truncate on ${client.escapeIdentifier(table)} from ${app}`);
      await client.query(`revoke insert, update, delete on mikro_orm_migrations from ${app}`);
      await client.query(`grant usage, select on all sequences in schema public to ${app}`);
      await client.query(`grant execute on function csp_hub_analyze(text) to ${app}`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * What the role the hub connects as may do that it should not: empty when it is
 * a proper application role. Checked at start (the hub refuses in production).
 */
export async function runtimeRoleProblems(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ role: string; superuser: boolean; owned: string[] | null; audit: boolean; create: boolean }>(`
    select current_user as role,
      (select rolsuper from pg_roles where rolname = current_user) as superuser,
      (select array_agg(c.relname::text order by c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and pg_has_role(current_user, c.relowner, 'USAGE')) as owned,
      (to_regclass('public.audit_log') is not null and (has_table_privilege('public.audit_log', 'UPDATE')
        or has_table_privilege('public.audit_log', 'DELETE') or has_table_privilege('public.audit_log', 'TRUNCATE'))) as audit,
      has_schema_privilege('public', 'CREATE') as create`);
  const row = r.rows[0]!;
  const problems: string[] = [];
  if (row.superuser) problems.push(`${row.role} is a superuser`);
  if (row.owned?.length) problems.push(`${row.role} owns ${row.owned.length} tables (e.g. ${row.owned.slice(0, 3).join(', ')}), so it can alter or drop them`);
  if (row.audit) problems.push(`${row.role} may update, delete or truncate audit_log`);
  if (row.create) problems.push(`${row.role} may create objects in the public schema (DDL)`);
  return problems;
}
