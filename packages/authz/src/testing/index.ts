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
 * the agencies (every one in the database) because the access plan refuses a
 * rule that could match any agency. The dependency rules forbid importing this
 * outside tests.
 */
export async function allowAllAccessContext(db: pg.Pool, em: EntityManager, principal: Principal): Promise<AccessContext> {
  const agencies = (await db.query<{ id: number }>('select id from agency order by id')).rows.map((r) => r.id);
  const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
  can('read', 'Incident', { agencyId: { $in: agencies } });
  can('aggregate', 'Incident', { agencyId: { $in: agencies } });
  return { principal, ability: build(), grants: [], partnershipAgencyIds: agencies, db, em, requestId: null };
}
