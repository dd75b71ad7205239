import { subject as asSubject } from '@casl/ability';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Agency, Partnership, User, type EntityManager } from '@csp-hub/db';
import { HubError, ROLES, isRole, type Role } from '@csp-hub/taxonomy';
import { inActorUnitOfWork, isOperator, type Actor, type UnitOfWork } from './access';

/**
 * User administration. The hub operator (CLI without --as) may act in any partnership; a partnership
 * admin only in their own: users of other partnerships are NOT_FOUND, like users that do not exist.
 * Every change is audited in the transaction that makes it. A partnership always keeps at least one
 * active administrator.
 */

export interface UserView {
  id: number;
  email: string;
  displayName: string;
  agencyId: number;
  agencyCode: string;
  agencyName: string;
  partnershipId: number;
  partnershipCode: string;
  roles: Role[];
  active: boolean;
  createdAt: string;
}

export interface NewUser {
  email: string;
  displayName?: string | null;
  agencyId: number;
  partnershipId: number;
  roles: string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function view(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    agencyId: u.agency.id,
    agencyCode: u.agency.code,
    agencyName: u.agency.name,
    partnershipId: u.partnership.id,
    partnershipCode: u.partnership.code,
    roles: [...u.roles],
    active: u.active,
    createdAt: u.createdAt.toISOString(),
  };
}

/** The partnership an actor may administer: any for the operator, their own for an admin (else FORBIDDEN). */
function guardManage(actor: Actor, partnershipId: number): void {
  if (isOperator(actor)) return;
  if (!actor.ability.can('administer', asSubject('User', { partnershipId: actor.principal.partnershipId }))) {
    throw HubError.forbidden('NOT_ALLOWED', 'Only a partnership administrator manages users');
  }
  if (partnershipId !== actor.principal.partnershipId) throw HubError.notFound('Partnership', String(partnershipId));
}

/** Known, non-empty, without repeats; names every unknown role. */
export function checkRoles(roles: readonly string[]): Role[] {
  const cleaned = [...new Set(roles.map((r) => r.trim()).filter((r) => r.length > 0))];
  const unknown = cleaned.filter((r) => !isRole(r));
  if (unknown.length > 0) throw HubError.invalidInput('UNKNOWN_ROLE', `Unknown role${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: roles are ${ROLES.join(', ')}.`);
  if (cleaned.length === 0) throw HubError.invalidInput('ROLES_REQUIRED', `Give at least one role (${ROLES.join(', ')}).`);
  return cleaned as Role[];
}

/** Users of a partnership (the admin's own; any for the operator), by agency then name. */
export async function listUsers(actor: Actor, partnershipId: number, options: { includeInactive?: boolean } = {}): Promise<UserView[]> {
  if (!isOperator(actor)) {
    if (!actor.ability.can('read', asSubject('User', { partnershipId: actor.principal.partnershipId }))) {
      throw HubError.forbidden('NOT_ALLOWED', 'Only partnership administrators, chairs and auditors list users');
    }
    if (partnershipId !== actor.principal.partnershipId) throw HubError.notFound('Partnership', String(partnershipId));
  }
  const users = await actor.em.find(
    User,
    { partnership: partnershipId, ...(options.includeInactive === false ? { active: true } : {}) },
    { populate: ['agency', 'partnership'], orderBy: { email: 'asc' } },
  );
  return users.map(view).sort((a, b) => a.agencyName.localeCompare(b.agencyName) || a.email.localeCompare(b.email));
}

/** A user the actor may administer, or NOT_FOUND (other partnerships look like ids that do not exist). */
async function findManaged(em: EntityManager, actor: Actor, id: number): Promise<User> {
  const u = Number.isSafeInteger(id) ? await em.findOne(User, { id }, { populate: ['agency', 'partnership'] }) : null;
  if (!u || (!isOperator(actor) && u.partnership.id !== actor.principal.partnershipId)) throw HubError.notFound('User', String(id));
  return u;
}

/** A user by e-mail the actor may administer (CLI look-up), or NOT_FOUND. */
export async function findUserIdByEmail(actor: Actor, email: string): Promise<number> {
  const u = await actor.em.findOne(User, { email: email.trim().toLowerCase() }, { populate: ['partnership'] });
  if (!u || (!isOperator(actor) && u.partnership.id !== actor.principal.partnershipId)) throw HubError.notFound('User', email);
  return u.id;
}

