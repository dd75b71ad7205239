import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bool, cleanEnv, makeValidator, num, port, str } from 'envalid';

/**
 * The only place that reads process.env. Every variable has a description and a
 * sensitivity flag; `csp-hub config` prints this table (the README carries it).
 */
const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

const postgresUrl = makeValidator<string>((value) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL like postgres://user:password@host:5432/database');
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error('must start with postgres:// or postgresql://');
  return value;
});

const jwtAlgorithm = makeValidator<'ES256' | 'RS256' | 'HS256'>((value) => {
  if (value === 'ES256' || value === 'RS256' || value === 'HS256') return value;
  throw new Error('must be ES256, RS256 or HS256');
});

const duration = makeValidator<string>((value) => {
  if (/^\d+[smhd]$/.test(value)) return value;
  throw new Error('must be a number with a unit s, m, h or d (e.g. 8h)');
});

/** A whole number within [min, max]. */
function wholeNumber(min: number, max: number) {
  return makeValidator<number>((value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  });
}

/** Exact origins (scheme, host, optional port), comma-separated; "*" is refused: list the origins. */
const corsOrigins = makeValidator<string[]>((value) => {
  const origins = value.split(',').map((v) => v.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') throw new Error('"*" is not allowed: list the origins that may call the API');
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new Error(`${origin} is not an origin like https://hub.example.gov.uk`);
    }
    if (!['https:', 'http:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new Error(`${origin} is not an origin like https://hub.example.gov.uk (scheme and host, optional port, no path or trailing slash)`);
    }
  }
  return origins;
});

/** Express "trust proxy": false, a hop count, or addresses/subnets; `true` (believe anyone) is refused. */
const trustProxy = makeValidator<false | number | string[]>((value) => {
  const v = value.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') throw new Error('true would believe X-Forwarded-For from anyone: give a hop count or the proxies\' addresses');
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of list) {
    if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(p)) throw new Error(`${p} is not an address, subnet or loopback/linklocal/uniquelocal`);
  }
  return list;
});

interface VariableDoc {
  description: string;
  sensitive: boolean;
  default: string;
}

export const VARIABLES: Record<string, VariableDoc> = {
  NODE_ENV: { description: 'development, test or production; production requires real JWT keys and hides introspection', sensitive: false, default: 'development' },
  HOST: { description: 'Interface the HTTP server binds to', sensitive: false, default: '127.0.0.1' },
  PORT: { description: 'HTTP port for GraphQL, uploads, exports, /healthz, /readyz and /metrics', sensitive: false, default: '4100' },
  DATABASE_URL: { description: 'PostgreSQL server to use; when unset an embedded PostgreSQL is started', sensitive: true, default: '(unset: embedded)' },
  CSP_HUB_DATA_DIR: { description: 'Folder for the embedded PostgreSQL cluster and generated dev keys', sensitive: false, default: '<repo>/.data' },
  CSP_HUB_PG_PORT: { description: 'Port of the embedded PostgreSQL (not 5432, which is often taken)', sensitive: false, default: '54329' },
  CSP_HUB_REFERENCE_DIR: { description: 'Folder with ONS geography and demo feeds (PROVENANCE.md layout)', sensitive: false, default: '<repo>/../shared/data' },
  JWT_ALGORITHM: { description: 'Pinned JWT algorithm: ES256 or RS256 (key pair) or HS256 (JWT_SECRET)', sensitive: false, default: 'ES256' },
  JWT_PRIVATE_KEY: { description: 'PEM private key for signing tokens (ES256/RS256); generated under CSP_HUB_DATA_DIR outside production', sensitive: true, default: '(dev: generated)' },
  JWT_PUBLIC_KEY: { description: 'PEM public key for verifying tokens (ES256/RS256)', sensitive: true, default: '(dev: generated)' },
  JWT_SECRET: { description: 'Shared secret for HS256, at least 32 characters', sensitive: true, default: '(unset)' },
  JWT_ISSUER: { description: 'Expected iss claim', sensitive: false, default: 'csp-hub' },
  JWT_AUDIENCE: { description: 'Expected aud claim', sensitive: false, default: 'csp-hub-api' },
  JWT_TTL: { description: 'Lifetime of tokens issued by `csp-hub token`', sensitive: false, default: '8h' },
  LOG_LEVEL: { description: 'pino level: fatal, error, warn, info, debug, trace or silent', sensitive: false, default: 'info' },
  UPLOAD_MAX_BYTES: { description: 'Largest file accepted by HTTP upload, in bytes', sensitive: false, default: '2147483648' },
  LOG_SQL: { description: 'Log every SQL statement at debug level', sensitive: false, default: 'false' },
  SDC_MIN_COUNT: { description: 'Disclosure control: smallest count withheld from aggregate-tier tables', sensitive: false, default: '1' },
  SDC_MAX_COUNT: { description: 'Disclosure control: largest count withheld from aggregate-tier tables', sensitive: false, default: '4' },
  GRAPHQL_MAX_BYTES: { description: 'Largest GraphQL request body, in bytes (larger: 413)', sensitive: false, default: '1048576' },
  DATABASE_POOL_MAX: { description: 'Connections each request pool (SQL and ORM) may open', sensitive: false, default: '10' },
  DATABASE_ACQUIRE_TIMEOUT_MS: { description: 'How long a request waits for a free database connection before it gets 503', sensitive: false, default: '5000' },
  CORS_ORIGINS: { description: 'Browser origins allowed to call the API cross-origin, comma-separated (e.g. https://hub.example.gov.uk); none when empty', sensitive: false, default: '(none)' },
  TRUST_PROXY: { description: 'Reverse proxies in front of the hub whose X-Forwarded-For is believed: false, a hop count, or comma-separated addresses/subnets', sensitive: false, default: 'false' },
  RATE_LIMIT_WINDOW_SECONDS: { description: 'Length of the rate-limit window', sensitive: false, default: '60' },
  RATE_LIMIT_PER_IP: { description: 'Requests one client address may make per window to /graphql and /api (0: no limit)', sensitive: false, default: '1200' },
  RATE_LIMIT_PER_USER: { description: 'Requests one signed-in user may make per window to /graphql and /api (0: no limit)', sensitive: false, default: '600' },
  RATE_LIMIT_STORE: { description: 'Where rate-limit counters live: memory (one instance) or postgres (shared by several instances)', sensitive: false, default: 'memory' },
  METRICS_TOKEN: { description: 'Bearer token Prometheus sends to GET /metrics (at least 32 characters); /metrics is off when unset', sensitive: true, default: '(unset: off)' },
  SHUTDOWN_GRACE_SECONDS: { description: 'On SIGTERM/SIGINT, how long requests in flight may run before they are cut off and rolled back', sensitive: false, default: '10' },
};

