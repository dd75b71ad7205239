import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pingDatabase } from '@csp-hub/db';
import { HubError, isHubError } from '@csp-hub/taxonomy';
import { authenticate, type AppDeps } from './deps';
import type { GraphQLContext } from './graphql/context';
import { createFormatError, hubErrorStatus, isUnavailable, RETRY_AFTER_SECONDS, toGraphQLError } from './graphql/errors';
import { buildHubSchema } from './graphql/schema';
import { exportsRouter } from './http/exports.route';
import { submissionsRouter } from './http/submissions.route';
import type { Logger } from './logger';

export interface HubApp {
  app: express.Express;
  httpServer: http.Server;
  stop(): Promise<void>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      log: Logger;
    }
  }
}

/** Builds the Express app with /healthz and /graphql. Call listen on httpServer. */
export async function createHubApp(deps: AppDeps): Promise<HubApp> {
  if (deps.production && deps.accessOverride) {
    throw new HubError('other', 'ACCESS_OVERRIDE_IN_PRODUCTION', 'accessOverride is for benchmarks and is refused in production');
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const httpServer = http.createServer(app);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.log = deps.logger.child({ requestId: req.requestId });
    res.setHeader('x-request-id', req.requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      req.log.info(
        { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', async (_req: Request, res: Response) => {
    const database = (await pingDatabase(deps.pool)) ? 'up' : 'down';
    res.status(database === 'up' ? 200 : 503).json({ status: database === 'up' ? 'ok' : 'degraded', database });
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
    introspection: !deps.production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // the CLI owns shutdown order (HTTP, ORM, database)
    formatError: createFormatError(deps.logger),
    plugins: [...armor.plugins, ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        try {
          const access = await authenticate(deps, req);
          const { principal } = access;
          return { requestId: req.requestId, principal, access, sdc: deps.sdc, em: access.em, logger: req.log.child({ userId: principal.userId }) };
        } catch (error) {
          if (isHubError(error)) throw toGraphQLError(error.kind, error.reason, error.message);
          throw error;
        }
      },
    }),
  );

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isHubError(error) && (error.kind !== 'other' || isUnavailable(error))) {
      if (isUnavailable(error)) res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      res.status(hubErrorStatus(error)).json({ error: { code: error.reason, message: error.message } });
      return;
    }
    (req.log ?? deps.logger).error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: req.requestId } });
  });

  return {
    app,
    httpServer,
    async stop() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
