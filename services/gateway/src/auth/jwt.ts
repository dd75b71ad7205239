import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { HubError } from '@csp-hub/taxonomy';
import { durationSeconds, formatDuration } from '../duration';
import type { SigningKeys } from './keys';
import { checkTokenTimes, CLOCK_TOLERANCE_SECONDS } from './token-rules';

export interface TokenClaims {
  /** User id. */
  sub: string;
  /** Partnership id the token was issued for; must match the user's. */
  pid: number;
}

/**
 * Signs a hub token for a user (the `token` CLI, service use and tests) with
 * the signing key, naming it by kid once rotation is configured. The lifetime
 * is a duration like 8h and may not exceed JWT_MAX_TTL.
 */
export function signToken(keys: SigningKeys, claims: TokenClaims, expiresIn: string): string {
  if (!keys.signing) {
    throw HubError.forbidden('NO_SIGNING_KEY', 'This hub has no signing key: set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE');
  }
  const seconds = tokenLifetimeSeconds(expiresIn, keys.maxTtlSeconds);
  return jwt.sign({ pid: claims.pid }, keys.signing.key, {
    algorithm: keys.algorithm,
    subject: claims.sub,
    issuer: keys.issuer,
    audience: keys.audience,
    expiresIn: seconds,
    ...(keys.signing.kid ? { keyid: keys.signing.kid } : {}),
  });
}

/** A requested token lifetime (e.g. 8h) in seconds; refused when malformed or above the maximum (JWT_MAX_TTL). */
export function tokenLifetimeSeconds(ttl: string, maxTtlSeconds: number): number {
  const seconds = durationSeconds(ttl);
  if (seconds === undefined || seconds <= 0) {
    throw HubError.invalidInput('TTL_INVALID', `Token lifetime "${ttl}" must be a positive number with a unit s, m, h or d (e.g. 8h)`);
  }
  if (seconds > maxTtlSeconds) {
    throw HubError.invalidInput('TTL_TOO_LONG', `Token lifetime ${ttl} is longer than the maximum this hub accepts, ${formatDuration(maxTtlSeconds)} (JWT_MAX_TTL)`);
  }
  return seconds;
}

/**
 * Parsed verification keys, by PEM text: parsing a PEM on every request costs
 * more than checking the signature. HS256 secrets stay strings.
 */
const parsedKeys = new Map<string, KeyObject>();

function verificationKey(keys: SigningKeys, pem: string): string | KeyObject {
  if (keys.algorithm === 'HS256') return pem;
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (parsedKeys.size > 64) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}

/**
 * Tokens already verified, per key set: checking an ES256 signature is the
 * largest single cost of an authenticated request (~0.25 ms of CPU), and a
 * client sends the same token with every request. An entry lasts until the
 * token's exp (never past it), at most VERIFIED_TOKEN_TTL_MS, and only while
 * the key that verified it is still accepted; a reloaded key set starts
 * empty. Only the claims are remembered: the user, their partnership and
 * agreements are still read on every request.
 */
const verifiedTokens = new WeakMap<SigningKeys, Map<string, { claims: TokenClaims; until: number; kid: string | null; key: string }>>();
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKENS_MAX = 10_000;

/** The verification key a token's header names (kid), or an UNAUTHENTICATED error saying why there is none. */
function keyFor(keys: SigningKeys, kid: unknown): string {
  if (keys.verifying.size === 0) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'This hub accepts tokens from its identity provider only');
  }
  if (kid === undefined) {
    const key = keys.verifying.get(null);
    if (key === undefined) {
      throw HubError.unauthenticated('TOKEN_KEY_ID_MISSING', 'The token names no signing key (kid); this hub requires one');
    }
    return key;
  }
  const key = typeof kid === 'string' ? keys.verifying.get(kid) : undefined;
  if (key === undefined) throw HubError.unauthenticated('TOKEN_KEY_UNKNOWN', 'The token was signed by a key this hub does not accept');
  return key;
}

/**
 * Verifies a hub token: the key its kid names (rotation), the signature with
 * the pinned algorithm (`alg: none` and algorithm swaps fail), issuer,
 * audience, then the time rules every token obeys (exp and iat required, iat
 * not in the future, lifetime within JWT_MAX_TTL). Every failure is
 * UNAUTHENTICATED with a reason.
 */
export function verifyToken(keys: SigningKeys, token: string): TokenClaims {
  let cache = verifiedTokens.get(keys);
  const seen = cache?.get(token);
  if (seen) {
    if (seen.until > Date.now() && keys.verifying.get(seen.kid) === seen.key) return { ...seen.claims };
    cache!.delete(token);
  }
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token was rejected: it is not a signed JWT');
  }
  // Another issuer's token is refused as such before any key is looked up (the signature is checked below).
  if (decoded.payload.iss !== keys.issuer) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token was rejected: it comes from an issuer this hub does not accept');
  }
  const key = keyFor(keys, decoded.header.kid);
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, verificationKey(keys, key), {
      algorithms: [keys.algorithm],
      issuer: keys.issuer,
      audience: keys.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw HubError.unauthenticated('TOKEN_EXPIRED', 'The token has expired');
    if (error instanceof jwt.NotBeforeError) throw HubError.unauthenticated('TOKEN_NOT_YET_VALID', 'The token is not valid yet');
    const detail = error instanceof Error ? error.message : 'invalid token';
    throw HubError.unauthenticated('TOKEN_INVALID', `The token was rejected: ${detail}`);
  }
  if (typeof payload === 'string') throw HubError.unauthenticated('TOKEN_INVALID', 'The token was rejected: it is not a signed JWT');
  checkTokenTimes(payload, keys.maxTtlSeconds);
  if (typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token has no user subject');
  }
  const pid = payload.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid)) {
    throw HubError.unauthenticated('TOKEN_INVALID', 'The token names no partnership');
  }
  const claims = { sub: payload.sub, pid };
  if (!cache) verifiedTokens.set(keys, (cache = new Map()));
  if (cache.size >= VERIFIED_TOKENS_MAX) cache.clear();
  const kid = typeof decoded.header.kid === 'string' ? decoded.header.kid : null;
  cache.set(token, { claims: { ...claims }, until: Math.min(Number(payload.exp) * 1000, Date.now() + VERIFIED_TOKEN_TTL_MS), kid, key });
  return claims;
}

/** The unverified issuer (iss) of a token, to choose how to verify it; undefined when unreadable. */
export function unverifiedIssuer(token: string): string | undefined {
  const payload = jwt.decode(token, { json: true });
  return typeof payload?.iss === 'string' ? payload.iss : undefined;
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)\s*$/i.exec(header);
  if (!match) throw HubError.unauthenticated('TOKEN_MALFORMED', 'Authorization header must be "Bearer <token>"');
  return match[1];
}
