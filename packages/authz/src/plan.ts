import { subject as asSubject } from '@casl/ability';
import { DATA_TIERS, FEED_IDS, HubError, type DataTier } from '@csp-hub/taxonomy';
import { agreementIdOfReason, type HubAbility } from './ability';
import { ALL_INCIDENT_FIELDS, type IncidentField } from './fields';

/**
 * The access plan: what an ability allows on incidents, worked out once per
 * ability by asking the ability itself (CASL `can`, per field) over the finite
 * set of things its rules can tell apart — the agencies its rules name, every
 * feed, the principal's districts (plus "no district" and "elsewhere") and the
 * four record tiers. The result is a list of disjoint scopes (an agency, a feed
 * or every feed, a district or every district), each saying per record tier
 * whether records may be listed or counted, which fields show, which may be
 * grouped on, and which agreements grant each. Every read of shared data (the
 * authorized relation, explainAccess, the audit of which agreement showed what)
 * is built from this plan, so none of them can drift from the ability.
 */

export interface TierAccess {
  /** Records of this tier may be listed (read row by row). */
  list: boolean;
  /** Records of this tier may be counted. */
  count: boolean;
  /** Fields shown on a listed record. */
  readFields: IncidentField[];
  /** Fields a count may group on. */
  countFields: IncidentField[];
  /** Per shown field, the agreements that show it (none for the own agency). */
  readBy: Partial<Record<IncidentField, number[]>>;
  /** Agreements that let these records be counted. */
  countBy: number[];
}

export type LadScope = { kind: 'any' } | { kind: 'code'; code: string } | { kind: 'none' };

export interface Scope {
  /** Position in the plan (stable for one ability). */
  index: number;
  agencyId: number;
  /** null: every feed. */
  feed: string | null;
  lad: LadScope;
  tiers: Record<DataTier, TierAccess>;
}

export interface AccessPlan {
  scopes: Scope[];
}

const ELSEWHERE_FEED = '\u0000elsewhere';
const ELSEWHERE_LAD = '\u0000elsewhere';

const NO_ACCESS: TierAccess = { list: false, count: false, readFields: [], countFields: [], readBy: {}, countBy: [] };

function unsupported(message: string): HubError {
  return new HubError('other', 'AUTHZ_UNSUPPORTED_RULE', `authorization plan: ${message}`);
}

/** Agencies the Incident rules can match; a rule without an agency condition cannot be planned (it would match any agency). */
function ruleAgencies(ability: HubAbility): number[] {
  const agencies = new Set<number>();
  for (const action of ['read', 'aggregate'] as const) {
    for (const rule of ability.rulesFor(action, 'Incident')) {
      if (rule.inverted) throw unsupported('forbidding rules are not supported on Incident');
      const value = (rule.conditions as Record<string, unknown> | undefined)?.agencyId;
      if (typeof value === 'number') agencies.add(value);
      else if (value && typeof value === 'object' && Array.isArray((value as { $in?: unknown }).$in)) {
        for (const id of (value as { $in: unknown[] }).$in) agencies.add(Number(id));
      } else throw unsupported('every Incident rule must name the agency (agencyId or agencyId $in)');
    }
  }
  return [...agencies].sort((a, b) => a - b);
}

