import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, demoEmail } from '@csp-hub/db';
import { loadConfig, loadSigningKeys, signToken, type SigningKeys } from '@csp-hub/gateway';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * The rotation procedure of docs/operations/keys.md, step by step, with keys in
 * files read through the real configuration and the gateway restarted between
 * steps: sign with A; add B's public key; switch signing to B (A's tokens still
 * verify); remove A (A's tokens are refused).
 */
const ANALYST = demoEmail('charnwood', 'police.analyst');
const KID_A = 'hub-2026-01';
const KID_B = 'hub-2026-07';

describe('signing-key rotation by kid', () => {
  let hub: TestHub;
  let dir: string;
  let publicDir: string;
  let userId: number;
  let pid: number;

  /** The keys a gateway started with this environment would use. */
  const keysFor = (env: Record<string, string>): SigningKeys =>
    loadSigningKeys(loadConfig({ CSP_HUB_DATA_DIR: dir, JWT_PUBLIC_KEYS_DIR: publicDir, ...env }));
  const signingWith = (kid: string, file: string) => ({ JWT_PRIVATE_KEY_FILE: path.join(dir, file), JWT_KEY_ID: kid });
  const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;
  const me = async (token: string) => {
    const { status, body } = await hub.gql('{ me { id } }', { token });
    return { status, id: (body.data?.me as { id?: string } | undefined)?.id, reason: body.errors?.[0]?.extensions?.reason };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-rotation-'));
    publicDir = path.join(dir, 'public');
    mkdirSync(publicDir);
    for (const name of ['a', 'b']) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(path.join(dir, `${name}.key`), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(path.join(dir, `${name}.pub`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    }
    // Step 0: A signs; its public key is published as <kid>.pem.
    writeFileSync(path.join(publicDir, `${KID_A}.pem`), readPub('a'));
    hub = await startTestHub('key_rotation', { keys: keysFor(signingWith(KID_A, 'a.key')) });
    const user = await hub.orm.em.fork().findOneOrFail(User, { email: ANALYST }, { populate: ['partnership'] });
    userId = user.id;
    pid = user.partnership.id;
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const readPub = (name: string): string => readFileSync(path.join(dir, `${name}.pub`), 'utf8');

  it('runs the documented procedure: A tokens verify until A is removed; B takes over without a gap', async () => {
    // 1. A signs: tokens carry A's kid and verify; a token without kid is refused now that keys are named.
    const tokenA = await hub.tokenFor(ANALYST);
    expect(kidOf(tokenA)).toBe(KID_A);
    expect(await me(tokenA)).toEqual({ status: 200, id: String(userId), reason: undefined });
    const unnamed = jwt.sign({ pid }, hub.keys.signing!.key, { algorithm: 'ES256', subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '1h' });
    expect(await me(unnamed)).toMatchObject({ status: 401, reason: 'TOKEN_KEY_ID_MISSING' });
    // B is not known yet: its tokens are refused (which is why B is published before anyone signs with it).
    const earlyB = signToken(keysFor(signingWith(KID_B, 'b.key')), { sub: String(userId), pid }, '1h');
    expect(await me(earlyB)).toMatchObject({ status: 401, reason: 'TOKEN_KEY_UNKNOWN' });

    // 2. Publish B's public key on every gateway (restart); A still signs.
    writeFileSync(path.join(publicDir, `${KID_B}.pem`), readPub('b'));
    await hub.restart({ keys: keysFor(signingWith(KID_A, 'a.key')) });
    expect(kidOf(await hub.tokenFor(ANALYST))).toBe(KID_A);
    expect((await me(tokenA)).status).toBe(200);
    expect((await me(earlyB)).status).toBe(200);

    // 3. Switch signing to B: new tokens carry B's kid; A's tokens still verify.
    await hub.restart({ keys: keysFor(signingWith(KID_B, 'b.key')) });
    const tokenB = await hub.tokenFor(ANALYST);
    expect(kidOf(tokenB)).toBe(KID_B);
    expect(await me(tokenB)).toEqual({ status: 200, id: String(userId), reason: undefined });
    expect(await me(tokenA)).toEqual({ status: 200, id: String(userId), reason: undefined });

    // 4. After JWT_MAX_TTL, remove A's public key and restart: A's tokens are refused, B's verify.
    unlinkSync(path.join(publicDir, `${KID_A}.pem`));
    await hub.restart({ keys: keysFor(signingWith(KID_B, 'b.key')) });
    expect(await me(tokenA)).toMatchObject({ status: 401, reason: 'TOKEN_KEY_UNKNOWN' });
    expect(await me(tokenB)).toEqual({ status: 200, id: String(userId), reason: undefined });
    // A token that borrows B's kid but is signed with A's key is still refused.
    const borrowed = jwt.sign({ pid }, readFileSync(path.join(dir, 'a.key'), 'utf8'), {
      algorithm: 'ES256', keyid: KID_B, subject: String(userId), issuer: 'csp-hub', audience: 'csp-hub-api', expiresIn: '1h',
    });
    expect(await me(borrowed)).toMatchObject({ status: 401, reason: 'TOKEN_INVALID' });
  });
});
