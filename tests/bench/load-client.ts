/**
 * The load generator, run as a child process by runHttpLoad (http-load.ts):
 * receives one LoadSpec, runs autocannon for the warm-up and then the measured
 * run, checks every response against its template's expected body, reports a
 * LoadResult and exits. Targets are on loopback only.
 */
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

async function measure(spec: LoadSpec, seconds: number): Promise<{ result: autocannon.Result; tally: Tally }> {
  const url = new URL(spec.base);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`refusing to load ${url.hostname}: loopback targets only`);
  const tally: Tally = {
    latencies: [],
    perTemplate: spec.templates.map(() => ({ latencies: [], non2xx: 0, mismatches: 0 })),
    non2xx: 0,
    mismatches: 0,
    firstProblem: null,
  };
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
      const own = tally.perTemplate[i]!;
      own.latencies.push(performance.now() - (context.started as number));
      if (status !== 200) {
        own.non2xx += 1;
        tally.non2xx += 1;
        tally.firstProblem ??= `${t.name}: HTTP ${status} ${body.slice(0, 200)}`;
      } else if (digestBody(body, t.expect.asciiOnly) !== t.expect.sha256) {
        own.mismatches += 1;
        tally.mismatches += 1;
        tally.firstProblem ??= `${t.name}: unexpected body ${body.slice(0, 200)}`;
      }
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
  return { result, tally };
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
    const { result, tally } = await measure(spec, spec.seconds);
    const perTemplate: Record<string, TemplateStats> = {};
    spec.templates.forEach((t, i) => {
      const own = tally.perTemplate[i]!;
      perTemplate[t.name] = { ...summarise(own.latencies), non2xx: own.non2xx, mismatches: own.mismatches };
    });
    const good = tally.latencies.length - tally.non2xx - tally.mismatches;
    const out: LoadResult = {
      seconds: result.duration,
      responses: tally.latencies.length,
      rps: good / result.duration,
      latency: summarise(tally.latencies),
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: tally.non2xx,
      mismatches: tally.mismatches,
      warmupProblems: warm.result.errors + warm.tally.non2xx + warm.tally.mismatches,
      firstProblem:
        tally.firstProblem ??
        warm.tally.firstProblem ??
        (result.errors > 0 ? `${result.errors} connection errors (${result.timeouts} timeouts after ${spec.timeoutSeconds} s)` : null) ??
        (warm.result.errors > 0 ? `warm-up: ${warm.result.errors} connection errors (${warm.result.timeouts} timeouts after ${spec.timeoutSeconds} s)` : null),
      perTemplate,
    };
    process.send!({ phase: 'done', ok: true, result: out }, () => process.exit(0));
  })().catch((error: unknown) => {
    process.send!({ phase: 'done', ok: false, error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  });
});
