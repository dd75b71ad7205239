import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import type pg from 'pg';
import type { EntityManager } from '@csp-hub/db';
import type { HubAbility } from '../ability';
import type { AccessContext } from '../access';
import type { Principal } from '../principal';

/**
 * Benchmarks only: an access context whose ability allows every read of every
 * agency's records, so the same query code runs "with authorization off" (no
 * agreements, no district scope, no masks, no disclosure control). Rules name
 * the agencies (every one that has records) because the access plan refuses a
 * rule that could match any agency. The dependency rules forbid importing this
 * outside tests.
 */
export async function allowAllAccessContext(db: pg.Pool, em: EntityManager, principal: Principal): Promise<AccessContext> {
  // Every agency that has records (the rest add nothing but empty branches to every read).
  const agencies = (
    await db.query<{ id: number }>('select a.id from agency a where exists (select 1 from incident i where i.agency_id = a.id) order by a.id')
  ).rows.map((r) => r.id);
  // One ability per set of agencies, as the hub reuses one per set of facts: its access plan is built once.
  const key = agencies.join(',');
  let ability = abilities.get(key);
  if (!ability) {
    const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
    can('read', 'Incident', { agencyId: { $in: agencies } });
    can('aggregate', 'Incident', { agencyId: { $in: agencies } });
    ability = build();
    abilities.set(key, ability);
  }
  return { principal, ability, grants: [], partnershipAgencyIds: agencies, db, em, requestId: null };
}

const abilities = new Map<string, HubAbility>();
