import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, demoEmail } from '@csp-hub/db';
import { createLogger, createOidcVerifier, type OidcOptions } from '@csp-hub/gateway';
import { startTestHub, type TestHub } from '../support/hub';
import { startTestIdp, type IdpKey, type TestIdp } from '../support/idp';

/**
 * People sign in through an OpenID Connect provider: a real HTTP key-set server
 * and jose-signed tokens, against the gateway over HTTP on a real database.
 */
const ANALYST = demoEmail('charnwood', 'police.analyst');
const CHAIR = demoEmail('harborough', 'district.chair');
const AUDIENCE = 'api://csp-hub-test';
const ME = '{ me { id roles partnership { code } } }';

describe('sign-in through an OpenID Connect provider', () => {
  let hub: TestHub;
  let idp: TestIdp;
  let key1: IdpKey;
  let analystId: number;
  const options = (overrides: Partial<OidcOptions> = {}): OidcOptions => ({
    issuer: idp.issuer,
    jwksUrl: idp.jwksUrl,
    audience: AUDIENCE,
    userClaim: 'email',
    algorithms: ['RS256', 'ES256'],
    maxTtlSeconds: 12 * 3600,
    timeoutMs: 2000,
    ...overrides,
  });
  const reasonOf = async (token: string) => {
    const { status, body } = await hub.gql(ME, { token });
    return { status, data: body.data ?? null, code: body.errors?.[0]?.extensions?.code, reason: body.errors?.[0]?.extensions?.reason, message: body.errors?.[0]?.message };
  };

  beforeAll(async () => {
    idp = await startTestIdp();
    key1 = await idp.newKey('idp-key-1');
    idp.published.push(key1);
    hub = await startTestHub('oidc', { oidc: createOidcVerifier(options()) });
    analystId = (await hub.orm.em.fork().findOneOrFail(User, { email: ANALYST })).id;
  });
  afterAll(async () => {
    await hub?.stop();
    await idp?.close();
  });

  it('a valid token names its user by e-mail, in any case; me and the partnership come from the database', async () => {
    const token = await idp.sign(key1, { sub: 'idp-subject-1', aud: AUDIENCE, email: ANALYST.toUpperCase(), email_verified: true });
    const { status, body } = await hub.gql(ME, { token });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.me).toEqual({ id: String(analystId), roles: ['analyst'], partnership: { code: 'E22000165' } });
  });

  it('the same token works for the REST routes (CSV export)', async () => {
    const token = await idp.sign(key1, { aud: AUDIENCE, email: ANALYST });
    const res = await fetch(`${hub.base}/api/exports/incidents.csv?monthFrom=2024-01`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    await res.text();
  });

  it('hub-signed tokens keep working beside it', async () => {
    const { body } = await hub.gql('{ me { id } }', { token: await hub.tokenFor(ANALYST) });
    expect(body.data?.me).toEqual({ id: String(analystId) });
  });

  it('an unknown e-mail and a deactivated user get the same answer, so neither reveals which e-mails exist', async () => {
    const unknown = await reasonOf(await idp.sign(key1, { aud: AUDIENCE, email: 'nobody@charnwood.gov.uk' }));
    const chairToken = await idp.sign(key1, { aud: AUDIENCE, email: CHAIR });
    expect((await reasonOf(chairToken)).status).toBe(200);
    await hub.db.pool.query('update app_user set active = false where lower(email) = lower($1)', [CHAIR]);
    const deactivated = await reasonOf(chairToken);
    await hub.db.pool.query('update app_user set active = true where lower(email) = lower($1)', [CHAIR]);
    expect(unknown).toEqual({ status: 401, data: null, code: 'UNAUTHENTICATED', reason: 'USER_UNKNOWN', message: 'The token names no active user' });
    expect(deactivated).toEqual(unknown);
  });

  describe('refuses, with UNAUTHENTICATED and no data', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, string, () => Promise<string>][] = [
      ['a token for another audience', 'TOKEN_INVALID', () => idp.sign(key1, { aud: 'api://someone-else', email: ANALYST })],
      ['a token from another issuer, signed by the same key', 'TOKEN_INVALID', () => idp.sign(key1, { iss: 'https://evil.example/', aud: AUDIENCE, email: ANALYST })],
      ['an expired token', 'TOKEN_EXPIRED', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST }, { iat: now() - 7200, lifetime: 3600 })],
      ['a token without exp', 'TOKEN_NO_EXPIRY', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST, exp: undefined })],
      ['a token without iat', 'TOKEN_NO_ISSUED_AT', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST, iat: undefined })],
      ['a token issued in the future', 'TOKEN_ISSUED_IN_FUTURE', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST }, { iat: now() + 120 })],
      ['a token valid for longer than JWT_MAX_TTL', 'TOKEN_LIFETIME_TOO_LONG', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST }, { lifetime: 13 * 3600 })],
      ['a token that is not yet valid (nbf)', 'TOKEN_NOT_YET_VALID', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST, nbf: now() + 600 })],
      ['alg none', 'TOKEN_INVALID', async () => {
        const [, payload] = (await idp.sign(key1, { aud: AUDIENCE, email: ANALYST })).split('.');
        return `${Buffer.from(JSON.stringify({ alg: 'none', kid: key1.kid })).toString('base64url')}.${payload}.`;
      }],
      ['HS256 keyed with the published public key (algorithm confusion)', 'TOKEN_INVALID', async () => {
        const [, payload] = (await idp.sign(key1, { aud: AUDIENCE, email: ANALYST })).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: key1.kid })).toString('base64url');
        const { createHmac } = await import('node:crypto');
        const mac = createHmac('sha256', JSON.stringify(key1.jwk)).update(`${header}.${payload}`).digest('base64url');
        return `${header}.${payload}.${mac}`;
      }],
      ['a key not in the published set', 'TOKEN_KEY_UNKNOWN', async () => idp.sign(await idp.newKey('not-published'), { aud: AUDIENCE, email: ANALYST })],
      ['a foreign key claiming a published kid', 'TOKEN_INVALID', async () => idp.sign(await idp.newKey(key1.kid), { aud: AUDIENCE, email: ANALYST })],
      ['a tampered payload', 'TOKEN_INVALID', async () => {
        const [h, , s] = (await idp.sign(key1, { aud: AUDIENCE, email: 'someone@charnwood.gov.uk' })).split('.');
        const forged = Buffer.from(JSON.stringify({ iss: idp.issuer, aud: AUDIENCE, email: ANALYST, iat: now(), exp: now() + 600 })).toString('base64url');
        return `${h}.${forged}.${s}`;
      }],
      ['a token without the email claim', 'TOKEN_CLAIM_MISSING', () => idp.sign(key1, { aud: AUDIENCE, sub: 'idp-subject-1' })],
      ['an e-mail the provider says is unverified', 'EMAIL_UNVERIFIED', () => idp.sign(key1, { aud: AUDIENCE, email: ANALYST, email_verified: false })],
    ];

    it.each(cases)('%s (%s)', async (_label, reason, make) => {
      const result = await reasonOf(await make());
      expect(result).toMatchObject({ status: 401, data: null, code: 'UNAUTHENTICATED', reason });
    });
  });

  it('maps by subject when OIDC_USER_CLAIM=sub: external_subject names the user, e-mail is ignored', async () => {
    await hub.restart({ oidc: createOidcVerifier(options({ userClaim: 'sub' })) });
    await hub.db.pool.query('update app_user set external_subject = $1 where email = $2', ['00u1a2b3c4-analyst', ANALYST]);
    const bySubject = await hub.gql(ME, { token: await idp.sign(key1, { aud: AUDIENCE, sub: '00u1a2b3c4-analyst', email: 'ignored@example.org' }) });
    expect((bySubject.body.data?.me as { id: string }).id).toBe(String(analystId));
    // The e-mail alone does not sign anyone in, and the subject is matched exactly.
    expect(await reasonOf(await idp.sign(key1, { aud: AUDIENCE, sub: 'someone-else', email: ANALYST }))).toMatchObject({ status: 401, reason: 'USER_UNKNOWN' });
    expect(await reasonOf(await idp.sign(key1, { aud: AUDIENCE, sub: '00U1A2B3C4-ANALYST' }))).toMatchObject({ status: 401, reason: 'USER_UNKNOWN' });
    expect(await reasonOf(await idp.sign(key1, { aud: AUDIENCE, email: ANALYST }))).toMatchObject({ status: 401, reason: 'TOKEN_CLAIM_MISSING' });
  });

  it('picks up a key the provider rotates in, refetching at most once per cooldown', async () => {
    await hub.restart({ oidc: createOidcVerifier(options({ cooldownSeconds: 5 })) });
    expect((await reasonOf(await idp.sign(key1, { aud: AUDIENCE, email: ANALYST }))).status).toBe(200);
    const fetched = idp.fetches;
    const key2 = await idp.newKey('idp-key-2', 'ES256');
    idp.published.push(key2);
    const rotated = await idp.sign(key2, { aud: AUDIENCE, email: ANALYST });
    // Within the cooldown of the last fetch the new kid is not looked up again.
    expect(await reasonOf(rotated)).toMatchObject({ status: 401, reason: 'TOKEN_KEY_UNKNOWN' });
    expect(idp.fetches).toBe(fetched);
    await new Promise((resolve) => setTimeout(resolve, 5200));
    expect(await reasonOf(rotated)).toMatchObject({ status: 200, data: { me: { id: String(analystId) } } });
    expect(idp.fetches).toBe(fetched + 1);
    // Tokens of the old key stay valid while the provider still publishes it.
    expect((await reasonOf(await idp.sign(key1, { aud: AUDIENCE, email: ANALYST }))).status).toBe(200);
    idp.published.splice(idp.published.indexOf(key2), 1);
  });

  it('answers 503 IDP_UNAVAILABLE when the key set cannot be fetched, and logs it once without a stack', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    await hub.restart({ oidc: createOidcVerifier(options({ logger: createLogger('info', sink) })) });
    const token = await idp.sign(key1, { aud: AUDIENCE, email: ANALYST });
    idp.failWith = 503;
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${hub.base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: ME }),
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('30');
        const body = (await res.json()) as { data?: unknown; errors: { message: string; extensions: { code: string; reason: string } }[] };
        expect(body.data ?? null).toBeNull();
        expect(body.errors[0]).toMatchObject({
          message: 'The identity provider cannot be reached to check the token; try again shortly',
          extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'IDP_UNAVAILABLE' },
        });
      }
      const rest = await fetch(`${hub.base}/api/exports/incidents.csv`, { headers: { authorization: `Bearer ${token}` } });
      expect(rest.status).toBe(503);
      expect(await rest.json()).toEqual({ error: { code: 'IDP_UNAVAILABLE', message: 'The identity provider cannot be reached to check the token; try again shortly', requestId: rest.headers.get('x-request-id') } });
    } finally {
      idp.failWith = null;
    }
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'identity provider key set unavailable');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, reason: 'IDP_UNAVAILABLE' });
    expect(JSON.stringify(warnings[0])).not.toMatch(/stack|\n\s+at /);
    // Back up: sign-in works again and the recovery is logged.
    expect((await reasonOf(token)).status).toBe(200);
    expect(lines.some((l) => l.includes('identity provider key set available again'))).toBe(true);
  });

  it('answers 503 when the provider does not answer at all', async () => {
    const down = await startTestIdp(idp.issuer);
    const url = down.jwksUrl;
    await down.close();
    await hub.restart({ oidc: createOidcVerifier(options({ jwksUrl: url })) });
    expect(await reasonOf(await idp.sign(key1, { aud: AUDIENCE, email: ANALYST }))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', reason: 'IDP_UNAVAILABLE' });
  });
});
