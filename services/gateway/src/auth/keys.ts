import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, KEY_ID_PATTERN, type Config } from '../config';
import { durationSeconds } from '../duration';

export type JwtAlgorithm = 'ES256' | 'RS256' | 'HS256';

/**
 * The keys of hub-signed tokens (`csp-hub token`, service use).
 *
 * Without rotation there is one key and tokens carry no `kid`. Once rotation is
 * configured (JWT_KEY_ID and/or JWT_PUBLIC_KEYS_DIR) every key has a kid, new
 * tokens carry the signing key's, and a token is verified by the key its kid
 * names: a token without a kid, or with a kid not among the verification keys,
 * is refused.
 */
export interface SigningKeys {
  algorithm: JwtAlgorithm;
  issuer: string;
  audience: string;
  /** Longest lifetime (exp - iat) accepted and issued, in seconds (JWT_MAX_TTL). */
  maxTtlSeconds: number;
  /** Signs new tokens: PEM private key (or HS256 secret) and its kid; null when this hub only verifies. */
  signing: { key: string; kid: string | null } | null;
  /**
   * Verification keys (PEM public key or HS256 secret) by kid. Without
   * rotation: one key under `null`. With rotation: named keys only. Empty: this
   * hub accepts no hub tokens (production with an identity provider only).
   */
  verifying: ReadonlyMap<string | null, string>;
}

/** True when tokens must name their key (rotation configured). */
export function keysAreNamed(keys: SigningKeys): boolean {
  return keys.verifying.size > 0 && !keys.verifying.has(null);
}

/**
 * Keys from the environment (JWT_PRIVATE_KEY, JWT_PUBLIC_KEY, JWT_SECRET) or
 * files (JWT_PRIVATE_KEY_FILE, JWT_PUBLIC_KEYS_DIR/<kid>.pem), checked against
 * the algorithm and each other. Outside production, when nothing is configured,
 * an ES256/RS256 pair is generated once under CSP_HUB_DATA_DIR/keys so dev
 * tokens survive restarts; production never generates keys. Throws ConfigError
 * naming every bad variable.
 */
export function loadSigningKeys(config: Config): SigningKeys {
  const base = {
    algorithm: config.JWT_ALGORITHM,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxTtlSeconds: durationSeconds(config.JWT_MAX_TTL)!,
  };
  if (config.JWT_ALGORITHM === 'HS256') {
    return { ...base, signing: { key: config.JWT_SECRET, kid: null }, verifying: new Map([[null, config.JWT_SECRET]]) };
  }
  const privatePem = config.JWT_PRIVATE_KEY || (config.JWT_PRIVATE_KEY_FILE ? readText('JWT_PRIVATE_KEY_FILE', config.JWT_PRIVATE_KEY_FILE) : '');
  const configured = Boolean(privatePem || config.JWT_PUBLIC_KEY || config.JWT_PUBLIC_KEYS_DIR);
  if (!configured) {
    if (config.NODE_ENV === 'production') return { ...base, signing: null, verifying: new Map() };
    const pair = devKeyPair(config.CSP_HUB_DATA_DIR, config.JWT_ALGORITHM);
    return { ...base, signing: { key: pair.privatePem, kid: null }, verifying: new Map([[null, pair.publicPem]]) };
  }

  const problems: string[] = [];
  const kid = config.JWT_KEY_ID || null;
  const verifying = new Map<string | null, string>();
  let signing: SigningKeys['signing'] = null;
  let signingPublic: KeyObject | undefined;

  if (privatePem) {
    const name = config.JWT_PRIVATE_KEY ? 'JWT_PRIVATE_KEY' : 'JWT_PRIVATE_KEY_FILE';
    const key = parseKey(name, privatePem, 'private', config.JWT_ALGORITHM, problems);
    if (key) {
      signingPublic = createPublicKey(key);
      signing = { key: key.export({ type: 'pkcs8', format: 'pem' }).toString(), kid };
      verifying.set(kid, pemOf(signingPublic));
    }
  }
  if (config.JWT_PUBLIC_KEY) {
    const key = parseKey('JWT_PUBLIC_KEY', config.JWT_PUBLIC_KEY, 'public', config.JWT_ALGORITHM, problems);
    if (key && signingPublic && !sameKey(key, signingPublic)) {
      problems.push('  JWT_PUBLIC_KEY: is not the public half of the signing key (JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE)');
    } else if (key) {
      verifying.set(kid, pemOf(key));
    }
  }
  if (config.JWT_PUBLIC_KEYS_DIR) {
    for (const [fileKid, key] of readKeyDirectory(config.JWT_PUBLIC_KEYS_DIR, config.JWT_ALGORITHM, problems)) {
      const known = verifying.get(fileKid);
      if (known !== undefined && !sameKey(createPublicKey(known), key)) {
        problems.push(`  JWT_PUBLIC_KEYS_DIR: ${fileKid}.pem is not the public half of the key JWT_KEY_ID=${fileKid} names`);
        continue;
      }
      verifying.set(fileKid, pemOf(key));
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return { ...base, signing, verifying };
}

/** Reads <kid>.pem public keys; other files are ignored, private keys are refused. */
function readKeyDirectory(dir: string, algorithm: 'ES256' | 'RS256', problems: string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  JWT_PUBLIC_KEYS_DIR: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  for (const file of files) {
    if (!file.endsWith('.pem')) continue;
    const fileKid = file.slice(0, -'.pem'.length);
    const where = `JWT_PUBLIC_KEYS_DIR: ${file}`;
    if (!KEY_ID_PATTERN.test(fileKid)) {
      problems.push(`  ${where}: the file name must be <kid>.pem with a kid of 1-64 letters, digits, dot, underscore or hyphen`);
      continue;
    }
    const key = parseKey(where, readText(where, path.join(dir, file)), 'public', algorithm, problems);
    if (key) keys.set(fileKid, key);
  }
  if (keys.size === 0 && problems.length === 0) problems.push(`  JWT_PUBLIC_KEYS_DIR: ${dir} holds no <kid>.pem public key`);
  return keys;
}

/** A PEM key of the expected kind that fits the algorithm, or undefined with a problem recorded. */
function parseKey(name: string, pem: string, kind: 'private' | 'public', algorithm: 'ES256' | 'RS256', problems: string[]): KeyObject | undefined {
  if (kind === 'public' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    problems.push(`  ${name}: holds a private key; verification keys must be public keys only`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    problems.push(`  ${name}: not a PEM ${kind} key`);
    return undefined;
  }
  const fits =
    algorithm === 'ES256'
      ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      : key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (!fits) {
    problems.push(`  ${name}: does not fit JWT_ALGORITHM=${algorithm} (${algorithm === 'ES256' ? 'an EC P-256 key' : 'an RSA key of 2048 bits or more'} is needed)`);
    return undefined;
  }
  return key;
}

function readText(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function pemOf(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** The development pair under <dataDir>/keys, generated on first use. */
function devKeyPair(dataDir: string, algorithm: 'ES256' | 'RS256'): { privatePem: string; publicPem: string } {
  const dir = path.join(dataDir, 'keys');
  const privatePath = path.join(dir, `dev-${algorithm.toLowerCase()}-private.pem`);
  const publicPath = path.join(dir, `dev-${algorithm.toLowerCase()}-public.pem`);
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair =
      algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 3072 });
    writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
  return { privatePem: readFileSync(privatePath, 'utf8'), publicPem: readFileSync(publicPath, 'utf8') };
}
