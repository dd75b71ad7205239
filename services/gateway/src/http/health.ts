import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { probeDatabase } from '@csp-hub/db';
import { RETRY_AFTER_SECONDS } from '../outage';

/** One thing the hub needs before it can serve traffic; /readyz runs every check. */
export interface ReadinessCheck {
  /** Short name shown in /readyz, e.g. database, job-queue. */
  name: string;
  /** Resolves ok, or not ok with a reason a person can act on. Must answer within a second or two. */
  check(): Promise<{ ok: true; detail?: Record<string, unknown> } | { ok: false; reason: string }>;
}

/** The checks /readyz runs; others (the job queue) add theirs with add(). */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private shuttingDown = false;
  private running: Promise<ReadinessReport> | undefined;

  /** A check that has not answered within `timeoutMs` counts as failing. */
  constructor(private readonly timeoutMs = 3000) {}

  add(check: ReadinessCheck): void {
    if (this.checks.some((c) => c.name === check.name)) throw new Error(`readiness check ${check.name} is already registered`);
    this.checks.push(check);
  }

  /** From now on /readyz answers 503 shutting_down, so load balancers stop sending traffic. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  /** Runs every check (concurrent callers share one run). */
  report(): Promise<ReadinessReport> {
    if (this.shuttingDown) return Promise.resolve({ ready: false, status: 'shutting_down', checks: {}, reasons: ['shutting down'] });
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<{ ok: false; reason: string }>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
          timer.unref();
        });
        try {
          return [c.name, await Promise.race([c.check(), late])] as const;
        } catch (error) {
          return [c.name, { ok: false as const, reason: error instanceof Error ? error.message : String(error) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks: ReadinessReport['checks'] = {};
    const reasons: string[] = [];
    for (const [name, r] of results) {
      checks[name] = r.ok ? { status: 'ok', ...(r.detail ?? {}) } : { status: 'failing', reason: r.reason };
      if (!r.ok) reasons.push(`${name}: ${r.reason}`);
    }
    return { ready: reasons.length === 0, status: reasons.length === 0 ? 'ready' : 'not_ready', checks, reasons };
  }
}

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'not_ready' | 'shutting_down';
  checks: Record<string, Record<string, unknown>>;
  reasons: string[];
}

/** The database check: a trivial query on the pool reserved for probes, never the request pool. */
export function databaseCheck(probePool: pg.Pool, timeoutMs: number): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      const r = await probeDatabase(probePool, timeoutMs);
      return r.ok ? { ok: true, detail: { ms: Math.round(r.ms * 10) / 10 } } : { ok: false, reason: r.reason };
    },
  };
}

/**
 * GET /healthz: liveness. The process is up and its event loop answers; no
 * database, so a saturated pool or an outage never gets the process restarted.
 * GET /readyz: readiness. Every registered check; 503 names what is not ready.
 */
export function healthRouter(readiness: Readiness): Router {
  const router = Router();
  const startedAt = Date.now();
  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  router.get('/readyz', async (req: Request, res: Response) => {
    const report = await readiness.report();
    if (!report.ready) {
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      req.log.debug({ reasons: report.reasons }, 'not ready');
    }
    res.status(report.ready ? 200 : 503).json({ status: report.status, checks: report.checks, ...(report.ready ? {} : { reasons: report.reasons }) });
  });
  return router;
}
