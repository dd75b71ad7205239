import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../support/hub';
import { expectErrorCode, gqlData } from './leaks/http';

/** User administration through GraphQL: partnership admins, within their partnership, audited, never without an admin. */
const USERS = {
  admin: demoEmail('charnwood', 'district.admin'),
  chair: demoEmail('charnwood', 'district.chair'),
  auditor: demoEmail('charnwood', 'county.auditor'),
  analyst: demoEmail('charnwood', 'police.analyst'),
  woAdmin: demoEmail('west-oxfordshire', 'district.admin'),
} as const;
type Who = keyof typeof USERS;

const USER_FIELDS = 'id email displayName roles active agency { code type }';
interface HubUser { id: string; email: string; displayName: string; roles: string[]; active: boolean; agency: { code: string; type: string } }

describe('partnership admins manage their users through GraphQL', () => {
  let hub: TestHub;
  const tokens = {} as Record<Who, string>;
  let agencies: Record<string, number>;
  const gql = (who: Who, query: string, variables?: Record<string, unknown>) => hub.gql(query, { token: tokens[who], ...(variables ? { variables } : {}) });
  const data = <T>(who: Who, query: string, variables?: Record<string, unknown>) => gqlData<T>(hub, tokens[who], query, variables);
  const idOf = async (email: string) => String((await hub.db.pool.query<{ id: number }>('select id from app_user where email = $1', [email])).rows[0]!.id);
  const CREATE = `mutation($i: NewUserInput!) { createUser(input: $i) { ${USER_FIELDS} } }`;
  const ROLES = `mutation($id: ID!, $r: [String!]!) { setUserRoles(id: $id, roles: $r) { ${USER_FIELDS} } }`;
  const auditOf = async (id: string) =>
    (await hub.db.pool.query<{ operation: string; user_id: number | null; detail: Record<string, unknown> }>(
      `select operation, user_id, detail from audit_log where object_type = 'User' and object_id = $1 order by id`, [id],
    )).rows;

  beforeAll(async () => {
    hub = await startTestHub('users');
    for (const w of Object.keys(USERS) as Who[]) tokens[w] = await hub.tokenFor(USERS[w]);
    agencies = Object.fromEntries((await hub.db.pool.query<{ id: number; code: string }>('select id, code from agency')).rows.map((r) => [r.code, r.id]));
  });
  afterAll(async () => hub?.stop());

  it("lists the partnership's users and member agencies (admins, chairs, auditors); analysts are FORBIDDEN", async () => {
    const { users } = await data<{ users: HubUser[] }>('admin', `{ users { ${USER_FIELDS} } }`);
    expect(users).toHaveLength(14);
    expect(users.every((u) => u.email.endsWith('@charnwood.demo.csp-hub.test'))).toBe(true);
    expect((await data<{ users: HubUser[] }>('chair', '{ users { id } }')).users).toHaveLength(14);
    expect((await data<{ users: HubUser[] }>('auditor', '{ users { id } }')).users).toHaveLength(14);
    expectErrorCode((await gql('analyst', '{ users { id } }')).body, 'FORBIDDEN', 'NOT_ALLOWED');
    const { partnershipMembers } = await data<{ partnershipMembers: { code: string; activeUsers: number; forceName: string | null }[] }>('admin', '{ partnershipMembers { code activeUsers forceName } }');
    expect(partnershipMembers.find((m) => m.code === 'leicestershire-police')).toEqual({ code: 'leicestershire-police', activeUsers: 3, forceName: 'Leicestershire Police' });
    expect(partnershipMembers.map((m) => m.code)).not.toContain('thames-valley-police');
  });

  it('creates a user of a partner agency, audited in the same transaction; bad input is named', async () => {
    const created = (await data<{ createUser: HubUser }>('admin', CREATE, {
      i: { email: ' New.Analyst@Charnwood.Example ', displayName: 'New analyst', agencyId: String(agencies['charnwood-borough-council']), roles: ['analyst'] },
    })).createUser;
    expect(created).toMatchObject({ email: 'new.analyst@charnwood.example', displayName: 'New analyst', roles: ['analyst'], active: true, agency: { code: 'charnwood-borough-council', type: 'council' } });
    expect(await auditOf(created.id)).toEqual([{ operation: 'create', user_id: Number(await idOf(USERS.admin)), detail: { agencyId: agencies['charnwood-borough-council'], roles: ['analyst'] } }]);
    const token = await hub.tokenFor('new.analyst@charnwood.example');
    expect((await hub.gql('{ me { roles agency { code } } }', { token })).body.data).toEqual({ me: { roles: ['analyst'], agency: { code: 'charnwood-borough-council' } } });

    const cases: [Record<string, unknown>, string, string, string][] = [
      [{ email: 'NEW.analyst@charnwood.example', roles: ['analyst'] }, 'CONFLICT', 'USER_EXISTS', 'A user with e-mail new.analyst@charnwood.example already exists.'],
      [{ email: 'x@charnwood.example', roles: ['analyst', 'root'] }, 'BAD_USER_INPUT', 'UNKNOWN_ROLE', 'Unknown role root: roles are analyst, tasking_member, chair, partnership_admin, auditor, data_owner.'],
      [{ email: 'not-an-address', roles: ['analyst'] }, 'BAD_USER_INPUT', 'INVALID_USER', 'The user is not valid: "not-an-address" is not an e-mail address.'],
      [{ email: 'x@tvp.example', roles: ['analyst'], agencyId: String(agencies['thames-valley-police']) }, 'BAD_USER_INPUT', 'AGENCY_NOT_IN_PARTNERSHIP', ''],
    ];
    const before = (await hub.db.pool.query('select count(*)::int as n from app_user')).rows[0].n;
    for (const [input, code, reason, message] of cases) {
      const { body } = await gql('admin', CREATE, { i: { agencyId: String(agencies['charnwood-borough-council']), ...input } });
      const [error] = expectErrorCode(body, code, reason);
      if (message) expect(error!.message).toBe(message);
      else expect(error!.message).toContain('Thames Valley Police (thames-valley-police) is not a partner of Charnwood Community Safety Partnership');
    }
    expect((await hub.db.pool.query('select count(*)::int as n from app_user')).rows[0].n).toBe(before);
  });

  it('only partnership admins change users: chairs and analysts are FORBIDDEN; another partnership is NOT_FOUND', async () => {
    for (const who of ['chair', 'analyst'] as Who[]) {
      expectErrorCode((await gql(who, CREATE, { i: { email: `by.${who}@charnwood.example`, agencyId: String(agencies['charnwood-borough-council']), roles: ['analyst'] } })).body, 'FORBIDDEN', 'NOT_ALLOWED');
      expectErrorCode((await gql(who, ROLES, { id: await idOf(USERS.analyst), r: ['chair'] })).body, 'FORBIDDEN', 'NOT_ALLOWED');
    }
    const charnwoodAnalyst = await idOf(USERS.analyst);
    for (const id of [charnwoodAnalyst, '987654']) {
      const { body } = await gql('woAdmin', ROLES, { id, r: ['chair'] });
      expect(expectErrorCode(body, 'NOT_FOUND')[0]!.message).toBe(`User ${id} was not found`);
      expectErrorCode((await gql('woAdmin', `mutation { deactivateUser(id: "${id}") { id } }`)).body, 'NOT_FOUND');
    }
    expect((await hub.db.pool.query('select roles, active from app_user where id = $1', [Number(charnwoodAnalyst)])).rows).toEqual([{ roles: ['analyst'], active: true }]);
  });

  it('deactivating ends access on the next request; reactivating restores it; both audited', async () => {
    const id = await idOf(demoEmail('charnwood', 'fire.analyst'));
    const token = await hub.tokenFor(demoEmail('charnwood', 'fire.analyst'));
    expect((await hub.gql('{ me { id } }', { token })).status).toBe(200);
    const off = (await data<{ deactivateUser: HubUser }>('admin', `mutation { deactivateUser(id: "${id}", reason: "Left the service") { ${USER_FIELDS} } }`)).deactivateUser;
    expect(off.active).toBe(false);
    const refused = await hub.gql('{ me { id } }', { token });
    expect(refused.status).toBe(401);
    expectErrorCode(refused.body, 'UNAUTHENTICATED', 'USER_UNKNOWN');
    expectErrorCode((await gql('admin', `mutation { deactivateUser(id: "${id}") { id } }`)).body, 'CONFLICT', 'ALREADY_INACTIVE');
    expect((await data<{ reactivateUser: HubUser }>('admin', `mutation { reactivateUser(id: "${id}") { active } }`)).reactivateUser.active).toBe(true);
    expect((await hub.gql('{ me { id } }', { token })).status).toBe(200);
    expect((await auditOf(id)).map((e) => e.detail)).toEqual([{ active: { from: true, to: false }, reason: 'Left the service' }, { active: { from: false, to: true } }]);
  });

  it('a partnership keeps an active admin: removing the role from, or deactivating, the last one is CONFLICT', async () => {
    const admin = await idOf(USERS.admin);
    const { body } = await gql('admin', ROLES, { id: admin, r: ['chair'] });
    expect(expectErrorCode(body, 'CONFLICT', 'LAST_ADMIN')[0]!.message).toBe(
      `${USERS.admin} is the last active partnership administrator of Charnwood Community Safety Partnership: make someone else an administrator first.`,
    );
    expectErrorCode((await gql('admin', `mutation { deactivateUser(id: "${admin}") { id } }`)).body, 'CONFLICT', 'LAST_ADMIN');
    // with a second admin, the first may step down
    const chair = await idOf(USERS.chair);
    expect((await data<{ setUserRoles: HubUser }>('admin', ROLES, { id: chair, r: ['chair', 'tasking_member', 'partnership_admin'] })).setUserRoles.roles).toEqual(['chair', 'tasking_member', 'partnership_admin']);
    expect((await data<{ setUserRoles: HubUser }>('admin', ROLES, { id: admin, r: ['partnership_admin', 'auditor'] })).setUserRoles.roles).toEqual(['partnership_admin', 'auditor']);
    expect((await auditOf(chair)).at(-1)!.detail).toEqual({ roles: { from: ['chair', 'tasking_member'], to: ['chair', 'tasking_member', 'partnership_admin'] } });
  });
});
