import type pg from 'pg';
import { FEEDS } from '@csp-hub/taxonomy';

/**
 * An independent reading of docs/authorization.md ("the policy"), written for
 * the authorization-matrix test. It reads the raw tables with SQL and decides,
 * record by record, what a user may list, count and see. It deliberately shares
 * no code with @csp-hub/authz.
 */

/** Field groups, as the policy's table lists them. */
export const BASE_FIELDS = [
  'id', 'submissionId', 'agencyId', 'feed', 'sourceCategory', 'category', 'occurredMonth',
  'lsoaCode', 'wardCode', 'ladCode', 'areaMethod', 'tier',
] as const;
export const DETAIL_FIELDS = ['sourceRef', 'occurredAt', 'locationText', 'latitude', 'longitude', 'outcome', 'attributes'] as const;
export const RESTRICTED_FIELDS = ['restrictedText'] as const;
export type Field = (typeof BASE_FIELDS)[number] | (typeof DETAIL_FIELDS)[number] | (typeof RESTRICTED_FIELDS)[number];
export const ALL_FIELDS: readonly Field[] = [...BASE_FIELDS, ...DETAIL_FIELDS, ...RESTRICTED_FIELDS];

/** Roles that receive partners' records through agreements (policy, "What a user sees", 2). */
export const SHARING_ROLES = new Set(['analyst', 'tasking_member', 'chair']);
/** Feeds that carry no place: shared whole (policy names health.istv). */
export const PLACELESS_FEEDS = new Set(['health.istv']);

export interface RawIncident {
  id: string;
  submissionId: string;
  agencyId: number;
  feed: string;
  sourceRef: string | null;
  sourceCategory: string;
  category: string;
  occurredMonth: string;
  occurredAt: Date | null;
  locationText: string | null;
  lsoaCode: string | null;
  wardCode: string | null;
  ladCode: string | null;
  areaMethod: string;
  latitude: number | null;
  longitude: number | null;
  outcome: string | null;
  tier: string;
  attributes: Record<string, unknown>;
  restrictedText: string | null;
  /** Disclosure control: the record's random key 0..255 (cell key = sum of a cell's record keys mod 256). */
  recordKey: number;
}

export interface RawAgreement {
  id: number;
  title: string;
  status: string;
  validFrom: string;
  validTo: string;
  partnershipIds: number[];
  providerId: number;
  datasets: string[];
  recipientAgencyIds: number[];
  recipientAgencyTypes: string[];
  tier: string;
}

export interface RawUser {
  id: number;
  email: string;
  agencyId: number;
  agencyCode: string;
  agencyType: string;
  partnershipId: number;
  ladCodes: string[];
  partnerAgencyIds: number[];
  roles: string[];
}

export interface RawAgency {
  id: number;
  code: string;
  type: string;
}

export interface World {
  incidents: RawIncident[];
  incidentById: Map<string, RawIncident>;
  agencies: Map<number, RawAgency>;
  agencyIdByCode: Map<string, number>;
  users: Map<string, RawUser>;
}

export async function loadIncidents(pool: pg.Pool): Promise<RawIncident[]> {
  const { rows } = await pool.query<RawIncident>(
    `select id::text as "id", submission_id::text as "submissionId", agency_id as "agencyId", feed,
            source_ref as "sourceRef", source_category as "sourceCategory", category,
            to_char(occurred_month, 'YYYY-MM') as "occurredMonth", occurred_at as "occurredAt",
            location_text as "locationText", lsoa_code as "lsoaCode", ward_code as "wardCode", lad_code as "ladCode",
            area_method as "areaMethod", latitude, longitude, outcome, tier, attributes, restricted_text as "restrictedText",
            record_key as "recordKey"
       from incident where retired_at is null order by id`,
  );
  return rows;
}

export async function loadAgreements(pool: pg.Pool): Promise<RawAgreement[]> {
  const { rows } = await pool.query<RawAgreement>(
    `select id, title, status, to_char(valid_from, 'YYYY-MM-DD') as "validFrom", to_char(valid_to, 'YYYY-MM-DD') as "validTo",
            partnership_ids as "partnershipIds", provider_id as "providerId", datasets,
            recipient_agency_ids as "recipientAgencyIds", recipient_agency_types as "recipientAgencyTypes", tier
       from isp_agreement order by id`,
  );
  return rows;
}

export async function loadWorld(pool: pg.Pool): Promise<World> {
  const incidents = await loadIncidents(pool);
  const agencies = (await pool.query<RawAgency>('select id, code, type from agency')).rows;
  const users = (
    await pool.query<RawUser>(
      `select u.id, u.email, u.agency_id as "agencyId", a.code as "agencyCode", a.type as "agencyType",
              u.partnership_id as "partnershipId", p.lad_codes as "ladCodes", u.roles,
              array(select pa.agency_id from partnership_agency pa where pa.partnership_id = p.id) as "partnerAgencyIds"
         from app_user u join agency a on a.id = u.agency_id join partnership p on p.id = u.partnership_id`,
    )
  ).rows;
  return {
    incidents,
    incidentById: new Map(incidents.map((i) => [i.id, i])),
    agencies: new Map(agencies.map((a) => [a.id, a])),
    agencyIdByCode: new Map(agencies.map((a) => [a.code, a.id])),
    users: new Map(users.map((u) => [u.email, u])),
  };
}

