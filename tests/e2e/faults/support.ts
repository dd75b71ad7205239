import http from 'node:http';
import { createLogger, type Logger } from '@csp-hub/gateway';

/** A pino logger whose lines the test can read (parsed JSON), at `level`. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(level, {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
    },
  });
  return { logger, lines };
}

export interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string; message?: string };
  [key: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Lines at error level or above, or carrying a stack anywhere. */
export function loudLines(lines: LogLine[]): LogLine[] {
  return lines.filter((l) => l.level >= LEVEL.error || JSON.stringify(l).includes('"stack"'));
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request over node:http that reads the answer even when the server
 * answers before the body is sent (413) and closes the connection: the write
 * side's EPIPE/ECONNRESET is ignored once a response has arrived.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | AsyncIterable<Buffer> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (e) => reject(e));
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      void (async () => {
        try {
          for await (const chunk of body) {
            if (req.destroyed) return;
            if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          }
          req.end();
        } catch {
          req.destroy();
        }
      })();
    }
  });
}
