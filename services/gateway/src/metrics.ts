import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a connection pool can tell about itself (pg.Pool has these; the ORM's pool is adapted). */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The hub's Prometheus metrics: one registry per app, the HTTP and GraphQL
 * series the gateway records, and counters other modules increment through
 * AppDeps (`deps.metrics.ingestRows.inc({ feed, outcome: 'accepted' }, n)`,
 * `deps.metrics.queueDepth.set({ queue }, n)`). Labels carry names and codes
 * only, never record contents or user ids.
 */
export interface HubMetrics {
  registry: Registry;
  /** HTTP requests by method, route pattern and status. */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** GraphQL operations by operation name (capped, see operationLabel), type and outcome (ok, error, unavailable). */
  graphqlOperations: Counter<'operation' | 'type' | 'outcome'>;
  graphqlDuration: Histogram<'operation' | 'type'>;
  /** Rows ingested by feed and outcome (accepted, rejected): rate() gives rows per second. */
  ingestRows: Counter<'feed' | 'outcome'>;
  /** Jobs waiting per queue. */
  queueDepth: Gauge<'queue'>;
  /** Requests answered 503 because the database could not be reached. */
  databaseUnavailable: Counter<'surface'>;
  /** Requests refused by a rate limiter. */
  rateLimited: Counter<'limiter'>;
  /** Reports a pool's connections (total, idle, waiting) under pool="<name>" at every scrape. */
  watchPool(name: string, counts: () => PoolCounts | undefined): void;
  /** A label for a client-chosen GraphQL operation name: well-formed names up to a fixed number, then "other". */
  operationLabel(name: string | null | undefined): string;
  /** A counter, gauge or histogram of the hub's own, created once under the registry (prefix added). */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
}

export const METRIC_PREFIX = 'csp_hub_';
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> => {
    const full = `${METRIC_PREFIX}${name}`;
    const existing = registry.getSingleMetric(full);
    if (existing) return existing as Counter<L>;
    return new Counter<L>({ name: full, help, labelNames, registers: [registry] });
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> => {
    const full = `${METRIC_PREFIX}${name}`;
    const existing = registry.getSingleMetric(full);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({ name: full, help, labelNames, registers: [registry] });
  };
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> => {
    const full = `${METRIC_PREFIX}${name}`;
    const existing = registry.getSingleMetric(full);
    if (existing) return existing as Histogram<L>;
    return new Histogram<L>({ name: full, help, labelNames, buckets, registers: [registry] });
  };

  const pools = new Map<string, () => PoolCounts | undefined>();
  new Gauge({
    name: `${METRIC_PREFIX}db_pool_connections`,
    help: 'Database connections per pool: total open, idle, and callers waiting for one',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [pool, read] of pools) {
        const counts = read();
        if (!counts) continue;
        this.set({ pool, state: 'total' }, counts.totalCount);
        this.set({ pool, state: 'idle' }, counts.idleCount);
        this.set({ pool, state: 'waiting' }, counts.waitingCount);
      }
    },
  });

  const seen = new Set<string>();
  return {
    registry,
    httpRequests: counter('http_requests_total', 'HTTP requests by method, route and status', ['method', 'route', 'status']),
    httpDuration: histogram('http_request_duration_seconds', 'HTTP request latency by method, route and status', ['method', 'route', 'status']),
    graphqlOperations: counter('graphql_operations_total', 'GraphQL operations by name, type and outcome', ['operation', 'type', 'outcome']),
    graphqlDuration: histogram('graphql_operation_duration_seconds', 'GraphQL operation latency by name and type', ['operation', 'type']),
    ingestRows: counter('ingest_rows_total', 'Rows ingested by feed and outcome (accepted, rejected)', ['feed', 'outcome']),
    queueDepth: gauge('job_queue_depth', 'Jobs waiting per queue', ['queue']),
    databaseUnavailable: counter('database_unavailable_total', 'Requests answered 503 because the database could not be reached', ['surface']),
    rateLimited: counter('rate_limited_total', 'Requests refused with 429 by a rate limiter', ['limiter']),
    watchPool(name, counts) {
      pools.set(name, counts);
    },
    operationLabel(name) {
      if (!name) return 'anonymous';
      if (!OPERATION_NAME.test(name)) return 'other';
      if (seen.has(name)) return name;
      if (seen.size >= MAX_OPERATION_NAMES) return 'other';
      seen.add(name);
      return name;
    },
    counter,
    gauge,
    histogram,
  };
}
