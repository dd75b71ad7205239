import { describe, expect, it } from 'vitest';
import { Readiness } from './health';

describe('Readiness', () => {
  it('is ready when every check passes and names each one that does not', async () => {
    const r = new Readiness(200);
    r.add({ name: 'database', check: async () => ({ ok: true, detail: { ms: 1 } }) });
    r.add({ name: 'job-queue', check: async () => ({ ok: false, reason: '3 workers stuck' }) });
    r.add({ name: 'cache', check: async () => Promise.reject(new Error('cache host unknown')) });
    r.add({ name: 'slow', check: () => new Promise(() => undefined) });
    const report = await r.report();
    expect(report.ready).toBe(false);
    expect(report.status).toBe('not_ready');
    expect(report.checks.database).toEqual({ status: 'ok', ms: 1 });
    expect(report.reasons).toEqual(['job-queue: 3 workers stuck', 'cache: cache host unknown', 'slow: no answer within 200 ms']);
  });

  it('says shutting_down once shutdown begins, and refuses a second check of the same name', async () => {
    const r = new Readiness();
    r.add({ name: 'database', check: async () => ({ ok: true }) });
    expect((await r.report()).ready).toBe(true);
    expect(() => r.add({ name: 'database', check: async () => ({ ok: true }) })).toThrow(/already registered/);
    r.beginShutdown();
    expect(await r.report()).toMatchObject({ ready: false, status: 'shutting_down' });
  });
});
