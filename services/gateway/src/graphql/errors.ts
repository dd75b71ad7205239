import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { isHubError, type HubError, type HubErrorKind } from '@csp-hub/taxonomy';
import type { Logger } from '../logger';

/** HubError kinds to GraphQL error codes: the one mapping (see STYLE.md). */
export const ERROR_CODES: Record<HubErrorKind, string> = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  invalid_input: 'BAD_USER_INPUT',
  conflict: 'CONFLICT',
  not_found: 'NOT_FOUND',
  other: 'INTERNAL_SERVER_ERROR',
};

/**
 * Reasons of kind `other` that mean a service the hub depends on is down, not
 * a bug: HTTP 503 SERVICE_UNAVAILABLE with Retry-After, the message shown and
 * no stack logged (the component that failed logs it once).
 */
const UNAVAILABLE_REASONS: ReadonlySet<string> = new Set(['IDP_UNAVAILABLE']);
export const RETRY_AFTER_SECONDS = 30;

export function isUnavailable(error: HubError): boolean {
  return error.kind === 'other' && UNAVAILABLE_REASONS.has(error.reason);
}

/** Codes Apollo and graphql-js produce for malformed requests; passed through as they are. */
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
  'SERVICE_UNAVAILABLE',
]);

export function httpStatusFor(kind: HubErrorKind): number {
  return { unauthenticated: 401, forbidden: 403, invalid_input: 400, conflict: 409, not_found: 404, other: 500 }[kind];
}

/** The HTTP status of a HubError: by kind, 503 for an unavailable dependency. */
export function hubErrorStatus(error: HubError): number {
  return isUnavailable(error) ? 503 : httpStatusFor(error.kind);
}

/** A GraphQLError for a HubError thrown outside resolvers (context building). */
export function toGraphQLError(kind: HubErrorKind, reason: string, message: string): GraphQLError {
  if (kind === 'other' && UNAVAILABLE_REASONS.has(reason)) {
    return new GraphQLError(message, {
      extensions: { code: 'SERVICE_UNAVAILABLE', reason, http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) } },
    });
  }
  return new GraphQLError(message, { extensions: { code: ERROR_CODES[kind], reason, http: { status: httpStatusFor(kind) } } });
}

/**
 * Apollo formatError: HubErrors keep their message and get their code; expected
 * request errors pass; everything else becomes INTERNAL_SERVER_ERROR with the
 * message hidden and the cause logged against the request id.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const path = formatted.path;
    if (isHubError(original)) {
      if (original.kind === 'other') {
        logger.error({ err: original, reason: original.reason, path }, 'internal error');
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(path ? { path } : {}) };
      }
      return {
        message: original.message,
        extensions: { code: ERROR_CODES[original.kind], reason: original.reason },
        ...(path ? { path } : {}),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
      };
    }
    if (original instanceof ArgumentValidationError) {
      return { message: 'Argument validation failed', extensions: { code: 'BAD_USER_INPUT' }, ...(path ? { path } : {}) };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_CODES.has(code)) {
      const { http: _http, stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path }, 'internal error');
    return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(path ? { path } : {}) };
  };
}
