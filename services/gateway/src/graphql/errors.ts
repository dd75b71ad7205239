import { HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { databaseUnavailableReason, isStatementCancelled } from '@csp-hub/db';
import { HubError, isHubError, type HubErrorKind } from '@csp-hub/taxonomy';
import { RETRY_AFTER_SECONDS } from '../outage';

/** HubError kinds to GraphQL error codes: the one mapping (see STYLE.md). */
export const ERROR_CODES: Record<HubErrorKind, string> = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  invalid_input: 'BAD_USER_INPUT',
  conflict: 'CONFLICT',
  not_found: 'NOT_FOUND',
  other: 'INTERNAL_SERVER_ERROR',
};

/** The database could not be reached: HTTP 503 with Retry-After, on REST and GraphQL alike. */
export const UNAVAILABLE_CODE = 'SERVICE_UNAVAILABLE';
export const UNAVAILABLE_MESSAGE = 'The database is unavailable at the moment; retry shortly';
/** The request was cancelled (its client went away, or the hub is shutting down) before it finished. */
export const CANCELLED_CODE = 'REQUEST_CANCELLED';

/** Codes Apollo, graphql-js and the hub's own request handling produce; passed through as they are. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  UNAVAILABLE_CODE,
  CANCELLED_CODE,
]);

export function httpStatusFor(kind: HubErrorKind): number {
  return { unauthenticated: 401, forbidden: 403, invalid_input: 400, conflict: 409, not_found: 404, other: 500 }[kind];
}

/** What an error means for the response, decided in one place for REST and GraphQL. */
export type ErrorClass =
  | { kind: 'expected'; error: HubError }
  /** A malformed request Apollo or graphql-js refused (parse, validation, variables). */
  | { kind: 'request' }
  /**
   * A service the hub depends on cannot be reached (the database, the identity provider): 503 with
   * Retry-After. `code` is the reason shown; `reason` the cause for the log.
   */
  | { kind: 'unavailable'; reason: string; code: 'DATABASE_UNAVAILABLE' | 'IDP_UNAVAILABLE'; message: string; retryAfter: number }
  | { kind: 'cancelled' }
  | { kind: 'internal'; error: unknown };

/** Seconds a client should wait before retrying when the identity provider could not be reached. */
export const IDP_RETRY_AFTER_SECONDS = 30;

export function classifyError(error: unknown): ErrorClass {
  if (isHubError(error) && error.kind !== 'other') return { kind: 'expected', error };
  if (isHubError(error) && error.reason === 'IDP_UNAVAILABLE') {
    return { kind: 'unavailable', reason: 'IDP_UNAVAILABLE', code: 'IDP_UNAVAILABLE', message: error.message, retryAfter: IDP_RETRY_AFTER_SECONDS };
  }
  if (error instanceof ArgumentValidationError) return { kind: 'request' };
  if (error instanceof GraphQLError) {
    // graphql-js and Apollo request errors carry user text in their messages: never read those as database faults
    const code = error.extensions?.code;
    if (typeof code === 'string' && REQUEST_CODES.has(code)) return { kind: 'request' };
    const cause = error.originalError;
    return cause && !(cause instanceof GraphQLError) ? classifyError(cause) : { kind: 'internal', error };
  }
  const invalid = dataException(error);
  if (invalid) return { kind: 'expected', error: invalid };
  const reason = databaseUnavailableReason(error);
  if (reason !== undefined) return { kind: 'unavailable', reason, code: 'DATABASE_UNAVAILABLE', message: UNAVAILABLE_MESSAGE, retryAfter: RETRY_AFTER_SECONDS };
  if (isStatementCancelled(error)) return { kind: 'cancelled' };
  return { kind: 'internal', error };
}

/**
 * PostgreSQL data exceptions (SQLSTATE class 22: a NUL byte, a number out of
 * range, text that is not a date) come from a value in the request that
 * validation let through: the client gets a 400 naming it, not a 500. Callers
 * log these at warn (reason INVALID_VALUE): validation should refuse them first.
 */
function dataException(error: unknown): HubError | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || !/^22[0-9A-Z]{3}$/.test(e.code)) return undefined;
  const message = typeof e.message === 'string' ? e.message.split('\n')[0]!.slice(0, 200) : 'invalid value';
  return HubError.invalidInput('INVALID_VALUE', `A value in the request cannot be used: ${message}`, { sqlstate: e.code });
}

/** The error a resolver threw, behind the GraphQLError graphql-js wraps it in; request errors stay as they are. */
export function originalError(error: unknown): unknown {
  return unwrapResolverError(error);
}

/** A GraphQLError for a HubError thrown outside resolvers (context building). */
export function toGraphQLError(kind: HubErrorKind, reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES[kind], reason, http: { status: httpStatusFor(kind) } } });
}

/** The GraphQLError for an unavailable service outside resolvers: 503 with Retry-After. */
export function unavailableGraphQLError(c: Extract<ErrorClass, { kind: 'unavailable' }>): GraphQLError {
  return new GraphQLError(c.message, {
    extensions: {
      code: UNAVAILABLE_CODE,
      reason: c.code,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(c.retryAfter)]]) },
    },
  });
}

/**
 * Apollo formatError: HubErrors keep their message and get their code; an
 * unreachable database becomes SERVICE_UNAVAILABLE (the response plugin makes
 * the status 503); expected request errors pass; everything else becomes
 * INTERNAL_SERVER_ERROR with the message hidden. Pure: logging happens in the
 * response plugin, against the request id.
 */
export function createFormatError() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = originalError(error);
    const path = formatted.path;
    const at = path ? { path } : {};
    const c = classifyError(original);
    if (c.kind === 'expected') {
      return {
        message: c.error.message,
        extensions: { code: ERROR_CODES[c.error.kind], reason: c.error.reason },
        ...at,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
      };
    }
    if (c.kind === 'unavailable') return { message: c.message, extensions: { code: UNAVAILABLE_CODE, reason: c.code }, ...at };
    if (c.kind === 'cancelled') return { message: 'The request was cancelled before it finished', extensions: { code: CANCELLED_CODE }, ...at };
    if (original instanceof ArgumentValidationError) {
      return { message: 'Argument validation failed', extensions: { code: 'BAD_USER_INPUT' }, ...at };
    }
    if (c.kind === 'request') {
      const { http: _http, stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...at };
  };
}
