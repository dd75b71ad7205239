import os from 'node:os';
import { authenticateAccess, type AccessContext, type Actor, type OperatorContext } from '@csp-hub/authz';
import { User } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import type { Hub } from '../hub';

/** The operating-system account running the CLI, as the audit log names it (`cli:<account>`). */
export function operatorLabel(): string {
  return `cli:${os.userInfo().username}`;
}

export function operatorContext(hub: Hub): OperatorContext {
  return { operator: operatorLabel(), em: hub.orm.em.fork(), db: hub.pool };
}

/**
 * `--as <e-mail>`: the hub user's own access context, built exactly as for a request (active user,
 * today's agreements, their ability), so the CLI goes through the same rules and audit as GraphQL.
 */
export async function userContext(hub: Hub, email: string): Promise<AccessContext> {
  const em = hub.orm.em.fork();
  const user = await em.findOne(User, { email: email.trim().toLowerCase() }, { populate: ['partnership'] });
  if (!user) throw HubError.notFound('User', email);
  return { ...(await authenticateAccess(hub.pool, em, user.id, user.partnership.id)), cellKey: hub.cellKey };
}

/** `--as <e-mail>` when given, else the operator. */
export async function actorFor(hub: Hub, asEmail: string | undefined): Promise<Actor> {
  return asEmail ? userContext(hub, asEmail) : operatorContext(hub);
}

/** A comma-separated option (and repeated options) as a clean list. */
export function listOption(value: string | boolean | (string | boolean)[] | undefined): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export function requireOption(value: string | undefined, message: string): string {
  if (value === undefined || value.trim() === '') throw HubError.invalidInput('BAD_ARGUMENTS', message);
  return value;
}

export function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}
