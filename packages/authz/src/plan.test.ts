import { createMongoAbility, subject } from '@casl/ability';
import { DATA_TIERS, FEED_IDS, isLocatedFeed, type DataTier, type Role } from '@csp-hub/taxonomy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAbility, DATA_ROLES, type Grant, type HubAbility } from './ability';
import { ALL_INCIDENT_FIELDS, BASE_FIELDS, DETAIL_FIELDS } from './fields';
import { accessPlan, type Scope } from './plan';
import type { Principal } from './principal';

/**
 * The access plan is the rule compiler for incidents: every read of shared data
 * is built from its scopes. For generated principals and agreements, the plan
 * must say for every record (agency, feed, district, tier) exactly what the
 * CASL ability says — listed, counted, which fields — and name exactly the
 * agreements an independent reading of the policy (docs/authorization.md)
 * names; and its scopes must never overlap.
 */

const OWN = 1;
const PARTNERS = [2, 3, 4];
/** An agency no agreement names. */
const STRANGER = 5;
const DISTRICTS = ['E07000129', 'E07000130'];
/** A district outside the partnership, and no district at all. */
const LADS = [...DISTRICTS, 'E07000131', null];
const GRANT_TIERS: DataTier[] = ['public', 'aggregate', 'pseudonymised', 'personal'];
const ROLES: Role[] = ['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor', 'data_owner'];

function principalWith(roles: Role[]): Principal {
  return {
    userId: 10,
    displayName: 'Test User',
    agencyId: OWN,
    agencyCode: 'own',
    agencyName: 'Own agency',
    agencyType: 'council',
    partnershipId: 1,
    partnershipCode: 'P1',
    partnershipName: 'Test partnership',
    ladCodes: DISTRICTS,
    roles,
  };
}

const grant: fc.Arbitrary<Grant> = fc.record({
  agreementId: fc.integer({ min: 1, max: 40 }),
  title: fc.constant('agreement'),
  providerAgencyId: fc.constantFrom(...PARTNERS),
  providerName: fc.constant('provider'),
  datasets: fc.uniqueArray(fc.constantFrom(...FEED_IDS), { minLength: 1, maxLength: 4 }),
  tier: fc.constantFrom(...GRANT_TIERS),
  lawfulBasis: fc.constant('s115 Crime and Disorder Act 1998'),
  validTo: fc.constant('2099-12-31'),
});

const facts = fc.record({
  roles: fc.uniqueArray(fc.constantFrom(...ROLES), { minLength: 1, maxLength: 3 }),
  grants: fc.uniqueArray(grant, { maxLength: 5, selector: (g) => g.agreementId }),
});

/** The policy read independently: which agreements let this record be counted, and which show each detail field. */
function expectedAccess(roles: Role[], grants: Grant[], agencyId: number, feed: string, lad: string | null, tier: DataTier) {
  if (agencyId === OWN) return { list: true, count: true, countBy: [] as number[], detailBy: [] as number[], own: true };
  const receives = roles.some((r) => (DATA_ROLES as readonly string[]).includes(r));
  const applying = receives
    ? grants.filter((g) => g.providerAgencyId === agencyId && g.datasets.includes(feed as never) && (!isLocatedFeed(feed) || (lad !== null && DISTRICTS.includes(lad))))
    : [];
  const listing = applying.filter((g) => g.tier === 'personal' || g.tier === 'pseudonymised' || (g.tier === 'public' && tier === 'public'));
  const counting = applying.filter((g) => g.tier !== 'public' || tier === 'public');
  const detail = applying.filter((g) => g.tier === 'personal' || (g.tier === 'pseudonymised' && (tier === 'public' || tier === 'pseudonymised')) || (g.tier === 'public' && tier === 'public'));
  const ids = (list: Grant[]) => list.map((g) => g.agreementId).sort((a, b) => a - b);
  return { list: listing.length > 0, count: counting.length > 0, countBy: ids(counting), detailBy: ids(detail), own: false };
}

function scopesFor(scopes: Scope[], agencyId: number, feed: string, lad: string | null): Scope[] {
  return scopes.filter(
    (s) =>
      s.agencyId === agencyId &&
      (s.feed === null || s.feed === feed) &&
      (s.lad.kind === 'any' || (s.lad.kind === 'none' ? lad === null : s.lad.code === lad)),
  );
}

describe('access plan (the rule compiler for incidents)', () => {
  it('agrees with the CASL ability and with the written policy on every record, and its scopes never overlap', () => {
    fc.assert(
      fc.property(facts, ({ roles, grants }) => {
        const principal = principalWith(roles);
        const ability = buildAbility({ principal, grants, partnershipAgencyIds: [OWN, ...PARTNERS] });
        const plan = accessPlan(ability, principal.ladCodes);
        for (const agencyId of [OWN, ...PARTNERS, STRANGER]) {
          for (const feed of FEED_IDS) {
            for (const lad of LADS) {
              const matching = scopesFor(plan.scopes, agencyId, feed, lad);
              expect(matching.length).toBeLessThanOrEqual(1);
              for (const tier of DATA_TIERS) {
                const row = subject('Incident', { agencyId, feed, ladCode: lad, tier });
                const access = matching[0]?.tiers[tier];
                const expected = expectedAccess(roles, grants, agencyId, feed, lad, tier);
                // The plan against CASL itself.
                expect(access?.list ?? false).toBe(ability.can('read', row));
                expect(access?.count ?? false).toBe(ability.can('aggregate', row));
                expect(access?.readFields ?? []).toEqual(ability.can('read', row) ? ALL_INCIDENT_FIELDS.filter((f) => ability.can('read', row, f)) : []);
                expect(access?.countFields ?? []).toEqual(ability.can('aggregate', row) ? ALL_INCIDENT_FIELDS.filter((f) => ability.can('aggregate', row, f)) : []);
                // The plan against the policy as written.
                expect(access?.list ?? false).toBe(expected.list);
                expect(access?.count ?? false).toBe(expected.count);
                if (!access) continue;
                expect(access.countBy).toEqual(expected.countBy);
                if (expected.own) {
                  expect(access.readFields).toEqual(ALL_INCIDENT_FIELDS);
                } else {
                  // Restricted text never leaves the providing agency; detail shows where some agreement shows it.
                  expect(access.readFields).not.toContain('restrictedText');
                  expect(access.countFields.every((f) => access.list ? true : BASE_FIELDS.includes(f as never))).toBe(true);
                  if (access.list) {
                    expect(access.readBy.locationText ?? []).toEqual(expected.detailBy);
                    expect(access.readFields.includes('locationText')).toBe(expected.detailBy.length > 0);
                    expect(DETAIL_FIELDS.every((f) => access.readFields.includes(f) === expected.detailBy.length > 0)).toBe(true);
                  }
                }
              }
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a rule it cannot plan instead of guessing', () => {
    // A rule without an agency would match every agency's records.
    const anyAgency = createMongoAbility<HubAbility>([{ action: 'read', subject: 'Incident', conditions: { feed: 'police-street' } }]);
    expect(() => accessPlan(anyAgency, DISTRICTS)).toThrow(/every Incident rule must name the agency/);
    const forbidding = createMongoAbility<HubAbility>([
      { action: 'read', subject: 'Incident', conditions: { agencyId: 1 } },
      { action: 'read', subject: 'Incident', inverted: true, conditions: { agencyId: 1, tier: 'personal' } },
    ]);
    expect(() => accessPlan(forbidding, DISTRICTS)).toThrow(/forbidding rules are not supported/);
  });
});
