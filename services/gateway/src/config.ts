import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bool, cleanEnv, makeValidator, num, port, str } from 'envalid';
import type { CellKeyOptions } from '@csp-hub/authz';
import { DURATION_PATTERN, durationSeconds } from './duration';

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
  if (DURATION_PATTERN.test(value) && durationSeconds(value)! > 0) return value;
  throw new Error('must be a positive number with a unit s, m, h or d (e.g. 8h)');
});

/** Algorithms an identity provider may sign with: asymmetric only (never HS*, never none). */
export const OIDC_ALGORITHM_CHOICES = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const algorithmList = makeValidator<string[]>((value) => {
  const list = value.split(',').map((a) => a.trim()).filter(Boolean);
  const unknown = list.filter((a) => !(OIDC_ALGORITHM_CHOICES as readonly string[]).includes(a));
  if (list.length === 0 || unknown.length > 0) {
    throw new Error(`must be a comma-separated list of ${OIDC_ALGORITHM_CHOICES.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`);
  }
  return list;
});

const httpUrl = makeValidator<string>((value) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL like https://idp.example.org/.well-known/jwks.json');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('must start with https:// (or http:// outside production)');
  return value;
});

/** A key id as it appears in a token header and as a file name (<kid>.pem). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const keyId = makeValidator<string>((value) => {
  if (value === '' || KEY_ID_PATTERN.test(value)) return value;
  throw new Error('must be 1-64 letters, digits, dot, underscore or hyphen, starting with a letter or digit');
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
  NODE_ENV: { description: 'development, test or production; production needs an identity provider or real hub keys, never generates keys and hides introspection', sensitive: false, default: 'development' },
  HOST: { description: 'Interface the HTTP server binds to', sensitive: false, default: '127.0.0.1' },
  PORT: { description: 'HTTP port for GraphQL, uploads, exports, /healthz, /readyz and /metrics', sensitive: false, default: '4100' },
  DATABASE_URL: { description: 'PostgreSQL server to use; when unset an embedded PostgreSQL is started', sensitive: true, default: '(unset: embedded)' },
  MIGRATION_DATABASE_URL: { description: 'The schema owner on the DATABASE_URL server: migrations run as it, then it grants the DATABASE_URL role (infra/postgres/roles.sql); unset: DATABASE_URL migrates (one role, refused in production)', sensitive: true, default: '(unset)' },
  DATABASE_PASSWORD_FILE: { description: "File holding the password of DATABASE_URL's role (a container secret); DATABASE_URL then names the role without a password", sensitive: false, default: '(unset)' },
  MIGRATION_DATABASE_PASSWORD_FILE: { description: "File holding the password of MIGRATION_DATABASE_URL's role; that URL then names the role without a password", sensitive: false, default: '(unset)' },
  CSP_HUB_DATA_DIR: { description: 'Folder for the embedded PostgreSQL cluster and generated dev keys', sensitive: false, default: '<repo>/.data' },
  CSP_HUB_PG_PORT: { description: 'Port of the embedded PostgreSQL (not 5432, which is often taken)', sensitive: false, default: '54329' },
  CSP_HUB_REFERENCE_DIR: { description: 'Folder with ONS geography and demo feeds (PROVENANCE.md layout)', sensitive: false, default: '<repo>/../shared/data' },
  JWT_ALGORITHM: { description: 'Pinned JWT algorithm: ES256 or RS256 (key pair) or HS256 (JWT_SECRET)', sensitive: false, default: 'ES256' },
  JWT_PRIVATE_KEY: { description: 'PEM private key for signing tokens (ES256/RS256); generated under CSP_HUB_DATA_DIR outside production', sensitive: true, default: '(dev: generated)' },
  JWT_PRIVATE_KEY_FILE: { description: 'File holding the PEM private key that signs hub tokens (instead of JWT_PRIVATE_KEY)', sensitive: false, default: '(unset)' },
  JWT_PUBLIC_KEY: { description: 'PEM public key verifying hub tokens (ES256/RS256); derived from the private key when unset', sensitive: true, default: '(dev: generated)' },
  JWT_KEY_ID: { description: 'kid of the signing key (and of JWT_PUBLIC_KEY); when set, hub tokens carry it and tokens without a kid are refused', sensitive: false, default: '(unset)' },
  JWT_PUBLIC_KEYS_DIR: { description: 'Folder of verification keys, one public key per file named KID.pem: the keys accepted during a rotation (docs/operations/keys.md)', sensitive: false, default: '(unset)' },
  JWT_SECRET: { description: 'Shared secret for HS256, at least 32 characters', sensitive: true, default: '(unset)' },
  JWT_ISSUER: { description: 'Expected iss claim', sensitive: false, default: 'csp-hub' },
  JWT_AUDIENCE: { description: 'Expected aud claim', sensitive: false, default: 'csp-hub-api' },
  JWT_TTL: { description: 'Lifetime of tokens issued by `csp-hub token`', sensitive: false, default: '8h' },
  JWT_MAX_TTL: { description: 'Longest token lifetime (exp - iat) accepted from any issuer; longer tokens are refused, and so is `csp-hub token --ttl` above it', sensitive: false, default: '12h' },
  OIDC_ISSUER: { description: 'OpenID Connect issuer (exact iss) whose tokens sign people in; unset: no OIDC sign-in', sensitive: false, default: '(unset)' },
  OIDC_JWKS_URL: { description: "The issuer's JSON Web Key Set URL (jwks_uri); fetched, cached, refetched for a new kid", sensitive: false, default: '(unset)' },
  OIDC_AUDIENCE: { description: "Expected aud of the issuer's tokens (the hub's client or API id)", sensitive: false, default: '(unset)' },
  OIDC_USER_CLAIM: { description: "Claim naming the user: email (a user's e-mail, any case) or sub (a user's external subject)", sensitive: false, default: 'email' },
  OIDC_ALGORITHMS: { description: 'Signature algorithms accepted from the issuer, comma-separated (asymmetric only)', sensitive: false, default: 'RS256,ES256' },
  LOG_LEVEL: { description: 'pino level: fatal, error, warn, info, debug, trace or silent', sensitive: false, default: 'info' },
  UPLOAD_MAX_BYTES: { description: 'Largest file accepted by HTTP upload, in bytes', sensitive: false, default: '2147483648' },
  UPLOAD_MAX_CONCURRENT: { description: 'HTTP uploads in progress at once, across all users (more get 429 with Retry-After)', sensitive: false, default: '4' },
  UPLOAD_MAX_PER_USER: { description: 'HTTP uploads in progress at once for one user', sensitive: false, default: '2' },
  UPLOAD_SPOOL_DIR: { description: 'Folder where an upload is received in full before it is ingested', sensitive: false, default: '<CSP_HUB_DATA_DIR>/spool' },
  DB_POOL_MAX: { description: 'Connections in the pool that serves reads', sensitive: false, default: '10' },
  INGEST_POOL_MAX: { description: 'Connections in the separate pool ingest transactions use (at least 2)', sensitive: false, default: '3' },
  LOG_SQL: { description: 'Log every SQL statement at debug level', sensitive: false, default: 'false' },
  SDC_MAX_NOISE: { description: 'Disclosure control (cell-key method): the largest noise added to or taken from a controlled count', sensitive: false, default: '2' },
  SDC_NOISE_VARIANCE: { description: 'Disclosure control: the variance of that noise (at most SDC_MAX_NOISE squared)', sensitive: false, default: '1' },
  SDC_THRESHOLD: { description: 'Disclosure control: perturbed counts from 1 to this are published as 0 (not listed)', sensitive: false, default: '2' },
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
  METRICS_TOKEN_FILE: { description: 'File holding METRICS_TOKEN (a container secret)', sensitive: false, default: '(unset)' },
  AUDIT_CHECKPOINT_KEY: { description: 'Ed25519 private key (PEM) that signs audit checkpoints; the database never holds it. Outside production one is generated under CSP_HUB_DATA_DIR', sensitive: true, default: '(dev: generated)' },
  AUDIT_CHECKPOINT_KEY_FILE: { description: 'File holding AUDIT_CHECKPOINT_KEY', sensitive: false, default: '(unset)' },
  AUDIT_CHECKPOINT_PUBLIC_KEY_FILE: { description: 'Ed25519 public key (PEM) to check checkpoints with where only verification runs (csp-hub audit verify --checkpoint)', sensitive: false, default: '(from the signing key)' },
  AUDIT_CHECKPOINT_DIR: { description: 'Folder where signed audit checkpoints are written (copy them off the host: that is what makes them evidence)', sensitive: false, default: '<CSP_HUB_DATA_DIR>/audit-checkpoints' },
  AUDIT_CHECKPOINT_MINUTES: { description: 'How often csp-hub serve signs and writes an audit checkpoint (0: only on demand, csp-hub audit head)', sensitive: false, default: '60' },
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
      MIGRATION_DATABASE_URL: postgresUrl({ default: undefined, desc: VARIABLES.MIGRATION_DATABASE_URL!.description }),
      DATABASE_PASSWORD_FILE: str({ default: '', desc: VARIABLES.DATABASE_PASSWORD_FILE!.description }),
      MIGRATION_DATABASE_PASSWORD_FILE: str({ default: '', desc: VARIABLES.MIGRATION_DATABASE_PASSWORD_FILE!.description }),
      CSP_HUB_DATA_DIR: str({ default: path.join(repoRoot, '.data'), desc: VARIABLES.CSP_HUB_DATA_DIR!.description }),
      CSP_HUB_PG_PORT: port({ default: 54329, desc: VARIABLES.CSP_HUB_PG_PORT!.description }),
      CSP_HUB_REFERENCE_DIR: str({ default: path.resolve(repoRoot, '../shared/data'), desc: VARIABLES.CSP_HUB_REFERENCE_DIR!.description }),
      JWT_ALGORITHM: jwtAlgorithm({ default: 'ES256', desc: VARIABLES.JWT_ALGORITHM!.description }),
      JWT_PRIVATE_KEY: str({ default: '', desc: VARIABLES.JWT_PRIVATE_KEY!.description }),
      JWT_PRIVATE_KEY_FILE: str({ default: '', desc: VARIABLES.JWT_PRIVATE_KEY_FILE!.description }),
      JWT_PUBLIC_KEY: str({ default: '', desc: VARIABLES.JWT_PUBLIC_KEY!.description }),
      JWT_KEY_ID: keyId({ default: '', desc: VARIABLES.JWT_KEY_ID!.description }),
      JWT_PUBLIC_KEYS_DIR: str({ default: '', desc: VARIABLES.JWT_PUBLIC_KEYS_DIR!.description }),
      JWT_SECRET: str({ default: '', desc: VARIABLES.JWT_SECRET!.description }),
      JWT_ISSUER: str({ default: 'csp-hub', desc: VARIABLES.JWT_ISSUER!.description }),
      JWT_AUDIENCE: str({ default: 'csp-hub-api', desc: VARIABLES.JWT_AUDIENCE!.description }),
      JWT_TTL: duration({ default: '8h', desc: VARIABLES.JWT_TTL!.description }),
      JWT_MAX_TTL: duration({ default: '12h', desc: VARIABLES.JWT_MAX_TTL!.description }),
      OIDC_ISSUER: str({ default: '', desc: VARIABLES.OIDC_ISSUER!.description }),
      OIDC_JWKS_URL: httpUrl({ default: undefined, desc: VARIABLES.OIDC_JWKS_URL!.description }),
      OIDC_AUDIENCE: str({ default: '', desc: VARIABLES.OIDC_AUDIENCE!.description }),
      OIDC_USER_CLAIM: str({ choices: ['email', 'sub'], default: 'email', desc: VARIABLES.OIDC_USER_CLAIM!.description }),
      OIDC_ALGORITHMS: algorithmList({ default: ['RS256', 'ES256'], desc: VARIABLES.OIDC_ALGORITHMS!.description }),
      LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', desc: VARIABLES.LOG_LEVEL!.description }),
      UPLOAD_MAX_BYTES: num({ default: 2 * 1024 ** 3, desc: VARIABLES.UPLOAD_MAX_BYTES!.description }),
      UPLOAD_MAX_CONCURRENT: num({ default: 4, desc: VARIABLES.UPLOAD_MAX_CONCURRENT!.description }),
      UPLOAD_MAX_PER_USER: num({ default: 2, desc: VARIABLES.UPLOAD_MAX_PER_USER!.description }),
      UPLOAD_SPOOL_DIR: str({ default: '', desc: VARIABLES.UPLOAD_SPOOL_DIR!.description }),
      DB_POOL_MAX: num({ default: 10, desc: VARIABLES.DB_POOL_MAX!.description }),
      INGEST_POOL_MAX: num({ default: 3, desc: VARIABLES.INGEST_POOL_MAX!.description }),
      LOG_SQL: bool({ default: false, desc: VARIABLES.LOG_SQL!.description }),
      SDC_MAX_NOISE: num({ default: 2, desc: VARIABLES.SDC_MAX_NOISE!.description }),
      SDC_NOISE_VARIANCE: num({ default: 1, desc: VARIABLES.SDC_NOISE_VARIANCE!.description }),
      SDC_THRESHOLD: num({ default: 2, desc: VARIABLES.SDC_THRESHOLD!.description }),
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
      METRICS_TOKEN_FILE: str({ default: '', desc: VARIABLES.METRICS_TOKEN_FILE!.description }),
      AUDIT_CHECKPOINT_KEY: str({ default: '', desc: VARIABLES.AUDIT_CHECKPOINT_KEY!.description }),
      AUDIT_CHECKPOINT_KEY_FILE: str({ default: '', desc: VARIABLES.AUDIT_CHECKPOINT_KEY_FILE!.description }),
      AUDIT_CHECKPOINT_PUBLIC_KEY_FILE: str({ default: '', desc: VARIABLES.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE!.description }),
      AUDIT_CHECKPOINT_DIR: str({ default: '', desc: VARIABLES.AUDIT_CHECKPOINT_DIR!.description }),
      AUDIT_CHECKPOINT_MINUTES: num({ default: 60, desc: VARIABLES.AUDIT_CHECKPOINT_MINUTES!.description }),
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

/** The disclosure control (cell-key method) the SDC_* settings configure: every aggregate's noise. */
export function cellKeyOf(config: Pick<Config, 'SDC_MAX_NOISE' | 'SDC_NOISE_VARIANCE' | 'SDC_THRESHOLD'>): CellKeyOptions {
  return { maxNoise: config.SDC_MAX_NOISE, variance: config.SDC_NOISE_VARIANCE, threshold: config.SDC_THRESHOLD };
}

