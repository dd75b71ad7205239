import os from 'node:os';
import type pg from 'pg';
import type { LatencySummary, LoadResult } from './http-load';

/** Sizes and durations of the read benchmarks, from the environment (see tests/bench/README.md). */
export interface BenchSettings {
  rows: number;
  /** BENCH_SECONDS when set, else each benchmark's own default. */
  seconds: number | undefined;
  warmupSeconds: number | undefined;
  connections: number;
  /** BENCH_TIMEOUT_SECONDS when set, else each benchmark's own default. */
  timeoutSeconds: number | undefined;
  /** BENCH_STRICT=1: a missed target exits non-zero too (errors always do). */
  strict: boolean;
}

function positiveInt(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, not "${raw}"`);
  return value;
}

export function benchSettings(): BenchSettings {
  return {
    rows: positiveInt('BENCH_ROWS', 1_000_000)!,
    seconds: positiveInt('BENCH_SECONDS', undefined),
    warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', undefined),
    connections: positiveInt('BENCH_CONNECTIONS', 10)!,
    timeoutSeconds: positiveInt('BENCH_TIMEOUT_SECONDS', undefined),
    strict: process.env.BENCH_STRICT === '1',
  };
}

/** Measured seconds, warm-up and request timeout of a benchmark whose own defaults are given. */
export function durations(settings: BenchSettings, seconds: number, timeoutSeconds = 30): { seconds: number; warmupSeconds: number; timeoutSeconds: number } {
  const measured = settings.seconds ?? seconds;
  return { seconds: measured, warmupSeconds: settings.warmupSeconds ?? Math.min(5, measured), timeoutSeconds: settings.timeoutSeconds ?? timeoutSeconds };
}

/** What a benchmark found: failures are errors (the run exits 1); misses are targets not met. */
export interface BenchOutcome {
  failures: string[];
  misses: string[];
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Rows of cells as an aligned text table (first row is the header). */
export function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function latencyCells(l: LatencySummary): string[] {
  return [ms(l.p50), ms(l.p95), ms(l.p99)];
}

/** errors / non-2xx / mismatched bodies of a run, as one cell. */
export function problemCell(r: LoadResult): string {
  return `${r.errors}/${r.non2xx}/${r.mismatches}`;
}

/** A run's problems as failures (any error, timeout, non-2xx or wrong body makes the figures meaningless). */
export function problemsOf(what: string, r: LoadResult): string[] {
  const total = r.errors + r.non2xx + r.mismatches + r.warmupProblems;
  if (total === 0 && r.responses > 0) return [];
  if (r.responses === 0) return [`${what}: no response completed in ${r.seconds.toFixed(0)} s (raise BENCH_SECONDS or BENCH_TIMEOUT_SECONDS)`];
  return [
    `${what}: ${r.errors} connection errors (${r.timeouts} timeouts), ${r.non2xx} non-2xx, ${r.mismatches} wrong bodies, ${r.warmupProblems} problems in warm-up` +
      (r.firstProblem ? `; first: ${r.firstProblem}` : ''),
  ];
}

/** Resident set size of this process (the hub, its baseline and the peer run here), sampled while benchmarks run. */
export class RssSampler {
  readonly start = process.memoryUsage().rss;
  peak = this.start;
  private readonly timer = setInterval(() => {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }, 250);

  constructor() {
    this.timer.unref();
  }

  stop(): { start: number; end: number; peak: number } {
    clearInterval(this.timer);
    const end = process.memoryUsage().rss;
    this.peak = Math.max(this.peak, end);
    return { start: this.start, end, peak: this.peak };
  }
}

export function rssLine(r: { start: number; end: number; peak: number }): string {
  return `RSS of the server process (hub, hub-off and peer): ${mb(r.start)} at start, ${mb(r.end)} at end, ${mb(r.peak)} peak`;
}

export function loadLine(): string {
  return `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} (1, 5, 15 min) on ${os.cpus().length} cores`;
}

/** Machine, Node and PostgreSQL, printed once per run so figures are read against what produced them. */
export async function machineLines(pool: pg.Pool): Promise<string[]> {
  const version = (await pool.query<{ v: string }>('select version() as v')).rows[0]!.v;
  const settings = (
    await pool.query<{ name: string; setting: string; unit: string | null }>(
      `select name, setting, unit from pg_settings where name in ('shared_buffers', 'work_mem', 'max_connections', 'max_parallel_workers_per_gather', 'jit') order by name`,
    )
  ).rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`);
  const cpu = os.cpus();
  return [
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${mb(os.totalmem())} memory, ${mb(os.freemem())} free; ${os.type()} ${os.release()}`,
    `node ${process.version}; ${version.split(',')[0]}`,
    `postgresql settings: ${settings.join(', ')}`,
    loadLine(),
  ];
}