function agreementsOf(rules: ReturnType<HubAbility['rulesFor']>, object: { agencyId: number; feed: string; ladCode: string | null; tier: string }): number[] {
  const ids = new Set<number>();
  for (const rule of rules) {
    if (!rule.matchesConditions(asSubject('Incident', { ...object }))) continue;
    const id = agreementIdOfReason(rule.reason);
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

function tierAccess(ability: HubAbility, agencyId: number, feed: string, ladCode: string | null, tier: DataTier): TierAccess {
  const object = { agencyId, feed, ladCode, tier };
  const row = asSubject('Incident', { ...object });
  const list = ability.can('read', row);
  const count = ability.can('aggregate', row);
  if (!list && !count) return NO_ACCESS;
  const readFields = list ? ALL_INCIDENT_FIELDS.filter((f) => ability.can('read', row, f)) : [];
  const countFields = count ? ALL_INCIDENT_FIELDS.filter((f) => ability.can('aggregate', row, f)) : [];
  const readBy: Partial<Record<IncidentField, number[]>> = {};
  for (const f of readFields) readBy[f] = agreementsOf(ability.rulesFor('read', 'Incident', f), object);
  return { list, count, readFields, countFields, readBy, countBy: agreementsOf(ability.rulesFor('aggregate', 'Incident'), object) };
}

type Tiers = Record<DataTier, TierAccess>;

function tiersAt(ability: HubAbility, agencyId: number, feed: string, ladCode: string | null): Tiers {
  return Object.fromEntries(DATA_TIERS.map((t) => [t, tierAccess(ability, agencyId, feed, ladCode, t)])) as Tiers;
}

const isEmpty = (tiers: Tiers): boolean => DATA_TIERS.every((t) => !tiers[t].list && !tiers[t].count);
const signature = (tiers: Tiers): string => JSON.stringify(tiers);

/** Builds the plan for an ability and the principal's districts (cached per ability). */
export function accessPlan(ability: HubAbility, ladCodes: readonly string[]): AccessPlan {
  const cached = planCache.get(ability);
  if (cached) return cached;
  const scopes: Omit<Scope, 'index'>[] = [];
  const lads: (string | null)[] = [...ladCodes, null, ELSEWHERE_LAD];
  for (const agencyId of ruleAgencies(ability)) {
    const feeds = [...FEED_IDS, ELSEWHERE_FEED];
    const grid = feeds.map((feed) => lads.map((lad) => tiersAt(ability, agencyId, feed, lad)));
    const signatures = grid.map((row) => row.map(signature));
    const first = signatures[0]![0]!;
    if (signatures.every((row) => row.every((s) => s === first))) {
      if (!isEmpty(grid[0]![0]!)) scopes.push({ agencyId, feed: null, lad: { kind: 'any' }, tiers: grid[0]![0]! });
      continue;
    }
    const elsewhereFeed = grid[feeds.length - 1]!;
    if (elsewhereFeed.some((t) => !isEmpty(t))) throw unsupported(`agency ${agencyId}: a rule matches every feed but not uniformly`);
    feeds.slice(0, -1).forEach((feed, f) => {
      const row = grid[f]!;
      const sigs = signatures[f]!;
      if (sigs.every((s) => s === sigs[0])) {
        if (!isEmpty(row[0]!)) scopes.push({ agencyId, feed, lad: { kind: 'any' }, tiers: row[0]! });
        return;
      }
      if (!isEmpty(row[lads.length - 1]!)) throw unsupported(`agency ${agencyId} ${feed}: a rule matches every district but not uniformly`);
      lads.slice(0, -1).forEach((lad, l) => {
        if (isEmpty(row[l]!)) return;
        scopes.push({ agencyId, feed, lad: lad === null ? { kind: 'none' } : { kind: 'code', code: lad }, tiers: row[l]! });
      });
    });
  }
  for (const scope of scopes) {
    for (const t of DATA_TIERS) {
      const access = scope.tiers[t];
      // The page order and cursor use the month and id: they must show wherever a record is listed.
      if (access.list && (!access.readFields.includes('id') || !access.readFields.includes('occurredMonth'))) {
        throw unsupported(`agency ${scope.agencyId}: records listed without their id or month`);
      }
    }
  }
  const plan: AccessPlan = { scopes: scopes.map((s, index) => ({ ...s, index })) };
  planCache.set(ability, plan);
  return plan;
}

const planCache = new WeakMap<HubAbility, AccessPlan>();

/** Tiers whose records a scope lists. */
export function listTiers(scope: Scope): DataTier[] {
  return DATA_TIERS.filter((t) => scope.tiers[t].list);
}

/** Tiers whose records a scope counts. */
export function countTiers(scope: Scope): DataTier[] {
  return DATA_TIERS.filter((t) => scope.tiers[t].count);
}
