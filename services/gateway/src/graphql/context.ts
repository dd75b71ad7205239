import type { EntityManager } from '@csp-hub/db';
import type { AccessContext, Principal, CellKeyOptions } from '@csp-hub/authz';
import type { DistrictBoundaries } from '@csp-hub/insight';
import type { Logger } from '../logger';

/** What every resolver gets: the request's principal, its own EntityManager fork and logger. */
export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  /** The request's ability, grants and audit sink: every read of shared data goes through it. */
  access: AccessContext;
  sdc: CellKeyOptions;
  /** District boundaries for hotspot study areas, when the reference data has them. */
  boundaries?: DistrictBoundaries;
  em: EntityManager;
  /** Fires when the client goes away (or shutdown cuts the request off): long work should stop. */
  signal: AbortSignal;
  logger: Logger;
}
