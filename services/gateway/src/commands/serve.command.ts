import { DEMO_PARTNERSHIPS, demoEmail } from '@csp-hub/db';
import { findDistrictBoundaries } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { keysAreNamed, loadSigningKeys } from '../auth/keys';
import { createOidcVerifier, oidcOptionsFrom } from '../auth/oidc';
import { cellKeyOf, type Config } from '../config';
import { openHub } from '../hub';
import type { Logger } from '../logger';
import { createMetrics } from '../metrics';
import type { CliCommand } from './command';
import { loadDemo } from './demo.command';
import { issueToken } from './hub-session';
import { loadCheckpointKey, startCheckpointSchedule } from '../audit-checkpoints';

async function serve(config: Config, logger: Logger, demo: boolean): Promise<void> {
  // Loaded here, not at the top: every other command starts faster and ~11 MB of heap lighter without the HTTP stack
  // (Apollo, graphql, type-graphql); .dependency-cruiser.cjs keeps it that way.
  const { createHubApp, httpOptionsFromConfig } = await import('../app');
  // Keys first: a bad key file stops the hub before the database starts.
  const keys = loadSigningKeys(config);
  const oidcOptions = oidcOptionsFrom(config, logger);
  logger.info(
    { hubKeys: keys.verifying.size, keyIds: keysAreNamed(keys) ? [...keys.verifying.keys()] : undefined, signingKeyId: keys.signing?.kid ?? undefined, oidcIssuer: oidcOptions?.issuer, oidcUserClaim: oidcOptions?.userClaim },
    'identity sources',
  );
  const checkpointKey = loadCheckpointKey(config);
  const hub = await openHub(config, logger);
  let stopping = false;
  // The audit chain's head, signed on a schedule with a key the database does not hold (ADR 0017).
  const checkpoints = startCheckpointSchedule(hub.pool, checkpointKey, config.AUDIT_CHECKPOINT_DIR, config.AUDIT_CHECKPOINT_MINUTES, logger);
  const app = await createHubApp({
    orm: hub.orm,
    pool: hub.pool,
    ingestPool: hub.ingestPool,
    keys,
    oidc: oidcOptions ? createOidcVerifier(oidcOptions) : null,
    logger,
    production: config.NODE_ENV === 'production',
    uploads: {
      maxBytes: config.UPLOAD_MAX_BYTES,
      maxConcurrent: config.UPLOAD_MAX_CONCURRENT,
      maxPerUser: config.UPLOAD_MAX_PER_USER,
      spoolDir: config.UPLOAD_SPOOL_DIR,
    },
    sdc: cellKeyOf(config),
    boundaries: findDistrictBoundaries(config.CSP_HUB_REFERENCE_DIR),
    metrics: createMetrics(),
    http: httpOptionsFromConfig(config),
    readinessChecks: [checkpoints.readiness],
  });
  const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
  /**
   * Shutdown order: /readyz 503 and no new connections; requests in flight get
   * SHUTDOWN_GRACE_SECONDS, then are cut off (statements cancelled, transactions
   * rolled back); then the ORM and pools close and the embedded database stops
   * last. A second signal exits at once (the embedded server still gets its
   * fast-shutdown signal on exit).
   */
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now without waiting');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS, inFlight: app.inFlight() }, 'shutting down: no new requests; waiting for those in flight');
    // whatever happens below, the process ends
    setTimeout(() => {
      logger.error({ signal }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, graceMs + 45_000).unref();
    let code = 0;
    try {
      const report = await app.stop({ graceMs });
      logger.info(report, 'HTTP stopped');
    } catch (error) {
      code = 1;
      logger.error({ err: error }, 'HTTP shutdown failed');
    }
    checkpoints.stop();
    // the last word before stopping: the head as it stands now
    if (config.AUDIT_CHECKPOINT_MINUTES > 0) await checkpoints.runOnce();
    try {
      await hub.close();
    } catch (error) {
      code = 1;
      logger.error({ err: error }, 'database shutdown failed');
    }
    logger.info({ code }, 'stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
  try {
    if (demo) {
      const loaded = await loadDemo(hub, config.CSP_HUB_REFERENCE_DIR, logger);
      logger.info(loaded, 'demo data loaded');
    }
    await new Promise<void>((resolve, reject) => {
      app.httpServer.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new HubError('other', 'PORT_TAKEN', `Port ${config.PORT} is already in use: set PORT to a free port`)
            : error,
        ),
      );
      app.httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
    // a first checkpoint at start, so the head is published from the first minute
    if (config.AUDIT_CHECKPOINT_MINUTES > 0) void checkpoints.runOnce();
  } catch (error) {
    await hub.close();
    throw error;
  }
  const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  const lines = [
    '',
    `csp-hub is running (database: ${hub.db.mode === 'external' ? 'DATABASE_URL' : `embedded PostgreSQL on port ${new URL(hub.db.url).port}${hub.db.mode === 'embedded' ? '' : hub.db.mode === 'adopted' ? ', taken over from a csp-hub that is gone' : ', run by another csp-hub process'}`})`,
    `  GraphQL: ${base}/graphql`,
    `  Health:  ${base}/healthz (liveness), ${base}/readyz (readiness)${config.METRICS_TOKEN ? `, ${base}/metrics (bearer METRICS_TOKEN)` : ''}`,
  ];
  if (demo && config.NODE_ENV !== 'production' && keys.signing) {
    const slug = DEMO_PARTNERSHIPS[0]!.slug;
    for (const handle of ['police.analyst', 'district.chair', 'district.admin']) {
      const email = demoEmail(slug, handle);
      lines.push(`  Dev token for ${email} (valid ${config.JWT_TTL}):`, `    ${await issueToken(config, hub, email, config.JWT_TTL)}`);
    }
    lines.push(
      '  Try:',
      `    curl -s ${base}/graphql -H 'content-type: application/json' -H "authorization: Bearer <token>" --data '{"query":"{ me { displayName roles partnership { name } } }"}'`,
      '  More tokens: pnpm csp-hub token --email <user>   (demo users: <role>@<partnership>.demo.csp-hub.test)',
    );
  }
  lines.push('  Stop with Ctrl+C.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: '  serve [--demo]                      start the hub (migrates; --demo loads the demo partnerships and prints dev tokens)',
  options: { demo: { type: 'boolean', default: false } },
  async run({ values, config, logger }) {
    await serve(config, logger, values.demo === true);
    return -1; // keep running
  },
};
