import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { UserLookup } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import type { Config } from '../config';
import { durationSeconds } from '../duration';
import type { Logger } from '../logger';
import { checkTokenTimes, CLOCK_TOLERANCE_SECONDS } from './token-rules';

/** How an identity-provider token names a hub user. */
export type ExternalIdentity = Extract<UserLookup, { by: 'email' | 'subject' }>;

export interface OidcOptions {
  /** Exact `iss` of the provider's tokens. */
  issuer: string;
  /** The provider's JSON Web Key Set (jwks_uri). */
  jwksUrl: string;
  /** Expected `aud` (the hub's client or API id). */
  audience: string;
  /** `email`: the user's e-mail, any case; `sub`: the user's external subject. */
  userClaim: 'email' | 'sub';
  /** Accepted signature algorithms (asymmetric). */
  algorithms: string[];
  /** Longest accepted lifetime (exp - iat), seconds. */
  maxTtlSeconds: number;
  /** Earliest refetch of the key set for an unknown kid after the last fetch, seconds (jose default 30). */
  cooldownSeconds?: number;
  /** Age after which the key set is fetched again before use, seconds (jose default 600). */
  cacheMaxAgeSeconds?: number;
  /** Give up fetching the key set after this many milliseconds (jose default 5000). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface OidcVerifier {
  readonly issuer: string;
  /** Verifies a provider token and says which user it names; UNAUTHENTICATED or IDP_UNAVAILABLE otherwise. */
  verify(token: string): Promise<ExternalIdentity>;
}

/** The key set could not be fetched or used: the provider's fault, not the token's. */
class KeySetUnavailable extends Error {
  override readonly name = 'KeySetUnavailable';
}

/** The OIDC settings of the configuration, or null when OIDC sign-in is off. */
export function oidcOptionsFrom(config: Config, logger?: Logger): OidcOptions | null {
  if (!config.OIDC_ISSUER || !config.OIDC_JWKS_URL) return null;
  return {
    issuer: config.OIDC_ISSUER,
    jwksUrl: config.OIDC_JWKS_URL,
    audience: config.OIDC_AUDIENCE,
    userClaim: config.OIDC_USER_CLAIM as 'email' | 'sub',
    algorithms: config.OIDC_ALGORITHMS,
    maxTtlSeconds: durationSeconds(config.JWT_MAX_TTL)!,
    ...(logger ? { logger } : {}),
  };
}

/**
 * Verifies tokens of an OpenID Connect provider with jose. The provider's key
 * set is fetched on first use and cached (refetched after cacheMaxAge); a token
 * whose kid is not in the cached set triggers a refetch at most once per
 * cooldown, so keys the provider rotates in are picked up without restart and
 * a flood of unknown kids cannot hammer the provider. A provider that cannot be
 * reached when keys are needed is IDP_UNAVAILABLE (503-class), logged once per
 * outage without a stack.
 */
export function createOidcVerifier(options: OidcOptions): OidcVerifier {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    ...(options.cooldownSeconds !== undefined ? { cooldownDuration: options.cooldownSeconds * 1000 } : {}),
    ...(options.cacheMaxAgeSeconds !== undefined ? { cacheMaxAge: options.cacheMaxAgeSeconds * 1000 } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutDuration: options.timeoutMs } : {}),
  });
  let failuresSinceOutage = 0;
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      const key = await remote(header, token);
      if (failuresSinceOutage > 0) {
        options.logger?.info({ failed: failuresSinceOutage }, 'identity provider key set available again');
        failuresSinceOutage = 0;
      }
      return key;
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeySetUnavailable(describe(error), { cause: error });
    }
  };

  return {
    issuer: options.issuer,
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        if (error instanceof KeySetUnavailable) {
          if (failuresSinceOutage++ === 0) {
            options.logger?.warn({ reason: 'IDP_UNAVAILABLE', jwksHost: new URL(options.jwksUrl).host, cause: error.message }, 'identity provider key set unavailable');
          }
          throw new HubError('other', 'IDP_UNAVAILABLE', 'The identity provider cannot be reached to check the token; try again shortly');
        }
        throw tokenError(error);
      }
      checkTokenTimes(payload, options.maxTtlSeconds);
      return identityOf(payload, options.userClaim);
    },
  };
}

/** The user the verified claims name, by the configured claim. */
function identityOf(payload: JWTPayload, userClaim: 'email' | 'sub'): ExternalIdentity {
  if (userClaim === 'sub') {
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw HubError.unauthenticated('TOKEN_CLAIM_MISSING', 'The token carries no subject (sub) claim');
    }
    return { by: 'subject', subject: payload.sub };
  }
  const email = payload.email;
  if (typeof email !== 'string' || email.trim() === '') {
    throw HubError.unauthenticated('TOKEN_CLAIM_MISSING', 'The token carries no email claim');
  }
  // A provider that says the address is unverified does not vouch for it.
  if (payload.email_verified === false) {
    throw HubError.unauthenticated('EMAIL_UNVERIFIED', 'The identity provider has not verified this e-mail address');
  }
  return { by: 'email', email: email.trim() };
}

/** jose's verdict on a token as UNAUTHENTICATED with a stable reason. */
function tokenError(error: unknown): HubError {
  if (error instanceof errors.JWTExpired) return HubError.unauthenticated('TOKEN_EXPIRED', 'The token has expired');
  if (error instanceof errors.JWKSNoMatchingKey) {
    return HubError.unauthenticated('TOKEN_KEY_UNKNOWN', 'The token was signed by a key the identity provider does not publish');
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return HubError.unauthenticated('TOKEN_KEY_ID_MISSING', 'The token names no signing key (kid) and the identity provider publishes several');
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return HubError.unauthenticated('TOKEN_NOT_YET_VALID', 'The token is not valid yet');
  }
  if (error instanceof errors.JOSEError) return HubError.unauthenticated('TOKEN_INVALID', `The token was rejected: ${error.message}`);
  throw error;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
