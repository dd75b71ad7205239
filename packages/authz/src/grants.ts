import type pg from 'pg';
import type { DataTier } from '@csp-hub/taxonomy';
import type { Grant } from './ability';
import type { Principal } from './principal';

/** Today's date in London, YYYY-MM-DD: agreements run by calendar day. */
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

export function londonToday(now: Date = new Date()): string {
  return LONDON_DATE.format(now);
}

/**
 * Agreements that give the principal access today: active, within their dates,
 * for the principal's partnership, naming the principal's agency or agency type,
 * and provided by another agency. Read on every request, so a suspended or
 * expired agreement stops access at once.
 */
export async function loadGrants(db: pg.Pool, principal: Principal, today: string = londonToday()): Promise<Grant[]> {
  const rows = await db.query<{
    id: number; title: string; provider_id: number; provider_name: string; datasets: string[]; tier: DataTier; lawful_basis: string; valid_to: string;
  }>(
    `select a.id, a.title, a.provider_id, p.name as provider_name, a.datasets, a.tier, a.lawful_basis, to_char(a.valid_to, 'YYYY-MM-DD') as valid_to
     from isp_agreement a join agency p on p.id = a.provider_id
     where a.status = 'active' and a.valid_from <= $1::date and a.valid_to >= $1::date
       and $2::int = any(a.partnership_ids)
       and ($3::int = any(a.recipient_agency_ids) or $4::text = any(a.recipient_agency_types))
       and a.provider_id <> $3::int
     order by a.id`,
    [today, principal.partnershipId, principal.agencyId, principal.agencyType],
  );
  return rows.rows.map((r) => ({
    agreementId: r.id,
    title: r.title,
    providerAgencyId: r.provider_id,
    providerName: r.provider_name,
    datasets: r.datasets,
    tier: r.tier,
    lawfulBasis: r.lawful_basis,
    validTo: r.valid_to,
  }));
}

/** Grants and partnership agencies in one round trip (every request needs both). */
export async function loadAccessFacts(db: pg.Pool, principal: Principal, today: string = londonToday()): Promise<{ grants: Grant[]; partnershipAgencyIds: number[] }> {
  const rows = await db.query<{ kind: 'grant' | 'partner'; id: number; title: string | null; provider_id: number | null; provider_name: string | null;
    datasets: string[] | null; tier: DataTier | null; lawful_basis: string | null; valid_to: string | null }>(
    `select 'grant' as kind, a.id, a.title, a.provider_id, p.name as provider_name, a.datasets, a.tier, a.lawful_basis,
            to_char(a.valid_to, 'YYYY-MM-DD') as valid_to
     from isp_agreement a join agency p on p.id = a.provider_id
     where a.status = 'active' and a.valid_from <= $1::date and a.valid_to >= $1::date
       and $2::int = any(a.partnership_ids)
       and ($3::int = any(a.recipient_agency_ids) or $4::text = any(a.recipient_agency_types))
       and a.provider_id <> $3::int
     union all
     select 'partner', pa.agency_id, null, null, null, null, null, null, null from partnership_agency pa where pa.partnership_id = $2::int
     order by 1, 2`,
    [today, principal.partnershipId, principal.agencyId, principal.agencyType],
  );
  const grants: Grant[] = [];
  const partners: number[] = [];
  for (const r of rows.rows) {
    if (r.kind === 'partner') partners.push(r.id);
    else grants.push({ agreementId: r.id, title: r.title!, providerAgencyId: r.provider_id!, providerName: r.provider_name!, datasets: r.datasets!, tier: r.tier!, lawfulBasis: r.lawful_basis!, validTo: r.valid_to! });
  }
  return { grants, partnershipAgencyIds: partners };
}

export async function partnershipAgencyIds(db: pg.Pool, partnershipId: number): Promise<number[]> {
  const rows = await db.query<{ agency_id: number }>('select agency_id from partnership_agency where partnership_id = $1 order by 1', [partnershipId]);
  return rows.rows.map((r) => r.agency_id);
}
