import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERSHIPS, User, demoEmail } from '@csp-hub/db';
import { startTestHub, testKeys, type TestHub } from '../support/hub';

const CHARNWOOD_ANALYST = demoEmail('charnwood', 'police.analyst');

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('gateway over HTTP', () => {
  let hub: TestHub;
  let token: string;
  let userId: number;
  beforeAll(async () => {
    hub = await startTestHub('foundation');
    token = await hub.tokenFor(CHARNWOOD_ANALYST);
    userId = (await hub.orm.em.fork().findOneOrFail(User, { email: CHARNWOOD_ANALYST })).id;
  });
  afterAll(async () => hub?.stop());

  it('answers liveness on /healthz and readiness, with the database, on /readyz', async () => {
    const live = await fetch(`${hub.base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${hub.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } });
  });

  it('returns the seeded partnerships and their statutory partners to a signed-in user', async () => {
    const { status, body } = await hub.gql('{ partnerships { code name ladCodes agencies { code type statutory } } }', { token });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const partnerships = body.data?.partnerships as { code: string; name: string; ladCodes: string[]; agencies: { type: string; statutory: boolean }[] }[];
    expect(partnerships.map((p) => p.code).sort()).toEqual(DEMO_PARTNERSHIPS.map((p) => p.code).sort());
    expect(partnerships.map((p) => p.name)).toContain('Oadby and Wigston Community Safety Partnership');
    for (const p of partnerships) {
      const statutoryTypes = new Set(p.agencies.filter((a) => a.statutory).map((a) => a.type));
      expect([...statutoryTypes].sort()).toEqual(['council', 'fire', 'health', 'police', 'probation']);
      expect(p.agencies.filter((a) => a.type === 'council' && a.statutory)).toHaveLength(2); // district and county
    }
  });

  it('says who the user is', async () => {
    const { body } = await hub.gql('{ me { id roles agency { code type } partnership { code } } }', { token });
    expect(body.data?.me).toEqual({
      id: String(userId),
      roles: ['analyst'],
      agency: { code: 'leicestershire-police', type: 'police' },
      partnership: { code: 'E22000165' },
    });
  });

  it("lists the areas of the user's partnership from the ONS lookup", async () => {
    const { body } = await hub.gql('{ lsoas: areas(kind: LSOA) { code ladCode wardCode latitude } wards: areas(kind: WARD) { code } districts: areas(kind: DISTRICT) { code name } }', { token });
    const data = body.data as { lsoas: { code: string; ladCode: string; wardCode: string; latitude: number }[]; wards: unknown[]; districts: unknown[] };
    // PROVENANCE.md: Charnwood E07000130 has 99 LSOAs (2011) in 28 wards (2019).
    expect(data.lsoas).toHaveLength(99);
    expect(data.lsoas.every((a) => a.ladCode === 'E07000130' && a.wardCode.startsWith('E05') && a.latitude > 52)).toBe(true);
    expect(data.wards).toHaveLength(28);
    expect(data.districts).toEqual([{ code: 'E07000130', name: 'Charnwood' }]);
    const bad = await hub.gql('{ areas(kind: LSOA, limit: 5000) { code } }', { token });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses abusive queries: too deep, too many aliases', async () => {
    const deep = await hub.gql('{ incidents { nodes { submission { rejects { items { rowNumber } } } } } ' + '}', { token });
    expect(deep.status).toBe(200);
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ');
    const many = await hub.gql(`{ ${aliases} }`, { token });
    expect(many.body.data ?? null).toBeNull();
    expect(many.body.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('answers a validation error for a field that does not exist', async () => {
    const { status, body } = await hub.gql('{ nope }', { token });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  describe('rejects every token that is not valid, with UNAUTHENTICATED and no data', () => {
    const claims = () => ({ pid: 1 });
    const signingKey = () => hub.keys.signing!.key;
    const now = () => Math.floor(Date.now() / 1000);
    const sign = (overrides: jwt.SignOptions, key = signingKey(), payload: object = claims()) =>
      jwt.sign(payload, key, { algorithm: 'ES256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '1h', ...overrides });

    const cases: [string, string, () => Promise<string | undefined> | string | undefined][] = [
      ['missing', 'TOKEN_MISSING', () => undefined],
      ['expired', 'TOKEN_EXPIRED', () => jwt.sign({ pid: 1, exp: Math.floor(Date.now() / 1000) - 60 }, signingKey(), { algorithm: 'ES256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api' })],
      ['for another audience', 'TOKEN_INVALID', () => sign({ audience: 'some-other-api' })],
      ['from another issuer', 'TOKEN_INVALID', () => sign({ issuer: 'evil-issuer' })],
      ['with alg none', 'TOKEN_INVALID', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: String(userId), pid: 1, iss: 'csp-hub', aud: 'csp-hub-api', exp: Math.floor(Date.now() / 1000) + 3600 })}.`],
      ['with a tampered payload', 'TOKEN_INVALID', () => {
        const [h, , s] = token.split('.');
        return `${h}.${b64url({ sub: '2', pid: 1, iss: 'csp-hub', aud: 'csp-hub-api', exp: Math.floor(Date.now() / 1000) + 3600 })}.${s}`;
      }],
      ['with a tampered signature', 'TOKEN_INVALID', () => {
        const [h, p, s] = token.split('.');
        const flipped = Buffer.from(s!, 'base64url');
        flipped[5] = flipped[5]! ^ 0xff;
        return `${h}.${p}.${flipped.toString('base64url')}`;
      }],
      ['signed by another key', 'TOKEN_INVALID', () => sign({}, testKeys().signing!.key)],
      ['HS256-signed with the public key (algorithm confusion)', 'TOKEN_INVALID', () => jwt.sign(claims(), hub.keys.verifying.get(null)!, { algorithm: 'HS256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api' })],
      ['for a user who does not exist', 'USER_UNKNOWN', () => jwt.sign(claims(), signingKey(), { algorithm: 'ES256', subject: '999999', issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '1h' })],
      ['for another partnership than the user belongs to', 'PARTNERSHIP_MISMATCH', () => sign({}, signingKey(), { pid: 2 })],
      ['that is not a JWT at all', 'TOKEN_INVALID', () => 'not-a-token'],
      // The time rules every token obeys (JWT_MAX_TTL is 12h here).
      ['without an expiry', 'TOKEN_NO_EXPIRY', () => jwt.sign(claims(), signingKey(), { algorithm: 'ES256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api' })],
      ['without an issue time', 'TOKEN_NO_ISSUED_AT', () => sign({ noTimestamp: true })],
      ['issued in the future', 'TOKEN_ISSUED_IN_FUTURE', () => jwt.sign({ pid: 1, iat: now() + 60, exp: now() + 3600 }, signingKey(), { algorithm: 'ES256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api' })],
      ['valid for longer than the maximum lifetime', 'TOKEN_LIFETIME_TOO_LONG', () => sign({ expiresIn: '13h' })],
      ['naming a key this hub does not know (kid)', 'TOKEN_KEY_UNKNOWN', () => sign({ keyid: 'someone-elses-key' })],
    ];

    it.each(cases)('%s (%s)', async (_label, reason, make) => {
      const candidate = await make();
      const { status, body } = await hub.gql('{ me { id } partnerships { code } }', candidate === undefined ? {} : { token: candidate });
      expect(status).toBe(401);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    });

    it('a malformed Authorization header', async () => {
      const res = await fetch(`${hub.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: { extensions: { code: string; reason: string } }[] };
      expect(body.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_MALFORMED' });
    });

    it('a deactivated user', async () => {
      const em = hub.orm.em.fork();
      const user = await em.findOneOrFail(User, { email: demoEmail('harborough', 'fire.analyst') }, { populate: ['partnership'] });
      const stale = await hub.tokenFor(user.email);
      user.active = false;
      await em.flush();
      const { status, body } = await hub.gql('{ me { id } }', { token: stale });
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_UNKNOWN' });
    });
  });
});
