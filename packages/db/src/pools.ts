import pg from 'pg';

export interface ReadPoolOptions {
  max: number;
  /** How long a request waits for a free connection (ms); unset: as long as it takes. */
  acquireTimeoutMs?: number;
  applicationName?: string;
}

/**
 * The pool that serves reads. Its sessions plan prepared statements once
 * (plan_cache_mode = force_generic_plan): every authorized read is a named
 * statement whose branches are plain index ranges, so re-planning it on each
 * execution (custom plans) would cost more than running it. Unnamed statements
 * (aggregates over ranges of the table) are still planned with their values.
 */
export function createReadPool(url: string, options: ReadPoolOptions): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: options.max,
    ...(options.acquireTimeoutMs !== undefined ? { connectionTimeoutMillis: options.acquireTimeoutMs } : {}),
    application_name: options.applicationName ?? 'csp-hub',
    options: '-c plan_cache_mode=force_generic_plan',
  });
}