function spec(env: NodeJS.ProcessEnv) {
  return cleanEnv(
    env,
    {
      NODE_ENV: str({ choices: ['development', 'test', 'production'], default: 'development', desc: VARIABLES.NODE_ENV!.description }),
      HOST: str({ default: '127.0.0.1', desc: VARIABLES.HOST!.description }),
      PORT: port({ default: 4100, desc: VARIABLES.PORT!.description }),
      DATABASE_URL: postgresUrl({ default: undefined, desc: VARIABLES.DATABASE_URL!.description }),
      CSP_HUB_DATA_DIR: str({ default: path.join(repoRoot, '.data'), desc: VARIABLES.CSP_HUB_DATA_DIR!.description }),
      CSP_HUB_PG_PORT: port({ default: 54329, desc: VARIABLES.CSP_HUB_PG_PORT!.description }),
      CSP_HUB_REFERENCE_DIR: str({ default: path.resolve(repoRoot, '../shared/data'), desc: VARIABLES.CSP_HUB_REFERENCE_DIR!.description }),
      JWT_ALGORITHM: jwtAlgorithm({ default: 'ES256', desc: VARIABLES.JWT_ALGORITHM!.description }),
      JWT_PRIVATE_KEY: str({ default: '', desc: VARIABLES.JWT_PRIVATE_KEY!.description }),
      JWT_PUBLIC_KEY: str({ default: '', desc: VARIABLES.JWT_PUBLIC_KEY!.description }),
      JWT_SECRET: str({ default: '', desc: VARIABLES.JWT_SECRET!.description }),
      JWT_ISSUER: str({ default: 'csp-hub', desc: VARIABLES.JWT_ISSUER!.description }),
      JWT_AUDIENCE: str({ default: 'csp-hub-api', desc: VARIABLES.JWT_AUDIENCE!.description }),
      JWT_TTL: duration({ default: '8h', desc: VARIABLES.JWT_TTL!.description }),
      LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', desc: VARIABLES.LOG_LEVEL!.description }),
      UPLOAD_MAX_BYTES: num({ default: 2 * 1024 ** 3, desc: VARIABLES.UPLOAD_MAX_BYTES!.description }),
      LOG_SQL: bool({ default: false, desc: VARIABLES.LOG_SQL!.description }),
      SDC_MIN_COUNT: num({ default: 1, desc: VARIABLES.SDC_MIN_COUNT!.description }),
      SDC_MAX_COUNT: num({ default: 4, desc: VARIABLES.SDC_MAX_COUNT!.description }),
      GRAPHQL_MAX_BYTES: wholeNumber(1024, 64 * 1024 ** 2)({ default: 1024 ** 2, desc: VARIABLES.GRAPHQL_MAX_BYTES!.description }),
      DATABASE_POOL_MAX: wholeNumber(1, 500)({ default: 10, desc: VARIABLES.DATABASE_POOL_MAX!.description }),
      DATABASE_ACQUIRE_TIMEOUT_MS: wholeNumber(100, 600_000)({ default: 5000, desc: VARIABLES.DATABASE_ACQUIRE_TIMEOUT_MS!.description }),
      CORS_ORIGINS: corsOrigins({ default: [], desc: VARIABLES.CORS_ORIGINS!.description }),
      TRUST_PROXY: trustProxy({ default: false, desc: VARIABLES.TRUST_PROXY!.description }),
      RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 86_400)({ default: 60, desc: VARIABLES.RATE_LIMIT_WINDOW_SECONDS!.description }),
      RATE_LIMIT_PER_IP: wholeNumber(0, 10_000_000)({ default: 1200, desc: VARIABLES.RATE_LIMIT_PER_IP!.description }),
      RATE_LIMIT_PER_USER: wholeNumber(0, 10_000_000)({ default: 600, desc: VARIABLES.RATE_LIMIT_PER_USER!.description }),
      RATE_LIMIT_STORE: str({ choices: ['memory', 'postgres'], default: 'memory', desc: VARIABLES.RATE_LIMIT_STORE!.description }),
      METRICS_TOKEN: str({ default: '', desc: VARIABLES.METRICS_TOKEN!.description }),
      SHUTDOWN_GRACE_SECONDS: wholeNumber(0, 3600)({ default: 10, desc: VARIABLES.SHUTDOWN_GRACE_SECONDS!.description }),
    },
    {
      reporter: ({ errors }) => {
        const bad = Object.entries(errors);
        if (bad.length === 0) return;
        const lines = bad.map(([name, error]) => `  ${name}: ${error instanceof Error ? error.message : String(error)}`);
        throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
      },
    },
  );
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Config = ReturnType<typeof spec> & { repoRoot: string };

