import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, loadConfig, VARIABLES } from './config';

/** Production also needs the audit checkpoint signing key (ADR 0017). */
const CHECKPOINT = { AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-config-'));
const privateKeyFile = path.join(dir, 'signing.pem');
writeFileSync(privateKeyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
const OIDC = { OIDC_ISSUER: 'https://login.example.org/tenant/v2.0', OIDC_JWKS_URL: 'https://login.example.org/tenant/keys', OIDC_AUDIENCE: 'api://csp-hub' };

describe('config', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a working default for everything on a development machine', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4100);
    expect(config.CSP_HUB_PG_PORT).toBe(54329);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.JWT_ALGORITHM).toBe('ES256');
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '99999', LOG_LEVEL: 'loud', JWT_TTL: 'forever' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_TTL']) expect(message).toContain(name);
  });

  it('requires a long secret for HS256, and in production an identity provider or real keys', () => {
    expect(() => loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: HS256 needs a secret of at least 32/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...OIDC })).toThrow(/AUDIT_CHECKPOINT_KEY \/ AUDIT_CHECKPOINT_KEY_FILE: required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/OIDC_ISSUER \/ JWT_PRIVATE_KEY .*production needs an identity provider or hub keys/);
    expect(loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'x'.repeat(32) }).JWT_ALGORITHM).toBe('HS256');
    expect(loadConfig({ NODE_ENV: 'production', ...OIDC, ...CHECKPOINT }).OIDC_ISSUER).toBe(OIDC.OIDC_ISSUER);
    expect(loadConfig({ NODE_ENV: 'production', JWT_PRIVATE_KEY_FILE: privateKeyFile, ...CHECKPOINT }).JWT_PRIVATE_KEY_FILE).toBe(privateKeyFile);
  });

  describe('identity settings', () => {
    it('OpenID Connect needs issuer, key set URL and audience together, and defaults to e-mail and RS256/ES256', () => {
      const config = loadConfig(OIDC);
      expect(config.OIDC_USER_CLAIM).toBe('email');
      expect(config.OIDC_ALGORITHMS).toEqual(['RS256', 'ES256']);
      expect(() => loadConfig({ OIDC_ISSUER: OIDC.OIDC_ISSUER })).toThrow(
        expect.objectContaining({ message: expect.stringMatching(/OIDC_JWKS_URL: required[\s\S]*OIDC_AUDIENCE: required/) }),
      );
      expect(() => loadConfig({ OIDC_JWKS_URL: OIDC.OIDC_JWKS_URL })).toThrow(/OIDC_ISSUER: required/);
    });

    it('refuses symmetric or unknown provider algorithms, unknown claims, a hub issuer and plain HTTP keys in production', () => {
      expect(() => loadConfig({ ...OIDC, OIDC_ALGORITHMS: 'RS256,HS256,none' })).toThrow(/OIDC_ALGORITHMS: .*\(not HS256, none\)/);
      expect(() => loadConfig({ ...OIDC, OIDC_USER_CLAIM: 'upn' })).toThrow(/OIDC_USER_CLAIM/);
      expect(() => loadConfig({ ...OIDC, OIDC_ISSUER: 'csp-hub' })).toThrow(/OIDC_ISSUER: must differ from JWT_ISSUER/);
      expect(() => loadConfig({ ...OIDC, ...CHECKPOINT, NODE_ENV: 'production', OIDC_JWKS_URL: 'http://idp.example.org/jwks' })).toThrow(/OIDC_JWKS_URL: must be https:\/\/ in production/);
      expect(loadConfig({ ...OIDC, OIDC_JWKS_URL: 'http://127.0.0.1:9999/jwks' }).OIDC_JWKS_URL).toBe('http://127.0.0.1:9999/jwks');
    });

    it('keeps token lifetimes within JWT_MAX_TTL', () => {
      expect(loadConfig({}).JWT_MAX_TTL).toBe('12h');
      expect(() => loadConfig({ JWT_TTL: '13h' })).toThrow(/JWT_TTL: 13h is longer than JWT_MAX_TTL \(12h\)/);
      expect(() => loadConfig({ JWT_MAX_TTL: '0h' })).toThrow(/JWT_MAX_TTL/);
      expect(loadConfig({ JWT_TTL: '1d', JWT_MAX_TTL: '1d' }).JWT_TTL).toBe('1d');
    });

    it('names every inconsistent key setting', () => {
      let message = '';
      try {
        loadConfig({
          JWT_PRIVATE_KEY: 'pem',
          JWT_PRIVATE_KEY_FILE: path.join(dir, 'missing.pem'),
          JWT_PUBLIC_KEYS_DIR: privateKeyFile,
        });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE: set one, not both');
      expect(message).toContain('JWT_PRIVATE_KEY_FILE: ' + path.join(dir, 'missing.pem') + ' is not a readable file');
      expect(message).toContain('JWT_PUBLIC_KEYS_DIR: ' + privateKeyFile + ' is not a folder');
      expect(message).toContain('JWT_KEY_ID: required with JWT_PUBLIC_KEYS_DIR');
      expect(() => loadConfig({ JWT_KEY_ID: 'key 1/../x' })).toThrow(/JWT_KEY_ID: must be 1-64 letters/);
      expect(() => loadConfig({ JWT_KEY_ID: '2026-01' })).toThrow(/JWT_KEY_ID: names the signing key, but neither/);
      expect(() => loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'x'.repeat(32), JWT_KEY_ID: 'k1' })).toThrow(/JWT_KEY_ID: set, but JWT_ALGORITHM is HS256/);
    });
  });

  it('takes role passwords and the metrics token from secret files (compose secrets), naming a bad file', () => {
    const appPassword = path.join(dir, 'app-password');
    const ownerPassword = path.join(dir, 'owner-password');
    const metricsToken = path.join(dir, 'metrics-token');
    writeFileSync(appPassword, 'p@ss/word:with#signs\n');
    writeFileSync(ownerPassword, 'owner-secret');
    writeFileSync(metricsToken, `${'m'.repeat(40)}\r\n`);
    const config = loadConfig({
      DATABASE_URL: 'postgres://csp_hub_app@db:5432/csp_hub',
      DATABASE_PASSWORD_FILE: appPassword,
      MIGRATION_DATABASE_URL: 'postgres://csp_hub_owner@db:5432/csp_hub',
      MIGRATION_DATABASE_PASSWORD_FILE: ownerPassword,
      METRICS_TOKEN_FILE: metricsToken,
    });
    const app = new URL(config.DATABASE_URL!);
    expect([app.username, decodeURIComponent(app.password), app.host, app.pathname]).toEqual(['csp_hub_app', 'p@ss/word:with#signs', 'db:5432', '/csp_hub']);
    expect(decodeURIComponent(new URL(config.MIGRATION_DATABASE_URL!).password)).toBe('owner-secret');
    expect(config.METRICS_TOKEN).toBe('m'.repeat(40));

    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '\n');
    let message = '';
    try {
      loadConfig({
        DATABASE_URL: 'postgres://csp_hub_app:inline@db:5432/csp_hub',
        DATABASE_PASSWORD_FILE: appPassword,
        MIGRATION_DATABASE_URL: 'postgres://csp_hub_owner@db:5432/csp_hub',
        MIGRATION_DATABASE_PASSWORD_FILE: path.join(dir, 'missing'),
        METRICS_TOKEN_FILE: empty,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL / DATABASE_PASSWORD_FILE: the URL carries a password and a password file is set');
    expect(message).toContain(`MIGRATION_DATABASE_PASSWORD_FILE: ${path.join(dir, 'missing')} is not a readable file`);
    expect(message).toContain(`METRICS_TOKEN_FILE: ${empty} must hold one line, the secret (it is empty)`);
    expect(message).not.toContain('inline');
    expect(() => loadConfig({ DATABASE_PASSWORD_FILE: appPassword })).toThrow(/DATABASE_PASSWORD_FILE: only with DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db:5432/csp_hub', DATABASE_PASSWORD_FILE: appPassword })).toThrow(/DATABASE_URL: name the role/);
    expect(() => loadConfig({ METRICS_TOKEN: 'x'.repeat(40), METRICS_TOKEN_FILE: metricsToken })).toThrow(/METRICS_TOKEN \/ METRICS_TOKEN_FILE: set one, not both/);
    writeFileSync(metricsToken, 'short\n');
    expect(() => loadConfig({ METRICS_TOKEN_FILE: metricsToken })).toThrow(/METRICS_TOKEN_FILE: at least 32 characters/);
  });

  it('checks the HTTP hardening settings', () => {
    const config = loadConfig({});
    expect(config.CORS_ORIGINS).toEqual([]);
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.RATE_LIMIT_STORE).toBe('memory');
    expect(config.METRICS_TOKEN).toBe('');
    expect(loadConfig({ CORS_ORIGINS: 'https://hub.example.gov.uk, http://localhost:5173' }).CORS_ORIGINS).toEqual(['https://hub.example.gov.uk', 'http://localhost:5173']);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS: "\*" is not allowed/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://hub.example.gov.uk/app' })).toThrow(/CORS_ORIGINS: .*no path/);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would believe X-Forwarded-For from anyone/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: at least 32 characters/);
    expect(() => loadConfig({ RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE/);
    expect(() => loadConfig({ GRAPHQL_MAX_BYTES: '10', SHUTDOWN_GRACE_SECONDS: '-1' })).toThrow(/GRAPHQL_MAX_BYTES: must be a whole number from 1024[\s\S]*SHUTDOWN_GRACE_SECONDS/);
  });

  it('is documented in the README: the table there is the one `csp-hub config` prints', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(configTableMarkdown());
    for (const name of Object.keys(VARIABLES)) expect(readme, name).toContain(`\`${name}\``);
  });
});
