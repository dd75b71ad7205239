import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { loadStandardDataset } from '../support/dataset';
import { startTestHub, type GraphQLBody, type TestHub } from '../support/hub';
import { expectErrorCode, gqlData } from './leaks/http';
import { ALL_FIELDS, BASE, DETAIL, londonDate, userView } from './leaks/policy';

const USERS = {
  chair: demoEmail('charnwood', 'district.chair'),
  admin: demoEmail('charnwood', 'district.admin'),
  auditor: demoEmail('charnwood', 'county.auditor'),
  policeAnalyst: demoEmail('charnwood', 'police.analyst'),
  fireAnalyst: demoEmail('charnwood', 'fire.analyst'),
  districtAnalyst: demoEmail('charnwood', 'district.analyst'),
  policeTasking: demoEmail('charnwood', 'police.tasking'),
  probationTasking: demoEmail('charnwood', 'probation.tasking'),
  woChair: demoEmail('west-oxfordshire', 'district.chair'),
  policeOwner: demoEmail('charnwood', 'police.data_owner'),
  fireOwner: demoEmail('charnwood', 'fire.data_owner'),
  harboroughFireOwner: demoEmail('harborough', 'fire.data_owner'),
} as const;
type UserKey = keyof typeof USERS;

const AGREEMENT_FIELDS = 'id title providerAgencyId datasets recipientAgencyIds recipientAgencyTypes tier purposes lawfulBasis validFrom validTo reviewDate status effectiveStatus reviewOverdue signatories { name role agencyId signedOn } version';
const APPROVAL_FIELDS = 'approvals { decision subject by { userId name agencyId roles } version note } pendingApproval { kind requestedBy { userId agencyId } note widens terms { tier datasets recipientAgencyIds validTo purposes } }';

