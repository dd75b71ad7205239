import { HubError } from '@csp-hub/taxonomy';
import { formatDuration } from '../duration';

/** Seconds a clock may be ahead or behind (iat, exp, nbf). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The time rules every token obeys, hub-signed or from the identity provider,
 * checked after its signature: an expiry (`exp`) and an issue time (`iat`) are
 * required, `iat` may not lie in the future, and the lifetime `exp - iat` may
 * not exceed the configured maximum (JWT_MAX_TTL). A stolen token is useful
 * for a bounded time only.
 */
export function checkTokenTimes(
  claims: { exp?: unknown; iat?: unknown },
  maxTtlSeconds: number,
  nowSeconds: number = Date.now() / 1000,
): void {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw HubError.unauthenticated('TOKEN_NO_EXPIRY', 'The token has no expiry time (exp); tokens must expire');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw HubError.unauthenticated('TOKEN_NO_ISSUED_AT', 'The token has no issue time (iat)');
  }
  if (exp <= nowSeconds - CLOCK_TOLERANCE_SECONDS) throw HubError.unauthenticated('TOKEN_EXPIRED', 'The token has expired');
  if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
    throw HubError.unauthenticated('TOKEN_ISSUED_IN_FUTURE', 'The token claims to be issued in the future (iat); check the issuer clock');
  }
  if (exp - iat > maxTtlSeconds) {
    throw HubError.unauthenticated(
      'TOKEN_LIFETIME_TOO_LONG',
      `The token is valid for ${formatDuration(Math.round(exp - iat))}, longer than the ${formatDuration(maxTtlSeconds)} this hub accepts (JWT_MAX_TTL)`,
    );
  }
}