/** Today's calendar date in Europe/London, YYYY-MM-DD. */
export function londonDate(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The policy's filter on base fields (plus outcome, guarded by its visibility). Categories are the stored (lower-case) values. */
export interface Filter {
  monthFrom?: string;
  monthTo?: string;
  categories?: string[];
  feeds?: string[];
  agencyIds?: number[];
  ladCodes?: string[];
  wardCodes?: string[];
  lsoaCodes?: string[];
  outcome?: string;
}

export interface Verdict {
  /** The record is listed (incidents, incident, incidentCount, export). */
  listed: boolean;
  /** The record is counted by incidentCounts (listed, or held at aggregate tier). */
  countable: boolean;
  /** Fields shown when listed. */
  visible: ReadonlySet<Field>;
}

const NOTHING: Verdict = { listed: false, countable: false, visible: new Set() };
const EVERYTHING: ReadonlySet<Field> = new Set(ALL_FIELDS);
const BASE_AND_DETAIL: ReadonlySet<Field> = new Set<Field>([...BASE_FIELDS, ...DETAIL_FIELDS]);

/** What one user may do with each record, given the agreements as they stand now. */
export class Oracle {
  readonly applicable: RawAgreement[];
  private readonly cache = new Map<string, Verdict>();

  constructor(
    readonly user: RawUser,
    agreements: RawAgreement[],
    readonly today: string = londonDate(),
  ) {
    this.applicable = agreements.filter(
      (a) =>
        a.status === 'active' &&
        a.validFrom <= today &&
        today <= a.validTo &&
        a.partnershipIds.includes(user.partnershipId) &&
        (a.recipientAgencyIds.includes(user.agencyId) || a.recipientAgencyTypes.includes(user.agencyType)) &&
        a.providerId !== user.agencyId,
    );
  }

  get receivesSharedData(): boolean {
    return this.user.roles.some((r) => SHARING_ROLES.has(r));
  }

  /** The verdict for a record not in the world (no caching by id). */
  judgeFresh(r: RawIncident): Verdict {
    return this.decide(r);
  }

  judge(r: RawIncident): Verdict {
    const hit = this.cache.get(r.id);
    if (hit) return hit;
    const verdict = this.decide(r);
    this.cache.set(r.id, verdict);
    return verdict;
  }

  private decide(r: RawIncident): Verdict {
    if (r.agencyId === this.user.agencyId) return { listed: true, countable: true, visible: EVERYTHING };
    if (!this.receivesSharedData) return NOTHING;
    let listed = false;
    let countable = false;
    const visible = new Set<Field>();
    for (const a of this.applicable) {
      if (a.providerId !== r.agencyId || !a.datasets.includes(r.feed)) continue;
      const inScope = PLACELESS_FEEDS.has(r.feed) || (r.ladCode !== null && this.user.ladCodes.includes(r.ladCode));
      if (!inScope) continue;
      switch (a.tier) {
        case 'personal':
          listed = true;
          countable = true;
          for (const f of BASE_AND_DETAIL) visible.add(f);
          break;
        case 'pseudonymised':
          listed = true;
          countable = true;
          for (const f of BASE_FIELDS) visible.add(f);
          if (r.tier === 'public' || r.tier === 'pseudonymised') for (const f of DETAIL_FIELDS) visible.add(f);
          break;
        case 'public':
          if (r.tier === 'public') {
            listed = true;
            countable = true;
            for (const f of BASE_AND_DETAIL) visible.add(f);
          }
          break;
        case 'aggregate':
          countable = true;
          break;
        default:
          throw new Error(`oracle: unknown agreement tier ${a.tier}`);
      }
    }
    return { listed, countable, visible: listed ? visible : new Set() };
  }

  /** The filter, with outcome matching only where the user may see the outcome. */
  matches(r: RawIncident, f: Filter): boolean {
    if (!matchesBaseFields(r, f)) return false;
    if (f.outcome !== undefined && !(this.judge(r).visible.has('outcome') && r.outcome === f.outcome)) return false;
    return true;
  }

  /** Records `incidents` lists under the filter, in the policy's order: newest month first, then id descending. */
  listed(incidents: RawIncident[], f: Filter): RawIncident[] {
    return incidents
      .filter((r) => this.matches(r, f) && this.judge(r).listed)
      .sort((a, b) => (a.occurredMonth === b.occurredMonth ? compareIds(b.id, a.id) : a.occurredMonth < b.occurredMonth ? 1 : -1));
  }

  countable(incidents: RawIncident[], f: Filter): RawIncident[] {
    return incidents.filter((r) => this.matches(r, f) && this.judge(r).countable);
  }
}

/** The filter on base fields only (outcome not applied). */
export function matchesBaseFields(r: RawIncident, f: Filter): boolean {
  if (f.monthFrom && r.occurredMonth < f.monthFrom) return false;
  if (f.monthTo && r.occurredMonth > f.monthTo) return false;
  if (f.categories && !f.categories.includes(r.category)) return false;
  if (f.feeds && !f.feeds.includes(r.feed)) return false;
  if (f.agencyIds && !f.agencyIds.includes(r.agencyId)) return false;
  if (f.ladCodes && (r.ladCode === null || !f.ladCodes.includes(r.ladCode))) return false;
  if (f.wardCodes && (r.wardCode === null || !f.wardCodes.includes(r.wardCode))) return false;
  if (f.lsoaCodes && (r.lsoaCode === null || !f.lsoaCodes.includes(r.lsoaCode))) return false;
  return true;
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export type GroupKey = 'category' | 'sourceCategory' | 'month' | 'feed' | 'ladCode' | 'wardCode' | 'lsoaCode';

export function groupValue(r: RawIncident, key: GroupKey): string {
  const v = {
    category: r.category,
    sourceCategory: r.sourceCategory,
    month: r.occurredMonth,
    feed: r.feed,
    ladCode: r.ladCode,
    wardCode: r.wardCode,
    lsoaCode: r.lsoaCode,
  }[key];
  return v ?? '(none)';
}

export interface ExpectedTable {
  agencyId: number;
  /**
   * The reader may only count some records this read could reach from the provider (decided by their access,
   * never by the data): every count of the table is then perturbed.
   */
  controlled: boolean;
  /** key "a|b" -> the record keys of the records in the cell (non-empty combinations only). */
  cells: Map<string, number[]>;
  rowTotals: Map<string, number[]>;
  columnTotals: Map<string, number[]>;
  total: number[];
}

/** Record tiers, and a district no partnership has: the synthetic records the access test is asked about. */
const TIERS = ['public', 'aggregate', 'pseudonymised', 'personal'] as const;
const ELSEWHERE = 'W06999999';

/**
 * Whether the reader's access to a provider, within the filter, includes records it may count but not list:
 * asked of the policy on synthetic records (every feed of the provider's type the filter allows, every district
 * the filter allows among the reader's, none and elsewhere, every tier), never of the data.
 */
export function controlledAccess(oracle: Oracle, provider: RawAgency, f: Filter): boolean {
  if (f.agencyIds && !f.agencyIds.includes(provider.id)) return false;
  const feeds = Object.entries(FEEDS).filter(([id, feed]) => feed.agencyType === provider.type && (!f.feeds || f.feeds.includes(id))).map(([id]) => id);
  const lads = [...oracle.user.ladCodes, null, ELSEWHERE].filter((l) => !f.ladCodes || (l !== null && f.ladCodes.includes(l)));
  let n = 0;
  for (const feed of feeds) {
    for (const ladCode of lads) {
      for (const tier of TIERS) {
        const probe = { id: `probe-${provider.id}-${n++}`, agencyId: provider.id, feed, ladCode, tier } as RawIncident;
        const v = oracle.judgeFresh(probe);
        if (v.countable && !v.listed && f.outcome === undefined) return true;
      }
    }
  }
  return false;
}

/** Per provider: the records of each cell the user may count, and whether the table is controlled. */
export function expectedCounts(oracle: Oracle, incidents: RawIncident[], groupBy: GroupKey[], f: Filter, agencies: Map<number, RawAgency>): ExpectedTable[] {
  const byProvider = new Map<number, RawIncident[]>();
  for (const r of oracle.countable(incidents, f)) byProvider.set(r.agencyId, [...(byProvider.get(r.agencyId) ?? []), r]);
  const add = (m: Map<string, number[]>, k: string, key: number) => m.set(k, [...(m.get(k) ?? []), key]);
  return [...byProvider.entries()]
    .sort(([a], [b]) => a - b)
    .map(([agencyId, rows]) => {
      const cells = new Map<string, number[]>();
      const rowTotals = new Map<string, number[]>();
      const columnTotals = new Map<string, number[]>();
      for (const r of rows) {
        const keys = groupBy.map((g) => groupValue(r, g));
        add(cells, keys.join('|'), r.recordKey);
        if (groupBy.length === 2) {
          add(rowTotals, keys[0]!, r.recordKey);
          add(columnTotals, keys[1]!, r.recordKey);
        }
      }
      const controlled = controlledAccess(oracle, agencies.get(agencyId)!, f);
      return { agencyId, controlled, cells, rowTotals, columnTotals, total: rows.map((r) => r.recordKey) };
    });
}