interface Agreement {
  id: string;
  title: string;
  providerAgencyId: string;
  datasets: string[];
  recipientAgencyIds: string[];
  recipientAgencyTypes: string[];
  tier: string;
  purposes: string[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  status: string;
  effectiveStatus: string;
  reviewOverdue: boolean;
  signatories: { name: string; role: string; agencyId: string; signedOn: string }[];
  version: number;
  approvals?: { decision: string; subject: string; by: { userId: string | null; name: string; agencyId: string | null; roles: string[] }; version: number; note: string | null }[];
  pendingApproval?: {
    kind: string; requestedBy: { userId: string | null; agencyId: string | null }; note: string | null; widens: string[];
    terms: { tier: string; datasets: string[]; recipientAgencyIds: string[]; validTo: string; purposes: string[] } | null;
  } | null;
}

interface Signatory {
  name: string;
  role: string;
  agencyId: number;
  signedOn: string;
}

interface AgreementInput {
  title: string;
  providerAgencyId: number;
  datasets: string[];
  recipientAgencyIds: number[];
  recipientAgencyTypes: string[];
  tier: string;
  purposes: string[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  signatories: Signatory[];
}

interface AccessLine {
  providerAgencyId: string;
  providerName: string;
  datasets: string[];
  access: string;
  tier: string;
  fieldsByRecordTier: { recordTier: string; fields: string[] }[];
  area: string[];
  agreementId: string | null;
  agreementTitle: string | null;
}
interface Explanation {
  userId: string;
  roles: string[];
  lines: AccessLine[];
  notes: string[];
}

const EXPLAIN = `query($u: ID) { explainAccess(userId: $u) { userId roles notes lines { providerAgencyId providerName datasets access tier area agreementId agreementTitle fieldsByRecordTier { recordTier fields } } } }`;
const CREATE = `mutation($input: AgreementInput!, $activate: Boolean!) { createAgreement(input: $input, activate: $activate) { ${AGREEMENT_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $v: Int!, $input: AgreementInput!) { updateAgreement(id: $id, version: $v, input: $input) { ${AGREEMENT_FIELDS} } }`;
const SET_STATUS = `mutation($id: ID!, $v: Int!, $s: AgreementStatus!, $reason: String!) { setAgreementStatus(id: $id, version: $v, status: $s, reason: $reason) { ${AGREEMENT_FIELDS} } }`;
const REQUEST = `mutation($id: ID!, $v: Int!, $note: String) { requestAgreementApproval(id: $id, version: $v, note: $note) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`;
const APPROVE = `mutation($id: ID!, $v: Int!, $note: String) { approveAgreement(id: $id, version: $v, note: $note) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`;
const DECLINE = `mutation($id: ID!, $v: Int!, $reason: String!) { declineAgreement(id: $id, version: $v, reason: $reason) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`;
const UPDATE_FULL = `mutation($id: ID!, $v: Int!, $input: AgreementInput!) { updateAgreement(id: $id, version: $v, input: $input) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`;

/** The fields a line's tier shows on records of each record tier, as docs/authorization.md states them. */
function policyFields(tier: string, recordTier: string): string[] {
  switch (tier) {
    case 'own':
      return ALL_FIELDS;
    case 'personal':
      return [...BASE, ...DETAIL];
    case 'pseudonymised':
      return recordTier === 'personal' ? BASE : [...BASE, ...DETAIL];
    case 'public':
      return recordTier === 'public' ? [...BASE, ...DETAIL] : [];
    default:
      return [];
  }
}

const sorted = (xs: string[]) => [...xs].sort();

describe('ISP agreements through GraphQL', () => {
  let hub: TestHub;
  const tokens = {} as Record<UserKey, string>;
  const userIds = {} as Record<UserKey, number>;
  let agencyIds: Record<string, number>;
  let charnwoodId: number;
  let asbRecords: number;

  const gql = (who: UserKey, query: string, variables?: Record<string, unknown>) => hub.gql(query, { token: tokens[who], ...(variables ? { variables } : {}) });
  const data = <T>(who: UserKey, query: string, variables?: Record<string, unknown>) => gqlData<T>(hub, tokens[who], query, variables);

  let counter = 0;
  /** A valid agreement: Charnwood council ASB to the fire service, pseudonymised, unsigned. */
  function input(overrides: Partial<AgreementInput> = {}): AgreementInput {
    counter += 1;
    return {
      title: `Test agreement ${counter}: council ASB to fire`,
      providerAgencyId: agencyIds['charnwood-borough-council']!,
      datasets: ['council.asb'],
      recipientAgencyIds: [agencyIds['leicestershire-fire']!],
      recipientAgencyTypes: [],
      tier: 'PSEUDONYMISED',
      purposes: ['Deliberate fire reduction'],
      lawfulBasis: 's115 Crime and Disorder Act 1998',
      validFrom: londonDate(-10),
      validTo: londonDate(365),
      reviewDate: londonDate(180),
      signatories: [],
      ...overrides,
    };
  }
  function signed(overrides: Partial<AgreementInput> = {}): AgreementInput {
    const base = input(overrides);
    return {
      ...base,
      signatories: overrides.signatories ?? [
        { name: 'Head of Community Safety, Charnwood BC', role: 'SIRO', agencyId: base.providerAgencyId, signedOn: londonDate(-11) },
        { name: 'Area Manager, LFRS', role: 'Data Protection Officer', agencyId: base.recipientAgencyIds[0] ?? agencyIds['leicestershire-police']!, signedOn: londonDate(-11) },
      ],
    };
  }

  /** A valid agreement over police data: police stop and search to Charnwood council (the chair's and admin's agency). */
  function policeInput(overrides: Partial<AgreementInput> = {}): AgreementInput {
    return input({
      providerAgencyId: agencyIds['leicestershire-police']!,
      datasets: ['police.stop_search'],
      recipientAgencyIds: [agencyIds['charnwood-borough-council']!],
      tier: 'PERSONAL',
      purposes: ['ASB case management'],
      ...overrides,
    });
  }

  async function create(who: UserKey, agreement: AgreementInput, activate = false): Promise<Agreement> {
    return (await data<{ createAgreement: Agreement }>(who, CREATE, { input: agreement, activate })).createAgreement;
  }
  async function setStatus(who: UserKey, a: { id: string; version: number }, status: string, reason = 'Tasking group decision'): Promise<{ status: number; body: GraphQLBody }> {
    return gql(who, SET_STATUS, { id: a.id, v: a.version, s: status, reason });
  }
  async function row(id: string) {
    return (await hub.db.pool.query<{ status: string; version: number; title: string; partnership_ids: number[]; created_by_id: number | null }>(
      'select status, version, title, partnership_ids, created_by_id from isp_agreement where id = $1', [Number(id)],
    )).rows[0]!;
  }
  async function agreementCount(): Promise<number> {
    return (await hub.db.pool.query<{ n: number }>('select count(*)::int as n from isp_agreement')).rows[0]!.n;
  }
  const fireAsbCount = async () => (await data<{ incidentCount: number }>('fireAnalyst', `{ incidentCount(filter: { feeds: ["council.asb"] }) }`)).incidentCount;

  beforeAll(async () => {
    hub = await startTestHub('agreements');
    agencyIds = (await loadStandardDataset(hub.db.pool)).agencyIds;
    charnwoodId = (await hub.db.pool.query<{ id: number }>(`select id from partnership where code = 'E22000165'`)).rows[0]!.id;
    for (const key of Object.keys(USERS) as UserKey[]) {
      tokens[key] = await hub.tokenFor(USERS[key]);
      userIds[key] = (await hub.db.pool.query<{ id: number }>('select id from app_user where email = $1', [USERS[key]])).rows[0]!.id;
    }
    asbRecords = (await hub.db.pool.query<{ n: number }>(
      `select count(*)::int as n from incident where agency_id = $1 and feed = 'council.asb' and lad_code = 'E07000130'`, [agencyIds['charnwood-borough-council']],
    )).rows[0]!.n;
    expect(asbRecords).toBeGreaterThan(0);
  });
  afterAll(async () => hub?.stop());

  describe('create', () => {
    it('a chair creates a draft, recorded for their partnership and by them', async () => {
      const i = input();
      const a = await create('chair', i);
      expect(a).toEqual({
        id: expect.stringMatching(/^\d+$/),
        title: i.title,
        providerAgencyId: String(i.providerAgencyId),
        datasets: i.datasets,
        recipientAgencyIds: i.recipientAgencyIds.map(String),
        recipientAgencyTypes: [],
        tier: 'PSEUDONYMISED',
        purposes: i.purposes,
        lawfulBasis: i.lawfulBasis,
        validFrom: i.validFrom,
        validTo: i.validTo,
        reviewDate: i.reviewDate,
        status: 'DRAFT',
        effectiveStatus: 'draft',
        reviewOverdue: false,
        signatories: [],
        version: 1,
      });
      expect(await row(a.id)).toMatchObject({ status: 'draft', version: 1, partnership_ids: [charnwoodId], created_by_id: userIds.chair });
      const drafts = await data<{ agreements: { id: string }[] }>('policeAnalyst', '{ agreements(status: DRAFT) { id } }');
      expect(drafts.agreements.map((d) => d.id)).toContain(a.id); // every member reads the partnership's agreements
      const other = await gql('woChair', `{ agreement(id: "${a.id}") { id } }`);
      expectErrorCode(other.body, 'NOT_FOUND');
    });

    it("the provider's admin creates an agreement active at once: that is their approval, recorded on it", async () => {
      const i = signed();
      const { body } = await gql('admin', `mutation($input: AgreementInput!) { createAgreement(input: $input, activate: true) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`, { input: i });
      expect(body.errors).toBeUndefined();
      const a = (body.data as { createAgreement: Agreement }).createAgreement;
      expect(a).toMatchObject({ status: 'ACTIVE', effectiveStatus: 'in_force', version: 1, pendingApproval: null });
      expect(a.signatories).toEqual(i.signatories.map((s) => ({ ...s, agencyId: String(s.agencyId) })));
      expect(a.approvals).toEqual([{
        decision: 'approved', subject: 'activation', version: 1, note: null,
        by: { userId: String(userIds.admin), name: expect.any(String), agencyId: String(agencyIds['charnwood-borough-council']), roles: ['partnership_admin'] },
      }]);
      // leave nothing in force that later tests do not expect
      expect((await setStatus('admin', a, 'LAPSED')).body.errors).toBeUndefined();
    });

    it("a recipient-side chair cannot create an agreement over the police's data as active: FORBIDDEN, nothing stored; as a request it waits", async () => {
      const before = await agreementCount();
      const police = policeInput();
      const refused = await gql('chair', CREATE, { input: police, activate: true });
      expect(refused.body.data ?? null).toBeNull();
      const [error] = expectErrorCode(refused.body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED');
      expect(error!.message).toBe(
        'Only a chair, partnership administrator or data owner of Leicestershire Police (the provider) can create an agreement over its data as active; request their approval instead.',
      );
      expect(await agreementCount()).toBe(before);
      const { body } = await gql('chair', `mutation($input: AgreementInput!) { createAgreement(input: $input, request: true) { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`, { input: police });
      const requested = (body.data as { createAgreement: Agreement }).createAgreement;
      expect(requested).toMatchObject({ status: 'REQUESTED', effectiveStatus: 'requested', approvals: [], pendingApproval: { kind: 'activation', requestedBy: { userId: String(userIds.chair) }, widens: [], terms: null } });
      expect((await setStatus('chair', requested, 'LAPSED')).body.errors).toBeUndefined();
    });

    it('signatories are documentary: an agreement without any is approved and in force', async () => {
      const a = await create('chair', input());
      expect(a.signatories).toEqual([]);
      const approved = await data<{ approveAgreement: Agreement }>('chair', APPROVE, { id: a.id, v: a.version, note: 'Agreed at the board' });
      expect(approved.approveAgreement).toMatchObject({ status: 'ACTIVE', effectiveStatus: 'in_force', signatories: [] });
      expect((await setStatus('chair', approved.approveAgreement, 'LAPSED')).body.errors).toBeUndefined();
    });
  });

  describe('validation', () => {
    const cases: [string, () => Partial<AgreementInput>, (o: Partial<AgreementInput>) => string][] = [
      ['a provider that is not a partner', () => ({ providerAgencyId: agencyIds['thames-valley-police']!, datasets: ['police.street'] }), (o) => `provider agency ${o.providerAgencyId} is not a partner of this partnership`],
      ['a dataset of the wrong agency type', () => ({ datasets: ['fire.incidents'] }), () => 'dataset fire.incidents is not a council feed'],
      ['validTo before validFrom', () => ({ validFrom: londonDate(10), validTo: londonDate(-10) }), () => 'validTo is before validFrom'],
      ['no lawful basis', () => ({ lawfulBasis: '   ' }), () => 'state the lawful basis (e.g. s115 Crime and Disorder Act 1998)'],
    ];
    it.each(cases)('%s is BAD_USER_INPUT naming the problem', async (_label, change, problem) => {
      const before = await agreementCount();
      const overrides = change();
      const { body } = await gql('chair', CREATE, { input: input(overrides), activate: false });
      expect(body.data ?? null).toBeNull();
      const [error] = expectErrorCode(body, 'BAD_USER_INPUT', 'INVALID_AGREEMENT');
      expect(error!.message).toBe(`The agreement is not valid: ${problem(overrides)}.`);
      expect(await agreementCount()).toBe(before);
    });

    it('every problem of an agreement is named at once', async () => {
      const tvp = agencyIds['thames-valley-police']!;
      const { body } = await gql('admin', CREATE, {
        input: input({ providerAgencyId: tvp, datasets: ['fire.incidents'], validFrom: londonDate(5), validTo: londonDate(1), lawfulBasis: '' }),
        activate: false,
      });
      const [error] = expectErrorCode(body, 'BAD_USER_INPUT', 'INVALID_AGREEMENT');
      for (const problem of [
        `provider agency ${tvp} is not a partner of this partnership`,
        'dataset fire.incidents is not a police feed',
        'validTo is before validFrom',
        'state the lawful basis',
      ]) {
        expect(error!.message).toContain(problem);
      }
    });

    it('an update is validated the same way and leaves the agreement as it was', async () => {
      const a = await create('chair', input());
      const { body } = await gql('chair', UPDATE, { id: a.id, v: a.version, input: input({ datasets: ['health.istv'], lawfulBasis: '' }) });
      const [error] = expectErrorCode(body, 'BAD_USER_INPUT', 'INVALID_AGREEMENT');
      expect(error!.message).toBe('The agreement is not valid: dataset health.istv is not a council feed; state the lawful basis (e.g. s115 Crime and Disorder Act 1998).');
      expect(await row(a.id)).toMatchObject({ version: 1, title: a.title });
    });
  });

  describe('optimistic locking', () => {
    it('an update with the version read succeeds; a stale version is CONFLICT and changes nothing', async () => {
      const a = await create('chair', input());
      const first = await data<{ updateAgreement: Agreement }>('chair', UPDATE, { id: a.id, v: 1, input: input({ title: 'Renamed by the chair' }) });
      expect(first.updateAgreement).toMatchObject({ title: 'Renamed by the chair', version: 2 });
      const stale = await gql('admin', UPDATE, { id: a.id, v: 1, input: input({ title: 'Renamed by the admin from a stale copy' }) });
      expect(stale.body.data ?? null).toBeNull();
      expectErrorCode(stale.body, 'CONFLICT', 'STALE_AGREEMENT');
      expect(await row(a.id)).toMatchObject({ title: 'Renamed by the chair', version: 2 });
      const staleStatus = await gql('admin', SET_STATUS, { id: a.id, v: 1, s: 'LAPSED', reason: 'old copy' });
      expectErrorCode(staleStatus.body, 'CONFLICT', 'STALE_AGREEMENT');
      expect(await row(a.id)).toMatchObject({ status: 'draft', version: 2 });
      const fresh = await data<{ updateAgreement: Agreement }>('admin', UPDATE, { id: a.id, v: 2, input: input({ title: 'Renamed by the admin' }) });
      expect(fresh.updateAgreement).toMatchObject({ title: 'Renamed by the admin', version: 3 });
    });
  });

  describe('status changes', () => {
    const STATES = ['DRAFT', 'REQUESTED', 'ACTIVE', 'SUSPENDED', 'DECLINED', 'LAPSED'] as const;
    /** The state machine as docs/authorization.md states it (the admin here is the provider's, so may take every step). */
    const ALLOWED: Record<string, string[]> = {
      DRAFT: ['REQUESTED', 'ACTIVE', 'LAPSED'],
      REQUESTED: ['DRAFT', 'ACTIVE', 'DECLINED', 'LAPSED'],
      ACTIVE: ['SUSPENDED', 'LAPSED'],
      SUSPENDED: ['REQUESTED', 'ACTIVE', 'LAPSED'],
      DECLINED: ['DRAFT', 'REQUESTED', 'LAPSED'],
      LAPSED: [],
    };
    /** An agreement brought to `state` by allowed steps. */
    async function inState(state: string): Promise<Agreement> {
      let a = await create('chair', signed());
      const path = { DRAFT: [], REQUESTED: ['REQUESTED'], ACTIVE: ['ACTIVE'], SUSPENDED: ['ACTIVE', 'SUSPENDED'], DECLINED: ['REQUESTED', 'DECLINED'], LAPSED: ['LAPSED'] }[state]!;
      for (const step of path) {
        const { body } = await setStatus('chair', a, step);
        expect(body.errors).toBeUndefined();
        a = (body.data as { setAgreementStatus: Agreement }).setAgreementStatus;
      }
      expect(a.status).toBe(state);
      return a;
    }
    const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to, ALLOWED[from]!.includes(to)] as [string, string, boolean]));

    it.each(pairs)('%s -> %s allowed: %s', async (from, to, allowed) => {
      const a = await inState(from);
      const { body } = await setStatus('admin', a, to);
      if (allowed) {
        expect(body.errors).toBeUndefined();
        const changed = (body.data as { setAgreementStatus: Agreement }).setAgreementStatus;
        expect(changed).toMatchObject({ status: to, version: a.version + 1 });
        expect(await row(a.id)).toMatchObject({ status: to.toLowerCase(), version: a.version + 1 });
      } else {
        expect(body.data ?? null).toBeNull();
        const [error] = expectErrorCode(body, 'CONFLICT', 'ILLEGAL_STATUS_CHANGE');
        expect(error!.message).toBe(`Agreement ${a.id} cannot go from ${from.toLowerCase()} to ${to.toLowerCase()}.`);
        expect(await row(a.id)).toMatchObject({ status: from.toLowerCase(), version: a.version });
      }
      // lapse whatever is left so that no test agreement stays in force for later tests
      const left = await row(a.id);
      if (left.status !== 'lapsed') expect((await setStatus('chair', { id: a.id, version: left.version }, 'LAPSED')).body.errors).toBeUndefined();
    });

    it('a lapsed agreement is final: no update either', async () => {
      const a = await inState('LAPSED');
      const { body } = await gql('chair', UPDATE, { id: a.id, v: a.version, input: signed() });
      expectErrorCode(body, 'CONFLICT', 'AGREEMENT_LAPSED');
      expect(await row(a.id)).toMatchObject({ status: 'lapsed', version: a.version, title: a.title });
    });

    it('a status change needs a reason', async () => {
      const a = await create('chair', signed());
      const { body } = await setStatus('chair', a, 'ACTIVE', '  ');
      expectErrorCode(body, 'BAD_USER_INPUT', 'REASON_REQUIRED');
      expect(await row(a.id)).toMatchObject({ status: 'draft', version: 1 });
    });
  });