/** Reads and checks the environment once; throws ConfigError naming every bad variable. */

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = spec(env);
  const problems: string[] = [];
  problems.push(...jwtProblems(cleaned), ...oidcProblems(cleaned));
  const production = cleaned.NODE_ENV === 'production';
  if (production && !cleaned.OIDC_ISSUER && !hubKeysConfigured(cleaned)) {
    problems.push(
      '  OIDC_ISSUER / JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE / JWT_PUBLIC_KEY / JWT_PUBLIC_KEYS_DIR: production needs an identity provider or hub keys (dev keys are never generated there)',
    );
  }
  if (!Number.isInteger(cleaned.SDC_MAX_NOISE) || cleaned.SDC_MAX_NOISE < 1 || cleaned.SDC_MAX_NOISE > 10) {
    problems.push('  SDC_MAX_NOISE: a whole number from 1 to 10');
  }
  if (!(cleaned.SDC_NOISE_VARIANCE > 0) || cleaned.SDC_NOISE_VARIANCE > cleaned.SDC_MAX_NOISE ** 2) {
    problems.push('  SDC_NOISE_VARIANCE: above 0 and at most SDC_MAX_NOISE squared');
  }
  if (!Number.isInteger(cleaned.SDC_THRESHOLD) || cleaned.SDC_THRESHOLD < 0) problems.push('  SDC_THRESHOLD: a whole number, 0 or more');
  for (const name of ['UPLOAD_MAX_CONCURRENT', 'UPLOAD_MAX_PER_USER', 'DB_POOL_MAX'] as const) {
    if (!Number.isInteger(cleaned[name]) || cleaned[name] < 1) problems.push(`  ${name}: a whole number of at least 1`);
  }
  if (!Number.isInteger(cleaned.AUDIT_CHECKPOINT_MINUTES) || cleaned.AUDIT_CHECKPOINT_MINUTES < 0) {
    problems.push('  AUDIT_CHECKPOINT_MINUTES: a whole number of minutes, 0 or more');
  }
  if (cleaned.MIGRATION_DATABASE_URL && !cleaned.DATABASE_URL) {
    problems.push('  MIGRATION_DATABASE_URL: only with DATABASE_URL (the embedded database sets up its own two roles)');
  }
  if (cleaned.MIGRATION_DATABASE_URL && cleaned.DATABASE_URL) {
    const server = (u: string): string => {
      const p = new URL(u);
      return `${p.host}${p.pathname}`;
    };
    if (server(cleaned.MIGRATION_DATABASE_URL) !== server(cleaned.DATABASE_URL)) {
      problems.push('  MIGRATION_DATABASE_URL: must name the same server and database as DATABASE_URL (another role, the schema owner)');
    }
  }
  if (cleaned.AUDIT_CHECKPOINT_KEY && cleaned.AUDIT_CHECKPOINT_KEY_FILE) {
    problems.push('  AUDIT_CHECKPOINT_KEY / AUDIT_CHECKPOINT_KEY_FILE: set one, not both');
  }
  if (cleaned.NODE_ENV === 'production' && !cleaned.AUDIT_CHECKPOINT_KEY && !cleaned.AUDIT_CHECKPOINT_KEY_FILE) {
    problems.push('  AUDIT_CHECKPOINT_KEY / AUDIT_CHECKPOINT_KEY_FILE: required in production (dev keys are never generated there)');
  }
  if (!Number.isInteger(cleaned.INGEST_POOL_MAX) || cleaned.INGEST_POOL_MAX < 2) {
    problems.push('  INGEST_POOL_MAX: a whole number of at least 2 (one connection runs a submission, one records a refusal)');
  }
  const secrets = secretsFromFiles(cleaned, problems);
  const metricsToken = secrets.METRICS_TOKEN ?? cleaned.METRICS_TOKEN;
  if (metricsToken && metricsToken.length < 32) {
    problems.push(`  ${secrets.METRICS_TOKEN === undefined ? 'METRICS_TOKEN' : 'METRICS_TOKEN_FILE'}: at least 32 characters (or unset to turn /metrics off)`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return Object.assign(Object.create(null) as object, cleaned, secrets, {
    repoRoot,
    UPLOAD_SPOOL_DIR: cleaned.UPLOAD_SPOOL_DIR || path.join(cleaned.CSP_HUB_DATA_DIR, 'spool'),
    AUDIT_CHECKPOINT_DIR: cleaned.AUDIT_CHECKPOINT_DIR || path.join(cleaned.CSP_HUB_DATA_DIR, 'audit-checkpoints'),
  }) as Config;
}

type Cleaned = ReturnType<typeof spec>;

/**
 * Secrets a container runtime mounts as files (compose `secrets:`): a role's
 * password goes into its URL (which must then carry none), the metrics token
 * replaces METRICS_TOKEN. One trailing line break is dropped, as editors add one.
 */
function secretsFromFiles(c: Cleaned, problems: string[]): { DATABASE_URL?: string; MIGRATION_DATABASE_URL?: string; METRICS_TOKEN?: string } {
  const out: { DATABASE_URL?: string; MIGRATION_DATABASE_URL?: string; METRICS_TOKEN?: string } = {};
  const read = (name: string, file: string): string | undefined => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      problems.push(`  ${name}: ${file} is not a readable file`);
      return undefined;
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '' || /[\r\n]/.test(value)) {
      problems.push(`  ${name}: ${file} must hold one line, the secret (it is ${value === '' ? 'empty' : 'several lines'})`);
      return undefined;
    }
    return value;
  };
  for (const [urlName, fileName] of [['DATABASE_URL', 'DATABASE_PASSWORD_FILE'], ['MIGRATION_DATABASE_URL', 'MIGRATION_DATABASE_PASSWORD_FILE']] as const) {
    const file = c[fileName];
    if (!file) continue;
    const url = c[urlName];
    if (!url) {
      problems.push(`  ${fileName}: only with ${urlName} (naming the role, without a password)`);
      continue;
    }
    const parsed = new URL(url);
    if (parsed.password) {
      problems.push(`  ${urlName} / ${fileName}: the URL carries a password and a password file is set; set one, not both`);
      continue;
    }
    if (!parsed.username) {
      problems.push(`  ${urlName}: name the role (postgres://ROLE@host:5432/database) when ${fileName} holds its password`);
      continue;
    }
    const password = read(fileName, file);
    if (password === undefined) continue;
    parsed.password = encodeURIComponent(password);
    out[urlName] = parsed.toString();
  }
  if (c.METRICS_TOKEN_FILE) {
    if (c.METRICS_TOKEN) problems.push('  METRICS_TOKEN / METRICS_TOKEN_FILE: set one, not both');
    else {
      const token = read('METRICS_TOKEN_FILE', c.METRICS_TOKEN_FILE);
      if (token !== undefined) out.METRICS_TOKEN = token;
    }
  }
  return out;
}

