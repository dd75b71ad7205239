import type pg from 'pg';
import type { EntityManager } from '@csp-hub/db';
import type { DataTier } from '@csp-hub/taxonomy';
import { buildAbility, type Grant, type HubAbility } from './ability';
import { appendAudit, appendAuditIn, type AuditRecord, type SqlExecutor } from './audit';
import type { CellKeyOptions } from './cell-key';
import { loadAccessFacts, londonToday } from './grants';
import { lookupValue, principalFromRow, principalSql, type Principal, type PrincipalRow, type UserLookup } from './principal';

/** Everything an authorized operation needs: who, what they may do and why, and where to audit. */
export interface AccessContext {
  principal: Principal;
  ability: HubAbility;
  grants: Grant[];
  partnershipAgencyIds: number[];
  db: pg.Pool;
  /** For agreement changes (MikroORM unit of work), forked per request. */
  em: EntityManager;
  requestId: string | null;
  /**
   * The hub's disclosure control (SDC_* settings): every aggregate over the relation perturbs with
   * it unless told otherwise, so one cell gets one published value from every output (a count,
   * a trend, a target). Absent: DEFAULT_CELL_KEY.
   */
  cellKey?: CellKeyOptions;
}

/** Builds the request's ability from the principal and today's agreements. */
export async function createAccessContext(
  db: pg.Pool,
  em: EntityManager,
  principal: Principal,
  requestId: string | null = null,
  today?: string,
): Promise<AccessContext> {
  const { grants, partnershipAgencyIds } = await loadAccessFacts(db, principal, today);
  return { principal, grants, partnershipAgencyIds, ability: buildAbility({ principal, grants, partnershipAgencyIds }), db, em, requestId };
}

/** The access query for each way of naming the user: same text but the user match. */
function accessSql(by: UserLookup['by']): string {
  return `with u as (${principalSql(by)})
     select u.*,
       (select coalesce(json_agg(json_build_object(
            'agreementId', g.id, 'title', g.title, 'providerAgencyId', g.provider_id, 'providerName', pr.name,
            'datasets', g.datasets, 'tier', g.tier, 'lawfulBasis', g.lawful_basis, 'validTo', to_char(g.valid_to, 'YYYY-MM-DD'))
            order by g.id), '[]'::json)
        from isp_agreement g join agency pr on pr.id = g.provider_id
        where g.status = 'active' and g.valid_from <= $2::date and g.valid_to >= $2::date
          and u.partnership_id = any(g.partnership_ids)
          and (u.agency_id = any(g.recipient_agency_ids) or u.agency_type = any(g.recipient_agency_types))
          and g.provider_id <> u.agency_id) as grants,
       (select array_agg(pa.agency_id order by pa.agency_id) from partnership_agency pa where pa.partnership_id = u.partnership_id) as partners
     from u`;
}

const ACCESS_STATEMENTS: Record<UserLookup['by'], { name: string; text: string }> = {
  id: { name: 'csp-hub-authenticate-access', text: accessSql('id') },
  email: { name: 'csp-hub-authenticate-access-email', text: accessSql('email') },
  subject: { name: 'csp-hub-authenticate-access-subject', text: accessSql('subject') },
};

/**
 * Authentication and authorization facts in one round trip: the user the
 * token names (by id, e-mail or identity-provider subject; checked active, and
 * for hub tokens in the token's partnership), the agreements in force for them
 * today and their partnership's agencies; then the ability. Unknown,
 * deactivated and partnership-less users are all USER_UNKNOWN.
 */
export async function authenticateUser(
  db: pg.Pool,
  em: EntityManager,
  lookup: UserLookup,
  requestId: string | null = null,
  today: string = londonToday(),
): Promise<AccessContext> {
  // A named statement per lookup: planned once per connection, then reused on every request.
  const statement = ACCESS_STATEMENTS[lookup.by];
  const rows = await db.query<PrincipalRow & { grants: RawGrant[]; partners: number[] | null }>({
    ...statement,
    values: [lookupValue(lookup), today],
  });
  const row = rows.rows[0];
  const principal = principalFromRow(row, lookup.by === 'id' ? lookup.tokenPartnershipId : null);
  const grants: Grant[] = row!.grants;
  const partnershipAgencyIds = row!.partners ?? [];
  return { principal, grants, partnershipAgencyIds, ability: buildAbility({ principal, grants, partnershipAgencyIds }), db, em, requestId };
}