  describe('who may manage agreements', () => {
    it.each([['policeAnalyst'], ['districtAnalyst'], ['policeTasking'], ['probationTasking'], ['auditor']] as [UserKey][])(
      '%s gets FORBIDDEN for create, update and status change, and nothing changes',
      async (who) => {
        const before = await agreementCount();
        const a = await create('chair', input());
        const attempts = [
          await gql(who, CREATE, { input: signed(), activate: true }),
          await gql(who, UPDATE, { id: a.id, v: a.version, input: input({ title: 'Hijacked' }) }),
          await gql(who, SET_STATUS, { id: a.id, v: a.version, s: 'LAPSED', reason: 'no longer needed' }),
          await gql(who, REQUEST, { id: a.id, v: a.version, note: null }),
          await gql(who, APPROVE, { id: a.id, v: a.version, note: null }),
          await gql(who, DECLINE, { id: a.id, v: a.version, reason: 'no' }),
        ];
        for (const { body } of attempts) {
          expect(body.data ?? null).toBeNull();
          const [error] = expectErrorCode(body, 'FORBIDDEN', 'NOT_ALLOWED');
          expect(error!.message).toBe('Only a partnership chair, administrator or data owner manages agreements');
        }
        expect(await agreementCount()).toBe(before + 1);
        expect(await row(a.id)).toMatchObject({ status: 'draft', version: 1, title: a.title });
        // reading is every member's right
        const read = await data<{ agreement: { id: string } }>(who, `{ agreement(id: "${a.id}") { id } }`);
        expect(read.agreement.id).toBe(a.id);
      },
    );
  });

