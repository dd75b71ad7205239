import { User } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { signToken } from '../auth/jwt';
import { loadSigningKeys } from '../auth/keys';
import type { Config } from '../config';
import { openHub, type Hub } from '../hub';
import type { Logger } from '../logger';

/** Opens the hub (database, migrations), runs fn, and closes it whatever happens. */
export async function withHub<T>(config: Config, logger: Logger, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await openHub(config, logger);
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

/** A development token for a user by e-mail; refused in production. */
export async function issueToken(config: Config, hub: Hub, email: string, ttl: string): Promise<string> {
  if (config.NODE_ENV === 'production') {
    throw new HubError('forbidden', 'DEV_TOKENS_DISABLED', 'csp-hub token issues dev tokens and is disabled in production');
  }
  const user = await hub.orm.em.fork().findOne(User, { email }, { populate: ['partnership'] });
  if (!user) throw HubError.notFound('User', email);
  return signToken(loadSigningKeys(config), { sub: String(user.id), pid: user.partnership.id }, ttl);
}
