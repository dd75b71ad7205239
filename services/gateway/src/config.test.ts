import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, loadConfig, VARIABLES } from './config';

describe('config', () => {
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

  it('requires a long secret for HS256 and real keys in production', () => {
    expect(() => loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: HS256 needs a secret of at least 32/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_PRIVATE_KEY \/ JWT_PUBLIC_KEY: required in production/);
    expect(loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 'x'.repeat(32) }).JWT_ALGORITHM).toBe('HS256');
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