/** Creates a user of an agency that is a partner of the partnership. */
export async function createUser(actor: Actor, input: NewUser): Promise<UserView> {
  guardManage(actor, input.partnershipId);
  const email = input.email.trim().toLowerCase();
  const problems: string[] = [];
  if (!EMAIL.test(email) || email.length > 254) problems.push(`"${input.email}" is not an e-mail address`);
  const displayName = input.displayName?.trim() || email;
  if (displayName.length > 200) problems.push('the display name must be at most 200 characters');
  if (problems.length) throw HubError.invalidInput('INVALID_USER', `The user is not valid: ${problems.join('; ')}.`, { problems });
  const roles = checkRoles(input.roles);
  const em = actor.em.fork();
  const partnership = await em.findOne(Partnership, { id: input.partnershipId }, { populate: ['agencies'] });
  if (!partnership) throw HubError.notFound('Partnership', String(input.partnershipId));
  const agency = await em.findOne(Agency, { id: input.agencyId });
  if (!agency) throw HubError.invalidInput('UNKNOWN_AGENCY', `No agency ${input.agencyId}.`);
  if (!partnership.agencies.contains(agency)) {
    throw HubError.invalidInput(
      'AGENCY_NOT_IN_PARTNERSHIP',
      `${agency.name} (${agency.code}) is not a partner of ${partnership.name}: add it first (csp-hub agency add --code ${agency.code} --partnership ${partnership.code}).`,
    );
  }
  if (await em.findOne(User, { email })) throw HubError.conflict('USER_EXISTS', `A user with e-mail ${email} already exists.`);
  try {
    return await inActorUnitOfWork({ ...actor, em }, async ({ em: tx, audit }) => {
      const user = tx.create(User, { email, displayName, agency, partnership, roles, active: true, createdAt: new Date() });
      await tx.flush();
      await audit({
        partnershipId: partnership.id,
        operation: 'create',
        objectType: 'User',
        objectId: String(user.id),
        detail: { agencyId: agency.id, roles },
        rowCount: 1,
        agreementIds: [],
      });
      return view(user);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw HubError.conflict('USER_EXISTS', `A user with e-mail ${email} already exists.`);
    throw error;
  }
}

/**
 * Refuses a change that would leave the user's partnership with no active administrator. Takes a lock
 * on the partnership row first, so two admins cannot remove each other at the same moment.
 */
async function keepAnAdmin(uow: UnitOfWork, user: User, stillAdmin: boolean): Promise<void> {
  await uow.em.execute('select id from partnership where id = ? for update', [user.partnership.id]);
  if (stillAdmin || !user.active || !user.roles.includes('partnership_admin')) return;
  const [row] = await uow.em.execute<{ n: number }[]>(
    `select count(*)::int as n from app_user where partnership_id = ? and active and 'partnership_admin' = any(roles) and id <> ?`,
    [user.partnership.id, user.id],
  );
  if ((row?.n ?? 0) === 0) {
    throw HubError.conflict(
      'LAST_ADMIN',
      `${user.email} is the last active partnership administrator of ${user.partnership.name}: make someone else an administrator first.`,
    );
  }
}

/** Replaces a user's roles. */
export async function setUserRoles(actor: Actor, userId: number, roles: string[]): Promise<UserView> {
  const wanted = checkRoles(roles);
  if (!isOperator(actor)) guardManage(actor, actor.principal.partnershipId);
  return inActorUnitOfWork(actor, async (uow) => {
    const user = await findManaged(uow.em, actor, userId);
    await keepAnAdmin(uow, user, wanted.includes('partnership_admin'));
    const from = [...user.roles];
    user.roles = wanted;
    await uow.em.flush();
    await uow.audit({
      partnershipId: user.partnership.id,
      operation: 'update',
      objectType: 'User',
      objectId: String(user.id),
      detail: { roles: { from, to: wanted } },
      rowCount: 1,
      agreementIds: [],
    });
    return view(user);
  });
}

/** Deactivates (access ends on the user's next request) or reactivates a user. */
export async function setUserActive(actor: Actor, userId: number, active: boolean, reason: string | null = null): Promise<UserView> {
  if (!isOperator(actor)) guardManage(actor, actor.principal.partnershipId);
  return inActorUnitOfWork(actor, async (uow) => {
    const user = await findManaged(uow.em, actor, userId);
    if (user.active === active) {
      throw HubError.conflict(active ? 'ALREADY_ACTIVE' : 'ALREADY_INACTIVE', `${user.email} is already ${active ? 'active' : 'deactivated'}.`);
    }
    if (!active) await keepAnAdmin(uow, user, false);
    user.active = active;
    await uow.em.flush();
    await uow.audit({
      partnershipId: user.partnership.id,
      operation: 'update',
      objectType: 'User',
      objectId: String(user.id),
      detail: { active: { from: !active, to: active }, ...(reason?.trim() ? { reason: reason.trim() } : {}) },
      rowCount: 1,
      agreementIds: [],
    });
    return view(user);
  });
}
