import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgencyType, DataTier } from '@csp-hub/taxonomy';
import { Agency, IspAgreement, Partnership, User, type AgreementApproval, type AgreementStatus } from '../entities';
import { DEMO_APPROVERS, DEMO_PARTNERSHIPS, demoEmail, type DemoPartnership } from './demo-data';

type Slot = Exclude<keyof DemoPartnership['agencies'], 'others'>;

interface AgreementTemplate {
  title: string;
  provider: Slot;
  datasets: string[];
  recipientSlots?: Slot[];
  recipientTypes?: AgencyType[];
  tier: DataTier;
  purposes: string[];
  validFrom: string;
  validTo: string;
  reviewDate: string;
  status: AgreementStatus;
}

const S115 = 's115 Crime and Disorder Act 1998; s17A duty to share (Police and Justice Act 2006)';
const CURRENT = { validFrom: '2024-04-01', validTo: '2027-03-31', reviewDate: '2027-01-31' };

/** The sharing each demo partnership has agreed: open, pseudonymised, personal, counts-only, expired and draft. */
export const DEMO_AGREEMENTS: AgreementTemplate[] = [
  {
    title: 'Police open data (street-level crime, outcomes, stop and search) to partners',
    provider: 'police',
    datasets: ['police.street', 'police.outcomes', 'police.stop_search'],
    recipientTypes: ['council', 'fire', 'health', 'probation', 'youth_offending', 'housing'],
    tier: 'public',
    purposes: ['Strategic assessment', 'Fortnightly tasking'],
    ...CURRENT,
    status: 'active',
  },
  {
    title: 'Fire and rescue attended incidents to police and councils',
    provider: 'fire',
    datasets: ['fire.incidents'],
    recipientTypes: ['police', 'council'],
    tier: 'pseudonymised',
    purposes: ['Deliberate fire reduction', 'Fortnightly tasking'],
    ...CURRENT,
    status: 'active',
  },
  {
    title: 'ISTV assault attendances: counts for police and councils',
    provider: 'health',
    datasets: ['health.istv'],
    recipientTypes: ['police', 'council'],
    tier: 'aggregate',
    purposes: ['Violence reduction (Serious Violence Duty)'],
    ...CURRENT,
    status: 'active',
  },
  {
    title: 'Council ASB and noise case data to police',
    provider: 'district',
    datasets: ['council.asb', 'council.noise', 'council.service_requests'],
    recipientSlots: ['police'],
    tier: 'personal',
    purposes: ['ASB case management', 'Community Trigger reviews'],
    ...CURRENT,
    status: 'active',
  },
  {
    title: 'Council environmental reports to police and fire',
    provider: 'district',
    datasets: ['council.fly_tipping', 'council.graffiti', 'council.abandoned_vehicles', 'council.street_reports'],
    recipientSlots: ['police', 'fire'],
    tier: 'pseudonymised',
    purposes: ['Environmental crime', 'Deliberate fire reduction'],
    ...CURRENT,
    status: 'active',
  },
  {
    title: 'Fire incidents to probation (pilot, ended)',
    provider: 'fire',
    datasets: ['fire.incidents'],
    recipientSlots: ['probation'],
    tier: 'pseudonymised',
    purposes: ['Offender management pilot'],
    validFrom: '2023-04-01',
    validTo: '2025-03-31',
    reviewDate: '2024-10-01',
    status: 'active',
  },
  {
    title: 'County council fly-tipping reports to fire (awaiting signature)',
    provider: 'county',
    datasets: ['council.fly_tipping'],
    recipientSlots: ['fire'],
    tier: 'pseudonymised',
    purposes: ['Deliberate fire reduction'],
    ...CURRENT,
    status: 'draft',
  },
];

/** The provider's approval an active demo agreement carries: its information asset owner (or the district chair) at the board. */
async function providerApproval(em: EntityManager, p: DemoPartnership, slot: Slot): Promise<AgreementApproval> {
  const handle = DEMO_APPROVERS[slot];
  if (!handle) throw new Error(`demo agreements name provider slot ${slot}, which has no approver`);
  const user = await em.findOneOrFail(User, { email: demoEmail(p.slug, handle) });
  return {
    userId: user.id,
    name: user.displayName,
    agencyId: user.agency.id,
    roles: [...user.roles],
    decision: 'approved',
    subject: 'activation',
    at: '2024-03-28T10:00:00.000Z',
    version: 1,
    note: 'Approved at the partnership board, March 2024',
  };
}

/** Upserts the demo agreements of every demo partnership (matched on title and partnership). */
export async function seedDemoAgreements(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    let count = 0;
    for (const p of DEMO_PARTNERSHIPS) {
      const partnership = await tx.findOneOrFail(Partnership, { code: p.code });
      const agency = async (slot: Slot) => tx.findOneOrFail(Agency, { code: p.agencies[slot] });
      for (const t of DEMO_AGREEMENTS) {
        const provider = await agency(t.provider);
        const recipients = await Promise.all((t.recipientSlots ?? []).map(agency));
        const firstRecipient = recipients[0] ?? (await agency('district'));
        const signatories =
          t.status === 'draft'
            ? []
            : [
                { name: `Information governance lead, ${provider.name}`, role: 'Senior Information Risk Owner', agencyId: provider.id, signedOn: '2024-03-15' },
                { name: `Information governance lead, ${firstRecipient.name}`, role: 'Data Protection Officer', agencyId: firstRecipient.id, signedOn: '2024-03-20' },
              ];
        const existing = (await tx.find(IspAgreement, { title: t.title })).find((a) => a.partnershipIds.includes(partnership.id));
        const data = {
          title: t.title,
          partnershipIds: [partnership.id],
          provider,
          datasets: t.datasets,
          recipientAgencyIds: recipients.map((r) => r.id),
          recipientAgencyTypes: t.recipientTypes ?? [],
          tier: t.tier,
          purposes: t.purposes,
          lawfulBasis: S115,
          validFrom: t.validFrom,
          validTo: t.validTo,
          reviewDate: t.reviewDate,
          status: t.status,
          signatories,
          approvals: t.status === 'active' ? [await providerApproval(tx, p, t.provider)] : [],
        };
        if (!existing) tx.create(IspAgreement, data);
        else if (existing.status === 'active' && existing.approvals.length === 0 && t.status === 'active') existing.approvals = data.approvals;
        count += 1;
      }
    }
    await tx.flush();
    return count;
  });
}
