import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, demoEmail, embeddedAdminUrl, embeddedStatus, freePort, seedDemo, startEmbeddedPostgres, stopPostmaster, withDatabase } from '@csp-hub/db';
import { loadConfig, loadSigningKeys, signToken } from '@csp-hub/gateway';
import { rawRequest } from './support';

/**
 * The real `csp-hub serve` in child processes on an embedded PostgreSQL of
 * their own (issue #14):
 *  - a hub killed with SIGKILL leaves its PostgreSQL running; the next hub
 *    takes it over and stops it on its own shutdown (and `db status` says so);
 *  - SIGTERM while a request runs: the request completes, then the process
 *    exits 0 and the embedded database is stopped last;
 *  - SIGTERM while an upload streams in: past the grace period the upload is
 *    cut off and rolled back, and the process still exits 0;
 *  - a second signal exits at once (130); the embedded server still stops.
 */
const bin = path.resolve(import.meta.dirname, '../../../services/gateway/bin/csp-hub.js');

interface RunningHub {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  output(): string;
}

describe('shutdown and the embedded database', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pgPort: number;
  let hubPort: number;
  let dbUrl: string;
  const children: RunningHub[] = [];

  function start(): Promise<RunningHub> {
    const child = spawn(process.execPath, [bin, 'serve'], { env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    const hub: RunningHub = { child, exited, output: () => out };
    children.push(hub);
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 120_000;
      const poll = setInterval(() => {
        if (out.includes('csp-hub is running')) {
          clearInterval(poll);
          resolve(hub);
        } else if (child.exitCode !== null || Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error(`csp-hub serve did not start:\n${out}`));
        }
      }, 100);
    });
  }

  const status = () => embeddedStatus(path.join(dir, 'postgres'));

  async function tokenFor(email: string): Promise<string> {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const user = (await client.query<{ id: number; partnership_id: number }>('select id, partnership_id from app_user where email = $1', [email])).rows[0]!;
      return signToken(loadSigningKeys(loadConfig(env)), { sub: String(user.id), pid: user.partnership_id }, '1h');
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-shutdown-'));
    chmodSync(dir, 0o755);
    pgPort = await freePort();
    hubPort = await freePort();
    const { DATABASE_URL: _external, ...rest } = process.env;
    env = {
      ...rest,
      CSP_HUB_DATA_DIR: dir,
      CSP_HUB_PG_PORT: String(pgPort),
      PORT: String(hubPort),
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      SHUTDOWN_GRACE_SECONDS: '2',
      CSP_HUB_REFERENCE_DIR: path.join(dir, 'no-reference-data'),
    };
    dbUrl = withDatabase(embeddedAdminUrl(pgPort), 'csp_hub');
  });

  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    const left = status();
    if (left.state === 'running') await stopPostmaster(left.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hub killed with SIGKILL leaves an orphan that the next hub takes over and stops', async () => {
    const first = await start();
    const orm = await createOrm({ url: dbUrl });
    await seedDemo(orm.em.fork());
    await orm.close();
    const owned = status();
    expect(owned).toMatchObject({ state: 'running', port: pgPort, owner: { hubPid: first.child.pid, alive: true } });

    first.child.kill('SIGKILL');
    await first.exited;
    const orphan = status();
    expect(orphan).toMatchObject({ state: 'running', owner: { hubPid: first.child.pid, alive: false } });
    const report = spawnSync(process.execPath, [bin, 'db', 'status'], { env, encoding: 'utf8' });
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/running, pid \d+, port \d+/);
    expect(report.stdout).toMatch(/orphaned: the csp-hub that started it \(pid \d+\) is gone/);

    const second = await start();
    expect(second.output()).toMatch(/taking it over/);
    expect(second.output()).toMatch(/taken over from a csp-hub that is gone/);
    expect(status()).toMatchObject({ state: 'running', pid: orphan.state === 'running' ? orphan.pid : -1, owner: { hubPid: second.child.pid, alive: true } });

    // `db stop` refuses while a live hub owns the server
    const refused = spawnSync(process.execPath, [bin, 'db', 'stop'], { env, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/csp-hub pid \d+ is running on this database/);

    // SIGTERM while a request waits on a lock: it completes, then the process and the database stop
    const token = await tokenFor(demoEmail('charnwood', 'police.analyst'));
    const locker = new pg.Client({ connectionString: dbUrl });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table agency in access exclusive mode');
    const request = fetch(`http://127.0.0.1:${hubPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { agency { code } } }' }),
    });
    await new Promise((r) => setTimeout(r, 500));
    second.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 700));
    await locker.query('rollback');
    await locker.end();
    const res = await request;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { me: { agency: { code: 'leicestershire-police' } } } });
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/"finished":1,"cutOff":0/);
    expect(status().state).toBe('stopped');
  }, 300_000);

  it('SIGTERM while an upload streams in: cut off after the grace period, rolled back, exit 0', async () => {
    const hub = await start();
    expect(status()).toMatchObject({ state: 'running', owner: { hubPid: hub.child.pid, alive: true } });
    const token = await tokenFor(demoEmail('charnwood', 'police.analyst'));
    const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n';
    let sent = 0;
    async function* slowFile() {
      yield Buffer.from(header);
      for (let i = 0; i < 200; i++) {
        const id = `shutdowntest${String(i).padStart(52, '0')}`;
        yield Buffer.from(`${id},2024-01,Leicestershire Police,Leicestershire Police,-1.2,52.77,On or near High Street,E01025672,Charnwood 001A,Burglary,Under investigation,\n`);
        sent += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const upload = rawRequest(`http://127.0.0.1:${hubPort}/api/submissions?feed=police.street&fileName=shutdown-test.csv`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      body: slowFile(),
    }).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 1000));
    const signalledAt = Date.now();
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    const tookMs = Date.now() - signalledAt;
    await upload;
    expect(sent).toBeLessThan(200); // it was still streaming when cut off
    expect(tookMs).toBeGreaterThanOrEqual(1900); // it was given the grace period
    expect(tookMs).toBeLessThan(20_000);
    expect(hub.output()).toMatch(/"finished":0,"cutOff":1/);
    expect(hub.output()).not.toMatch(/"level":50/); // nothing logged at error
    expect(status().state).toBe('stopped');

    // nothing of the upload was stored
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort });
    try {
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        const incidents = await client.query<{ n: number }>(`select count(*)::int as n from incident where source_ref like 'shutdowntest%'`);
        expect(incidents.rows[0]!.n).toBe(0);
        const accepted = await client.query<{ n: number }>(`select count(*)::int as n from submission where file_name = 'shutdown-test.csv' and status = 'accepted'`);
        expect(accepted.rows[0]!.n).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  }, 300_000);

  it('a second signal exits at once, and the embedded database still stops', async () => {
    const hub = await start();
    const token = await tokenFor(demoEmail('charnwood', 'police.analyst'));
    const locker = new pg.Client({ connectionString: dbUrl });
    locker.on('error', () => undefined); // the database stops under it
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table agency in access exclusive mode');
    const request = fetch(`http://127.0.0.1:${hubPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    }).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 500));
    hub.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const secondAt = Date.now();
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(1500); // did not wait for the grace period
    expect(hub.output()).toMatch(/second signal: exiting now/);
    await request;
    const deadline = Date.now() + 30_000;
    while (status().state === 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(status().state).toBe('stopped');
    await locker.end().catch(() => undefined);
  }, 300_000);
});
