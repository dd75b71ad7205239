import type { Config } from '../config';

/** How the rate limiters count (see http/rate-limit.ts). */
export interface RateLimitOptions {
  windowMs: number;
  /** Requests per window per client address; 0 turns the limiter off. */
  perIp: number;
  /** Requests per window per signed-in user; 0 turns the limiter off. */
  perUser: number;
  /** memory: this process only; postgres: counters shared by every instance on the database. */
  store: 'memory' | 'postgres';
}

/** HTTP policies and limits; `httpOptionsFromConfig` fills them from the environment. */
export interface HttpOptions {
  /** Largest /graphql body in bytes (413 above). */
  graphqlMaxBytes: number;
  /** Largest body on routes that take none of their own (everything but /graphql and uploads). */
  defaultMaxBytes: number;
  /** Origins allowed cross-origin (CORS); empty: none. */
  corsOrigins: string[];
  /** Express "trust proxy" (false, hop count, or proxy addresses). */
  trustProxy: false | number | string[];
  rateLimit: RateLimitOptions;
  /** Bearer token for GET /metrics; empty: /metrics answers 404. */
  metricsToken: string;
  /** How long /readyz waits for the database. */
  readinessTimeoutMs: number;
  /** How long in-flight requests may run after stop() begins before they are cut off. */
  shutdownGraceMs: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  graphqlMaxBytes: 1024 * 1024,
  defaultMaxBytes: 64 * 1024,
  corsOrigins: [],
  trustProxy: false,
  rateLimit: { windowMs: 60_000, perIp: 1200, perUser: 600, store: 'memory' },
  metricsToken: '',
  readinessTimeoutMs: 1000,
  shutdownGraceMs: 10_000,
};

/** The HTTP options the environment sets (see config.ts). */
export function httpOptionsFromConfig(config: Config): HttpOptions {
  return {
    ...DEFAULT_HTTP_OPTIONS,
    graphqlMaxBytes: config.GRAPHQL_MAX_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    trustProxy: config.TRUST_PROXY,
    rateLimit: {
      windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      perIp: config.RATE_LIMIT_PER_IP,
      perUser: config.RATE_LIMIT_PER_USER,
      store: config.RATE_LIMIT_STORE as RateLimitOptions['store'],
    },
    metricsToken: config.METRICS_TOKEN,
    shutdownGraceMs: config.SHUTDOWN_GRACE_SECONDS * 1000,
  };
}

