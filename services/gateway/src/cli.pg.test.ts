import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@csp-hub/db';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/csp-hub.js');

describe('csp-hub CLI', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    db = await createTestDatabase('cli', { empty: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-cli-'));
    env = { ...process.env, DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate applies the migrations to an empty database, and migrate --check passes', () => {
    const migrate = spawnSync(process.execPath, [bin, 'migrate'], { env, encoding: 'utf8' });
    expect(migrate.stderr).toBe('');
    expect(migrate.status).toBe(0);
    const check = spawnSync(process.execPath, [bin, 'migrate', '--check'], { env, encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('up to date');
  });

  // The demo loads three real police months and the generated partner files before it prints its tokens.
  it('serve --demo seeds, prints the URL and a working dev token, and stops cleanly on SIGTERM', { timeout: 300_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--demo'], { env: { ...env, PORT: String(port) } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while (!/eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const url = /http:\/\/127\.0\.0\.1:\d+\/graphql/.exec(out)?.[0];
    const token = /eyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(out)?.[0];
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(token).toBeDefined();
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { roles partnership { code } } }' }),
    });
    expect(await res.json()).toEqual({ data: { me: { roles: ['analyst'], partnership: { code: 'E22000165' } } } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('token prints a token for a seeded user and names an unknown one', () => {
    const ok = spawnSync(process.execPath, [bin, 'token', '--email', 'district.chair@harborough.demo.csp-hub.test'], { env, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const missing = spawnSync(process.execPath, [bin, 'token', '--email', 'nobody@example.org'], { env, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('User nobody@example.org was not found');
  });

  it('token signs with the key file and kid from the configuration, and refuses a --ttl above JWT_MAX_TTL', () => {
    const keyFile = path.join(dataDir, 'signing.key');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const keyEnv = { ...env, JWT_PRIVATE_KEY_FILE: keyFile, JWT_KEY_ID: 'hub-2026-01' };
    const ok = spawnSync(process.execPath, [bin, 'token', '--email', 'district.chair@harborough.demo.csp-hub.test', '--ttl', '12h'], { env: keyEnv, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    const header = JSON.parse(Buffer.from(ok.stdout.trim().split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
    expect(header).toMatchObject({ alg: 'ES256', kid: 'hub-2026-01' });
    const tooLong = spawnSync(process.execPath, [bin, 'token', '--email', 'district.chair@harborough.demo.csp-hub.test', '--ttl', '13h'], { env: keyEnv, encoding: 'utf8' });
    expect(tooLong.status).toBe(1);
    expect(tooLong.stdout).toBe('');
    expect(tooLong.stderr).toBe('csp-hub: Token lifetime 13h is longer than the maximum this hub accepts, 12h (JWT_MAX_TTL) (TTL_TOO_LONG)\n');
  });

  it('refuses to start with bad configuration and names every bad variable', () => {
    const bad = spawnSync(process.execPath, [bin, 'migrate'], {
      env: { ...env, PORT: 'eighty', JWT_ALGORITHM: 'none', DATABASE_URL: 'mysql://x' },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('PORT');
    expect(bad.stderr).toContain('JWT_ALGORITHM');
    expect(bad.stderr).toContain('DATABASE_URL');
  });

  it('says clearly when the HTTP port is taken', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const run = spawnSync(process.execPath, [bin, 'serve'], { env: { ...env, PORT: String(port) }, encoding: 'utf8', timeout: 60_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
