import type { ApolloServerPlugin } from '@apollo/server';
import type { HubMetrics } from '../metrics';
import { OutageLog, RETRY_AFTER_SECONDS } from '../outage';
import type { GraphQLContext } from './context';
import { classifyError, originalError } from './errors';

/**
 * Per operation: logs errors against the request id (internal ones at error
 * level with their cause; a database outage once per burst through OutageLog;
 * a cancelled request at debug), makes any response that met an unreachable
 * database an HTTP 503 with Retry-After (never a 200 carrying the error), and
 * records the operation's count and latency.
 */
export function hubResponsePlugin(metrics: HubMetrics, outage: OutageLog): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      let operation = 'anonymous';
      let type = 'unknown';
      let unavailable = false;
      let retryAfter = RETRY_AFTER_SECONDS;
      return {
        async didResolveOperation(rc) {
          operation = metrics.operationLabel(rc.operationName);
          type = rc.operation?.operation ?? 'unknown';
        },
        async didEncounterErrors(rc) {
          for (const error of rc.errors) {
            const c = classifyError(originalError(error));
            if (c.kind === 'unavailable') {
              unavailable = true;
              retryAfter = Math.max(retryAfter, c.retryAfter);
              if (c.code === 'DATABASE_UNAVAILABLE') outage.record(c.reason, contextValue.requestId);
            } else if (c.kind === 'cancelled') {
              contextValue.logger.debug({ path: error.path }, 'operation cancelled');
            } else if (c.kind === 'expected' && c.error.reason === 'INVALID_VALUE') {
              contextValue.logger.warn({ path: error.path, sqlstate: c.error.details.sqlstate }, 'the database refused a value validation let through');
            } else if (c.kind === 'internal') {
              contextValue.logger.error({ err: c.error, path: error.path }, 'internal error');
            }
          }
        },
        async willSendResponse(rc) {
          if (unavailable) {
            rc.response.http.status = 503;
            rc.response.http.headers.set('retry-after', String(retryAfter));
            metrics.databaseUnavailable.inc({ surface: 'graphql' });
          }
          const outcome = unavailable ? 'unavailable' : rc.errors?.length ? 'error' : 'ok';
          metrics.graphqlOperations.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
