import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { FEED_IDS, isLocatedFeed } from '@csp-hub/taxonomy';
import type { SigningKeys } from '@csp-hub/gateway';

/**
 * The peer: PostGraphile 4.14 over the same database and the same incident
 * table, with PostgreSQL row-level security expressing the visibility the hub
 * gives (docs/authorization.md, rows only):
 *  - own agency: every record of the user's agency;
 *  - through agreements in force today (London), for analysts, tasking members
 *    and chairs: the provider's agreed feeds, located feeds only in the
 *    partnership's districts, unlocated feeds whole; a public grant lists public
 *    records only, an aggregate grant lists nothing.
 * PostGraphile verifies the hub's own ES256 token and puts its claims in
 * `jwt.claims.sub` / `jwt.claims.pid` for the transaction; the policy reads the
 * user, partnership and agreements from the tables on every query, as the hub
 * does on every request. PostGraphile connects as a dedicated login role that
 * owns nothing, so the policy applies; the hub connects as the owner and is
 * unaffected. See docs/adr/0013-benchmarks-and-peer.md.
 */
export interface Peer {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  role: string;
  /** A pool connected as the peer's role (RLS applies), for SQL-level comparisons. */
  pool: pg.Pool;
  /**
   * Runs fn with the index the peer's page needs (see PEER_PAGE_INDEX), then
   * drops it again, so the hub is only ever measured on its own schema.
   * Returns what was done, for the report.
   */
  withPageIndex<T>(fn: () => Promise<T>): Promise<{ result: T; note: string }>;
  stop(): Promise<void>;
}

/**
 * The index a PostGraphile deployment adds for its page, `orderBy:
 * [OCCURRED_MONTH_DESC, ID_DESC]`: PostgreSQL reads the newest rows first and
 * stops after the page instead of sorting every visible row.
 */
export const PEER_PAGE_INDEX = 'create index incident_peer_page_idx on incident (occurred_month desc, id desc)';

const DATA_ROLES = ['analyst', 'tasking_member', 'chair'];

