import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import pg from 'pg';
import type { AccessContext } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import { type AppDeps } from './deps';
import type { GraphQLContext } from './graphql/context';
import { classifyError, createFormatError, httpStatusFor, toGraphQLError, unavailableGraphQLError } from './graphql/errors';
import { hubResponsePlugin } from './graphql/plugins';
import { buildHubSchema } from './graphql/schema';
import { requestAccess } from './http/access';
import { exportsRouter } from './http/exports.route';
import { databaseCheck, healthRouter, Readiness, type ReadinessCheck } from './http/health';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './http/options';
import { createRateLimiters } from './http/rate-limit';
import { refuse } from './http/refusal';
import { submissionsRouter } from './http/submissions.route';
import type { Logger } from './logger';
import { createMetrics, type HubMetrics } from './metrics';
import { OutageLog } from './outage';

export interface ShutdownReport {
  /** Requests that finished on their own during the grace period. */
  finished: number;
  /** Requests still running when the grace period ended: aborted (statements cancelled) and their connections closed. */
  cutOff: number;
}

export interface HubApp {
  app: express.Express;
  httpServer: http.Server;
  metrics: HubMetrics;
  /** /readyz checks; add more (e.g. the job queue) with readiness.add(). */
  readiness: Readiness;
  /** Requests being handled now. */
  inFlight(): number;
  /**
   * Graceful stop: /readyz turns 503, no new connections, idle keep-alive
   * connections close, in-flight requests get `graceMs` to finish, then are
   * aborted (their statements cancelled) and their connections closed; then
   * Apollo stops and the probe pool closes. The caller closes the database.
   */
  stop(options?: { graceMs?: number }): Promise<ShutdownReport>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The server's own id for this request (UUID): logs, audit, X-Request-Id. */
      requestId: string;
      log: Logger;
      /** Fires when the client goes away before the response is complete, or shutdown cuts the request off. */
      signal: AbortSignal;
      /** The request's authenticated access, once asked for (see http/access.ts). */
      access?: Promise<AccessContext>;
    }
  }
}

/** A client-supplied X-Request-Id is logged beside ours when it looks like an id; it is never used as ours. */
const CLIENT_REQUEST_ID = /^[\w.:@-]{1,128}$/;
const KNOWN_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/api/submissions', '/api/exports/incidents.csv']);

/** A bounded label for the route a request went to (metrics): the matched pattern, never the raw path. */
function routeLabel(req: Request): string {
  const path = (req.originalUrl ?? req.url).split('?')[0] ?? '';
  if (path === '/graphql' || path.startsWith('/graphql/')) return '/graphql';
  if (req.route?.path) return `${req.baseUrl ?? ''}${String(req.route.path)}`;
  if (KNOWN_ROUTES.has(path)) return path;
  if (/^\/api\/submissions\/[^/]+\/rejects\.csv$/.test(path)) return '/api/submissions/:id/rejects.csv';
  return 'other';
}

/** body-parser's errors (they carry `type` and a 4xx `status`) as a status, reason and message for the client. */
function bodyError(error: unknown, limits: { graphqlMaxBytes: number }): { status: number; reason: string; message: string } | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { type?: unknown; status?: unknown; limit?: unknown; charset?: unknown; encoding?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number') return undefined;
  switch (e.type) {
    case 'entity.too.large':
      return { status: 413, reason: 'BODY_TOO_LARGE', message: `The request body is larger than the ${Number(e.limit ?? limits.graphqlMaxBytes).toLocaleString('en-GB')}-byte limit for this endpoint` };
    case 'entity.parse.failed':
      return { status: 400, reason: 'MALFORMED_JSON', message: 'The request body is not valid JSON' };
    case 'charset.unsupported':
      return { status: 415, reason: 'UNSUPPORTED_CHARSET', message: `Unsupported charset ${String(e.charset ?? '').slice(0, 40)}: send UTF-8 JSON` };
    case 'encoding.unsupported':
      return { status: 415, reason: 'UNSUPPORTED_ENCODING', message: `Unsupported content encoding ${String(e.encoding ?? '').slice(0, 40)}` };
    case 'request.aborted':
      return { status: 400, reason: 'REQUEST_ABORTED', message: 'The request body ended before it was complete' };
    case 'request.size.invalid':
      return { status: 400, reason: 'BODY_LENGTH_MISMATCH', message: 'The request body does not match its Content-Length' };
    default:
      return e.status >= 400 && e.status < 500 ? { status: e.status, reason: 'BAD_REQUEST', message: 'The request body could not be read' } : undefined;
  }
}