/** authenticateUser for a hub token: the user id and the partnership the token was issued for. */
export function authenticateAccess(
  db: pg.Pool,
  em: EntityManager,
  userId: number,
  tokenPartnershipId: number,
  requestId: string | null = null,
  today: string = londonToday(),
): Promise<AccessContext> {
  return authenticateUser(db, em, { by: 'id', userId, tokenPartnershipId }, requestId, today);
}

type RawGrant = { agreementId: number; title: string; providerAgencyId: number; providerName: string; datasets: string[]; tier: DataTier; lawfulBasis: string; validTo: string };

/** What an audit entry says about the operation; who asked comes from the context. */
export type AuditEntryInput = Omit<AuditRecord, 'userId' | 'agencyId' | 'partnershipId' | 'roles' | 'requestId'>;

/** The full audit record for an entry made by the context's principal. */
export function withPrincipal(ctx: AccessContext, entry: AuditEntryInput): AuditRecord {
  return {
    ...entry,
    userId: ctx.principal.userId,
    agencyId: ctx.principal.agencyId,
    partnershipId: ctx.principal.partnershipId,
    roles: ctx.principal.roles,
    requestId: ctx.requestId,
  };
}

/** Writes an audit entry for this principal in a transaction of its own (audited reads). */
export function audit(ctx: AccessContext, entry: AuditEntryInput): Promise<number> {
  return appendAudit(ctx.db, withPrincipal(ctx, entry));
}

/** One write operation: its changes and its audit entry commit together, or neither does. */
export interface UnitOfWork {
  em: EntityManager;
  /** For an operator, `partnershipId` names the partnership the change concerns; a user's own is always used. */
  audit(entry: AuditEntryInput & { partnershipId?: number | null }): Promise<number>;
}

/**
 * Someone running the `csp-hub` CLI on the server without `--as`: the
 * operating-system account, trusted like the database owner it runs as.
 * Audited as `cli:<account>` with no hub user.
 */
export interface OperatorContext {
  /** e.g. cli:alice */
  operator: string;
  em: EntityManager;
  db: pg.Pool;
}

/** Who makes an administrative change: a hub user (their ability decides) or the CLI operator. */
export type Actor = AccessContext | OperatorContext;

export function isOperator(actor: Actor): actor is OperatorContext {
  return 'operator' in actor;
}

/** An operator's write: its changes and audit entries (actor `cli:<account>`) commit together. */
export function inOperatorUnitOfWork<T>(op: OperatorContext, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return op.em.transactional((em) =>
    fn({
      em,
      audit: ({ partnershipId, ...entry }) =>
        appendAuditIn(emExecutor(em), {
          ...entry,
          detail: { ...(entry.detail ?? {}), via: 'cli', by: op.operator },
          userId: null,
          agencyId: null,
          partnershipId: partnershipId ?? null,
          roles: [],
          requestId: null,
        }),
    }),
  );
}

/** A write by either kind of actor, in one transaction with its audit entries. */
export function inActorUnitOfWork<T>(actor: Actor, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return isOperator(actor) ? inOperatorUnitOfWork(actor, fn) : inUnitOfWork(actor, fn);
}

/** A MikroORM unit of work as an SqlExecutor: $n placeholders become knex bindings in the same transaction. */
export function emExecutor(em: EntityManager): SqlExecutor {
  return {
    async query<R extends object>(text: string, values: unknown[] = []) {
      const bound: unknown[] = [];
      const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
        bound.push(values[Number(n) - 1]);
        return '?';
      });
      return { rows: (await em.execute(sql, bound, 'all')) as R[] };
    },
  };
}

/**
 * Runs a write as one transaction on the ORM's pool: fn's changes (flushed by
 * the unit of work) and the audit entries it writes commit together; an audit
 * failure rolls the change back.
 */
export function inUnitOfWork<T>(ctx: AccessContext, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return ctx.em.transactional((em) =>
    fn({ em, audit: ({ partnershipId: _ignored, ...entry }) => appendAuditIn(emExecutor(em), withPrincipal(ctx, entry)) }),
  );
}
