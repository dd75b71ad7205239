import type pg from 'pg';
import { isLocatedFeed } from '@csp-hub/taxonomy';

/**
 * An independent reading of docs/authorization.md, computed from the raw
 * tables: which records a user may list or only count, and which fields they
 * see on each. The tests compare the API against it; it shares no code with
 * packages/authz.
 */
export const BASE = ['id', 'submissionId', 'agencyId', 'feed', 'sourceCategory', 'category', 'occurredMonth', 'lsoaCode', 'wardCode', 'ladCode', 'areaMethod', 'tier'];
export const DETAIL = ['sourceRef', 'occurredAt', 'locationText', 'latitude', 'longitude', 'outcome', 'attributes'];
export const RESTRICTED = ['restrictedText'];
export const ALL_FIELDS = [...BASE, ...DETAIL, ...RESTRICTED];
/** Incident fields the GraphQL type exposes (submissionId is reached through `submission`). */
export const GRAPHQL_FIELDS = ALL_FIELDS.filter((f) => f !== 'submissionId');

const DATA_ROLES = new Set(['analyst', 'tasking_member', 'chair']);

export interface PolicyUser {
  id: number;
  email: string;
  agencyId: number;
  agencyType: string;
  partnershipId: number;
  ladCodes: string[];
  roles: string[];
}

export interface PolicyAgreement {
  id: number;
  title: string;
  providerId: number;
  datasets: string[];
  tier: 'personal' | 'pseudonymised' | 'public' | 'aggregate';
}

export interface RecordRow {
  id: number;
  agencyId: number;
  feed: string;
  ladCode: string | null;
  tier: string;
  month: string;
  outcome: string | null;
  restrictedText: string | null;
}

export interface RecordAccess {
  row: RecordRow;
  listable: boolean;
  countable: boolean;
  /** Fields shown when listable. */
  fields: Set<string>;
}

/** YYYY-MM-DD in Europe/London, `offsetDays` from today. */
export function londonDate(offsetDays = 0): string {
  const now = new Date(Date.now() + offsetDays * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export async function policyUser(pool: pg.Pool, email: string): Promise<PolicyUser> {
  const r = await pool.query<{ id: number; agency_id: number; type: string; partnership_id: number; lad_codes: string[]; roles: string[] }>(
    `select u.id, u.agency_id, a.type, u.partnership_id, p.lad_codes, u.roles
     from app_user u join agency a on a.id = u.agency_id join partnership p on p.id = u.partnership_id where u.email = $1`,
    [email],
  );
  const u = r.rows[0];
  if (!u) throw new Error(`no user ${email}`);
  return { id: u.id, email, agencyId: u.agency_id, agencyType: u.type, partnershipId: u.partnership_id, ladCodes: u.lad_codes, roles: u.roles };
}

/** Agreements that apply to the user today, by the four conditions of the policy. */
export async function applicableAgreements(pool: pg.Pool, user: PolicyUser): Promise<PolicyAgreement[]> {
  const rows = await pool.query<{
    id: number; title: string; provider_id: number; datasets: string[]; tier: PolicyAgreement['tier']; status: string;
    valid_from: string; valid_to: string; partnership_ids: number[]; recipient_agency_ids: number[]; recipient_agency_types: string[];
  }>(`select id, title, provider_id, datasets, tier, status, to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to,
        partnership_ids, recipient_agency_ids, recipient_agency_types from isp_agreement order by id`);
  const today = londonDate();
  return rows.rows
    .filter((a) => a.status === 'active' && a.valid_from <= today && today <= a.valid_to)
    .filter((a) => a.partnership_ids.includes(user.partnershipId))
    .filter((a) => a.recipient_agency_ids.includes(user.agencyId) || a.recipient_agency_types.includes(user.agencyType))
    .filter((a) => a.provider_id !== user.agencyId)
    .map((a) => ({ id: a.id, title: a.title, providerId: a.provider_id, datasets: a.datasets, tier: a.tier }));
}

export async function allRecords(pool: pg.Pool): Promise<RecordRow[]> {
  const rows = await pool.query<{ id: string; agency_id: number; feed: string; lad_code: string | null; tier: string; month: string; outcome: string | null; restricted_text: string | null }>(
    `select id, agency_id, feed, lad_code, tier, to_char(occurred_month, 'YYYY-MM') as month, outcome, restricted_text from incident`,
  );
  return rows.rows.map((r) => ({
    id: Number(r.id), agencyId: r.agency_id, feed: r.feed, ladCode: r.lad_code, tier: r.tier, month: r.month, outcome: r.outcome, restrictedText: r.restricted_text,
  }));
}

/** What the policy lets the user do with one record. */
export function accessTo(user: PolicyUser, agreements: PolicyAgreement[], row: RecordRow): RecordAccess {
  if (row.agencyId === user.agencyId) return { row, listable: true, countable: true, fields: new Set(ALL_FIELDS) };
  const result: RecordAccess = { row, listable: false, countable: false, fields: new Set() };
  if (!user.roles.some((r) => DATA_ROLES.has(r))) return result;
  for (const a of agreements) {
    if (a.providerId !== row.agencyId || !a.datasets.includes(row.feed)) continue;
    if (isLocatedFeed(row.feed) && (row.ladCode === null || !user.ladCodes.includes(row.ladCode))) continue;
    result.countable = true;
    const show = (fields: string[]) => {
      result.listable = true;
      for (const f of fields) result.fields.add(f);
    };
    if (a.tier === 'personal') show([...BASE, ...DETAIL]);
    else if (a.tier === 'pseudonymised') show(row.tier === 'personal' ? BASE : [...BASE, ...DETAIL]);
    else if (a.tier === 'public' && row.tier === 'public') show([...BASE, ...DETAIL]);
  }
  return result;
}

export interface UserView {
  user: PolicyUser;
  agreements: PolicyAgreement[];
  records: Map<number, RecordAccess>;
  /** Listable ids in API order: month desc, id desc. */
  listableOrdered(filter?: (r: RecordRow) => boolean): number[];
}

export async function userView(pool: pg.Pool, email: string): Promise<UserView> {
  const user = await policyUser(pool, email);
  const agreements = await applicableAgreements(pool, user);
  const records = new Map<number, RecordAccess>();
  for (const row of await allRecords(pool)) records.set(row.id, accessTo(user, agreements, row));
  return {
    user,
    agreements,
    records,
    listableOrdered(filter = () => true) {
      return [...records.values()]
        .filter((a) => a.listable && filter(a.row))
        .map((a) => a.row)
        .sort((x, y) => (x.month === y.month ? y.id - x.id : x.month < y.month ? 1 : -1))
        .map((r) => r.id);
    },
  };
}

/** Fields hidden on a listable record, in the API's field order. */
export function hiddenFieldsOf(access: RecordAccess): string[] {
  return ALL_FIELDS.filter((f) => !access.fields.has(f));
}
