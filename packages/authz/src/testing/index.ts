import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import type pg from 'pg';
import type { EntityManager } from '@csp-hub/db';
import type { HubAbility } from '../ability';
import type { AccessContext } from '../access';
import type { Principal } from '../principal';

/**
 * Benchmarks only: an access context whose ability allows every read, so the
 * same query code runs "with authorization off" (no grants lookup, no row
 * filter, no masks). The dependency rules forbid importing this outside tests.
 */
export function allowAllAccessContext(db: pg.Pool, em: EntityManager, principal: Principal): AccessContext {
  const { can, build } = new AbilityBuilder<HubAbility>(createMongoAbility);
  can('read', 'Incident');
  can('aggregate', 'Incident');
  return { principal, ability: build(), grants: [], partnershipAgencyIds: [], db, em, requestId: null };
}
