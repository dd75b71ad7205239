import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { signToken, verifyToken } from './jwt';
import { keysAreNamed, loadSigningKeys } from './keys';
import { CLOCK_TOLERANCE_SECONDS } from './token-rules';

/** Production also needs the audit checkpoint signing key (ADR 0017). */
const CHECKPOINT = { AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

const root = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-keys-'));
let folders = 0;

function ecPair() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A fresh folder holding the given files. */
function folder(files: Record<string, string> = {}): string {
  const dir = path.join(root, `f${folders++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function keysFrom(env: Record<string, string>) {
  return loadSigningKeys(loadConfig({ CSP_HUB_DATA_DIR: folder(), ...env }));
}

function problemsOf(env: Record<string, string>): string {
  try {
    keysFrom(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const A = ecPair();
const B = ecPair();

describe('hub signing keys', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('outside production, with nothing configured, generates one dev pair and reuses it (tokens carry no kid)', () => {
    const dataDir = folder();
    const first = loadSigningKeys(loadConfig({ CSP_HUB_DATA_DIR: dataDir }));
    const second = loadSigningKeys(loadConfig({ CSP_HUB_DATA_DIR: dataDir }));
    expect(first.signing?.kid).toBeNull();
    expect(second.signing?.key).toBe(first.signing?.key);
    expect(keysAreNamed(first)).toBe(false);
    expect(readFileSync(path.join(dataDir, 'keys', 'dev-es256-public.pem'), 'utf8')).toBe(first.verifying.get(null));
    const token = signToken(first, { sub: '7', pid: 3 }, '1h');
    expect(jwt.decode(token, { complete: true })?.header.kid).toBeUndefined();
    expect(verifyToken(second, token)).toEqual({ sub: '7', pid: 3 });
  });

  it('never generates keys in production: with an identity provider only, it verifies no hub token', () => {
    const dataDir = folder();
    const keys = loadSigningKeys(
      loadConfig({ NODE_ENV: 'production', ...CHECKPOINT, CSP_HUB_DATA_DIR: dataDir, OIDC_ISSUER: 'https://idp.example.org', OIDC_JWKS_URL: 'https://idp.example.org/keys', OIDC_AUDIENCE: 'hub' }),
    );
    expect(keys.signing).toBeNull();
    expect(keys.verifying.size).toBe(0);
    expect(() => signToken(keys, { sub: '1', pid: 1 }, '1h')).toThrow(/no signing key/);
    expect(() => verifyToken(keys, jwt.sign({ pid: 1 }, A.privatePem, { algorithm: 'ES256', issuer: 'csp-hub', expiresIn: '1h' }))).toThrow(/identity provider only/);
    expect(readFileSync.bind(null, path.join(dataDir, 'keys', 'dev-es256-private.pem'))).toThrow();
  });

  it('reads the signing key from the environment or a file and derives its public half', () => {
    const fromEnv = keysFrom({ JWT_PRIVATE_KEY: A.privatePem });
    const fromFile = keysFrom({ JWT_PRIVATE_KEY_FILE: path.join(folder({ 'a.key': A.privatePem }), 'a.key') });
    expect(fromEnv.verifying.get(null)).toBe(A.publicPem);
    expect(fromFile.verifying.get(null)).toBe(A.publicPem);
    expect(verifyToken(fromFile, signToken(fromEnv, { sub: '1', pid: 2 }, '5m'))).toEqual({ sub: '1', pid: 2 });
  });

  it('names the signing key by JWT_KEY_ID and adds every KID.pem of JWT_PUBLIC_KEYS_DIR', () => {
    const keys = keysFrom({
      JWT_PRIVATE_KEY: A.privatePem,
      JWT_KEY_ID: '2026-01',
      JWT_PUBLIC_KEYS_DIR: folder({ '2026-01.pem': A.publicPem, '2026-07.pem': B.publicPem, 'README.txt': 'notes' }),
    });
    expect(keysAreNamed(keys)).toBe(true);
    expect([...keys.verifying.keys()].sort()).toEqual(['2026-01', '2026-07']);
    const token = signToken(keys, { sub: '1', pid: 2 }, '5m');
    expect(jwt.decode(token, { complete: true })?.header.kid).toBe('2026-01');
    // A token of the other key verifies by its kid; a token without a kid no longer does.
    const other = jwt.sign({ pid: 2 }, B.privatePem, { algorithm: 'ES256', keyid: '2026-07', subject: '1', issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '5m' });
    expect(verifyToken(keys, other)).toEqual({ sub: '1', pid: 2 });
    const unnamed = jwt.sign({ pid: 2 }, A.privatePem, { algorithm: 'ES256', subject: '1', issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '5m' });
    expect(() => verifyToken(keys, unnamed)).toThrow(expect.objectContaining({ reason: 'TOKEN_KEY_ID_MISSING' }));
    // A kid that names the other key does not make A's signature valid.
    const misnamed = jwt.sign({ pid: 2 }, A.privatePem, { algorithm: 'ES256', keyid: '2026-07', subject: '1', issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '5m' });
    expect(() => verifyToken(keys, misnamed)).toThrow(expect.objectContaining({ reason: 'TOKEN_INVALID' }));
  });

  it('remembers a verified token only until it expires, and only while its key is accepted', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z'), toFake: ['Date'] });
    try {
      const keys = keysFrom({ JWT_PRIVATE_KEY: A.privatePem, JWT_KEY_ID: 'a', JWT_PUBLIC_KEYS_DIR: folder({ 'b.pem': B.publicPem }) });
      const token = signToken(keys, { sub: '7', pid: 3 }, '90s');
      const checks = vi.spyOn(jwt, 'verify');
      expect(verifyToken(keys, token)).toEqual({ sub: '7', pid: 3 });
      // Remembered: the signature is not checked again, the same answer comes back, and a caller changing it does not change the next one.
      const again = verifyToken(keys, token);
      expect(checks).toHaveBeenCalledTimes(1);
      checks.mockRestore();
      expect(again).toEqual({ sub: '7', pid: 3 });
      again.pid = 99;
      expect(verifyToken(keys, token).pid).toBe(3);
      // A reloaded key set without key a refuses the token at once.
      const rotated = { ...keys, verifying: new Map([['b', B.publicPem]]) };
      expect(() => verifyToken(rotated, token)).toThrow(expect.objectContaining({ reason: 'TOKEN_KEY_UNKNOWN' }));
      // Past a minute it is checked again (still valid); past its exp (and the clock tolerance) it is refused, though just checked.
      vi.setSystemTime(new Date('2026-12-01T10:01:05Z'));
      expect(verifyToken(keys, token).sub).toBe('7');
      vi.setSystemTime(new Date(Date.parse('2026-12-01T10:01:30Z') + (CLOCK_TOLERANCE_SECONDS + 1) * 1000));
      expect(() => verifyToken(keys, token)).toThrow(expect.objectContaining({ reason: 'TOKEN_EXPIRED' }));
      // A token that failed is not remembered as good: a tampered copy of a remembered one fails.
      vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
      const fresh = signToken(keys, { sub: '8', pid: 3 }, '90s');
      expect(verifyToken(keys, fresh).sub).toBe('8');
      const [h, p, sig] = fresh.split('.') as [string, string, string];
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), pid: 4 })).toString('base64url')}.${sig}`;
      expect(() => verifyToken(keys, forged)).toThrow(expect.objectContaining({ reason: 'TOKEN_INVALID' }));
    } finally {
      vi.useRealTimers();
    }
  });

  it('verifies with public keys alone (a hub that does not sign)', () => {
    const keys = keysFrom({ JWT_PUBLIC_KEYS_DIR: folder({ 'b.pem': B.publicPem }) });
    expect(keys.signing).toBeNull();
    const token = jwt.sign({ pid: 2 }, B.privatePem, { algorithm: 'ES256', keyid: 'b', subject: '1', issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '5m' });
    expect(verifyToken(keys, token).sub).toBe('1');
  });

  it('refuses keys that are not what they claim, naming the variable or file', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(problemsOf({ JWT_PRIVATE_KEY: 'not a key' })).toContain('JWT_PRIVATE_KEY: not a PEM private key');
    expect(problemsOf({ JWT_PRIVATE_KEY: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toContain(
      'JWT_PRIVATE_KEY: does not fit JWT_ALGORITHM=ES256 (an EC P-256 key is needed)',
    );
    expect(problemsOf({ JWT_PRIVATE_KEY: A.privatePem, JWT_PUBLIC_KEY: B.publicPem })).toContain(
      'JWT_PUBLIC_KEY: is not the public half of the signing key',
    );
    expect(problemsOf({ JWT_PRIVATE_KEY: A.privatePem, JWT_KEY_ID: 'a', JWT_PUBLIC_KEYS_DIR: folder({ 'a.pem': B.publicPem }) })).toContain(
      'JWT_PUBLIC_KEYS_DIR: a.pem is not the public half of the key JWT_KEY_ID=a names',
    );
    const leaked = problemsOf({ JWT_PUBLIC_KEYS_DIR: folder({ 'a.pem': A.privatePem, 'bad name.pem': B.publicPem }) });
    expect(leaked).toContain('JWT_PUBLIC_KEYS_DIR: a.pem: holds a private key; verification keys must be public keys only');
    expect(leaked).toContain('JWT_PUBLIC_KEYS_DIR: bad name.pem: the file name must be <kid>.pem');
    expect(problemsOf({ JWT_PUBLIC_KEYS_DIR: folder({ 'notes.txt': 'x' }) })).toContain('holds no <kid>.pem public key');
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(problemsOf({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: weakRsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toContain(
      'an RSA key of 2048 bits or more is needed',
    );
  });

  it('carries JWT_MAX_TTL and refuses to sign for longer', () => {
    const keys = keysFrom({ JWT_PRIVATE_KEY: A.privatePem, JWT_MAX_TTL: '2h', JWT_TTL: '1h' });
    expect(keys.maxTtlSeconds).toBe(7200);
    expect(() => signToken(keys, { sub: '1', pid: 1 }, '3h')).toThrow(
      expect.objectContaining({ reason: 'TTL_TOO_LONG', message: 'Token lifetime 3h is longer than the maximum this hub accepts, 2h (JWT_MAX_TTL)' }),
    );
    expect(() => signToken(keys, { sub: '1', pid: 1 }, 'forever')).toThrow(expect.objectContaining({ reason: 'TTL_INVALID' }));
    expect(signToken(keys, { sub: '1', pid: 1 }, '2h')).toMatch(/^eyJ/);
  });
});