/** Hub keys come from the environment or files (anything but HS256's secret). */
function hubKeysConfigured(c: Cleaned): boolean {
  return c.JWT_ALGORITHM === 'HS256' || Boolean(c.JWT_PRIVATE_KEY || c.JWT_PRIVATE_KEY_FILE || c.JWT_PUBLIC_KEY || c.JWT_PUBLIC_KEYS_DIR);
}

function jwtProblems(c: Cleaned): string[] {
  const problems: string[] = [];
  if (c.JWT_ALGORITHM === 'HS256') {
    if (c.JWT_SECRET.length < 32) problems.push('  JWT_SECRET: HS256 needs a secret of at least 32 characters');
    for (const name of ['JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEY_FILE', 'JWT_PUBLIC_KEY', 'JWT_KEY_ID', 'JWT_PUBLIC_KEYS_DIR'] as const) {
      if (c[name]) problems.push(`  ${name}: set, but JWT_ALGORITHM is HS256 (a shared secret, no key pairs or rotation); unset it or choose ES256/RS256`);
    }
  } else if (c.JWT_SECRET) {
    problems.push(`  JWT_SECRET: set, but JWT_ALGORITHM is ${c.JWT_ALGORITHM}; unset it or choose HS256`);
  }
  if (c.JWT_PRIVATE_KEY && c.JWT_PRIVATE_KEY_FILE) problems.push('  JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE: set one, not both');
  if (c.JWT_PRIVATE_KEY_FILE && !isFile(c.JWT_PRIVATE_KEY_FILE)) problems.push(`  JWT_PRIVATE_KEY_FILE: ${c.JWT_PRIVATE_KEY_FILE} is not a readable file`);
  if (c.JWT_PUBLIC_KEYS_DIR && !isDirectory(c.JWT_PUBLIC_KEYS_DIR)) problems.push(`  JWT_PUBLIC_KEYS_DIR: ${c.JWT_PUBLIC_KEYS_DIR} is not a folder`);
  const signs = Boolean(c.JWT_PRIVATE_KEY || c.JWT_PRIVATE_KEY_FILE);
  if (c.JWT_KEY_ID && !signs && !c.JWT_PUBLIC_KEY) {
    problems.push('  JWT_KEY_ID: names the signing key, but neither JWT_PRIVATE_KEY(_FILE) nor JWT_PUBLIC_KEY is set');
  }
  if (c.JWT_PUBLIC_KEYS_DIR && !c.JWT_KEY_ID && (signs || c.JWT_PUBLIC_KEY)) {
    problems.push('  JWT_KEY_ID: required with JWT_PUBLIC_KEYS_DIR, so the signing key has a kid among the verification keys');
  }
  const ttl = durationSeconds(c.JWT_TTL);
  const maxTtl = durationSeconds(c.JWT_MAX_TTL);
  if (ttl !== undefined && maxTtl !== undefined && ttl > maxTtl) {
    problems.push(`  JWT_TTL: ${c.JWT_TTL} is longer than JWT_MAX_TTL (${c.JWT_MAX_TTL}); tokens would be refused`);
  }
  return problems;
}

