import type { EntityManager } from '@csp-hub/db';
import type { Principal } from '@csp-hub/authz';
import type { Logger } from '../logger';

/** What every resolver gets: the request's principal, its own EntityManager fork and logger. */
export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  em: EntityManager;
  logger: Logger;
}