function literalArray(values: string[]): string {
  return `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

/** The RLS policy and its helper functions (schema peer_rls, not exposed by PostGraphile). */
export function peerRlsSql(role: string): string[] {
  const r = `"${role}"`;
  const unlocated = literalArray(FEED_IDS.filter((f) => !isLocatedFeed(f)));
  const dataRoles = literalArray(DATA_ROLES);
  const grants = `
    select g.provider_id, g.datasets, g.tier, u.lad_codes
    from peer_rls.principal() u
    join isp_agreement g
      on g.status = 'active'
     and g.valid_from <= (now() at time zone 'Europe/London')::date
     and g.valid_to >= (now() at time zone 'Europe/London')::date
     and u.partnership_id = any(g.partnership_ids)
     and (u.agency_id = any(g.recipient_agency_ids) or u.agency_type = any(g.recipient_agency_types))
     and g.provider_id <> u.agency_id
    where u.data_role and g.tier <> 'aggregate'`;
  const tiers = `unnest(case g.tier when 'public' then array['public'] else array['public', 'pseudonymised', 'personal'] end) t(tier)`;
  return [
    `create schema peer_rls`,
    // The verified token's user, active and in the token's partnership; nothing otherwise.
    `create function peer_rls.principal()
       returns table (agency_id int, agency_type text, partnership_id int, lad_codes text[], data_role boolean)
       language sql stable security definer set search_path = pg_catalog, public as $$
       select a.id, a.type, p.id, p.lad_codes, u.roles && ${dataRoles}
       from app_user u join agency a on a.id = u.agency_id join partnership p on p.id = u.partnership_id
       where u.id = nullif(current_setting('jwt.claims.sub', true), '')::int
         and p.id = nullif(current_setting('jwt.claims.pid', true), '')::int
         and u.active
     $$`,
    // (provider, feed, district, record tier) the user may list through agreements, located feeds.
    `create function peer_rls.located_scopes()
       returns table (agency_id int, feed text, lad_code text, tier text)
       language sql stable security definer set search_path = pg_catalog, public as $$
       select g.provider_id, f.feed, l.lad_code, t.tier
       from (${grants}) g
       cross join unnest(g.datasets) f(feed)
       cross join unnest(g.lad_codes) l(lad_code)
       cross join ${tiers}
       where f.feed <> all(${unlocated})
     $$`,
    // (provider, feed, record tier) for feeds without a place, shared whole.
    `create function peer_rls.unlocated_scopes()
       returns table (agency_id int, feed text, tier text)
       language sql stable security definer set search_path = pg_catalog, public as $$
       select g.provider_id, f.feed, t.tier
       from (${grants}) g
       cross join unnest(g.datasets) f(feed)
       cross join ${tiers}
       where f.feed = any(${unlocated})
     $$`,
    `revoke all on schema peer_rls from public`,
    `grant usage on schema peer_rls to ${r}`,
    `grant execute on all functions in schema peer_rls to ${r}`,
    `grant usage on schema public to ${r}`,
    `grant select on incident to ${r}`,
    `alter table incident enable row level security`,
    // Uncorrelated subqueries: PostgreSQL evaluates each once per query (an InitPlan and two hashed SubPlans).
    `create policy peer_incident_read on incident for select to ${r} using (
       agency_id = (select p.agency_id from peer_rls.principal() p)
       or (agency_id, feed, lad_code, tier) in (select s.agency_id, s.feed, s.lad_code, s.tier from peer_rls.located_scopes() s)
       or (agency_id, feed, tier) in (select s.agency_id, s.feed, s.tier from peer_rls.unlocated_scopes() s)
     )`,
  ];
}

/** The peer's login role for a bench database (roles are cluster-wide, so it is named after the database). */
export function peerRoleFor(database: string): string {
  return `${database}_peer`.slice(0, 63);
}

/**
 * Creates the peer's role (cluster-wide, so named after the bench database) and
 * its policy in the database at `url` (as the owner), then starts PostGraphile on
 * a free loopback port with a pool of `poolSize` connections as that role.
 */
export async function startPeer(url: string, keys: SigningKeys, poolSize: number): Promise<Peer> {
  const owner = new URL(url);
  const database = decodeURIComponent(owner.pathname.slice(1));
  const role = peerRoleFor(database);
  const password = randomBytes(18).toString('base64url');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create role "${role}" login password '${password}' nosuperuser nocreatedb nocreaterole noinherit nobypassrls`);
    await admin.query(`grant connect on database "${database}" to "${role}"`);
    await admin.query('begin');
    for (const statement of peerRlsSql(role)) await admin.query(statement);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await admin.end();
  }
  const peerUrl = new URL(url);
  peerUrl.username = role;
  peerUrl.password = password;
  const pool = new pg.Pool({ connectionString: peerUrl.toString(), max: poolSize });
  const handler = postgraphile(pool, 'public', {
    jwtPublicKey: keys.verifying.get(null)!,
    jwtVerifyOptions: { algorithms: [keys.algorithm], issuer: keys.issuer, audience: keys.audience, clockTolerance: 5 },
    ignoreRBAC: false,
    disableDefaultMutations: true,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    legacyRelations: 'omit',
    disableQueryLog: true,
    graphiql: false,
    watchPg: false,
    retryOnInitFail: false,
    enableQueryBatching: false,
    showErrorStack: false,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    role,
    pool,
    async withPageIndex(fn) {
      const owner = new pg.Client({ connectionString: url });
      await owner.connect();
      try {
        const existing = await owner.query<{ indexname: string }>(
          `select indexname from pg_indexes where schemaname = 'public' and tablename = 'incident' and indexdef ~ '\\(occurred_month( DESC)?, id( DESC)?\\)'`,
        );
        if (existing.rows.length > 0) {
          return { result: await fn(), note: `the hub's schema already has ${existing.rows[0]!.indexname} on (occurred_month, id): nothing added for the peer` };
        }
        const t0 = process.hrtime.bigint();
        await owner.query(PEER_PAGE_INDEX);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        try {
          return { result: await fn(), note: `peer runs with index incident (occurred_month desc, id desc), built in ${seconds.toFixed(1)} s for its runs only and dropped after them` };
        } finally {
          await owner.query('drop index incident_peer_page_idx');
        }
      } finally {
        await owner.end();
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.release();
      await pool.end();
    },
  };
}

/** Drops the peer's role once its database is gone (roles outlive databases). */
export async function dropPeerRole(adminUrl: string, role: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop role if exists "${role}"`);
  } finally {
    await admin.end();
  }
}
