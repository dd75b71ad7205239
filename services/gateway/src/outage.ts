import type { Logger } from './logger';

/** Seconds a client is told to wait (Retry-After) when the database cannot be reached. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Logs a database outage once per burst instead of once per request: the first
 * failure at warn (with its reason), then a summary at info once no request has
 * failed for `quietMs`.
 */
export class OutageLog {
  private current: { since: number; reason: string; refused: number; timer?: NodeJS.Timeout } | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly quietMs = 10_000,
  ) {}

  get active(): boolean {
    return this.current !== undefined;
  }

  /** One request refused because the database is unavailable. */
  record(reason: string, requestId?: string): void {
    if (!this.current) {
      this.current = { since: Date.now(), reason, refused: 0 };
      this.logger.warn({ reason, requestId }, 'database unavailable: answering 503 with Retry-After until it is back');
    }
    this.current.refused += 1;
    if (this.current.timer) clearTimeout(this.current.timer);
    this.current.timer = setTimeout(() => this.end(), this.quietMs);
    this.current.timer.unref();
  }

  private end(): void {
    if (!this.current) return;
    const { since, refused, reason } = this.current;
    this.current = undefined;
    this.logger.info({ reason, refused, seconds: Math.round((Date.now() - since) / 100) / 10 }, 'database outage over: no request has failed for a while');
  }

  /** Flushes the summary now (shutdown). */
  close(): void {
    if (this.current?.timer) clearTimeout(this.current.timer);
    this.end();
  }
}