function oidcProblems(c: Cleaned): string[] {
  const problems: string[] = [];
  const set = { OIDC_ISSUER: c.OIDC_ISSUER, OIDC_JWKS_URL: c.OIDC_JWKS_URL ?? '', OIDC_AUDIENCE: c.OIDC_AUDIENCE };
  const given = Object.entries(set).filter(([, v]) => v);
  if (given.length > 0) {
    for (const [name, value] of Object.entries(set)) {
      if (!value) problems.push(`  ${name}: required for OpenID Connect sign-in (${given.map(([n]) => n).join(', ')} set)`);
    }
  }
  if (c.OIDC_ISSUER && c.OIDC_ISSUER === c.JWT_ISSUER) {
    problems.push('  OIDC_ISSUER: must differ from JWT_ISSUER, which names hub-signed tokens');
  }
  if (c.NODE_ENV === 'production' && c.OIDC_JWKS_URL && !c.OIDC_JWKS_URL.startsWith('https://')) {
    problems.push('  OIDC_JWKS_URL: must be https:// in production');
  }
  return problems;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The variables table as Markdown (README "Configuration"). */
export function configTableMarkdown(): string {
  const rows = Object.entries(VARIABLES).map(
    ([name, v]) => `| \`${name}\` | ${v.description} | \`${v.default}\` | ${v.sensitive ? 'yes' : 'no'} |`,
  );
  return ['| Variable | What it does | Default | Sensitive |', '|---|---|---|---|', ...rows].join('\n');
}
