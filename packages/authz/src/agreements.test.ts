import { describe, expect, it } from 'vitest';
import type { AgreementTerms } from '@csp-hub/db';
import { buildAbility } from './ability';
import { AGREEMENT_TRANSITIONS, narrowingPart, wideningOf } from './agreements';
import type { Principal } from './principal';

const TERMS: AgreementTerms = {
  title: 'Fire incidents to the council',
  providerAgencyId: 2,
  datasets: ['fire.incidents'],
  recipientAgencyIds: [5],
  recipientAgencyTypes: [],
  tier: 'pseudonymised',
  purposes: ['Deliberate fire reduction'],
  lawfulBasis: 's115 Crime and Disorder Act 1998',
  validFrom: '2024-04-01',
  validTo: '2025-03-31',
  reviewDate: '2025-01-31',
  signatories: [],
};

describe('what a change to an agreement widens', () => {
  it.each([
    ['tier up', { tier: 'personal' }, ['tier']],
    ['tier down', { tier: 'aggregate' }, []],
    ['a dataset added', { datasets: ['fire.incidents', 'council.asb'] }, ['datasets']],
    ['a recipient agency added', { recipientAgencyIds: [5, 7] }, ['recipientAgencyIds']],
    ['a recipient type added', { recipientAgencyTypes: ['police'] }, ['recipientAgencyTypes']],
    ['a purpose added', { purposes: ['Deliberate fire reduction', 'Offender management'] }, ['purposes']],
    ['another lawful basis', { lawfulBasis: 'Consent' }, ['lawfulBasis']],
    ['an earlier start', { validFrom: '2024-01-01' }, ['validFrom']],
    ['a later end', { validTo: '2026-03-31' }, ['validTo']],
    ['a shorter period, a new title and review date', { validFrom: '2024-05-01', validTo: '2024-12-31', title: 'Renamed', reviewDate: '2024-10-01' }, []],
    ['the recipient removed for a type', { recipientAgencyIds: [], recipientAgencyTypes: ['council'] }, ['recipientAgencyTypes']],
  ] as [string, Partial<AgreementTerms>, string[]][])('%s', (_label, change, widens) => {
    expect(wideningOf(TERMS, { ...TERMS, ...change })).toEqual(widens);
  });

  it('the narrowing part of a mixed change takes the lower tier, the shorter period, the common datasets and the new documentary fields', () => {
    const proposed: AgreementTerms = { ...TERMS, tier: 'personal', datasets: [], validTo: '2024-12-31', purposes: ['Deliberate fire reduction', 'New'], title: 'New title', lawfulBasis: 'Other' };
    expect(narrowingPart(TERMS, proposed)).toEqual({ ...TERMS, validTo: '2024-12-31', title: 'New title', datasets: TERMS.datasets });
    expect(wideningOf(TERMS, narrowingPart(TERMS, proposed))).toEqual([]);
  });

  it('disjoint periods leave the period in force', () => {
    const moved = narrowingPart(TERMS, { ...TERMS, validFrom: '2026-01-01', validTo: '2026-12-31' });
    expect([moved.validFrom, moved.validTo]).toEqual([TERMS.validFrom, TERMS.validTo]);
  });
});

describe('who approves', () => {
  const principal = (roles: Principal['roles'], agencyId: number): Principal => ({
    userId: 1, displayName: 'X', agencyId, agencyCode: 'a', agencyName: 'A', agencyType: 'council', partnershipId: 10, partnershipCode: 'E22000001',
    partnershipName: 'P', ladCodes: ['E07000001'], roles,
  });
  const can = (p: Principal, action: 'approve' | 'administer', providerAgencyId?: number) =>
    buildAbility({ principal: p, grants: [], partnershipAgencyIds: [2, 5] }).can(action, { __caslSubjectType__: 'IspAgreement', partnershipId: 10, ...(providerAgencyId ? { providerAgencyId } : {}) } as never);

  it.each([['chair'], ['partnership_admin'], ['data_owner']] as [Principal['roles'][number]][])('a %s administers; approves only for their own agency', (role) => {
    expect(can(principal([role], 5), 'administer')).toBe(true);
    expect(can(principal([role], 5), 'approve', 5)).toBe(true);
    expect(can(principal([role], 5), 'approve', 2)).toBe(false);
  });

  it.each([['analyst'], ['tasking_member'], ['auditor']] as [Principal['roles'][number]][])('a %s neither administers nor approves, even for their own agency', (role) => {
    expect(can(principal([role], 2), 'administer')).toBe(false);
    expect(can(principal([role], 2), 'approve', 2)).toBe(false);
  });

  it('the state machine: only the provider activates or declines', () => {
    expect(AGREEMENT_TRANSITIONS.requested).toEqual({ active: 'provider', declined: 'provider', draft: 'either side', lapsed: 'either side' });
    expect(AGREEMENT_TRANSITIONS.suspended.active).toBe('provider');
    expect(AGREEMENT_TRANSITIONS.active).toEqual({ suspended: 'either side', lapsed: 'either side' });
    expect(AGREEMENT_TRANSITIONS.lapsed).toEqual({});
  });
});
