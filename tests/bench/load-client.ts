/**
 * The load generator, run as a child process by runHttpLoad (http-load.ts):
 * receives one LoadSpec, runs the warm-up and then the measured run, checks
 * every response against its template's expected body, reports a LoadResult
 * and exits. Targets are on loopback only.
 *  - autocannon (default): a fixed duration; requests still open at its end
 *    are abandoned and not counted.
 *  - closed loop (spec.closedLoop): every connection finishes the request it
 *    started, so operations slower than the run still count (aggregates).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { digestBody, summarise, type LoadResult, type LoadSpec, type TemplateStats } from './http-load';

interface Tally {
  latencies: number[];
  perTemplate: { latencies: number[]; non2xx: number; mismatches: number }[];
  non2xx: number;
  mismatches: number;
  firstProblem: string | null;
}

interface Run {
  seconds: number;
  errors: number;
  timeouts: number;
  tally: Tally;
}

function newTally(spec: LoadSpec): Tally {
  const url = new URL(spec.base);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`refusing to load ${url.hostname}: loopback targets only`);
  return {
    latencies: [],
    perTemplate: spec.templates.map(() => ({ latencies: [], non2xx: 0, mismatches: 0 })),
    non2xx: 0,
    mismatches: 0,
    firstProblem: null,
  };
}

function check(spec: LoadSpec, tally: Tally, i: number, status: number, body: string): void {
  const t = spec.templates[i]!;
  const own = tally.perTemplate[i]!;
  if (status !== 200) {
    own.non2xx += 1;
    tally.non2xx += 1;
    tally.firstProblem ??=
      typeof status === 'number' ? `${t.name}: HTTP ${status} ${body.slice(0, 200)}` : `${t.name}: response without a status (connection reset or timed out)`;
  } else if (digestBody(body, t.expect.asciiOnly) !== t.expect.sha256) {
    own.mismatches += 1;
    tally.mismatches += 1;
    tally.firstProblem ??= `${t.name}: unexpected body ${body.slice(0, 200)}`;
  }
}

/** One request over a keep-alive agent; the whole body as UTF-8. */
function send(agent: http.Agent, spec: LoadSpec, i: number): Promise<{ status: number; body: string }> {
  const t = spec.templates[i]!;
  const url = new URL(t.path, spec.base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: t.method, headers: t.headers, agent, timeout: spec.timeoutSeconds * 1000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(t.body);
  });
}

/** `connections` loops, each cycling through the templates from its own offset until `seconds` pass, finishing what it started. */
async function closedLoop(spec: LoadSpec, seconds: number): Promise<Run> {
  const tally = newTally(spec);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  let errors = 0;
  let timeouts = 0;
  const n = spec.templates.length;
  const stride = Math.max(1, Math.floor(n / spec.connections));
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async (c: number): Promise<void> => {
    for (let k = (c * stride) % n; performance.now() < until; k = (k + 1) % n) {
      const t0 = performance.now();
      try {
        const { status, body } = await send(agent, spec, k);
        const elapsed = performance.now() - t0;
        tally.latencies.push(elapsed);
        tally.perTemplate[k]!.latencies.push(elapsed);
        check(spec, tally, k, status, body);
      } catch (error) {
        errors += 1;
        if ((error as { code?: string }).code === 'TIMEOUT') timeouts += 1;
        tally.firstProblem ??= `${spec.templates[k]!.name}: ${(error as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, c) => loop(c)));
  agent.destroy();
  return { seconds: (performance.now() - started) / 1000, errors, timeouts, tally };
}

async function measure(spec: LoadSpec, seconds: number): Promise<Run> {
  if (spec.closedLoop) return closedLoop(spec, seconds);
  const tally = newTally(spec);
  const requests = spec.templates.map((t, i) => ({
    method: t.method,
    path: t.path,
    headers: t.headers,
    body: t.body,
    setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
      context.started = performance.now();
      return request;
    },
    onResponse: (status: number, body: string, context: Record<string, unknown>) => {
      tally.perTemplate[i]!.latencies.push(performance.now() - (context.started as number));
      check(spec, tally, i, status, body);
    },
  }));
  // Each connection starts at another point of the cycle, so a short run still sends every template.
  const stride = Math.max(1, Math.floor(requests.length / spec.connections));
  let clients = 0;
  const setupClient = (client: autocannon.Client): void => {
    const k = (clients++ * stride) % requests.length;
    if (k > 0) client.setRequests([...requests.slice(k), ...requests.slice(0, k)] as unknown as autocannon.Request[]);
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        setupClient,
        url: spec.base,
        connections: spec.connections,
        duration: seconds,
        timeout: spec.timeoutSeconds,
        requests: requests as unknown as autocannon.Request[],
      },
      (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      tally.latencies.push(responseTime);
    });
  });
  return { seconds: result.duration, errors: result.errors, timeouts: result.timeouts, tally };
}

/** The next message from the parent. */
function nextMessage(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve));
}

process.once('message', (spec: LoadSpec) => {
  (async () => {
    const warm = await measure(spec, spec.warmupSeconds);
    // The parent waits for the requests the warm-up abandoned to finish in the server before the measured run.
    process.send!({ phase: 'warmed' });
    await nextMessage();
    const run = await measure(spec, spec.seconds);
    const { tally } = run;
    const perTemplate: Record<string, TemplateStats> = {};
    spec.templates.forEach((t, i) => {
      const own = tally.perTemplate[i]!;
      perTemplate[t.name] = { ...summarise(own.latencies), non2xx: own.non2xx, mismatches: own.mismatches };
    });
    const good = tally.latencies.length - tally.non2xx - tally.mismatches;
    const out: LoadResult = {
      seconds: run.seconds,
      responses: tally.latencies.length,
      rps: good / run.seconds,
      latency: summarise(tally.latencies),
      errors: run.errors,
      timeouts: run.timeouts,
      non2xx: tally.non2xx,
      mismatches: tally.mismatches,
      warmupProblems: warm.errors + warm.tally.non2xx + warm.tally.mismatches,
      firstProblem:
        tally.firstProblem ??
        warm.tally.firstProblem ??
        (run.errors > 0 ? `${run.errors} connection errors (${run.timeouts} timeouts after ${spec.timeoutSeconds} s)` : null) ??
        (warm.errors > 0 ? `warm-up: ${warm.errors} connection errors (${warm.timeouts} timeouts after ${spec.timeoutSeconds} s)` : null),
      perTemplate,
    };
    process.send!({ phase: 'done', ok: true, result: out }, () => process.exit(0));
  })().catch((error: unknown) => {
    process.send!({ phase: 'done', ok: false, error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  });
});