  describe("only the provider agency approves (ISP second pass, #12.4)", () => {
    const APPROVAL_REQUIRED = (what: string) =>
      `Only a chair, partnership administrator or data owner of Leicestershire Police (the provider) can ${what}; request their approval instead.`;

    it('a recipient-side chair drafts and requests; cannot activate, approve or decline; the police data owner approves, recorded on the agreement', async () => {
      const draft = await create('chair', policeInput());
      for (const [query, variables, what] of [
        [SET_STATUS, { id: draft.id, v: draft.version, s: 'ACTIVE', reason: 'Signed at the board' }, 'activate an agreement over its data'],
        [APPROVE, { id: draft.id, v: draft.version, note: null }, 'activate an agreement over its data'],
      ] as [string, Record<string, unknown>, string][]) {
        const { body } = await gql('chair', query, variables);
        expect(body.data ?? null).toBeNull();
        expect(expectErrorCode(body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED')[0]!.message).toBe(APPROVAL_REQUIRED(what));
        expect(await row(draft.id)).toMatchObject({ status: 'draft', version: 1 });
      }
      const requested = (await data<{ requestAgreementApproval: Agreement }>('chair', REQUEST, { id: draft.id, v: 1, note: 'For the ASB problem-solving group' })).requestAgreementApproval;
      expect(requested).toMatchObject({ status: 'REQUESTED', version: 2, pendingApproval: { kind: 'activation', requestedBy: { userId: String(userIds.chair) }, note: 'For the ASB problem-solving group' } });
      const declineRefused = await gql('chair', DECLINE, { id: draft.id, v: 2, reason: 'changed our mind' });
      expect(expectErrorCode(declineRefused.body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED')[0]!.message).toBe(APPROVAL_REQUIRED('decline an agreement over its data'));
      // a police analyst is of the provider agency but holds no approving role
      expectErrorCode((await gql('policeAnalyst', APPROVE, { id: draft.id, v: 2, note: null })).body, 'FORBIDDEN', 'NOT_ALLOWED');
      // a data owner of the same force in another partnership does not see it at all
      expectErrorCode((await gql('harboroughFireOwner', APPROVE, { id: draft.id, v: 2, note: null })).body, 'NOT_FOUND');
      expect(await row(draft.id)).toMatchObject({ status: 'requested', version: 2 });

      const approved = (await data<{ approveAgreement: Agreement }>('policeOwner', APPROVE, { id: draft.id, v: 2, note: 'Approved by the IAO' })).approveAgreement;
      expect(approved).toMatchObject({ status: 'ACTIVE', effectiveStatus: 'in_force', version: 3, pendingApproval: null });
      expect(approved.approvals).toEqual([{
        decision: 'approved', subject: 'activation', version: 2, note: 'Approved by the IAO',
        by: { userId: String(userIds.policeOwner), name: 'Police information asset owner, Charnwood', agencyId: String(agencyIds['leicestershire-police']), roles: ['data_owner'] },
      }]);
      // either side suspends at once; resuming is the provider's again
      const suspended = (await setStatus('chair', approved, 'SUSPENDED', 'Data breach under review')).body.data as { setAgreementStatus: Agreement };
      expect(suspended.setAgreementStatus.status).toBe('SUSPENDED');
      const resume = await setStatus('chair', suspended.setAgreementStatus, 'ACTIVE', 'Review done');
      expect(expectErrorCode(resume.body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED')[0]!.message).toBe(APPROVAL_REQUIRED('activate an agreement over its data'));
      expect((await setStatus('policeOwner', suspended.setAgreementStatus, 'LAPSED', 'Pilot over')).body.errors).toBeUndefined();
    });

    it('the provider declines a request: declined, recorded with the reason; it can be changed and requested again', async () => {
      const a = (await data<{ requestAgreementApproval: Agreement }>('chair', REQUEST, { id: (await create('chair', policeInput())).id, v: 1, note: null })).requestAgreementApproval;
      const declined = (await data<{ declineAgreement: Agreement }>('policeOwner', DECLINE, { id: a.id, v: a.version, reason: 'Personal tier is not justified; ask for pseudonymised' })).declineAgreement;
      expect(declined).toMatchObject({ status: 'DECLINED', effectiveStatus: 'declined', pendingApproval: null });
      expect(declined.approvals).toEqual([expect.objectContaining({ decision: 'declined', subject: 'activation', note: 'Personal tier is not justified; ask for pseudonymised', by: expect.objectContaining({ userId: String(userIds.policeOwner) }) })]);
      const changed = (await data<{ updateAgreement: Agreement }>('chair', UPDATE_FULL, { id: a.id, v: declined.version, input: policeInput({ title: a.title, tier: 'PSEUDONYMISED' }) })).updateAgreement;
      expect(changed).toMatchObject({ status: 'DECLINED', tier: 'PSEUDONYMISED' });
      const again = (await data<{ requestAgreementApproval: Agreement }>('chair', REQUEST, { id: a.id, v: changed.version, note: 'Now pseudonymised' })).requestAgreementApproval;
      expect(again.status).toBe('REQUESTED');
      expect((await setStatus('chair', again, 'LAPSED', 'Withdrawn')).body.errors).toBeUndefined();
    });
  });

  describe('changes to an active agreement', () => {
    /** Fire incidents to probation, counts only, approved by the fire data owner: the chair is of neither side's agency. */
    async function fireToProbation(): Promise<Agreement> {
      const created = await create('chair', input({
        title: `Fire incidents to probation ${counter}`,
        providerAgencyId: agencyIds['leicestershire-fire']!,
        datasets: ['fire.incidents'],
        recipientAgencyIds: [agencyIds['probation-east-midlands']!],
        tier: 'AGGREGATE',
        purposes: ['Offender management'],
      }));
      return (await data<{ approveAgreement: Agreement }>('fireOwner', APPROVE, { id: created.id, v: created.version, note: null })).approveAgreement;
    }
    const probationFireRows = async () => (await data<{ incidentCount: number }>('probationTasking', `{ incidentCount(filter: { feeds: ["fire.incidents"] }) }`)).incidentCount;
    const fireRowsInCharnwood = async () => (await hub.db.pool.query<{ n: number }>(
      `select count(*)::int as n from incident where agency_id = $1 and lad_code = 'E07000130'`, [agencyIds['leicestershire-fire']],
    )).rows[0]!.n;
    const widened = (a: Agreement, overrides: Partial<AgreementInput>) => input({
      title: a.title, providerAgencyId: Number(a.providerAgencyId), datasets: a.datasets, recipientAgencyIds: a.recipientAgencyIds.map(Number),
      tier: a.tier, purposes: a.purposes, validFrom: a.validFrom, validTo: a.validTo, reviewDate: a.reviewDate, ...overrides,
    });

    it("a widening change by a recipient-side chair waits for the provider: the terms in force stay, access is not cut; approved, it takes effect", async () => {
      const a = await fireToProbation();
      expect(await probationFireRows()).toBe(0); // counts only
      const proposed = (await data<{ updateAgreement: Agreement }>('chair', UPDATE_FULL, { id: a.id, v: a.version, input: widened(a, { tier: 'PSEUDONYMISED' }) })).updateAgreement;
      expect(proposed).toMatchObject({
        status: 'ACTIVE', tier: 'AGGREGATE', version: a.version + 1,
        pendingApproval: { kind: 'change', requestedBy: { userId: String(userIds.chair) }, widens: ['tier'], terms: { tier: 'PSEUDONYMISED' } },
      });
      expect((await hub.db.pool.query('select tier, status from isp_agreement where id = $1', [Number(a.id)])).rows).toEqual([{ tier: 'aggregate', status: 'active' }]);
      expect(await probationFireRows()).toBe(0);
      // the aggregate grant still counts for probation while the change waits
      const counts = await data<{ incidentCounts: { agencyId: string }[] }>('probationTasking', `{ incidentCounts(groupBy: [], filter: { feeds: ["fire.incidents"] }) { agencyId } }`);
      expect(counts.incidentCounts.map((t) => t.agencyId)).toEqual([String(agencyIds['leicestershire-fire'])]);

      const refused = await gql('chair', APPROVE, { id: a.id, v: proposed.version, note: null });
      expectErrorCode(refused.body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED');
      const approved = (await data<{ approveAgreement: Agreement }>('fireOwner', APPROVE, { id: a.id, v: proposed.version, note: 'Fine for IOM' })).approveAgreement;
      expect(approved).toMatchObject({ status: 'ACTIVE', tier: 'PSEUDONYMISED', pendingApproval: null });
      expect(approved.approvals!.map((d) => `${d.decision} ${d.subject}`)).toEqual(['approved activation', 'approved change']);
      expect(await probationFireRows()).toBe(await fireRowsInCharnwood());
      expect((await setStatus('chair', approved, 'LAPSED', 'test over')).body.errors).toBeUndefined();
      expect(await probationFireRows()).toBe(0);
    });

    it('a narrowing change applies at once by either side; in a mixed change the narrowing part applies and the widening part waits', async () => {
      const a = await fireToProbation();
      const shorter = (await data<{ updateAgreement: Agreement }>('chair', UPDATE_FULL, { id: a.id, v: a.version, input: widened(a, { validTo: londonDate(200) }) })).updateAgreement;
      expect(shorter).toMatchObject({ validTo: londonDate(200), pendingApproval: null });
      const mixed = (await data<{ updateAgreement: Agreement }>('chair', UPDATE_FULL, {
        id: a.id, v: shorter.version, input: widened(shorter, { validTo: londonDate(100), tier: 'PERSONAL', purposes: ['Offender management', 'Arson risk'] }),
      })).updateAgreement;
      expect(mixed).toMatchObject({ validTo: londonDate(100), tier: 'AGGREGATE', purposes: ['Offender management'], pendingApproval: { widens: ['tier', 'purposes'], terms: { tier: 'PERSONAL', validTo: londonDate(100), purposes: ['Offender management', 'Arson risk'] } } });
      // the provider declines: the pending change is dropped and the terms in force stay
      const declined = (await data<{ declineAgreement: Agreement }>('fireOwner', DECLINE, { id: a.id, v: mixed.version, reason: 'Not for arson risk' })).declineAgreement;
      expect(declined).toMatchObject({ status: 'ACTIVE', tier: 'AGGREGATE', validTo: londonDate(100), pendingApproval: null });
      expect(declined.approvals!.at(-1)).toMatchObject({ decision: 'declined', subject: 'change', note: 'Not for arson risk' });
      const nothing = await gql('fireOwner', APPROVE, { id: a.id, v: declined.version, note: null });
      expectErrorCode(nothing.body, 'CONFLICT', 'NOTHING_AWAITS_APPROVAL');
      // the provider's own widening applies at once, recorded as its approval
      const own = (await data<{ updateAgreement: Agreement }>('fireOwner', UPDATE_FULL, { id: a.id, v: declined.version, input: widened(declined, { tier: 'PSEUDONYMISED' }) })).updateAgreement;
      expect(own).toMatchObject({ tier: 'PSEUDONYMISED', pendingApproval: null });
      expect(own.approvals!.at(-1)).toMatchObject({ decision: 'approved', subject: 'change', by: { userId: String(userIds.fireOwner) } });
      expect((await setStatus('fireOwner', own, 'LAPSED', 'test over')).body.errors).toBeUndefined();
    });

    it('suspending drops a pending change; the change is audited with what waits', async () => {
      const a = await fireToProbation();
      const proposed = (await data<{ updateAgreement: Agreement }>('chair', UPDATE_FULL, { id: a.id, v: a.version, input: widened(a, { recipientAgencyIds: [agencyIds['probation-east-midlands']!, agencyIds['leicestershire-police']!] }) })).updateAgreement;
      expect(proposed.pendingApproval?.widens).toEqual(['recipientAgencyIds']);
      const audited = await hub.db.pool.query<{ detail: Record<string, unknown> }>(`select detail from audit_log where object_type = 'IspAgreement' and object_id = $1 order by id desc limit 1`, [a.id]);
      expect(audited.rows[0]!.detail).toEqual({ changed: [], fromVersion: a.version, awaitingProvider: ['recipientAgencyIds'] });
      const suspended = (await setStatus('chair', proposed, 'SUSPENDED', 'Paused')).body.data as { setAgreementStatus: Agreement };
      const after = await data<{ agreement: Agreement }>('chair', `{ agreement(id: "${a.id}") { ${AGREEMENT_FIELDS} ${APPROVAL_FIELDS} } }`);
      expect(after.agreement).toMatchObject({ status: 'SUSPENDED', recipientAgencyIds: [String(agencyIds['probation-east-midlands'])], pendingApproval: null });
      expect((await setStatus('chair', suspended.setAgreementStatus, 'LAPSED', 'test over')).body.errors).toBeUndefined();
    });
  });

  describe('agreements take effect on the next request', () => {
    it("activating grants the recipient access at once; suspending takes it away", async () => {
      const explain = async () => (await data<{ explainAccess: Explanation }>('fireAnalyst', EXPLAIN, { u: null })).explainAccess;
      expect(await fireAsbCount()).toBe(0);
      const draft = await create('chair', signed({ title: 'Council ASB to fire: arson risk referrals' }));
      expect(await fireAsbCount()).toBe(0); // a draft gives nothing
      expect((await explain()).lines.map((l) => l.agreementId)).not.toContain(draft.id);

      const activated = await setStatus('chair', draft, 'ACTIVE');
      expect(activated.body.errors).toBeUndefined();
      const expectedCount = (await userView(hub.db.pool, USERS.fireAnalyst)).listableOrdered((r) => r.feed === 'council.asb').length;
      expect(expectedCount).toBe(asbRecords);
      expect(await fireAsbCount()).toBe(asbRecords);
      const line = (await explain()).lines.find((l) => l.agreementId === draft.id);
      expect(line).toMatchObject({
        providerAgencyId: String(agencyIds['charnwood-borough-council']),
        datasets: ['council.asb'],
        access: 'rows',
        tier: 'pseudonymised',
        area: ['E07000130'],
        agreementTitle: 'Council ASB to fire: arson risk referrals',
      });
      const personal = line!.fieldsByRecordTier.find((f) => f.recordTier === 'personal')!;
      expect(sorted(personal.fields)).toEqual(sorted(BASE));

      const suspended = await setStatus('chair', (activated.body.data as { setAgreementStatus: Agreement }).setAgreementStatus, 'SUSPENDED');
      expect(suspended.body.errors).toBeUndefined();
      expect(await fireAsbCount()).toBe(0);
      expect((await explain()).lines.map((l) => l.agreementId)).not.toContain(draft.id);
    });
  });

  describe('explainAccess', () => {
    async function expectedLines(email: string): Promise<AccessLine[]> {
      const v = await userView(hub.db.pool, email);
      const names = new Map((await hub.db.pool.query<{ id: number; name: string }>('select id, name from agency')).rows.map((r) => [r.id, r.name]));
      const own: AccessLine = {
        providerAgencyId: String(v.user.agencyId), providerName: names.get(v.user.agencyId)!, datasets: ['all'], access: 'rows', tier: 'own',
        fieldsByRecordTier: ['public', 'pseudonymised', 'personal'].map((t) => ({ recordTier: t, fields: sorted(policyFields('own', t)) })),
        area: ['all'], agreementId: null, agreementTitle: null,
      };
      const dataRole = v.user.roles.some((r) => ['analyst', 'tasking_member', 'chair'].includes(r));
      const lines = dataRole
        ? v.agreements.map((a): AccessLine => ({
          providerAgencyId: String(a.providerId), providerName: names.get(a.providerId)!, datasets: a.datasets,
          access: a.tier === 'aggregate' ? 'counts' : 'rows', tier: a.tier,
          fieldsByRecordTier: ['public', 'pseudonymised', 'personal'].map((t) => ({ recordTier: t, fields: sorted(policyFields(a.tier, t)) })),
          // located feeds are shared for the partnership's districts; a feed without a place (ISTV) whole
          area: [...(a.datasets.some((d) => d !== 'health.istv') ? v.user.ladCodes : []), ...(a.datasets.includes('health.istv') ? ['all'] : [])],
          agreementId: String(a.id), agreementTitle: a.title,
        }))
        : [];
      return [own, ...lines];
    }
    const normalise = (lines: AccessLine[]) =>
      lines
        .map((l) => ({ ...l, area: sorted(l.area), datasets: sorted(l.datasets), fieldsByRecordTier: [...l.fieldsByRecordTier].map((f) => ({ ...f, fields: sorted(f.fields) })).sort((a, b) => a.recordTier.localeCompare(b.recordTier)) }))
        .sort((a, b) => Number(a.agreementId ?? 0) - Number(b.agreementId ?? 0));

    it('for yourself: your agency, then one line per agreement in force with provider, access, tier, agreement and fields', async () => {
      const mine = (await data<{ explainAccess: Explanation }>('policeAnalyst', EXPLAIN, { u: null })).explainAccess;
      expect(mine.userId).toBe(String(userIds.policeAnalyst));
      expect(normalise(mine.lines)).toEqual(normalise(await expectedLines(USERS.policeAnalyst)));
      // the demo agreements: fire pseudonymised rows, ISTV counts only, council ASB personal rows
      const byTier = Object.fromEntries(mine.lines.map((l) => [l.agreementTitle ?? 'own', `${l.access}/${l.tier}`]));
      expect(byTier).toMatchObject({
        own: 'rows/own',
        'Fire and rescue attended incidents to police and councils': 'rows/pseudonymised',
        'ISTV assault attendances: counts for police and councils': 'counts/aggregate',
        'Council ASB and noise case data to police': 'rows/personal',
      });
      const self = (await data<{ explainAccess: Explanation }>('policeAnalyst', EXPLAIN, { u: String(userIds.policeAnalyst) })).explainAccess;
      expect(self).toEqual(mine);
    });

    it('a partnership admin sees only their own agency, and is told why', async () => {
      const mine = (await data<{ explainAccess: Explanation }>('admin', EXPLAIN, { u: null })).explainAccess;
      expect(normalise(mine.lines)).toEqual(normalise(await expectedLines(USERS.admin)));
      expect(mine.lines).toHaveLength(1);
      expect(mine.notes.join(' ')).toContain("see only their own agency's records");
    });

    it.each([['chair'], ['auditor']] as [UserKey][])('%s may ask about another user of the partnership', async (who) => {
      const other = (await data<{ explainAccess: Explanation }>(who, EXPLAIN, { u: String(userIds.policeAnalyst) })).explainAccess;
      expect(other.userId).toBe(String(userIds.policeAnalyst));
      expect(other.roles).toEqual(['analyst']);
      expect(normalise(other.lines)).toEqual(normalise(await expectedLines(USERS.policeAnalyst)));
      const fire = (await data<{ explainAccess: Explanation }>(who, EXPLAIN, { u: String(userIds.fireAnalyst) })).explainAccess;
      expect(normalise(fire.lines)).toEqual(normalise(await expectedLines(USERS.fireAnalyst)));
    });

    it.each([['fireAnalyst'], ['policeTasking'], ['admin']] as [UserKey][])('%s asking about someone else gets the same NOT_FOUND as for nobody', async (who) => {
      // "not yours to explain" must not tell the asker that the user exists (ISP second pass, point 6)
      for (const id of [userIds.policeAnalyst, 999_999]) {
        const { body } = await gql(who, EXPLAIN, { u: String(id) });
        expect(body.data ?? null).toBeNull();
        expect(expectErrorCode(body, 'NOT_FOUND')[0]!.message).toBe(`User ${id} was not found`);
      }
    });

    it('a user outside the partnership is NOT_FOUND, like one who does not exist', async () => {
      for (const id of [userIds.woChair, 999_999]) {
        const { body } = await gql('chair', EXPLAIN, { u: String(id) });
        expect(body.data ?? null).toBeNull();
        expect(expectErrorCode(body, 'NOT_FOUND')[0]!.message).toBe(`User ${id} was not found`);
      }
    });
  });
});