/** Reads and checks the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = spec(env);
  const problems: string[] = [];
  if (cleaned.JWT_ALGORITHM === 'HS256' && cleaned.JWT_SECRET.length < 32) {
    problems.push('  JWT_SECRET: HS256 needs a secret of at least 32 characters');
  }
  if (cleaned.JWT_ALGORITHM !== 'HS256' && cleaned.JWT_SECRET) {
    problems.push(`  JWT_SECRET: set, but JWT_ALGORITHM is ${cleaned.JWT_ALGORITHM}; unset it or choose HS256`);
  }
  if (cleaned.NODE_ENV === 'production' && cleaned.JWT_ALGORITHM !== 'HS256' && (!cleaned.JWT_PRIVATE_KEY || !cleaned.JWT_PUBLIC_KEY)) {
    problems.push('  JWT_PRIVATE_KEY / JWT_PUBLIC_KEY: required in production (dev keys are never generated there)');
  }
  if (!Number.isInteger(cleaned.SDC_MIN_COUNT) || !Number.isInteger(cleaned.SDC_MAX_COUNT) || cleaned.SDC_MIN_COUNT < 1 || cleaned.SDC_MAX_COUNT < cleaned.SDC_MIN_COUNT) {
    problems.push('  SDC_MIN_COUNT / SDC_MAX_COUNT: whole numbers with 1 <= SDC_MIN_COUNT <= SDC_MAX_COUNT');
  }
  if (cleaned.METRICS_TOKEN && cleaned.METRICS_TOKEN.length < 32) {
    problems.push('  METRICS_TOKEN: at least 32 characters (or unset to turn /metrics off)');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return Object.assign(Object.create(null) as object, cleaned, { repoRoot }) as Config;
}

/** The variables table as Markdown (README "Configuration"). */
export function configTableMarkdown(): string {
  const rows = Object.entries(VARIABLES).map(
    ([name, v]) => `| \`${name}\` | ${v.description} | \`${v.default}\` | ${v.sensitive ? 'yes' : 'no'} |`,
  );
  return ['| Variable | What it does | Default | Sensitive |', '|---|---|---|---|', ...rows].join('\n');
}
