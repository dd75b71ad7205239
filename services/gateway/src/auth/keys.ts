import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

export interface SigningKeys {
  algorithm: 'ES256' | 'RS256' | 'HS256';
  signingKey: string;
  verifyingKey: string;
  issuer: string;
  audience: string;
}

/**
 * Keys from the configuration; outside production, an ES256/RS256 pair is
 * generated once under CSP_HUB_DATA_DIR/keys so dev tokens survive restarts.
 */
export function loadSigningKeys(config: Config): SigningKeys {
  const base = { algorithm: config.JWT_ALGORITHM, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  if (config.JWT_ALGORITHM === 'HS256') {
    return { ...base, signingKey: config.JWT_SECRET, verifyingKey: config.JWT_SECRET };
  }
  if (config.JWT_PRIVATE_KEY && config.JWT_PUBLIC_KEY) {
    return { ...base, signingKey: config.JWT_PRIVATE_KEY, verifyingKey: config.JWT_PUBLIC_KEY };
  }
  const dir = path.join(config.CSP_HUB_DATA_DIR, 'keys');
  const privatePath = path.join(dir, `dev-${config.JWT_ALGORITHM.toLowerCase()}-private.pem`);
  const publicPath = path.join(dir, `dev-${config.JWT_ALGORITHM.toLowerCase()}-public.pem`);
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair =
      config.JWT_ALGORITHM === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 3072 });
    writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
  return { ...base, signingKey: readFileSync(privatePath, 'utf8'), verifyingKey: readFileSync(publicPath, 'utf8') };
}
