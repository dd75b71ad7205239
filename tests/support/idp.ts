import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** A signing key of the test identity provider. */
export interface IdpKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

/**
 * A stand-in OpenID Connect provider for tests: a real HTTP server on a free
 * port serving a JSON Web Key Set that the test can change (rotate keys in and
 * out) or make fail, and tokens signed with jose.
 */
export interface TestIdp {
  issuer: string;
  jwksUrl: string;
  /** Keys published in the key set, in order. */
  published: IdpKey[];
  /** Key-set requests served so far. */
  fetches: number;
  /** When set, the key set answers with this status instead. */
  failWith: number | null;
  newKey(kid: string, alg?: 'RS256' | 'ES256'): Promise<IdpKey>;
  /** A token signed by key; claims and header can be overridden, `undefined` values removed. */
  sign(key: IdpKey, claims: JWTPayload, options?: { lifetime?: number; iat?: number; header?: Record<string, unknown> }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIdp(issuer = 'https://idp.test.csp-hub.example/tenant/v2.0'): Promise<TestIdp> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    idp.fetches += 1;
    if (idp.failWith !== null) {
      res.writeHead(idp.failWith, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: idp.published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const idp: TestIdp = {
    issuer,
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    published: [],
    fetches: 0,
    failWith: null,
    async newKey(kid, alg = 'RS256') {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    },
    async sign(key, claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const iat = options.iat ?? now;
      const payload: JWTPayload = { iss: issuer, iat, exp: iat + (options.lifetime ?? 3600), ...claims };
      for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
      const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header };
      for (const name of Object.keys(header)) if ((header as Record<string, unknown>)[name] === undefined) delete (header as Record<string, unknown>)[name];
      return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return idp;
}
