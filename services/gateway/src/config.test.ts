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

  it('is documented in the README: the table there is the one `csp-hub config` prints', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(configTableMarkdown());
    for (const name of Object.keys(VARIABLES)) expect(readme, name).toContain(`\`${name}\``);
  });
});
