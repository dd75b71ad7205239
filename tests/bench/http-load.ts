import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';

/** One request a benchmark sends, again and again. */
export interface RequestTemplate {
  /** What it is, e.g. `page as police.analyst@charnwood`. */
  name: string;
  method: 'GET' | 'POST';
  /** Path and query on the target, e.g. /graphql. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A template with the answer every response must repeat exactly (the data does not change during a run). */
export interface CheckedTemplate extends RequestTemplate {
  expect: BodyDigest;
}

export interface BodyDigest {
  sha256: string;
  /** Compare the ASCII characters only: the load client decodes each body chunk on its own, so a multi-byte character split between chunks cannot be compared. */
  asciiOnly: boolean;
}

export interface LoadSpec {
  /** http://127.0.0.1:<port> */
  base: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  timeoutSeconds: number;
  templates: CheckedTemplate[];
  /** Every connection finishes the request it started and it counts (for operations that can outlast the run); default: autocannon. */
  closedLoop?: boolean;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TemplateStats extends LatencySummary {
  non2xx: number;
  mismatches: number;
}

/** What one measured run gave. Latencies in milliseconds. */
export interface LoadResult {
  seconds: number;
  /** Completed responses, whatever their status. */
  responses: number;
  /** Correct responses (200 and the expected body) per second. */
  rps: number;
  latency: LatencySummary;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  /** Problems seen while warming up (must be none too). */
  warmupProblems: number;
  /** The first problem, for the report. */
  firstProblem: string | null;
  perTemplate: Record<string, TemplateStats>;
}

export function digestOf(body: string): BodyDigest {
  // eslint-disable-next-line no-control-regex
  const asciiOnly = /[^\x00-\x7f]/.test(body);
  return { sha256: digestBody(body, asciiOnly), asciiOnly };
}

export function digestBody(body: string, asciiOnly: boolean): string {
  // eslint-disable-next-line no-control-regex
  return createHash('sha256').update(asciiOnly ? body.replace(/[^\x00-\x7f]/g, '') : body).digest('hex');
}

export function summarise(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const s = Float64Array.from(values).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, mean: sum / s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]! };
}

/**
 * Sends a template once and returns its body: it must answer 200 and, for
 * GraphQL, data without errors. Benchmarks use it to check each request
 * before measuring and to learn the answer every later response must repeat.
 */
export async function fetchChecked(base: string, template: RequestTemplate): Promise<{ body: string; template: CheckedTemplate }> {
  const res = await fetch(`${base}${template.path}`, { method: template.method, headers: template.headers, body: template.body });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${template.name}: HTTP ${res.status} before measuring: ${body.slice(0, 300)}`);
  if (template.path.endsWith('/graphql')) {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: { message: string }[] };
    if (parsed.errors?.length || !parsed.data) throw new Error(`${template.name}: GraphQL errors before measuring: ${body.slice(0, 300)}`);
  }
  return { body, template: { ...template, expect: digestOf(body) } };
}

/**
 * Runs autocannon against spec.base in a child process (so the load generator
 * never shares the server's event loop, and the server's RSS is its own):
 * warm-up first, then `settle` (the requests the warm-up abandoned finish in
 * the server), then the measured run. Every response is checked: 200 and
 * exactly the expected body, else it counts as non-2xx or a mismatch.
 */
export function runHttpLoad(spec: LoadSpec, settle: () => Promise<void>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, 'load-client.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      child.kill();
      reject(error);
    };
    type Message = { phase: 'warmed' } | { phase: 'done'; ok: true; result: LoadResult } | { phase: 'done'; ok: false; error: string };
    child.on('message', (message: Message) => {
      if (message.phase === 'warmed') {
        settle().then(() => child.send('go'), fail);
        return;
      }
      settled = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(`load client failed: ${message.error}`));
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`load client exited with code ${code} before reporting`)));
    child.send(spec);
  });
}

/** A GraphQL POST template. */
export function graphqlTemplate(name: string, token: string, query: string, variables?: Record<string, unknown>): RequestTemplate {
  return {
    name,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  };
}
