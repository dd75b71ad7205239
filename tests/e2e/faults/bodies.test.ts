import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../../support/hub';
import { capturedLogger, LEVEL, loudLines, rawRequest } from './support';

/** Issue #14: a 50 MB body to /graphql and malformed JSON got 500. They get 413 and 400, logged at warn without a stack. */
describe('oversized and malformed request bodies', () => {
  let hub: TestHub;
  let token: string;
  const log = capturedLogger('info');
  beforeAll(async () => {
    hub = await startTestHub('bodies', { logger: log.logger, http: { graphqlMaxBytes: 64 * 1024 } });
    token = await hub.tokenFor(demoEmail('charnwood', 'police.analyst'));
  });
  afterAll(async () => hub?.stop());

  const headers = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}`, ...extra });

  function refusedLine(requestId: string) {
    return log.lines.find((l) => l.requestId === requestId && l.msg === 'request refused');
  }

  it('a 50 MB body to /graphql with its length declared: 413 at once, in GraphQL shape', async () => {
    const size = 50 * 1024 * 1024;
    async function* body() {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    }
    const res = await rawRequest(`${hub.base}/graphql`, { headers: headers({ 'content-length': String(size) }), body: body() });
    expect(res.status).toBe(413);
    const json = JSON.parse(res.body) as { errors: { message: string; extensions: { code: string; reason: string } }[] };
    expect(json.errors[0]!.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'BODY_TOO_LARGE' });
    expect(json.errors[0]!.message).toMatch(/larger than the 65,536-byte limit for \/graphql/);
    const line = refusedLine(String(res.headers['x-request-id']));
    expect(line).toMatchObject({ level: LEVEL.warn, status: 413, reason: 'BODY_TOO_LARGE' });
  });

  it('an oversized chunked body (no length given) is cut off at the limit: 413', async () => {
    async function* body() {
      yield Buffer.from('{"query":"{ me { id } }","variables":{"pad":"');
      for (let i = 0; i < 40; i++) yield Buffer.alloc(4096, 0x61);
      yield Buffer.from('"}}');
    }
    const res = await rawRequest(`${hub.base}/graphql`, { headers: headers({ 'transfer-encoding': 'chunked' }), body: body() });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('malformed JSON: 400 naming the problem', async () => {
    for (const text of ['{"query": "{ me { id } }"', '{query: 1}', 'not json at all', '{"query":"{ me { id } }"}}']) {
      const res = await rawRequest(`${hub.base}/graphql`, { headers: headers(), body: text });
      expect(res.status, text).toBe(400);
      const json = JSON.parse(res.body) as { errors: { message: string; extensions: { code: string; reason: string } }[] };
      expect(json.errors[0]).toEqual({ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST', reason: 'MALFORMED_JSON' } });
      expect(refusedLine(String(res.headers['x-request-id']))).toMatchObject({ level: LEVEL.warn, status: 400, reason: 'MALFORMED_JSON' });
    }
  });

  it('a body on a route that takes none, over its small limit: 413 in REST shape', async () => {
    const res = await rawRequest(`${hub.base}/api/exports/incidents.csv`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-length': String(5 * 1024 * 1024) },
      body: Buffer.alloc(5 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('an upload whose declared length is over UPLOAD_MAX_BYTES is refused before it is read', async () => {
    const res = await rawRequest(`${hub.base}/api/submissions?feed=police.street`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(600 * 1024 * 1024) },
      body: Buffer.alloc(1024),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/uploads \(UPLOAD_MAX_BYTES\)/);
  });

  it('an unknown endpoint: 404 in JSON', async () => {
    const res = await fetch(`${hub.base}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('none of it was logged at error level or with a stack', () => {
    expect(loudLines(log.lines)).toEqual([]);
  });
});
