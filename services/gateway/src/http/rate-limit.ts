import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type pg from 'pg';
import type { Logger } from '../logger';
import type { HubMetrics } from '../metrics';
import { requestAccess } from './access';
import type { AppDeps } from '../deps';
import type { RateLimitOptions } from './options';
import { refuse } from './refusal';

export type { RateLimitOptions } from './options';

/**
 * express-rate-limit store over the hub's own pg pool: one fixed window per
 * key in the UNLOGGED table rate_limit_counter, incremented with one upsert,
 * so several hub instances share their counts. Expired windows are swept
 * every window.
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    readonly prefix: string,
    private readonly logger?: Logger,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => {
      this.pool
        .query(`delete from rate_limit_counter where key like $1 and reset_at < now()`, [`${this.prefix}%`])
        .catch((error: unknown) => this.logger?.debug({ err: error }, 'rate-limit sweep failed'));
    }, Math.max(this.windowMs, 10_000));
    this.sweeper.unref();
  }

  async get(key: string): Promise<IncrementResponse | undefined> {
    const r = await this.pool.query<{ hits: number; reset_at: Date }>(
      `select hits, reset_at from rate_limit_counter where key = $1 and reset_at > now()`,
      [this.prefix + key],
    );
    const row = r.rows[0];
    return row ? { totalHits: row.hits, resetTime: row.reset_at } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const r = await this.pool.query<{ hits: number; reset_at: Date }>(
      `insert into rate_limit_counter as c (key, hits, reset_at) values ($1, 1, now() + make_interval(secs => $2::float8 / 1000))
       on conflict (key) do update set
         hits = case when c.reset_at <= now() then 1 else c.hits + 1 end,
         reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end
       returning hits, reset_at`,
      [this.prefix + key, this.windowMs],
    );
    const row = r.rows[0]!;
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.pool.query(`update rate_limit_counter set hits = greatest(hits - 1, 0) where key = $1 and reset_at > now()`, [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.pool.query(`delete from rate_limit_counter where key = $1`, [this.prefix + key]);
  }

  async resetAll(): Promise<void> {
    await this.pool.query(`delete from rate_limit_counter where key like $1`, [`${this.prefix}%`]);
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

export interface RateLimiters {
  /** Per client address, before authentication. */
  perIp: RequestHandler;
  /** Per signed-in user, after the request's access is known (requests without a valid token are limited by address only). */
  perUser: RequestHandler;
  shutdown(): void;
}

function retryAfterSeconds(req: Request): number {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 1;
}

/** The two limiters; 429 answers carry Retry-After and the RateLimit headers (IETF draft 8). */
export function createRateLimiters(deps: AppDeps, options: RateLimitOptions, metrics: HubMetrics): RateLimiters {
  const stores: Store[] = [];
  const make = (name: 'ip' | 'user', limit: number, keyGenerator: (req: Request) => Promise<string> | string, skip: (req: Request) => Promise<boolean> | boolean) => {
    const store = options.store === 'postgres' ? new PostgresRateLimitStore(deps.pool, `${name}:`, deps.logger) : undefined;
    if (store) stores.push(store);
    const handler: RequestHandler = rateLimit({
      windowMs: options.windowMs,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: `${name}-${limit}-in-${Math.round(options.windowMs / 1000)}s`,
      keyGenerator,
      skip: async (req: Request) => limit === 0 || (await skip(req)),
      ...(store ? { store } : {}),
      // A counter store that cannot be reached is a database outage: the error handler answers 503.
      passOnStoreError: false,
      // its configuration checks and store failures, as one line each without a stack
      logger: {
        error: (err, message) => deps.logger.error({ limiter: name, problem: err instanceof Error ? err.message : String(err) }, message ?? 'rate limiter'),
        warn: (err, message) => deps.logger.warn({ limiter: name, problem: err instanceof Error ? err.message : String(err) }, message ?? 'rate limiter'),
      },
      handler: (req: Request, res: Response) => {
        metrics.rateLimited.inc({ limiter: name });
        req.log.warn({ limiter: name }, 'rate limit reached');
        const seconds = retryAfterSeconds(req);
        refuse(req, res, 429, 'RATE_LIMITED', `Too many requests ${name === 'ip' ? 'from this address' : 'for this user'}: at most ${limit} per ${Math.round(options.windowMs / 1000)} s. Retry after ${seconds} s.`, {
          'retry-after': String(seconds),
        });
      },
    });
    return handler;
  };
  const perIp = make('ip', options.perIp, (req) => ipKeyGenerator(req.ip ?? 'unknown'), () => false);
  const userKey = async (req: Request): Promise<string | undefined> => {
    try {
      return String((await requestAccess(deps, req)).principal.userId);
    } catch {
      return undefined; // no valid token: the route refuses it; only the address limit applies
    }
  };
  const perUser = make('user', options.perUser, async (req) => (await userKey(req)) ?? 'anonymous', async (req) => (await userKey(req)) === undefined);
  return {
    perIp,
    perUser,
    shutdown() {
      for (const s of stores) void s.shutdown?.();
    },
  };
}
