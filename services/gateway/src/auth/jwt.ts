import jwt from 'jsonwebtoken';
import { HubError } from '@csp-hub/taxonomy';
import type { SigningKeys } from './keys';

export interface TokenClaims {
  /** User id. */
  sub: string;
  /** Partnership id the token was issued for; must match the user's. */
  pid: number;
}

/** Signs a token for a user (the `token` CLI and tests). */
export function signToken(keys: SigningKeys, claims: TokenClaims, expiresIn: string): string {
  return jwt.sign({ pid: claims.pid }, keys.signingKey, {
    algorithm: keys.algorithm,
    subject: claims.sub,
    issuer: keys.issuer,
    audience: keys.audience,
    expiresIn: expiresIn as jwt.SignOptions['expiresIn'],
  });
}

/**
 * Verifies signature (pinned algorithm: `alg: none` and algorithm swaps fail),
 * expiry, issuer and audience. Every failure is UNAUTHENTICATED with a reason.
 */
export function verifyToken(keys: SigningKeys, token: string): TokenClaims {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, keys.verifyingKey, {
      algorithms: [keys.algorithm],
      issuer: keys.issuer,
      audience: keys.audience,
      clockTolerance: 5,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw HubError.unauthenticated('TOKEN_EXPIRED', 'The token has expired');
    if (error instanceof jwt.NotBeforeError) throw HubError.unauthenticated('TOKEN_NOT_YET_VALID', 'The token is not valid yet');
    const detail = error instanceof Error ? error.message : 'invalid token';
    throw HubError.unauthenticated('TOKEN_INVALID', `The token was rejected: ${detail}`);
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token has no user subject');
  }
  const pid = payload.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid)) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token names no partnership');
  }
  return { sub: payload.sub, pid };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)\s*$/i.exec(header);
  if (!match) throw HubError.unauthenticated('TOKEN_MALFORMED', 'Authorization header must be "Bearer <token>"');
  return match[1];
}
