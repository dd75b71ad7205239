import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CELL_KEY, loadPrincipal } from '@csp-hub/authz';
import { allowAllAccessContext } from '@csp-hub/authz/testing';
import { createOrm, demoEmail, User, type MikroORM } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createHubApp, createLogger, signToken, type AppDeps, type HubApp } from '@csp-hub/gateway';
import { testKeys, testUploadLimits } from '../support/hub';

/** The benchmarks' hook (AppDeps.accessOverride): authorization off, authentication unchanged, never in production. */
describe('accessOverride (benchmarks only)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let pool: pg.Pool;
  let app: HubApp | undefined;
  let deps: AppDeps;
  const seen: { userId: number; partnershipId: number }[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('access-override');
    orm = await createOrm({ url: db.url, poolMax: 2 });
    pool = quietOnDrop(new pg.Pool({ connectionString: db.url, max: 2 }));
    deps = {
      orm,
      pool,
      keys: testKeys(),
      logger: createLogger('silent'),
      production: false,
      ingestPool: pool,
      uploads: testUploadLimits(),
      sdc: DEFAULT_CELL_KEY,
      accessOverride: async (verified, requestId) => {
        seen.push(verified);
        return { ...(await allowAllAccessContext(pool, orm.em.fork(), await loadPrincipal(pool, verified.userId, verified.partnershipId))), requestId };
      },
    };
  });
  afterAll(async () => {
    await app?.stop();
    await orm?.close();
    await pool?.end();
    await db?.drop();
  });

  it('is refused in production', async () => {
    await expect(createHubApp({ ...deps, production: true })).rejects.toMatchObject({ reason: 'ACCESS_OVERRIDE_IN_PRODUCTION' });
  });

  it('gets the verified token user and still refuses a bad token', async () => {
    app = await createHubApp(deps);
    await new Promise<void>((resolve) => app!.httpServer.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
    const user = await orm.em.fork().findOneOrFail(User, { email: demoEmail('harborough', 'district.analyst') }, { populate: ['partnership'] });
    const post = (token: string) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { id displayName } }' }),
      });

    const ok = await post(signToken(deps.keys, { sub: String(user.id), pid: user.partnership.id }, '5m'));
    expect(await ok.json()).toEqual({ data: { me: { id: String(user.id), displayName: user.displayName } } });
    expect(seen).toEqual([{ userId: user.id, partnershipId: user.partnership.id }]);

    const forged = await post(signToken(testKeys(), { sub: String(user.id), pid: user.partnership.id }, '5m'));
    const body = (await forged.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(seen).toHaveLength(1);
  });
});