/** Refuses a body whose declared length is over `max` before reading any of it (chunked bodies are counted by the route's own reader). */
function declaredLengthLimit(max: number, what: string): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(length) && length > max) {
      req.log.warn({ status: 413, reason: 'BODY_TOO_LARGE', bytes: length, limit: max }, 'request refused');
      res.setHeader('connection', 'close');
      refuse(req, res, 413, 'BODY_TOO_LARGE', `The request body (${length.toLocaleString('en-GB')} bytes) is larger than the ${max.toLocaleString('en-GB')}-byte limit for ${what}`);
      return;
    }
    next();
  };
}

function bearerEquals(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Builds the Express app: /healthz, /readyz, /metrics, REST routes and /graphql. Call listen on httpServer. */
export async function createHubApp(given: AppDeps): Promise<HubApp> {
  if (given.production && given.accessOverride) {
    throw new HubError('other', 'ACCESS_OVERRIDE_IN_PRODUCTION', 'accessOverride is for benchmarks and is refused in production');
  }
  const options: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, ...given.http, rateLimit: { ...DEFAULT_HTTP_OPTIONS.rateLimit, ...given.http?.rateLimit } };
  const metrics = given.metrics ?? createMetrics();
  const deps: AppDeps & { metrics: HubMetrics } = { ...given, metrics };
  const outage = new OutageLog(deps.logger);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  const httpServer = http.createServer(app);

  // One connection reserved for readiness probes: a saturated request pool must not look like a dead database.
  const probePool = new pg.Pool({
    ...(deps.pool.options as pg.PoolConfig),
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: options.readinessTimeoutMs,
    query_timeout: options.readinessTimeoutMs,
    application_name: 'csp-hub-readiness',
  });
  probePool.on('error', () => undefined); // a probe connection dropped by a restart: the next probe reconnects
  const readiness = new Readiness(options.readinessTimeoutMs * 3);
  readiness.add(databaseCheck(probePool, options.readinessTimeoutMs));
  for (const check of deps.readinessChecks ?? []) readiness.add(check);
  metrics.watchPool('app', () => deps.pool);
  metrics.watchPool('probe', () => probePool);
  metrics.watchPool('orm', () => ormPoolCounts(deps));

  const inflight = new Set<{ controller: AbortController; cutOff: boolean }>();
  let drained: (() => void) | undefined;

  app.use((req: Request, res: Response, next: NextFunction) => {
    req.requestId = randomUUID();
    const incoming = req.headers['x-request-id'];
    const clientRequestId = typeof incoming === 'string' && CLIENT_REQUEST_ID.test(incoming) ? incoming : undefined;
    req.log = deps.logger.child({ requestId: req.requestId, ...(clientRequestId ? { clientRequestId } : {}) });
    const entry = { controller: new AbortController(), cutOff: false };
    req.signal = entry.controller.signal;
    inflight.add(entry);
    res.setHeader('x-request-id', req.requestId);
    res.setHeader('cache-control', 'no-store');
    if (readiness.stopping) res.setHeader('connection', 'close');
    const started = process.hrtime.bigint();
    const observe = (status: number): number => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method, route: routeLabel(req), status: String(status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      return Math.round(seconds * 1e4) / 10;
    };
    res.on('finish', () => {
      const ms = observe(res.statusCode);
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    res.on('close', () => {
      inflight.delete(entry);
      if (!res.writableFinished) {
        // 499: nginx's "client closed request"; the response was never completed
        const ms = observe(499);
        entry.controller.abort(new Error(entry.cutOff ? 'cut off by shutdown' : 'client went away'));
        if (entry.cutOff) req.log.warn({ method: req.method, path: req.path, ms }, 'request cut off by shutdown: its work is cancelled and rolled back');
        else req.log.info({ method: req.method, path: req.path, ms }, 'client went away before the response was complete: its work is cancelled');
      }
      if (inflight.size === 0) drained?.();
    });
    next();
  });

  app.use(
    helmet({
      // JSON and CSV only: nothing may load, frame or submit anything.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    }),
  );
  if (options.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: options.corsOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight'],
        exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy'],
        credentials: false, // bearer tokens, never cookies
        maxAge: 600,
      }),
    );
  }

  app.use(healthRouter(readiness));
  app.get('/metrics', async (req: Request, res: Response) => {
    if (!options.metricsToken) {
      refuse(req, res, 404, 'NOT_FOUND', 'No such endpoint');
      return;
    }
    if (!bearerEquals(req.headers.authorization, options.metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ error: { code: 'METRICS_TOKEN_REQUIRED', message: 'Send Authorization: Bearer <METRICS_TOKEN>' } });
      return;
    }
    res.setHeader('content-type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });

  const limiters = createRateLimiters(deps, options.rateLimit, metrics);
  for (const prefix of ['/graphql', '/api']) app.use(prefix, limiters.perIp, limiters.perUser);

  app.post('/api/submissions', declaredLengthLimit(deps.uploads.maxBytes, 'uploads (UPLOAD_MAX_BYTES)'));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (path === '/graphql' || (req.method === 'POST' && path === '/api/submissions')) return next();
    return declaredLengthLimit(options.defaultMaxBytes, 'this endpoint')(req, res, next);
  });

  app.use(submissionsRouter(deps));
  app.use(exportsRouter(deps));

  const schema = await buildHubSchema();
  // Query limits against abuse; field suggestions ("did you mean ...") are withheld in production.
  const armor = new ApolloArmor({
    maxDepth: { n: 10, ignoreIntrospection: true },
    maxAliases: { n: 30 },
    maxDirectives: { n: 20 },
    maxTokens: { n: 5000 },
    costLimit: { maxCost: 20000 },
    blockFieldSuggestion: { enabled: deps.production },
  }).protect();
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: armor.validationRules,
    allowBatchedHttpRequests: false,
    // No automatic persisted queries: a shared hash cache would tell one user which queries another ran.
    persistedQueries: false,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // the CLI owns shutdown order (HTTP, ORM, database)
    formatError: createFormatError(),
    // No cache hints are used: the cache-control plugin would only wrap every field resolver (1,000+ per page).
    plugins: [...armor.plugins, hubResponsePlugin(metrics, outage), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();

  app.use(
    '/graphql',
    declaredLengthLimit(options.graphqlMaxBytes, '/graphql (GRAPHQL_MAX_BYTES)'),
    express.json({ limit: options.graphqlMaxBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        try {
          const access = await requestAccess(deps, req);
          const { principal } = access;
          return {
            requestId: req.requestId,
            principal,
            access,
            sdc: deps.sdc,
            ...(deps.boundaries ? { boundaries: deps.boundaries } : {}),
            em: access.em,
            signal: req.signal,
            logger: req.log.child({ userId: principal.userId }),
          };
        } catch (error) {
          const c = classifyError(error);
          if (c.kind === 'expected') throw toGraphQLError(c.error.kind, c.error.reason, c.error.message);
          if (c.kind === 'unavailable') {
            if (c.code === 'DATABASE_UNAVAILABLE') {
              outage.record(c.reason, req.requestId);
              metrics.databaseUnavailable.inc({ surface: 'graphql' });
            }
            throw unavailableGraphQLError(c);
          }
          if (c.kind !== 'cancelled' || !req.signal.aborted) req.log.error({ err: error }, 'internal error while authenticating');
          throw toGraphQLError('other', 'INTERNAL', 'Internal server error');
        }
      },
    }),
  );

  app.use((req: Request, res: Response) => {
    refuse(req, res, 404, 'NOT_FOUND', `No such endpoint: ${req.method} ${req.path.slice(0, 100)}`);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const gone = req.signal?.aborted === true || res.destroyed;
    const body = bodyError(error, options);
    if (body) {
      if (gone) req.log.debug({ reason: body.reason }, 'request body not read: the client went away');
      else req.log.warn({ status: body.status, reason: body.reason }, 'request refused');
      res.setHeader('connection', 'close');
      refuse(req, res, body.status, body.reason, body.message);
      return;
    }
    const c = classifyError(error);
    if (c.kind === 'expected') {
      if (c.error.reason === 'INVALID_VALUE') req.log.warn({ sqlstate: c.error.details.sqlstate }, 'the database refused a value validation let through');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.status(httpStatusFor(c.error.kind)).json({ error: { code: c.error.reason, message: c.error.message } });
      return;
    }
    if (c.kind === 'unavailable') {
      if (c.code === 'DATABASE_UNAVAILABLE') {
        outage.record(c.reason, req.requestId);
        metrics.databaseUnavailable.inc({ surface: 'rest' });
      }
      refuse(req, res, 503, c.code, c.message, { 'retry-after': String(c.retryAfter) });
      return;
    }
    if (gone) {
      // the client went away (logged once when it did) or shutdown cut the request off: nobody to answer
      req.log.debug({ kind: c.kind }, 'request ended after its client went away');
      res.destroy();
      return;
    }
    req.log.error({ err: error }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: req.requestId } });
  });

  let stopping: Promise<ShutdownReport> | undefined;
  const stop = async (graceMs: number): Promise<ShutdownReport> => {
    readiness.beginShutdown();
    const atStart = inflight.size;
    if (httpServer.listening) httpServer.close();
    httpServer.closeIdleConnections();
    if (inflight.size > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    const cutOff = inflight.size;
    if (cutOff > 0) {
      deps.logger.warn({ requests: cutOff, graceMs }, 'grace period over: cutting off requests still running');
      for (const entry of inflight) {
        entry.cutOff = true;
        entry.controller.abort(new Error('cut off by shutdown'));
      }
    }
    httpServer.closeAllConnections();
    await apollo.stop();
    limiters.shutdown();
    outage.close();
    await probePool.end().catch(() => undefined);
    return { finished: atStart - cutOff, cutOff };
  };

  return {
    app,
    httpServer,
    metrics,
    readiness,
    inFlight: () => inflight.size,
    stop(stopOptions = {}) {
      stopping ??= stop(stopOptions.graceMs ?? options.shutdownGraceMs);
      return stopping;
    },
  };
}

/** The ORM's (knex/tarn) pool in pg.Pool terms, for the pool gauges. */
function ormPoolCounts(deps: AppDeps): { totalCount: number; idleCount: number; waitingCount: number } | undefined {
  try {
    const knex = (deps.orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: TarnPool } } }).getKnex();
    const pool = knex.client.pool;
    if (!pool) return undefined;
    return { totalCount: pool.numUsed() + pool.numFree(), idleCount: pool.numFree(), waitingCount: pool.numPendingAcquires() };
  } catch {
    return undefined;
  }
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

export type { ReadinessCheck };
export { DEFAULT_HTTP_OPTIONS, httpOptionsFromConfig } from './http/options';
export type { HttpOptions } from './http/options';
