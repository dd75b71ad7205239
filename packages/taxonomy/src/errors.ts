/**
 * The one error type packages throw for expected failures. `reason` is a stable
 * machine code (e.g. ISP_EXPIRED, WRONG_HEADER); the gateway maps `kind` to a
 * GraphQL error code and never exposes the message of kind `other`.
 */
export const HUB_ERROR_KINDS = [
  'unauthenticated',
  'forbidden',
  'invalid_input',
  'conflict',
  'not_found',
  'other',
] as const;
export type HubErrorKind = (typeof HUB_ERROR_KINDS)[number];

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly kind: HubErrorKind,
    readonly reason: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  static invalidInput(reason: string, message: string, details?: Record<string, unknown>): HubError {
    return new HubError('invalid_input', reason, message, details);
  }

  static forbidden(reason: string, message: string): HubError {
    return new HubError('forbidden', reason, message);
  }

  static notFound(what: string, id: string | number): HubError {
    return new HubError('not_found', 'NOT_FOUND', `${what} ${id} was not found`);
  }

  static conflict(reason: string, message: string, details?: Record<string, unknown>): HubError {
    return new HubError('conflict', reason, message, details);
  }

  static unauthenticated(reason: string, message: string): HubError {
    return new HubError('unauthenticated', reason, message);
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}
